"""The knowledge base's typed boundary: documents in, search results out."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ..tools.data_files import SNAKE_CASE

Kind = Literal["problem", "drill", "qa", "exercise"]
Level = Literal["beginner", "intermediate", "advanced"]


class Source(BaseModel):
    citation: str = Field(min_length=5)
    url: str | None = None


class Dose(BaseModel):
    """A prescription: sets x reps (or distance, or time), intensity, rest, frequency,
    how it progresses and what to do instead."""

    sets: int = Field(ge=1)
    reps: int | None = Field(default=None, ge=1)
    distance_m: float | None = Field(default=None, gt=0)
    duration_s: float | None = Field(default=None, gt=0)
    intensity: str = Field(min_length=3)
    rest_s: int = Field(ge=0, description="between sets (or reps)")
    sessions_per_week: int = Field(ge=1, le=7)
    progression: str = Field(min_length=20, description="over 4-6 weeks")
    regressions: list[str] = Field(
        default_factory=list, description="easier versions, or what to do without the kit"
    )

    @model_validator(mode="after")
    def _volume(self) -> Dose:
        if self.reps is None and self.distance_m is None and self.duration_s is None:
            raise ValueError("a dose needs reps, a distance or a duration")
        return self

    def session_seconds(self) -> float:
        """Time this item takes in one session, rests included: each rep about 4 s (set-up,
        the effort, the walk back), each metre 0.25 s (a run and the walk back at about
        4 m/s), a timed set its duration; ``rest_s`` between sets."""
        reps = self.reps or 1
        work = self.duration_s or (self.distance_m * 0.25 * reps if self.distance_m else 0.0)
        work = work or reps * 4.0
        return self.sets * work + max(self.sets - 1, 0) * self.rest_s

    def summary(self) -> str:
        parts = [str(self.sets)]
        if self.reps is not None:
            parts.append(str(self.reps))
        if self.distance_m is not None:
            parts.append(f"{self.distance_m:g} m")
        if self.duration_s is not None:
            parts.append(f"{self.duration_s:g} s")
        rest = f"{self.rest_s // 60} min" if self.rest_s >= 120 else f"{self.rest_s} s"
        return (
            f"{' x '.join(parts)}, {self.intensity}, rest {rest}, "
            f"{self.sessions_per_week}x per week"
        )


class KBDocument(BaseModel):
    id: str = Field(description="stable, unique: 'drill.a_skip', 'exercise.barbell_squat'")
    collection: Literal["coaching", "exercises"] = "coaching"
    kind: Kind
    title: str = Field(min_length=3)
    body: str = Field(min_length=40)
    motions: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="KISMAM problem ids addressed")
    equipment: list[str] = Field(default_factory=list, description="needed; [] = none")
    level: Level | None = None
    contraindications: list[str] = Field(default_factory=list)
    dose: Dose | None = None
    related: list[str] = Field(default_factory=list, description="ids of other documents")
    sources: list[Source] = Field(min_length=1)
    licence: str = "CC BY 4.0 (SportsGPT authors)"

    @model_validator(mode="after")
    def _check(self) -> KBDocument:
        prefix, _, rest = self.id.partition(".")
        if prefix != self.kind or not rest:
            raise ValueError(f"id {self.id!r} must be '{self.kind}.<name>'")
        if self.kind == "drill" and self.dose is None:
            raise ValueError(f"{self.id}: a drill needs a dose")
        if self.kind == "problem" and not self.problems:
            raise ValueError(f"{self.id}: a problem guide names the problem ids it covers")
        for name in (*self.problems, *self.motions):
            if not SNAKE_CASE.match(name):
                raise ValueError(f"{self.id}: {name!r} is not snake_case")
        return self

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()

    def search_text(self) -> str:
        """What is embedded and indexed: the title, the text and the dose in words."""
        dose = f" Dose: {self.dose.summary()}." if self.dose else ""
        return f"{self.title}. {self.body}{dose}"


class SearchFilters(BaseModel):
    motion: str | None = None
    problem: str | None = None
    kinds: list[Kind] | None = None
    without_equipment: list[str] = Field(
        default_factory=list, description="leave out what needs any of this kit"
    )
    level: Level | None = None


class SearchResult(BaseModel):
    id: str
    title: str
    text: str
    score: float
    source: list[Source]
    dose: Dose | None = None
    kind: Kind
    problems: list[str] = Field(default_factory=list)
    equipment: list[str] = Field(default_factory=list)
    contraindications: list[str] = Field(default_factory=list)
    motions: list[str] = Field(default_factory=list, description="[] = any motion")
