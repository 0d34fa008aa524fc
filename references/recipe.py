"""How each shipped motion's references are made, as data: ``references/<motion>/build.json``.

A recipe names the mocap the templates come from (paths relative to ../shared), the event
rule that finds the motion's keyframes in that mocap (a name in
``tools.motiondtw.events.EVENT_RULES``), every template's settings (span, padding, channel
weights, refine rules, gates), the recordings its elite bands are statistics of, and the
queries its cost threshold is calibrated on. ``references/build.py`` and
``evals/calibrate_references.py`` read these files; nothing in them is per motion.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..tools.data_files import SNAKE_CASE, load_json_model
from ..tools.motiondtw.events import EVENT_RULES, MotionEvent
from ..tools.motiondtw.features import DEFAULT_ARM_WEIGHT
from ..tools.motiondtw.library import REFERENCES_DIR
from ..tools.motiondtw.reference import DEFAULT_COST_THRESHOLD
from ..tools.motiondtw.refine import KeyframeRule, OccurrenceGate
from ..tools.pose_sequence import PoseSequence


class TemplateRecipe(BaseModel):
    """One template: which occurrence of which recording, and how it aligns."""

    name: str
    source: str = Field(description="the mocap, relative to ../shared")
    attribution: str = Field(min_length=10)
    tile: int = Field(default=1, ge=1, description="a looping clip played this many times")
    occurrence: int = Field(default=0, ge=0, description="which occurrence the rule finds")
    span: Literal["occurrence", "padded"] = Field(
        default="padded",
        description="the template is the occurrence itself (a cycle), or its first to last "
        "keyframe padded by pad_s",
    )
    pad_s: float = Field(default=0.5, ge=0)
    arm_weight: float = Field(default=DEFAULT_ARM_WEIGHT, ge=0)
    weights: dict[str, float] | None = None
    mirror: bool = True
    refine: dict[str, KeyframeRule] = Field(default_factory=dict)
    gates: list[OccurrenceGate] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _snake(cls, value: str) -> str:
        if not SNAKE_CASE.match(value):
            raise ValueError(f"{value!r} is not snake_case")
        return value


class KeyPositionsRecipe(BaseModel):
    """A provisional template drawn from ``key_positions.json`` (no elite clip exists)."""

    attribution: str = Field(min_length=10)
    mirror: bool
    whole_template_is_motion: bool
    refine: dict[str, KeyframeRule] = Field(default_factory=dict)
    gates: list[OccurrenceGate] = Field(default_factory=list)
    cost_threshold: float = Field(
        default=DEFAULT_COST_THRESHOLD, gt=0, description="no recording to calibrate it on "
        "(the other templates' come from evals.calibrate_references): set by hand, with why",
    )  # fmt: skip
    threshold_why: str | None = None


class BandsRecipe(BaseModel):
    """Bands that are statistics of elite recordings at their own mocap events."""

    sources: list[str] = Field(min_length=1, description="relative to ../shared")
    measured: Literal["side", "3d"] = Field(description="as a side camera sees it, or in 3D")
    label: str = Field(min_length=10)
    by_athlete: bool = Field(
        default=False,
        description="each file is one athlete (its name up to the first '_'): bands hold "
        "the spread between athletes",
    )


class CalibrationQuery(BaseModel):
    """A query a template's cost threshold is calibrated on (never a benchmark query)."""

    kind: Literal["embedded", "recording"] = Field(
        description="the clip embedded among fillers (one per seed), or a whole recording"
    )
    source: str = Field(description="relative to ../shared")
    tile: int = Field(default=1, ge=1)
    shares_recording: bool = False
    fillers: Literal["default", "not_walking"] = "default"
    template: str | None = Field(
        default=None, description="only this template is calibrated on it (a recording)"
    )


class MotionRecipe(BaseModel):
    format: Literal["sportsgpt.build"] = "sportsgpt.build"
    motion: str
    events: str | None = Field(
        default=None, description="the rule that finds the keyframes in mocap (EVENT_RULES)"
    )
    templates: list[TemplateRecipe] = Field(default_factory=list)
    key_positions: KeyPositionsRecipe | None = None
    bands: BandsRecipe | None = None
    calibration: list[CalibrationQuery] = Field(default_factory=list)
    candidate_refine: dict[str, KeyframeRule] = Field(
        default_factory=dict,
        description="event rules measured but not attached to the templates yet",
    )

    @model_validator(mode="after")
    def _check(self) -> MotionRecipe:
        if self.events is not None and self.events not in EVENT_RULES:
            raise ValueError(f"unknown event rule {self.events!r}; known: {sorted(EVENT_RULES)}")
        if self.templates and self.events is None:
            raise ValueError("templates from mocap need an event rule")
        if not self.templates and self.key_positions is None:
            raise ValueError("a recipe needs templates or key positions")
        return self


def recipe_path(motion: str, folder: Path = REFERENCES_DIR) -> Path:
    return folder / motion / "build.json"


def load_recipe(motion: str, folder: Path = REFERENCES_DIR) -> MotionRecipe:
    recipe = load_json_model(recipe_path(motion, folder), MotionRecipe, "reference recipe")
    if recipe.motion != motion:
        raise ValueError(f"{recipe_path(motion, folder)} is the recipe of {recipe.motion}")
    return recipe


def recipes(folder: Path = REFERENCES_DIR) -> list[MotionRecipe]:
    """Every motion's recipe, in name order."""
    return [load_recipe(p.parent.name, folder) for p in sorted(folder.glob("*/build.json"))]


def motion_events(motion: str) -> Callable[[PoseSequence, int, int], list[MotionEvent]]:
    """The rule that finds ``motion``'s keyframes in 3D mocap (frames lo..hi)."""
    name = load_recipe(motion).events
    if name is None:
        raise ValueError(f"{motion} has no mocap event rule (its templates are provisional)")
    return EVENT_RULES[name]
