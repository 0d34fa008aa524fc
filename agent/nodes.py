"""The coach graph's nodes: understand, plan, act, check, requery, compose, verify, answer.
Each reads the state and its runtime context (``CoachContext``) and returns only what
it changes."""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime

from ..kb.queries import AthleteContext
from ..tools.kismam import load_motion_spec
from ..tools.motiondtw.library import known_motions
from .compose import compose_answer
from .context import CoachContext
from .evidence import check_evidence, requery_steps
from .executor import POSE, _event, _Work
from .grounding import CITATION
from .model_loop import FALLBACK_NOTE, llm_act, llm_compose
from .plans import (
    drill_steps,
    measurement_steps,
    resolve_slots,
    technique_steps,
    why_steps,
)
from .progress import progress_report
from .state import (
    CoachState,
    Intent,
    Plan,
    PlanStep,
    TraceEvent,
)
from .tools import KBHit
from .training_plan import plan_drills
from .understand import understand
from .verify import verify_answer

log = logging.getLogger(__name__)


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
        "requeries": [], "attempts": 0, "answer": "", "citations": [], "comparison": None,
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
        update["last_slots"] = resolve_slots(state, intent.kind, intent.slots)
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
    """The model's reading and plan of this message (None offline, for a safety concern,
    or when the model fails: the rules' reading stands, and the trace says so)."""
    if run.model is None or offline.kind == "safety":
        return None, ""
    if offline.kind == "analyze" and not offline.file:  # nothing to plan for
        return None, ""
    if spent := run.budget_spent():
        return None, f"; {spent}: rules understood it"
    from .model_plan import ask_model

    try:
        turn = ask_model(state, run.model, run.request_options())
        return turn.model_dump(), "; read by the language model"
    except Exception as exc:  # timeouts, HTTP errors, junk: the rules' reading stands
        return None, f"; language model failed ({type(exc).__name__}): rules understood it"


def _pose_args(state: CoachState, file: str, motion: str | None) -> dict[str, Any]:
    """extract_pose's arguments: the file, and what the request says about it (the view,
    the motion that tells the athlete among several people, a point on the athlete)."""
    request = state.request
    args: dict[str, Any] = {"path": file, **({"motion": motion} if motion else {})}
    if request is not None and request.view:
        args["view"] = request.view
    if request is not None and request.pick:
        args["pick"] = list(request.pick)
    return args


def node_plan(state: CoachState) -> dict[str, Any]:
    intent = state.intent
    assert intent is not None
    steps: list[PlanStep] = []
    if intent.kind == "analyze" and intent.file:
        steps = [
            PlanStep(tool="extract_pose", args=_pose_args(state, intent.file, intent.motion),
                     why="the athlete's skeleton from the user's file"),
            PlanStep(tool="assess_motion",
                     args={"pose_file": POSE, "motion": intent.motion or "auto"},
                     why="align with the elite references and diagnose (KISMAM)"
                     + ("" if intent.motion else "; the motion is recognised")),
            *measurement_steps(intent.slots),  # what the message also asked to see
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
    elif intent.kind == "technique":
        steps, goal = technique_steps(state, intent.slots), "what good technique looks like"
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

        plan, notes = repair(ModelTurn.model_validate(state.model_turn), plan,
                             analysing=intent.kind == "analyze")  # fmt: skip
        detail = f"{goal} (plan written by the language model" + (
            f"; {len(notes)} repair(s) by the rules)" if notes else ")"
        )
    else:
        notes = []
    return {
        "plan": plan,
        "trace": [_event("plan", detail, steps=[s.model_dump() for s in plan.steps],
                         repairs=notes)],
    }  # fmt: skip


def node_act(state: CoachState, runtime: Runtime[CoachContext]) -> dict[str, Any]:
    run = runtime.context
    work = _Work(state)
    if run.model is not None:
        llm_act(work, run, run.model)
    work.run_pending(run.tools)  # whatever the model left (or all of it, offline)
    return work.done()


def node_check(state: CoachState) -> dict[str, Any]:
    report = check_evidence(state)
    detail = "sufficient" if report.sufficient else "; ".join(c.detail for c in report.failed())
    return {"evidence": report, "trace": [_event("check", detail,
            checks=[c.model_dump() for c in report.checks])]}  # fmt: skip


def route_after_check(state: CoachState) -> str:
    if state.evidence.sufficient:
        return "compose"
    return "requery" if requery_steps(state, state.evidence.failed()) else "compose"


def node_requery(state: CoachState, runtime: Runtime[CoachContext]) -> dict[str, Any]:
    found = requery_steps(state, state.evidence.failed())
    assert found is not None and state.plan is not None
    steps, reason = found  # the rules decide that a re-query is due, and bound it
    steps, reason, notes = _model_requery(state, runtime.context, steps, reason)
    plan = state.plan.model_copy(deep=True)
    plan.steps += steps
    plan.revision += 1
    return {
        "plan": plan, "attempts": state.attempts + 1, "requeries": [*state.requeries, reason],
        "trace": [_event("requery", reason, steps=[s.model_dump() for s in steps],
                         repairs=notes)],
    }  # fmt: skip


def _model_requery(
    state: CoachState, run: CoachContext, steps: list[PlanStep], reason: str
) -> tuple[list[PlanStep], str, list[str]]:
    """With a model: its re-query of the same kind, repaired by the rules; the rules'
    steps when there is none, it fails, or the turn's budget is spent. Returns the steps,
    the reason in our own words (the state keeps it, the answer may quote it) and the
    rules' repairs, which may quote the model and so live in the trace's data only."""
    if run.model is None or run.budget_spent():
        return steps, reason, []
    from .model_plan import ask_requery, repair_requery, requery_reason

    failed = [c.detail for c in state.evidence.failed()]
    try:
        proposal = ask_requery(state, run.model, failed, steps, run.request_options())
    except Exception as exc:  # timeouts, HTTP errors, junk: the rules' re-query stands
        return steps, f"{reason} (language model failed: {type(exc).__name__})", []
    chosen, notes = repair_requery(proposal, steps, state)
    if not chosen:
        return steps, reason + (" (the model's re-query was unusable)" if notes else ""), notes
    detail = requery_reason(chosen, reason) + " (re-query chosen by the language model"
    detail += f"; {len(notes)} repair(s) by the rules)" if notes else ")"
    return chosen, detail, notes


def node_compose(state: CoachState, runtime: Runtime[CoachContext]) -> dict[str, Any]:
    run = runtime.context
    work, update = state, {}
    if state.intent and state.intent.kind == "compare":
        intent = state.intent
        motion = intent.motion or (state.assessment.motion if state.assessment else None)
        update["comparison"] = progress_report(run.tools, state.message, intent.slots, motion)
        work = state.model_copy(update=update)
    if state.intent and state.intent.kind == "adapt" and "adapted" in state.guidance:
        work = state.model_copy(update={"guidance": _adapted_view(state)})
    trace: list[TraceEvent] = []
    if run.model is not None and not (state.intent and state.intent.kind == "safety"):
        spent = run.budget_spent()
        answer, why, rejected = (None, spent, []) if spent else llm_compose(work, run.model, run)
        if answer is not None:
            cited = list(dict.fromkeys(CITATION.findall(answer)))
            trace.append(_event("compose", f"language model: {len(cited)} citation(s)"))
            return {**update, "answer": answer, "citations": cited, "trace": trace}
        # the rejected drafts and the checks they failed stay in the trace, never on screen
        trace.append(_event("requery", f"{why}; deterministic composer takes over",
                            rejected=[r.model_dump() for r in rejected]))  # fmt: skip
    answer, cited = compose_answer(work)
    if run.model is not None and not (state.intent and state.intent.kind == "safety"):
        answer = FALLBACK_NOTE + "\n\n" + answer
    trace.append(_event("compose", f"{len(cited)} citation(s)"))
    return {**update, "answer": answer, "citations": cited, "trace": trace}


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


def node_verify(state: CoachState) -> dict[str, Any]:
    checks = verify_answer(state, state.answer)
    failed = [c for c in checks if not c.ok]
    answer = state.answer
    if failed:  # never show an unverified answer
        log.error("answer failed verification: %s", [c.detail for c in failed])
        log.debug("the rejected answer: %s", answer)
        answer = ("I could not produce guidance that passes my own checks "
                  f"({'; '.join(c.detail for c in failed)}).")  # fmt: skip
    event = _event(
        "verify", "failed" if failed else "passed", checks=[c.model_dump() for c in checks]
    )
    return {"answer": answer, "trace": [event]}


def node_answer(state: CoachState) -> dict[str, Any]:
    return {"trace": [_event("answer", f"{len(state.answer)} characters")]}
