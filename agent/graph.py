"""The coach as a LangGraph state graph.

understand -> plan -> act -> check --(insufficient, bounded)--> requery -> act ...
                                 \\-> compose -> verify -> answer

The plan is an explicit list of tool steps stored in the state (visible in traces);
``act`` runs every pending step through the one validated tool door; ``check`` applies
the deterministic evidence rules; ``requery`` appends the next thing to try. This module
runs the offline (deterministic) planner and composer; a language model, when configured,
plugs into the same nodes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from ..tools.errors import SportsGPTError
from ..tools.kismam import load_motion_spec
from ..tools.motiondtw.library import known_motions
from .compose import compose_answer, plan_drills, verify_answer
from .evidence import check_evidence, requery_steps
from .state import CoachState, Plan, PlanStep, ToolCallRecord, TraceEvent
from .tools import (
    AdaptedPlan,
    AssessmentSummary,
    DrillDetail,
    Explanation,
    KBHit,
    KnowledgeHits,
    PoseSummary,
    ToolContext,
    run_tool,
    stored_analyses,
)
from .understand import understand

log = logging.getLogger(__name__)

POSE = "$pose"  # placeholder in a planned step: the pose file extract_pose produced


def _event(kind: str, detail: str, **data: Any) -> TraceEvent:
    return TraceEvent.model_validate({"kind": kind, "detail": detail, "data": data})


def _problem_topic(topic: str) -> str | None:
    """A problem id if ``topic`` names one of the problems KISMAM knows."""
    key = topic.lower().strip().replace("-", " ")
    for motion in known_motions():
        for problem in load_motion_spec(motion).problems:
            if key in (problem.id.replace("_", " "), problem.label.lower()):
                return problem.id
    return None


def node_understand(state: CoachState) -> dict[str, Any]:
    intent, context, days = understand(
        state.message, state.files, state.motion_hint, state.context,
        has_analysis=state.assessment is not None,
    )  # fmt: skip
    update: dict[str, Any] = {
        "intent": intent, "context": context, "turn": state.turn + 1, "calls": [],
        "requeries": [], "attempts": 0, "answer": "", "citations": [],
        "trace": [_event("understand", intent.kind + (f" ({intent.motion})" * bool(intent.motion)),
                         intent=intent.model_dump(), context=context.model_dump())],
    }  # fmt: skip
    if days is not None:
        update["days_per_week"] = days
    if intent.kind == "analyze":
        update.update(assessment=None, pose=None, guidance={}, plan_items=[], notes={})
    elif intent.kind in ("explain", "question"):
        guidance = dict(state.guidance)
        guidance.pop("question", None)
        update["guidance"] = guidance
    return update


def node_plan(state: CoachState) -> dict[str, Any]:
    intent = state.intent
    assert intent is not None
    steps: list[PlanStep] = []
    if intent.kind == "analyze" and intent.file:
        steps = [
            PlanStep(tool="extract_pose", args={"path": intent.file},
                     why="the athlete's skeleton from the user's file"),
            PlanStep(tool="assess_motion",
                     args={"pose_file": POSE, "motion": intent.motion or "auto"},
                     why="align with the elite references and diagnose (KISMAM)"
                     + ("" if intent.motion else "; the motion is recognised")),
        ]  # fmt: skip
        goal = "diagnose the recording and prescribe a dosed plan"
    elif intent.kind == "explain" and intent.topic:
        problem = _problem_topic(intent.topic)
        if problem:
            steps = [PlanStep(tool="explain_problem", args={"problem": problem}, target="question",
                              why=f"'{intent.topic}' is a problem we assess")]  # fmt: skip
        else:
            steps = [PlanStep(tool="search_knowledge", target="question",
                              args={"query": f"What is {intent.topic}?", "limit": 4},
                              why="look the term up in the knowledge base")]  # fmt: skip
        goal = f"explain {intent.topic}"
    elif intent.kind == "adapt":
        ids = state.plan_items or [h.id for h in plan_drills(state)]
        steps = [
            PlanStep(tool="adapt_plan",
                     args={"drill_ids": ids, "missing_equipment": state.context.missing_equipment,
                           "level": state.context.level, "days_per_week": state.days_per_week},
                     why="fit the current plan to what the athlete told us", target="adapted")
        ] if ids else []  # fmt: skip
        goal = "adapt the plan"
    elif intent.kind == "compare":
        goal = "compare with the previous analysis"
    else:
        steps = [PlanStep(tool="search_knowledge",
                          args={"query": intent.topic or state.message, "limit": 4,
                                "missing_equipment": state.context.missing_equipment},
                          why="answer from the knowledge base", target="question")]  # fmt: skip
        goal = "answer the question from the knowledge base"
    plan = Plan(goal=goal, steps=steps)
    return {
        "plan": plan,
        "trace": [*state.trace, _event("plan", goal, steps=[s.model_dump() for s in steps])],
    }


def _expand_after_assessment(state: CoachState, assessment: AssessmentSummary) -> list[PlanStep]:
    """Retrieval steps once the problems are known (one per problem, or development)."""
    kit = state.context.missing_equipment
    motion = assessment.motion.replace("_", " ")
    if not assessment.problems:
        return [PlanStep(tool="search_knowledge",
                         args={"query": f"{motion} drills to keep developing",
                               "motion": assessment.motion, "kinds": ["drill"], "limit": 4,
                               "missing_equipment": kit},
                         why="no problem found: drills that develop the motion's qualities",
                         target="development")]  # fmt: skip
    return [
        PlanStep(tool="search_knowledge",
                 args={"query": f"{p.label} in {motion}: corrective drills and dose",
                       "problem": p.id, "kinds": ["problem", "drill"], "limit": 5,
                       "missing_equipment": kit, "level": state.context.level},
                 why=f"guide and dosed drills for {p.label}", target=p.id)
        for p in assessment.problems
    ]  # fmt: skip


def make_act(ctx: ToolContext) -> Callable[[CoachState], dict[str, Any]]:
    def node_act(state: CoachState) -> dict[str, Any]:
        assert state.plan is not None
        plan = state.plan.model_copy(deep=True)
        update: dict[str, Any] = {}
        pose: PoseSummary | None = state.pose
        assessment: AssessmentSummary | None = state.assessment
        guidance = {k: list(v) for k, v in state.guidance.items()}
        notes = dict(state.notes)
        calls = list(state.calls)
        trace = list(state.trace)
        while (i := plan.next_pending()) is not None:
            step = plan.steps[i]
            args = {k: (pose.pose_file if v == POSE and pose else v) for k, v in step.args.items()}
            if POSE in args.values():
                step.status, step.result_summary = "skipped", "no pose file"
                continue
            started = time.perf_counter()
            try:
                result = run_tool(ctx, step.tool, args)
            except SportsGPTError as exc:
                ms = 1000 * (time.perf_counter() - started)
                step.status, step.result_summary = "failed", str(exc)
                calls.append(ToolCallRecord(tool=step.tool, args=args, ok=False, duration_ms=ms,
                                            summary="", error=str(exc)))  # fmt: skip
                trace.append(_event("tool", f"{step.tool} failed: {exc}", ms=round(ms, 1)))
                continue
            ms = 1000 * (time.perf_counter() - started)
            summary = str(getattr(result, "summary", ""))
            step.status, step.result_summary = "done", summary
            calls.append(ToolCallRecord(tool=step.tool, args=args, ok=True, duration_ms=ms,
                                        summary=summary))  # fmt: skip
            trace.append(_event("tool", f"{step.tool}: {summary}", ms=round(ms, 1)))
            if isinstance(result, PoseSummary):
                pose = result
            elif isinstance(result, AssessmentSummary):
                assessment = result
                for k in [k for k in guidance if k != "question"]:
                    guidance.pop(k)
                if result.occurrences:  # nothing to prescribe for a motion not found
                    plan.steps += _expand_after_assessment(state, result)
                    plan.revision += 1
            elif isinstance(result, KnowledgeHits):
                key = step.target or "question"
                have = guidance.get(key, [])
                guidance[key] = have + [h for h in result.hits if h.id not in {g.id for g in have}]
            elif isinstance(result, Explanation):
                guidance["question"] = ([result.guide] if result.guide else []) + result.drills
            elif isinstance(result, DrillDetail):
                guidance["question"] = [result.drill] if result.drill else []
            elif isinstance(result, AdaptedPlan):
                hits = []
                for item in result.items:
                    detail = run_tool(ctx, "get_drill", {"drill_id": item.id})
                    assert isinstance(detail, DrillDetail)
                    if detail.drill:
                        hits.append(detail.drill)
                    if item.note:
                        notes[item.id] = item.note
                guidance["adapted"] = hits
                update["plan_items"] = [h.id for h in hits]
        update.update(plan=plan, pose=pose, assessment=assessment, guidance=guidance,
                      notes=notes, calls=calls, trace=trace)  # fmt: skip
        return update

    return node_act


def node_check(state: CoachState) -> dict[str, Any]:
    report = check_evidence(state)
    detail = "sufficient" if report.sufficient else "; ".join(c.detail for c in report.failed())
    return {"evidence": report, "trace": [*state.trace, _event("check", detail,
            checks=[c.model_dump() for c in report.checks])]}  # fmt: skip


def route_after_check(state: CoachState) -> str:
    if state.evidence.sufficient:
        return "compose"
    return "requery" if requery_steps(state, state.evidence.failed()) else "compose"


def node_requery(state: CoachState) -> dict[str, Any]:
    found = requery_steps(state, state.evidence.failed())
    assert found is not None and state.plan is not None
    steps, reason = found
    plan = state.plan.model_copy(deep=True)
    plan.steps += steps
    plan.revision += 1
    return {
        "plan": plan, "attempts": state.attempts + 1, "requeries": [*state.requeries, reason],
        "trace": [*state.trace, _event("requery", reason, steps=[s.model_dump() for s in steps])],
    }  # fmt: skip


def make_compose(ctx: ToolContext) -> Callable[[CoachState], dict[str, Any]]:
    def node_compose(state: CoachState) -> dict[str, Any]:
        work = state
        if state.intent and state.intent.kind == "compare":
            work = state.model_copy(update={"answer": _compare(ctx)})
        if state.intent and state.intent.kind == "adapt" and "adapted" in state.guidance:
            work = state.model_copy(update={"guidance": _adapted_view(state)})
        answer, cited = compose_answer(work)
        event = _event("compose", f"{len(cited)} citation(s)")
        return {"answer": answer, "citations": cited, "trace": [*state.trace, event]}

    return node_compose


def _adapted_view(state: CoachState) -> dict[str, list[KBHit]]:
    """The adapted drills stand in for each problem's list, in the adapted order."""
    adapted = state.guidance["adapted"]
    view = {k: v for k, v in state.guidance.items() if k != "adapted"}
    if state.assessment and state.assessment.problems:
        for p in state.assessment.problems:  # keep each problem's guide, drop its drills
            view[p.id] = [h for h in view.get(p.id, []) if h.kind != "drill"]
        first = state.assessment.problems[0].id
        view[first] = view[first] + adapted
    else:
        view["development"] = adapted
    return view


def _compare(ctx: ToolContext) -> str:
    done = stored_analyses(ctx)
    if len(done) < 2:
        return "Only one analysis is stored for this athlete: nothing to compare yet."
    old, new = done[-2]["assessment"], done[-1]["assessment"]
    before = {p["id"]: p for p in old["problems"]}
    after = {p["id"]: p for p in new["problems"]}
    motion = new["motion"].replace("_", " ")
    lines = [f"Technique score {old['score']:.0f} -> {new['score']:.0f} ({motion})."]
    for pid in sorted(set(before) - set(after)):
        lines.append(f"- resolved: {before[pid]['label']}")
    for pid in sorted(set(after) - set(before)):
        lines.append(f"- new: {after[pid]['label']}")
    for pid in sorted(set(before) & set(after)):
        p_old, p_new = before[pid]["probability"], after[pid]["probability"]
        lines.append(f"- still present: {after[pid]['label']} (p {p_old:.2f} -> {p_new:.2f})")
    return "\n".join(lines)


def node_verify(state: CoachState) -> dict[str, Any]:
    checks = verify_answer(state, state.answer)
    failed = [c for c in checks if not c.ok]
    answer = state.answer
    if failed:  # never show an unverified answer
        log.error("answer failed verification: %s", [c.detail for c in failed])
        answer = ("I could not produce guidance that passes my own checks "
                  f"({'; '.join(c.detail for c in failed)}).")  # fmt: skip
    event = _event(
        "verify", "failed" if failed else "passed", checks=[c.model_dump() for c in checks]
    )
    return {"answer": answer, "trace": [*state.trace, event]}


def node_answer(state: CoachState) -> dict[str, Any]:
    return {"trace": [*state.trace, _event("answer", f"{len(state.answer)} characters")]}


def build_graph(ctx: ToolContext, checkpointer: BaseCheckpointSaver[Any] | None = None) -> Any:
    graph: Any = StateGraph(CoachState)
    graph.add_node("understand", node_understand)
    graph.add_node("plan", node_plan)
    graph.add_node("act", make_act(ctx))
    graph.add_node("check", node_check)
    graph.add_node("requery", node_requery)
    graph.add_node("compose", make_compose(ctx))
    graph.add_node("verify", node_verify)
    graph.add_node("answer", node_answer)
    graph.add_edge(START, "understand")
    graph.add_edge("understand", "plan")
    graph.add_edge("plan", "act")
    graph.add_edge("act", "check")
    graph.add_conditional_edges("check", route_after_check, ["requery", "compose"])
    graph.add_edge("requery", "act")
    graph.add_edge("compose", "verify")
    graph.add_edge("verify", "answer")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer or InMemorySaver(serde=state_serializer()))


def state_serializer() -> JsonPlusSerializer:
    """The checkpointer may rebuild exactly our state types, nothing else."""
    names = {
        "sportsgpt.agent.state": ("Intent", "Plan", "PlanStep", "ToolCallRecord", "Check",
                                  "EvidenceReport", "TraceEvent"),
        "sportsgpt.agent.tools": ("PoseSummary", "AssessmentSummary", "ProblemBrief", "KBHit"),
        "sportsgpt.kb.queries": ("AthleteContext",),
    }  # fmt: skip
    return JsonPlusSerializer(
        allowed_msgpack_modules=[(module, n) for module, ns in names.items() for n in ns]
    )


class CoachReply(BaseModel):
    answer: str
    citations: list[str]
    trace: list[TraceEvent]
    state: CoachState


class Coach:
    """A conversation with the coach: one thread, many turns."""

    def __init__(self, ctx: ToolContext, checkpointer: BaseCheckpointSaver[Any] | None = None):
        self.ctx = ctx
        self.graph = build_graph(ctx, checkpointer)

    def ask(
        self, message: str, thread: str = "default", files: list[str] | None = None,
        motion: str | None = None,
    ) -> CoachReply:  # fmt: skip
        from .tools import resolve_upload

        uploads = [str(resolve_upload(self.ctx, f)) for f in files or []]
        config = {"configurable": {"thread_id": thread}}
        out = self.graph.invoke(
            {"message": message, "files": uploads, "motion_hint": motion}, config
        )
        state = CoachState.model_validate(out)
        return CoachReply(answer=state.answer, citations=state.citations, trace=state.trace,
                          state=state)  # fmt: skip

    def stream(self, message: str, thread: str = "default", files: list[str] | None = None,
               motion: str | None = None) -> Iterator[TraceEvent]:  # fmt: skip
        """Trace events as the graph produces them (plan, tools, re-queries, answer)."""
        from .tools import resolve_upload

        uploads = [str(resolve_upload(self.ctx, f)) for f in files or []]
        config = {"configurable": {"thread_id": thread}}
        seen = 0
        for values in self.graph.stream(
            {"message": message, "files": uploads, "motion_hint": motion}, config,
            stream_mode="values",
        ):  # fmt: skip
            trace = values.get("trace", []) if isinstance(values, dict) else values.trace
            for event in trace[seen:]:
                yield event if isinstance(event, TraceEvent) else TraceEvent.model_validate(event)
            seen = len(trace)
