"""What KISMAM knows about a motion, as validated data (references/<motion>/assessment.json).

Metrics say what to measure at which keyframe and the elite band it should fall in, with
the source of that band; problems map deviation channels (``metric:insufficient`` or
``metric:excessive``) through expert weights to named technical problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..data_files import SNAKE_CASE, load_json_model
from ..errors import SportsGPTError
from ..motiondtw.refine import OccurrenceGate

VIEWS = ("side", "front", "oblique", "3d")
SIDE_PLACEHOLDER = "{side}"


class BandSource(BaseModel):
    """Where a band comes from: the literature, or statistics of real recordings."""

    kind: Literal["literature", "statistics"]
    citation: str = Field(min_length=5)
    url: str | None = None
    population: int | None = Field(default=None, description="samples behind statistics")
    k_sd: float | None = Field(default=None, description="band = mean +/- k SD")
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> BandSource:
        if self.kind == "statistics":
            if self.population is None or self.population < 5:
                raise ValueError("statistics bands need a population of at least 5 samples")
            if "deepmimic_sie" in self.citation.lower():
                raise ValueError("deepmimic_sie is non-commercial: no bands from it")
        elif not self.url:
            raise ValueError("literature bands need the source's url")
        return self


class Band(BaseModel):
    min: float | None = None
    max: float | None = None
    source: BandSource

    @model_validator(mode="after")
    def _check(self) -> Band:
        if self.min is None and self.max is None:
            raise ValueError("a band needs a min, a max, or both")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"inverted band: min {self.min} >= max {self.max}")
        return self

    @property
    def scale(self) -> float:
        """Deviations are expressed in band widths (one-sided bands: a fixed scale)."""
        if self.min is not None and self.max is not None:
            return self.max - self.min
        return 10.0


class MetricSpec(BaseModel):
    """One measurement: a kinematics channel at keyframes (or over a phase)."""

    id: str
    label: str = Field(description="what is measured, with how to read it (reports, plots)")
    short: str | None = Field(
        default=None,
        max_length=48,
        description="a coach's name for it, e.g. 'Arm swing at take-off' (captions, tables)",
    )
    channel: str = Field(description="kinematics channel; {side} = the keyframe's side")
    at: list[str] = Field(min_length=1, description="keyframes measured")
    until: str | None = Field(default=None, description="with reduce min/max: phase end keyframe")
    reduce: Literal["value", "min", "max"] = "value"
    before_s: float | None = Field(
        default=None, gt=0, description="with reduce min/max: the phase starts this long earlier"
    )
    after_s: float | None = Field(
        default=None, gt=0, description="with reduce min/max: the phase ends this long later"
    )
    unit: str
    band: Band
    views: list[str] = Field(default_factory=lambda: ["side", "3d"])

    @field_validator("id")
    @classmethod
    def _snake(cls, value: str) -> str:
        if not SNAKE_CASE.match(value):
            raise ValueError(f"metric id {value!r} is not snake_case")
        return value

    @property
    def name(self) -> str:
        """The short name, or the label without its explanation in brackets."""
        return self.short or self.label.split(" (")[0]

    @property
    def channels(self) -> list[str]:
        """Every channel the metric may read: both sides of a ``{side}`` channel."""
        if SIDE_PLACEHOLDER in self.channel:
            return [self.channel.replace(SIDE_PLACEHOLDER, s) for s in ("left", "right")]
        return [self.channel]

    @model_validator(mode="after")
    def _check(self) -> MetricSpec:
        if self.reduce == "value" and self.until is not None:
            raise ValueError(f"{self.id}: 'until' needs reduce min or max")
        if self.reduce == "value" and (self.before_s or self.after_s):
            raise ValueError(f"{self.id}: 'before_s' and 'after_s' need reduce min or max")
        bad = [v for v in self.views if v not in VIEWS]
        if bad:
            raise ValueError(f"{self.id}: unknown views {bad}")
        return self


class ProblemSpec(BaseModel):
    """A named technical problem: weighted deviation channels plus a bias."""

    id: str
    label: str
    coach_text: str = Field(min_length=20)
    weights: dict[str, float] = Field(description="'metric:insufficient|excessive' -> weight")
    bias: float = 0.0
    views: list[str] = Field(default_factory=lambda: ["side", "3d"])
    phase: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ProblemSpec:
        if not SNAKE_CASE.match(self.id):
            raise ValueError(f"problem id {self.id!r} is not snake_case")
        if not self.weights:
            raise ValueError(f"{self.id}: a problem needs at least one deviation channel")
        for key, weight in self.weights.items():
            _, sep, direction = key.partition(":")
            if not sep or direction not in ("insufficient", "excessive"):
                raise ValueError(
                    f"{self.id}: channel {key!r} must be metric:insufficient|excessive"
                )
            if weight <= 0:
                raise ValueError(f"{self.id}: weight of {key} must be positive")
        return self


class KeyframeSpec(BaseModel):
    label: str | None = Field(default=None, description="its name in words, e.g. 'take-off'")
    description: str = Field(min_length=10)
    rule: str = Field(min_length=10, description="the event rule that locates it in mocap")


class CaptureNeeds(BaseModel):
    """What a recording of the motion needs for its keyframes to be timed well enough."""

    min_fps: float = Field(default=25.0, gt=0, description="below this, keyframe timing suffers")
    good_fps: float = Field(default=60.0, gt=0, description="what to film at")
    why: str = Field(
        default="keyframes are located frame by frame",
        min_length=10,
        description="why the frame rate matters for this motion, in a coach's words",
    )


class GaitCheck(BaseModel):
    """How the feet share the ground in this motion, which tells walking from running
    whatever the camera's angle or the clip's speed (slow motion included): a walk has
    double support (both feet down at once), a run has none (a flight phase instead)."""

    double_support: tuple[float, float] = Field(
        description="the share of the motion's frames with both feet on the ground"
    )
    contact_level: float = Field(
        default=0.05, gt=0, description="a foot is down below this clearance (leg lengths)"
    )
    accept_ratio: float = Field(
        default=0.7, gt=0, le=1, description="a match whose feet share the ground this way "
        "is recognised up to this cost ratio (without the check: 0.7; its alignment's own "
        "limit is 1): slow-motion and broadcast runs match the run templates less closely "
        "than mocap, and the check tells them from walks and from standing",
    )  # fmt: skip
    why: str = Field(min_length=10)


class SignatureCheck(BaseModel):
    """What every true occurrence of the motion shows whatever the camera, and a motion it
    is mistaken for does not (a serve: the toss arm up, then the hitting hand over the head
    and above the toss hand at impact). An occurrence that shows it is recognised up to
    ``accept_ratio``, and a walk found elsewhere in the recording does not outweigh it."""

    gates: list[OccurrenceGate] = Field(
        min_length=1, description="read at the occurrence's keyframes, sides as matched"
    )
    accept_ratio: float = Field(
        default=0.7, gt=0, le=1, description="an occurrence that shows the signature is "
        "recognised up to this cost ratio (without it: 0.7)",
    )  # fmt: skip
    why: str = Field(min_length=10)


class LeadsInto(BaseModel):
    """Motions that follow this one in the same recording (a start, then the steps of the
    acceleration). Without one of them found after it, this motion is not recognised (a
    dancer's crouch and rise is no start); before one that is recognised on its own, the
    recording is about this one, and it is accepted up to ``accept_ratio``."""

    motions: list[str] = Field(min_length=1)
    accept_ratio: float = Field(
        default=0.7, gt=0, le=1, description="before a recognised follower, this motion is "
        "recognised up to this cost ratio (its gates already tell it from the followers)",
    )  # fmt: skip
    why: str = Field(min_length=10)


class AssessmentSpec(BaseModel):
    """Everything KISMAM needs for one motion."""

    format: Literal["sportsgpt.assessment"] = "sportsgpt.assessment"
    version: Literal[1] = 1
    motion: str
    title: str
    aliases: list[str] = Field(
        default_factory=list, description="what athletes call the motion (matched as whole words)"
    )
    keyframes: dict[str, KeyframeSpec]
    metrics: list[MetricSpec]
    problems: list[ProblemSpec]
    sensitivity: float = Field(default=4.0, gt=0, description="p = sigmoid(s * (W e) + bias)")
    capture: CaptureNeeds = Field(default_factory=lambda: CaptureNeeds())
    gait: GaitCheck | None = Field(
        default=None, description="for recognition: how the feet share the ground"
    )
    leads_into: LeadsInto | None = Field(
        default=None, description="for recognition: the motions that follow this one"
    )
    signature: SignatureCheck | None = Field(
        default=None, description="for recognition: what every occurrence of it shows"
    )

    def keyframe_label(self, keyframe: str) -> str:
        spec = self.keyframes.get(keyframe)
        return (spec.label if spec and spec.label else None) or keyframe.replace("_", " ")

    def metric(self, metric_id: str) -> MetricSpec | None:
        return next((m for m in self.metrics if m.id == metric_id), None)

    def problem(self, problem_id: str) -> ProblemSpec | None:
        return next((p for p in self.problems if p.id == problem_id), None)

    @model_validator(mode="after")
    def _check(self) -> AssessmentSpec:
        if not SNAKE_CASE.match(self.motion):
            raise ValueError(f"motion {self.motion!r} is not snake_case")
        ids = [m.id for m in self.metrics]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate metric ids")
        for metric in self.metrics:
            for kf in [*metric.at, *([metric.until] if metric.until else [])]:
                if kf not in self.keyframes:
                    raise ValueError(f"metric {metric.id} uses unknown keyframe {kf!r}")
        for gate in self.signature.gates if self.signature else []:
            for read in (gate.keyframe, gate.change_from):
                if read is not None and read not in self.keyframes:
                    raise ValueError(f"the signature reads unknown keyframe {read!r}")
        known = set(ids)
        for problem in self.problems:
            for key in problem.weights:
                if key.split(":")[0] not in known:
                    raise ValueError(f"problem {problem.id} uses unknown metric {key!r}")
        return self


def check_channels(spec: AssessmentSpec, known_channels: set[str]) -> None:
    """Every metric reads a channel the kinematics stage can produce."""
    for metric in spec.metrics:
        unknown = sorted(set(metric.channels) - known_channels)
        if unknown:
            raise ValueError(f"metric {metric.id} reads unknown channel(s) {unknown}")


def load_assessment_spec(path: str | Path) -> AssessmentSpec:
    return load_json_model(path, AssessmentSpec, "assessment spec")


def load_motion_spec(motion: str) -> AssessmentSpec:
    """The shipped assessment spec of ``motion`` (validated, channels checked)."""
    from ..kinematics.angles import channel_vocabulary
    from ..motiondtw.library import REFERENCES_DIR

    path = REFERENCES_DIR / motion / "assessment.json"
    if not path.is_file():
        have = sorted(p.parent.name for p in REFERENCES_DIR.glob("*/assessment.json"))
        raise SportsGPTError(
            f"no assessment for motion {motion!r}; assessable motions: {', '.join(have) or 'none'}"
        )
    spec = load_assessment_spec(path)
    check_channels(spec, channel_vocabulary())
    return spec
