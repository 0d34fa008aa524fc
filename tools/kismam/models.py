"""KISMAM's output: an Assessment a coach can check line by line."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["minor", "moderate", "major"]


class Evidence(BaseModel):
    """One measurement behind a problem: where, what, and how far outside its band."""

    keyframe: str
    frame: int
    metric: str
    measured: float
    band: tuple[float | None, float | None]
    deviation: float = Field(description="signed, in band widths: < 0 insufficient, > 0 excessive")
    label: str = Field(default="", description="the metric's name in words")
    unit: str = ""
    at: str = Field(default="", description="the keyframe's name in words")


class MetricResult(BaseModel):
    id: str
    label: str
    short: str = Field(default="", description="the metric's name in words")
    at: str = Field(default="", description="the keyframe's name in words")
    unit: str
    keyframe: str
    frame: int
    occurrence: int
    measured: float
    band: tuple[float | None, float | None]
    insufficient: float = Field(ge=0, description="below the band, in band widths")
    excessive: float = Field(ge=0, description="above the band, in band widths")
    source: str
    quality: float = Field(
        default=1.0, ge=0, le=1, description="how well it was measured (kismam/quality.py)"
    )

    @property
    def in_band(self) -> bool:
        return self.insufficient == 0 and self.excessive == 0


class Problem(BaseModel):
    id: str
    label: str
    probability: float = Field(
        ge=0,
        le=1,
        description="the deviation's probability, drawn towards 0.5 ('cannot "
        "say') by the measurement's quality: 0.5 + (p - 0.5) x quality",
    )
    severity: Severity
    coach_text: str
    evidence: list[Evidence]
    quality: float = Field(
        default=1.0, ge=0, le=1, description="median quality of the values it rests on"
    )


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
    warp_start: int = Field(default=0, description="the first athlete frame of ``warp``")
    warp: list[int] = Field(
        default_factory=list,
        description="the alignment's warping path: references[0]'s frame for each athlete "
        "frame from warp_start on",
    )

    @property
    def outside_band(self) -> list[MetricResult]:
        return [m for m in self.metrics if not m.in_band]


CaptureAspect = Literal["view", "frame_rate", "tracking", "in_frame", "athlete_size", "anatomy"]


class CaptureIssue(BaseModel):
    """One way the recording itself limits what can be judged, and how to film better."""

    aspect: CaptureAspect
    measured: str = Field(description="what the recording has, e.g. '30 fps'")
    limits: str = Field(description="what that limits, in a coach's words")
    advice: str = Field(description="how to film it better ('' when filming cannot help)")


class CaptureCheck(BaseModel):
    """The recording against what the motion's metrics and keyframes need."""

    view: str = Field(description="side, front, behind or oblique (3d for 3D motion)")
    azimuth_deg: float | None = Field(
        default=None, description="where the camera stands round the athlete: 0 in front, "
        "90 at the side, 180 behind (2D; from the skeleton's width and left-right order)",
    )  # fmt: skip
    fps: float
    tracked_share: float | None = Field(
        default=None, description="frames of the motion with the athlete's body seen, 0..1"
    )
    in_frame_share: float | None = Field(
        default=None, description="frames of the motion with every joint seen inside the frame"
    )
    athlete_px: float | None = Field(default=None, description="athlete's median height, pixels")
    slow_motion: float = Field(
        default=1.0, ge=1.0, description="the clip plays this many times slower than real "
        "time (found as slow motion): ``fps``, times and speeds are of real time",
    )  # fmt: skip
    issues: list[CaptureIssue] = Field(default_factory=list)


class Assessment(BaseModel):
    """``sportsgpt assess --json`` prints exactly this."""

    motion: str
    score: float | None = Field(
        ge=0, le=100, description="technique score 0-100; null when nothing could be judged "
        "(every metric is in ``unmeasurable``): no score rather than a score of nothing",
    )  # fmt: skip
    problems: list[Problem]
    occurrences: list[OccurrenceAssessment]
    unmeasurable: dict[str, str] = Field(description="metric or problem -> why not judged")
    capture: CaptureCheck | None = Field(
        default=None, description="what the recording itself limits (checked before feedback)"
    )
