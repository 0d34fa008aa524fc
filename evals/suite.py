"""Eval suites as data: which recordings the coach is run on, what is said to it, and
what its trajectory must (and must not) contain. ``evals/suites/<name>.json``.

A suite never holds answers: the truth of each case (its keyframes, the problems it
shows) is computed from the ../shared recording it names (evals/cases.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from ..tools.data_files import load_json_model
from ..tools.errors import SportsGPTError

SUITES = Path(__file__).resolve().parent / "suites"


class FaultSource(BaseModel):
    """Real mocap with one catalogued fault injected (or none), embedded among other
    motions (an untrimmed recording), seen by a noisy 2D side camera."""

    kind: Literal["fault"] = "fault"
    motion: str
    clip: str = Field(description="a clip of evals/fault_catalogue.json (path under ../shared)")
    fault: str | None = Field(description="the catalogue fault's problem id; None: as recorded")
    seed: int = Field(ge=0, description="fault size, tempo, camera, noise and fillers")


class RecordingSource(BaseModel):
    """A real recording (a video or mocap file under ../shared) as the user would give it;
    no frame-level truth, so only trajectory, guidance and cost are scored."""

    kind: Literal["recording"] = "recording"
    file: str = Field(description="path under ../shared")
    motion: str | None = Field(default=None, description="the motion it shows, if known")
    none_of_ours: bool = Field(
        default=False, description="a movement we do not know: the right answer is no motion"
    )
    also: list[str] = Field(
        default_factory=list, description="other motions it may rightly be recognised as "
        "(a run: max-velocity sprinting or acceleration)",
    )  # fmt: skip


Source = Annotated[FaultSource | RecordingSource, Field(discriminator="kind")]


class TrajectoryExpectation(BaseModel):
    """agentevals-style checks on the tool calls of one turn."""

    required: list[str] = Field(default_factory=list, description="superset: all called")
    allowed: list[str] | None = Field(
        default=None, description="subset: nothing outside these (None: any tool)"
    )
    forbidden: list[str] = Field(default_factory=list, description="never called")
    order: list[tuple[str, str]] = Field(
        default_factory=list, description="(a, b): the first a comes before the first b"
    )


class Turn(BaseModel):
    message: str = Field(min_length=1)
    attach: bool = Field(default=False, description="hand over the case's recording")
    expect: TrajectoryExpectation = Field(default_factory=TrajectoryExpectation)


class EvalCase(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    source: Source
    motion_hint: str | None = Field(
        default=None, description="the motion picked in the UI (None: recognised)"
    )
    turns: list[Turn] = Field(min_length=1)

    @model_validator(mode="after")
    def _first_turn_attaches(self) -> EvalCase:
        if not self.turns[0].attach:
            raise ValueError(f"case {self.id}: the first turn must hand over the recording")
        return self


class EvalSuite(BaseModel):
    format: Literal["sportsgpt.eval_suite"] = "sportsgpt.eval_suite"
    version: Literal[1] = 1
    name: str
    description: str
    cases: list[EvalCase] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> EvalSuite:
        ids = [c.id for c in self.cases]
        if len(ids) != len(set(ids)):
            raise ValueError("case ids must be unique")
        return self


def suite_path(name_or_path: str | Path) -> Path:
    """A suite file by name (evals/suites/NAME.json) or by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SUITES / f"{name_or_path}.json"
        if not path.is_file():
            raise SportsGPTError(
                f"no eval suite {name_or_path!r}; shipped: {', '.join(suite_names())} "
                "(or give a suite file's path)"
            )
    return path


def load_suite(name_or_path: str | Path) -> EvalSuite:
    """A suite by name (evals/suites/NAME.json) or by path."""
    return load_json_model(suite_path(name_or_path), EvalSuite, "eval suite")


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES.glob("*.json"))
