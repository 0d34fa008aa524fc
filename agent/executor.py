"""The act node's machinery: one traced door for every tool call, a working copy of the
state, results filed under the plan step they belong to (and the plan grown after the
assessment), and live events for a streaming caller."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from langgraph.config import get_stream_writer
from pydantic import BaseModel

from ..kb.queries import problem_queries
from ..tools.errors import SportsGPTError, StoppedError
from .plans import search_step
from .state import (
    CoachState,
    Plan,
    PlanStep,
    ToolCallRecord,
    TraceEvent,
)
from .tools import (
    TOOLS,
    AdaptedPlan,
    AssessmentSummary,
    DrillDetail,
    Explanation,
    KnowledgeHits,
    Measurements,
    PoseSummary,
    ToolContext,
    run_tool,
)

POSE = "$pose"  # placeholder in a planned step: the pose file extract_pose produced
ADAPTED_ITEM = "_adapted"  # a get_drill made while adapting a plan: not the question's answer


def _event(kind: str, detail: str, **data: Any) -> TraceEvent:
    return TraceEvent.model_validate({"kind": kind, "detail": detail, "data": data})


def live(event: TraceEvent) -> None:
    """Send an event to a streaming caller now (a no-op outside ``graph.stream``)."""
    with contextlib.suppress(RuntimeError):  # not inside a graph (a node called directly)
        get_stream_writer()(event.model_dump())


def _expand_after_assessment(state: CoachState, assessment: AssessmentSummary) -> list[PlanStep]:
    """Retrieval steps once the problems are known (one per problem, or development)."""
    return [search_step(q) for q in
            problem_queries(assessment.motion, assessment.problems, state.context)]  # fmt: skip


class _Work:
    """The act node's working copy of the state, shared by both paths."""

    def __init__(self, state: CoachState) -> None:
        assert state.plan is not None
        self.state = state
        self.plan = state.plan.model_copy(deep=True)
        self.pose: PoseSummary | None = state.pose
        self.assessment: AssessmentSummary | None = state.assessment
        self.guidance = {k: list(v) for k, v in state.guidance.items()}
        self.notes = dict(state.notes)
        self.calls = list(state.calls)
        self.trace: list[TraceEvent] = []  # this node's events (the state's reducer adds them)
        self.measurements = list(state.measurements)
        self.update: dict[str, Any] = {}

    def args_for(self, step: PlanStep) -> dict[str, Any]:
        pose = self.pose.pose_file if self.pose else POSE
        return {k: (pose if v == POSE else v) for k, v in step.args.items()}

    def call(self, ctx: ToolContext, tool: str, args: dict[str, Any], target: str | None,
             via: str = "") -> BaseModel | str:  # fmt: skip
        """Run one tool; on success apply its result; return it, or the error text."""
        known = tool in TOOLS  # a model may name anything: only our names are shown
        shown = f"{via}{tool}" if known else f"{via}a tool that does not exist"
        live(_event("tool_start", shown, tool=tool, args=args))
        started = time.perf_counter()
        try:
            result = run_tool(ctx, tool, args)
        except StoppedError:  # the user stopped the turn: it ends here, nothing is recorded
            raise
        except SportsGPTError as exc:
            ms = 1000 * (time.perf_counter() - started)
            self.calls.append(ToolCallRecord(tool=tool, args=args, ok=False, duration_ms=ms,
                                             summary="", error=str(exc),
                                             error_kind=type(exc).__name__))  # fmt: skip
            # the error may quote a model's arguments: shown only for our own calls
            said = f"{shown} failed ({type(exc).__name__})" if via else f"{shown} failed: {exc}"
            self.trace.append(_event("tool", said, ms=round(ms, 1), tool=tool,
                                     error=str(exc)))  # fmt: skip
            return str(exc)
        ms = 1000 * (time.perf_counter() - started)
        summary = str(getattr(result, "summary", ""))
        self.calls.append(ToolCallRecord(tool=tool, args=args, ok=True, duration_ms=ms,
                                         summary=summary))  # fmt: skip
        self.trace.append(_event("tool", f"{via}{tool}: {summary}", ms=round(ms, 1)))
        self.apply(ctx, result, target)
        return result

    def apply(self, ctx: ToolContext, result: BaseModel, target: str | None) -> None:
        guidance = self.guidance
        if isinstance(result, PoseSummary):
            self.pose = result
        elif isinstance(result, AssessmentSummary):
            self.assessment = result
            for k in [k for k in guidance if k != "question"]:
                guidance.pop(k)
            if result.occurrences:  # nothing to prescribe for a motion not found
                self.plan.steps += _expand_after_assessment(self.state, result)
                self.plan.revision += 1
        elif isinstance(result, KnowledgeHits):
            key = target or "question"
            have = guidance.get(key, [])
            guidance[key] = have + [h for h in result.hits if h.id not in {g.id for g in have}]
        elif isinstance(result, Explanation):
            guidance["question"] = ([result.guide] if result.guide else []) + result.drills
        elif isinstance(result, DrillDetail):
            if target != ADAPTED_ITEM:
                guidance["question"] = [result.drill] if result.drill else []
        elif isinstance(result, Measurements):
            self.measurements.append(result)
            slots = self.state.intent.slots if self.state.intent else None
            if slots is not None and result.side in ("left", "right"):
                self.update["last_slots"] = slots.model_copy(update={"side": result.side})
            elif slots is not None:
                self.update["last_slots"] = slots
        elif isinstance(result, AdaptedPlan):
            hits = []
            for item in result.items:  # through the one traced door, like every call
                detail = self.call(ctx, "get_drill", {"drill_id": item.id}, ADAPTED_ITEM)
                if isinstance(detail, DrillDetail) and detail.drill:
                    hits.append(detail.drill)
                if item.note:
                    self.notes[item.id] = item.note
            guidance["adapted"] = hits
            self.update["plan_items"] = [h.id for h in hits]

    def run_pending(self, ctx: ToolContext) -> None:
        """The deterministic path: every pending step, in order."""
        while (i := self.plan.next_pending()) is not None:
            step = self.plan.steps[i]
            args = self.args_for(step)
            if POSE in args.values():
                step.status, step.result_summary = "skipped", "no pose file"
                continue
            result = self.call(ctx, step.tool, args, step.target)
            step.status = "failed" if isinstance(result, str) else "done"
            step.result_summary = result if isinstance(result, str) else str(
                getattr(result, "summary", ""))  # fmt: skip

    def done(self) -> dict[str, Any]:
        self.update.update(plan=self.plan, pose=self.pose, assessment=self.assessment,
                           guidance=self.guidance, notes=self.notes, calls=self.calls,
                           trace=self.trace, measurements=self.measurements)  # fmt: skip
        return self.update


IDENTIFYING = ("problem", "drill_id", "quantity", "keyframe")


def matching_step(plan: Plan, tool: str, args: dict[str, Any]) -> PlanStep | None:
    """The pending step a model's tool call carries out: the one whose identifying
    arguments (problem, drill, quantity, ...) the call repeats, never merely the first
    pending step of that tool, so a result is filed under the problem it is about."""
    pending = [s for s in plan.steps if s.status == "pending" and s.tool == tool]
    for step in pending:
        keys = [k for k in IDENTIFYING if k in step.args and step.args[k] is not None]
        if keys and all(args.get(k) == step.args[k] for k in keys):
            return step
    unkeyed = [s for s in pending if not any(s.args.get(k) for k in IDENTIFYING)]
    named = any(args.get(k) for k in IDENTIFYING)
    if len(pending) == 1 and (not named or not any(pending[0].args.get(k) for k in IDENTIFYING)):
        return pending[0]
    return unkeyed[0] if unkeyed and not named else None
