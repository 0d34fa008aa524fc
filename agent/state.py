"""The agent's state: what it understood, its explicit plan, what the tools returned, the
evidence checks, and the answer. The plan and the checks are data, visible in traces."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from ..kb.models import Level
from ..kb.queries import AthleteContext
from ..settings import mask_secrets
from .safety import SafetyConcern
from .slots import Slots
from .tools import AssessmentSummary, KBHit, Measurements, PoseSummary

IntentKind = Literal[
    "analyze", "explain", "adapt", "question", "compare", "safety", "measurement",
    "why_flagged", "fix_first", "drill_details", "out_of_scope", "clarify", "technique",
]  # fmt: skip


class CoachRequest(BaseModel):
    """What the app and the CLI pass: fields, not prose. Understanding fills only what is
    missing from the message."""

    message: str
    files: list[str] = Field(default_factory=list)
    motion: str | None = None
    level: Level | None = None
    missing_equipment: list[str] = Field(default_factory=list)
    days_per_week: int | None = Field(default=None, ge=1, le=7)
    session_minutes: int | None = Field(default=None, ge=5, le=300)
    injuries: list[str] = Field(default_factory=list, description="body parts that hurt")
    view: Literal["side", "front", "oblique"] | None = Field(
        default=None, description="the camera view of a video or 2D file (default: estimated)"
    )
    pick: tuple[float, float, float | None] | None = Field(
        default=None, description="a point on the athlete in a video with several people: "
        "x, y (pixels) and the time in seconds it is on them (None: the first frame)",
    )  # fmt: skip

    @field_validator("motion")
    @classmethod
    def _auto_is_unnamed(cls, motion: str | None) -> str | None:
        """'auto' (as ``assess --motion auto`` takes it) means: recognise it."""
        return None if motion is None or motion.strip().lower() in ("", "auto") else motion


class Intent(BaseModel):
    kind: IntentKind
    motion: str | None = None
    topic: str | None = Field(default=None, description="what to explain or look up")
    file: str | None = None
    concern: SafetyConcern | None = Field(default=None, description="pain, injury, red flag")
    slots: Slots = Field(default_factory=Slots)
    confidence: float | None = Field(default=None, description="the classifier's, offline")
    question: str | None = Field(default=None, description="the clarifying question to ask")


class PlanStep(BaseModel):
    tool: str
    args: dict[str, Any]
    why: str
    target: str | None = Field(default=None, description="guidance key a search fills")
    status: Literal["pending", "done", "failed", "skipped"] = "pending"
    result_summary: str | None = None


class Plan(BaseModel):
    goal: str
    steps: list[PlanStep] = Field(default_factory=list)
    revision: int = 0

    def next_pending(self) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.status == "pending"), None)


class ToolCallRecord(BaseModel):
    tool: str
    args: dict[str, Any]
    ok: bool
    duration_ms: float
    summary: str
    error: str | None = None
    error_kind: str | None = Field(
        default=None, description="the error's class (DatabaseUnavailableError, ...)"
    )


class Check(BaseModel):
    name: str
    ok: bool
    detail: str


class EvidenceReport(BaseModel):
    checks: list[Check] = Field(default_factory=list)

    @property
    def sufficient(self) -> bool:
        return all(c.ok for c in self.checks)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


class TraceEvent(BaseModel):
    """One step the UI and the CLI can stream: plan, tool start/end, re-query, answer."""

    kind: Literal[
        "understand", "plan", "tool_start", "tool", "check", "requery", "compose", "verify",
        "answer",
    ]  # fmt: skip
    detail: str
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("detail")
    @classmethod
    def _masked(cls, detail: str) -> str:  # traces are shown, saved and scored
        return mask_secrets(detail)


SHOWN_STEPS = ("plan", "tool", "requery")
"""The trace events the CLI and the app show as steps while a turn runs. Their ``detail``
is always our own words: whatever a language model wrote (its reasons, repairs of its
plan, a rejected draft) lives in ``data``, kept in the trace and never shown."""


def add_trace(old: list[TraceEvent], new: list[TraceEvent]) -> list[TraceEvent]:
    """The trace's reducer: each node returns only its own events; a turn's first event
    (``understand``) starts the turn's trace afresh."""
    if new:
        first = new[0]
        kind = first.kind if isinstance(first, TraceEvent) else dict(first).get("kind")
        if kind == "understand":
            return list(new)
    return [*old, *new]


class CoachState(BaseModel):
    """Carried across the turns of one thread (LangGraph checkpointer)."""

    message: str = ""
    request: CoachRequest | None = Field(default=None, description="this turn's typed fields")
    files: list[str] = Field(default_factory=list)
    motion_hint: str | None = None
    context: AthleteContext = Field(default_factory=AthleteContext)
    days_per_week: int | None = None
    session_minutes: int | None = None
    intent: Intent | None = None
    model_turn: dict[str, Any] | None = Field(
        default=None, description="the language model's reading and plan of this turn"
    )
    plan: Plan | None = None
    pose: PoseSummary | None = None
    assessment: AssessmentSummary | None = None
    guidance: dict[str, list[KBHit]] = Field(
        default_factory=dict, description="problem id (or 'development', 'question') -> hits"
    )
    plan_items: list[str] = Field(default_factory=list, description="drill ids of the plan")
    notes: dict[str, str] = Field(default_factory=dict, description="drill id -> adaptation")
    calls: list[ToolCallRecord] = Field(default_factory=list)
    measurements: list[Measurements] = Field(default_factory=list, description="this turn's")
    last_slots: Slots | None = Field(default=None, description="the previous turn's, resolved")
    evidence: EvidenceReport = Field(default_factory=EvidenceReport)
    requeries: list[str] = Field(default_factory=list)
    attempts: int = 0
    comparison: str | None = Field(
        default=None, description="this turn's comparison of the stored analyses"
    )
    answer: str = ""
    citations: list[str] = Field(default_factory=list)
    mode: Literal["offline", "llm"] = "offline"
    trace: Annotated[list[TraceEvent], add_trace] = Field(default_factory=list)
    turn: int = 0

    def last_failure(self) -> ToolCallRecord | None:
        """This turn's last failed tool call (its error, and the error's class)."""
        failed = [c for c in self.calls if c.error]
        return failed[-1] if failed else None
