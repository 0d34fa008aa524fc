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

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from pydantic import BaseModel

from ..kb.queries import AthleteContext
from ..tools.errors import SportsGPTError
from ..tools.kismam import load_motion_spec
from ..tools.motiondtw.library import known_motions
from .compose import CITATION, compose_answer, plan_drills
from .context import CoachContext
from .evidence import check_evidence, requery_steps
from .llm import (
    MAX_FAULTS,
    MAX_ROUNDS,
    act_messages,
    compose_messages,
    parse_tool_calls,
    tool_result_message,
    tool_specs,
)
from .plans import drill_steps, measurement_steps, why_steps
from .state import (
    CoachRequest,
    CoachState,
    Intent,
    Plan,
    PlanStep,
    ToolCallRecord,
    TraceEvent,
)
from .tools import (
    AdaptedPlan,
    AssessmentSummary,
    DrillDetail,
    Explanation,
    KBHit,
    KnowledgeHits,
    Measurements,
    PoseSummary,
    ToolContext,
    run_tool,
    stored_analyses,
)
from .understand import understand
from .verify import verify_answer

log = logging.getLogger(__name__)

POSE = "$pose"  # placeholder in a planned step: the pose file extract_pose produced
ADAPTED_ITEM = "_adapted"  # a get_drill made while adapting a plan: not the question's answer


def _event(kind: str, detail: str, **data: Any) -> TraceEvent:
    return TraceEvent.model_validate({"kind": kind, "detail": detail, "data": data})


def live(event: TraceEvent) -> None:
    """Send an event to a streaming caller now (a no-op outside ``graph.stream``)."""
    with contextlib.suppress(RuntimeError):  # not inside a graph (a node called directly)
        get_stream_writer()(event.model_dump())


def _problem_topic(topic: str) -> str | None:
    """A problem id if ``topic`` names one of the problems KISMAM knows."""
    key = topic.lower().strip().replace("-", " ")
    for motion in known_motions():
        for problem in load_motion_spec(motion).problems:
            if key in (problem.id.replace("_", " "), problem.label.lower()):
                return problem.id
    return None


def _with_request(state: CoachState) -> tuple[AthleteContext, dict[str, Any]]:
    """The typed fields the app or the CLI sent win over anything read from the message."""
    req = state.request
    if req is None:
        return state.context, {}
    ctx = state.context.model_copy(update={
        "missing_equipment": sorted(set(state.context.missing_equipment)
                                    | set(req.missing_equipment)),
        "level": req.level or state.context.level,
        "injuries": sorted(set(state.context.injuries) | set(req.injuries)),
    })  # fmt: skip
    given = {"days_per_week": req.days_per_week, "session_minutes": req.session_minutes}
    fields = {k: v for k, v in given.items() if v is not None}
    return ctx, fields


def node_understand(state: CoachState, runtime: Runtime[CoachContext]) -> dict[str, Any]:
    given, fields = _with_request(state)
    last_kind = state.intent.kind if state.intent else None
    intent, context, days = understand(
        state.message, state.files, state.motion_hint, given,
        has_analysis=state.assessment is not None, assessment=state.assessment,
        plan=plan_drills(state) if state.assessment else [], last=state.last_slots,
        last_kind=last_kind,
    )  # fmt: skip
    model_turn, note = _model_understanding(state, runtime.context, intent)
    if model_turn is not None:
        from .model_plan import ModelTurn, merged_intent

        intent = merged_intent(intent, ModelTurn.model_validate(model_turn), state)
    heard = f"{intent.kind} ({intent.motion})" if intent.motion else intent.kind
    heard += note
    update: dict[str, Any] = {
        "intent": intent, "context": context, "turn": state.turn + 1, "calls": [],
        "model_turn": model_turn,
        "requeries": [], "attempts": 0, "answer": "", "citations": [],
        "trace": [_event("understand", heard,
                         intent=intent.model_dump(), context=context.model_dump())],
    }  # fmt: skip
    if days is not None:
        update["days_per_week"] = days
    if intent.slots.minutes is not None:
        update["session_minutes"] = intent.slots.minutes
    update.update(fields)
    update["measurements"] = []
    if intent.kind in ("why_flagged", "drill_details", "measurement"):  # what a follow-up means
        slots = intent.slots
        if intent.kind == "why_flagged" and not slots.problem:
            from .plans import flagged_problem

            slots = slots.model_copy(update={"problem": flagged_problem(state, slots)})
        if intent.kind == "drill_details" and not slots.drill:
            first = next((h.id for h in plan_drills(state)), None)
            slots = slots.model_copy(update={"drill": first})
        update["last_slots"] = slots
    if intent.kind == "analyze":
        update.update(assessment=None, pose=None, guidance={}, plan_items=[], notes={})
    elif intent.kind in ("explain", "question"):
        guidance = dict(state.guidance)
        guidance.pop("question", None)
        update["guidance"] = guidance
    return update


def _model_understanding(
    state: CoachState, run: CoachContext, offline: Intent
) -> tuple[dict[str, Any] | None, str]:
    """The model's reading of a follow-up (None offline, for a file, a safety concern, or
    when the model fails: the rules' reading stands, and the trace says so)."""
    if run.model is None or state.files or offline.kind in ("safety", "analyze"):
        return None, ""
    if run.budget_left() <= 0:
        return None, "; the turn's model budget is spent: rules understood it"
    from .model_plan import ask_model

    try:
        return ask_model(state, run.model).model_dump(), "; read by the language model"
    except Exception as exc:  # timeouts, HTTP errors, junk: the rules' reading stands
        return None, f"; language model failed ({type(exc).__name__}): rules understood it"


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
    elif intent.kind == "safety":
        goal = "refer the athlete to a qualified professional; prescribe no new load"
    elif intent.kind == "measurement":
        steps, goal = measurement_steps(intent.slots), "report the athlete's own measurements"
    elif intent.kind == "why_flagged":
        steps, goal = why_steps(state, intent.slots), "show the evidence behind a problem"
    elif intent.kind == "fix_first":
        goal = "rank the problems and say why the first comes first"
    elif intent.kind == "drill_details":
        steps, goal = drill_steps(state, intent.slots), "a drill's details, dose and progression"
    elif intent.kind in ("out_of_scope", "clarify"):
        goal = "say what I can help with" if intent.kind == "out_of_scope" else "ask to clarify"
    else:
        steps = [PlanStep(tool="search_knowledge",
                          args={"query": intent.topic or state.message, "limit": 4,
                                "missing_equipment": state.context.missing_equipment},
                          why="answer from the knowledge base", target="question")]  # fmt: skip
        goal = "answer the question from the knowledge base"
    plan = Plan(goal=goal, steps=steps)
    detail = goal
    if state.model_turn is not None:  # the model wrote a plan: check and repair it
        from .model_plan import ModelTurn, repair

        plan, notes = repair(ModelTurn.model_validate(state.model_turn), plan)
        detail = f"{goal} (plan written by the language model" + (
            f"; repaired: {'; '.join(notes)})" if notes else ")"
        )
    return {
        "plan": plan,
        "trace": [_event("plan", detail, steps=[s.model_dump() for s in plan.steps])],
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
        live(_event("tool_start", f"{via}{tool}", args=args))
        started = time.perf_counter()
        try:
            result = run_tool(ctx, tool, args)
        except SportsGPTError as exc:
            ms = 1000 * (time.perf_counter() - started)
            self.calls.append(ToolCallRecord(tool=tool, args=args, ok=False, duration_ms=ms,
                                             summary="", error=str(exc)))  # fmt: skip
            self.trace.append(_event("tool", f"{via}{tool} failed: {exc}", ms=round(ms, 1)))
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


def node_act(state: CoachState, runtime: Runtime[CoachContext]) -> dict[str, Any]:
    run = runtime.context
    work = _Work(state)
    if run.model is not None:
        llm_act(work, run, run.model)
    work.run_pending(run.tools)  # whatever the model left (or all of it, offline)
    return work.done()


def _budget_spent(work: _Work, run: CoachContext) -> bool:
    if run.budget_left() > 0:
        return False
    work.trace.append(_event("requery", f"the turn's model budget "
                             f"({run.settings.llm_turn_budget_s:g} s) is spent; "
                             "deterministic path takes over"))  # fmt: skip
    return True


def llm_act(work: _Work, run: CoachContext, model: BaseChatModel) -> None:
    """Let the model carry out the pending steps through tool calls; errors go back to it
    as tool results; a timeout, repeated faults or the spent turn budget hand the rest to
    the deterministic path."""
    ctx = run.tools
    pending = [s for s in work.plan.steps if s.status == "pending"]
    if not pending:
        return
    bound = model.bind_tools(tool_specs())
    messages = act_messages(work.state, pending)
    faults = 0
    for _ in range(MAX_ROUNDS):
        if work.plan.next_pending() is None:
            break
        if _budget_spent(work, run):
            return
        try:
            reply = bound.invoke(messages)
        except Exception as exc:  # timeouts, HTTP errors, junk: all recovered the same way
            reason = f"{type(exc).__name__}: {str(exc)[:120]}"
            work.trace.append(
                _event(
                    "requery", f"language model failed ({reason}); deterministic path takes over"
                )
            )
            return
        assert isinstance(reply, AIMessage)
        messages.append(reply)
        calls, errors = parse_tool_calls(reply)
        if not calls and not errors:
            break
        for call_id, error in errors:
            faults += 1
            messages.append(tool_result_message(call_id, f"error: {error}; call it again with "
                                                "valid JSON arguments"))  # fmt: skip
            work.trace.append(_event("tool", f"llm: {error}"))
        expanded_before = work.plan.revision
        for call in calls:
            step = matching_step(work.plan, call["name"], call["args"])
            args = {k: (work.pose.pose_file if v == POSE and work.pose else v)
                    for k, v in call["args"].items()}  # fmt: skip
            result = work.call(ctx, call["name"], args, step.target if step else
                               call["args"].get("problem"), via="llm: ")  # fmt: skip
            if isinstance(result, str):
                faults += 1
                messages.append(tool_result_message(call["id"], f"error: {result}"))
                continue
            if step is not None:
                step.status, step.result_summary = "done", str(getattr(result, "summary", ""))
            messages.append(tool_result_message(call["id"], result.model_dump_json()))
        if faults > MAX_FAULTS:
            work.trace.append(_event("requery", f"{faults} faulty tool calls from the language "
                                     "model; deterministic path takes over"))  # fmt: skip
            return
        if work.plan.revision != expanded_before:
            listing = "\n".join(f"- {s.tool}({json.dumps(s.args)})" for s in work.plan.steps
                                if s.status == "pending")  # fmt: skip
            messages.append(HumanMessage(f"Next steps of the plan:\n{listing}"))


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


def node_check(state: CoachState) -> dict[str, Any]:
    report = check_evidence(state)
    detail = "sufficient" if report.sufficient else "; ".join(c.detail for c in report.failed())
    return {"evidence": report, "trace": [_event("check", detail,
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
        "trace": [_event("requery", reason, steps=[s.model_dump() for s in steps])],
    }  # fmt: skip


def node_compose(state: CoachState, runtime: Runtime[CoachContext]) -> dict[str, Any]:
    run = runtime.context
    work = state
    if state.intent and state.intent.kind == "compare":
        work = state.model_copy(update={"answer": _compare(run.tools)})
    if state.intent and state.intent.kind == "adapt" and "adapted" in state.guidance:
        work = state.model_copy(update={"guidance": _adapted_view(state)})
    trace: list[TraceEvent] = []
    if run.model is not None and not (state.intent and state.intent.kind == "safety"):
        if run.budget_left() > 0:
            answer, why = llm_compose(work, run.model)
        else:
            answer, why = (
                None,
                f"the turn's model budget ({run.settings.llm_turn_budget_s:g} s) is spent",
            )
        if answer is not None:
            cited = list(dict.fromkeys(CITATION.findall(answer)))
            trace.append(_event("compose", f"language model: {len(cited)} citation(s)"))
            return {"answer": answer, "citations": cited, "trace": trace}
        trace.append(_event("requery", f"{why}; deterministic composer takes over"))
    answer, cited = compose_answer(work)
    if run.model is not None and not (state.intent and state.intent.kind == "safety"):
        answer = FALLBACK_NOTE + "\n\n" + answer
    trace.append(_event("compose", f"{len(cited)} citation(s)"))
    return {"answer": answer, "citations": cited, "trace": trace}


FALLBACK_NOTE = (
    "_The language model's answer could not be used (it failed verification, or the model "
    "was unavailable or out of time), so this answer was composed deterministically from "
    "the same evidence._"
)


def _evidence(state: CoachState) -> dict[str, Any]:
    hits = {h.id: h for v in state.guidance.values() for h in v}
    return {
        "assessment": state.assessment.model_dump() if state.assessment else None,
        "retrieved": [{"id": h.id, "title": h.title, "kind": h.kind, "dose": h.dose,
                       "text": h.text[:500]} for h in hits.values()],
        "plan_priority": [h.id for h in plan_drills(state)],
        "missing_equipment": state.context.missing_equipment,
        "days_per_week": state.days_per_week,
        "comparison": state.answer or None,
    }  # fmt: skip


def llm_compose(state: CoachState, model: BaseChatModel) -> tuple[str | None, str]:
    """The model's answer if it passes verification (one retry with the failed checks)."""
    messages = compose_messages(state, _evidence(state))
    why = "no answer"
    for _ in range(2):
        text = ""
        try:
            for chunk in model.stream(messages):  # partial answers reach a streaming caller
                piece = chunk.content if isinstance(chunk.content, str) else ""
                text += piece
                if piece:
                    live(_event("partial", piece))
        except Exception as exc:  # timeouts, HTTP errors: recovered the same way
            return None, f"language model failed ({type(exc).__name__})"
        reply = AIMessage(content=text)
        failed = [c for c in verify_answer(state, text) if not c.ok]
        if text.strip() and not failed:
            return text.strip() + "\n", ""
        why = "the model's answer failed verification: " + (
            "; ".join(c.detail for c in failed) or "empty"
        )
        messages += [reply, HumanMessage(f"{why}. Rewrite it following the grounding rules.")]
    return None, why


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
    return {"answer": answer, "trace": [event]}


def node_answer(state: CoachState) -> dict[str, Any]:
    return {"trace": [_event("answer", f"{len(state.answer)} characters")]}


def _builder() -> Any:
    graph: Any = StateGraph(CoachState, context_schema=CoachContext)
    graph.add_node("understand", node_understand)
    graph.add_node("plan", node_plan)
    graph.add_node("act", node_act)
    graph.add_node("check", node_check)
    graph.add_node("requery", node_requery)
    graph.add_node("compose", node_compose)
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
    return graph


builder = _builder()
graph = builder.compile(name="SportsGPT coach")
"""The coach's graph; a run needs ``context=CoachContext(...)`` (``Coach`` supplies it
and a checkpointer for its threads)."""


def state_serializer() -> JsonPlusSerializer:
    """The checkpointer may rebuild exactly our state types, nothing else."""
    names = {
        "sportsgpt.agent.state": ("Intent", "Plan", "PlanStep", "ToolCallRecord", "Check",
                                  "EvidenceReport", "TraceEvent", "CoachRequest"),
        "sportsgpt.agent.tools": ("PoseSummary", "AssessmentSummary", "ProblemBrief", "KBHit",
                                  "Measurements", "MeasuredValue"),
        "sportsgpt.kb.queries": ("AthleteContext",),
        "sportsgpt.agent.safety": ("SafetyConcern",),
        "sportsgpt.agent.slots": ("Slots",),
        "sportsgpt.kb.models": ("Dose",),
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

    def __init__(
        self,
        context: CoachContext,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
    ):
        self.context = context
        self.ctx = context.tools
        self.model = context.model
        saver = checkpointer or InMemorySaver(serde=state_serializer())
        self.graph = builder.compile(checkpointer=saver, name="SportsGPT coach")

    def _input(
        self, message: str | CoachRequest, files: list[str] | None, motion: str | None
    ) -> dict[str, Any]:
        from .tools import resolve_upload

        request = (
            message if isinstance(message, CoachRequest)
            else CoachRequest(message=message, files=files or [], motion=motion)
        )  # fmt: skip
        uploads = [str(resolve_upload(self.ctx, f)) for f in request.files]
        mode = "llm" if self.model is not None else "offline"
        return {"message": request.message, "files": uploads, "motion_hint": request.motion,
                "mode": mode, "request": request}  # fmt: skip

    def ask(
        self, message: str | CoachRequest, thread: str = "default",
        files: list[str] | None = None, motion: str | None = None,
    ) -> CoachReply:  # fmt: skip
        """One turn: a message (or a typed request from the app or the CLI)."""
        config = {"configurable": {"thread_id": thread}}
        out = self.graph.invoke(self._input(message, files, motion), config,
                                context=self.context.for_turn())  # fmt: skip
        state = CoachState.model_validate(out)
        return CoachReply(answer=state.answer, citations=state.citations, trace=state.trace,
                          state=state)  # fmt: skip

    def result(self, thread: str = "default") -> CoachState:
        """The thread's state after its last turn (answer, assessment, plan, trace)."""
        values = self.graph.get_state({"configurable": {"thread_id": thread}}).values
        return CoachState.model_validate(values or {})

    def stream(
        self, message: str | CoachRequest, thread: str = "default",
        files: list[str] | None = None, motion: str | None = None,
    ) -> Iterator[TraceEvent]:  # fmt: skip
        """Trace events as the graph produces them (plan, tools, re-queries, answer)."""
        config = {"configurable": {"thread_id": thread}}
        seen = 0
        for kind, values in self.graph.stream(
            self._input(message, files, motion), config,
            stream_mode=["custom", "values"], context=self.context.for_turn(),
        ):  # fmt: skip
            if kind == "custom":  # live: tool starts, partial answer text
                yield TraceEvent.model_validate(values)
                continue
            trace = values.get("trace", []) if isinstance(values, dict) else values.trace
            for event in trace[seen:]:
                yield event if isinstance(event, TraceEvent) else TraceEvent.model_validate(event)
            seen = len(trace)
