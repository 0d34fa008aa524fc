"""The humanly possible range of each joint angle (``anatomy.json``, cited): a value
outside it is a measurement failure, not a technique. ``compute_kinematics`` blanks such
frames (NaN) and keeps which they were, so nothing downstream judges or quotes them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

DATA = Path(__file__).with_name("anatomy.json")
SIDES = ("left_", "right_")


class AnatomicalRange(BaseModel):
    channels: list[str] = Field(min_length=1, description="channel names without the side")
    min: float
    max: float
    source: str
    why: str

    @model_validator(mode="after")
    def _check(self) -> AnatomicalRange:
        if self.min >= self.max:
            raise ValueError(f"{self.channels}: min {self.min} is not below max {self.max}")
        return self


class Anatomy(BaseModel):
    about: str
    margin_deg: float = Field(ge=0)
    sources: dict[str, str]
    ranges: list[AnatomicalRange]

    @model_validator(mode="after")
    def _check(self) -> Anatomy:
        unknown = {r.source for r in self.ranges} - set(self.sources)
        if unknown:
            raise ValueError(f"ranges cite unknown sources: {sorted(unknown)}")
        names = [c for r in self.ranges for c in r.channels]
        if len(names) != len(set(names)):
            raise ValueError("a channel has two anatomical ranges")
        return self

    def limits(self, channel: str) -> tuple[float, float, AnatomicalRange] | None:
        """(low, high, range) a ``channel``'s values must lie in (the margin included),
        or None for a channel with no anatomical range (a segment's tilt, a distance)."""
        base = next((channel[len(s) :] for s in SIDES if channel.startswith(s)), channel)
        for r in self.ranges:
            if base in r.channels:
                return r.min - self.margin_deg, r.max + self.margin_deg, r
        return None

    def words(self, channel: str) -> str:
        """'outside the humanly possible range of knee flexion (-25 to 165 deg: ...)'."""
        found = self.limits(channel)
        if found is None:
            return ""
        low, high, r = found
        return (f"outside the humanly possible range ({low:.0f} to {high:.0f}°: {r.why}; "
                f"{self.sources[r.source].split('.')[0]})")  # fmt: skip


@cache
def anatomy() -> Anatomy:
    return Anatomy.model_validate(json.loads(DATA.read_text()))
