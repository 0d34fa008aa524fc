"""KISMAM's output: an Assessment a coach can check line by line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["minor", "moderate", "major"]


def band_words(
    low: float | None, high: float | None, num: Callable[[float], str] = "{:g}".format
) -> str:
    """An elite band as a coach says it: "20 to 40", "at least 80", "at most 12"."""
    if low is not None and high is not None:
        return f"{num(low)} to {num(high)}"
    if low is not None:
        return f"at least {num(low)}"
    assert high is not None, "a band has at least one bound"
    return f"at most {num(high)}"


class Evidence(BaseModel):
    """One measurement behind a problem: where, what, and how far outside its band."""

    keyframe: str
    frame: int
    metric: str
    measured: float
    band: tuple[float | None, float | None]
    deviation: float = Field(description="signed, in band widths: < 0 insufficient, > 0 excessive")


class MetricResult(BaseModel):
    id: str
    label: str
    unit: str
    keyframe: str
    frame: int
    occurrence: int
    measured: float
    band: tuple[float | None, float | None]
    insufficient: float = Field(ge=0, description="below the band, in band widths")
    excessive: float = Field(ge=0, description="above the band, in band widths")
    source: str

    @property
    def in_band(self) -> bool:
        return self.insufficient == 0 and self.excessive == 0


class Problem(BaseModel):
    id: str
    label: str
    probability: float = Field(ge=0, le=1)
    severity: Severity
    coach_text: str
    evidence: list[Evidence]


class OccurrenceAssessment(BaseModel):
    """One aligned occurrence and every metric measured in it."""

    start: int
    end: int
    keyframes: dict[str, int]
    cost: float
    metrics: list[MetricResult]
    references: list[str] = Field(
        default_factory=list, description="the elite references it was aligned with"
    )
    mirrored: bool = Field(default=False, description="matched with left and right swapped")

    @property
    def outside_band(self) -> list[MetricResult]:
        return [m for m in self.metrics if not m.in_band]


class Assessment(BaseModel):
    """``sportsgpt assess --json`` prints exactly this (five top-level keys)."""

    motion: str
    score: float = Field(ge=0, le=100, description="technique score 0-100")
    problems: list[Problem]
    occurrences: list[OccurrenceAssessment]
    unmeasurable: dict[str, str] = Field(description="metric or problem -> why not judged")
