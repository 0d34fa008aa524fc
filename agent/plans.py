"""The deterministic planner's steps for the conversational intents: which typed tool
calls answer a measurement question, a "why was this flagged", a drill question. Each
step says why, and files its result under a target (the problem id, 'question',
'measurement'), so a result can never land under another problem."""

from __future__ import annotations

from ..kb.queries import ProblemQuery
from ..tools.kismam import load_motion_spec
from ..tools.kismam.spec import ProblemSpec as SpecProblem
from .slots import Slots
from .state import CoachState, PlanStep
from .training_plan import plan_drills


def search_step(q: ProblemQuery) -> PlanStep:
    """A retrieval query from ``kb.queries`` as a plan step of ``search_knowledge``."""
    f = q.filters
    args = {
        "query": q.query,
        "problem": f.problem,
        "motion": f.motion,
        "kinds": f.kinds,
        "limit": q.limit,
        "missing_equipment": f.without_equipment,
        "level": f.level,
    }
    return PlanStep(tool="search_knowledge", why=q.why, target=q.target,
                    args={k: v for k, v in args.items() if v is not None})  # fmt: skip


def measurement_steps(slots: Slots) -> list[PlanStep]:
    """The joint's angle at the keyframe, and the scored metric there (with its band)."""
    side = slots.side if slots.side in ("left", "right") else None
    steps = []
    if slots.joint:
        steps.append(PlanStep(
            tool="get_measurements", target="measurement",
            args={"quantity": slots.joint, "keyframe": slots.keyframe, "side": side,
                  "occurrence": slots.occurrence},
            why=f"the athlete's {slots.joint.replace('_', ' ')}"
            + (f" at {slots.keyframe.replace('_', ' ')}" if slots.keyframe else ""),
        ))  # fmt: skip
    if slots.metric:
        steps.append(PlanStep(
            tool="get_measurements", target="measurement",
            args={"quantity": slots.metric, "occurrence": slots.occurrence},
            why=f"the scored metric {slots.metric} with its elite band",
        ))  # fmt: skip
    return steps


def _spec_problem(state: CoachState, problem: str | None) -> SpecProblem | None:
    if problem is None or state.assessment is None:
        return None
    spec = load_motion_spec(state.assessment.motion)
    return next((p for p in spec.problems if p.id == problem), None)


def flagged_problem(state: CoachState, slots: Slots) -> str | None:
    """The problem a 'why' question is about: named (flagged or not, if the motion has
    it), or the only one flagged."""
    problems = state.assessment.problems if state.assessment else []
    ids = [p.id for p in problems]
    if slots.problem in ids or _spec_problem(state, slots.problem) is not None:
        return slots.problem
    return ids[0] if len(ids) == 1 else None


def why_steps(state: CoachState, slots: Slots) -> list[PlanStep]:
    problem = flagged_problem(state, slots)
    if problem is None or state.assessment is None:
        return []
    brief = next((p for p in state.assessment.problems if p.id == problem), None)
    if brief is not None:
        metrics = brief.metrics
        label = brief.label
    else:  # asked about a problem that was not flagged: show its metrics all the same
        spec = _spec_problem(state, problem)
        assert spec is not None
        metrics = list(dict.fromkeys(key.split(":")[0] for key in spec.weights))
        label = spec.label
    steps = [PlanStep(tool="explain_problem", args={"problem": problem}, target="question",
                      why=f"the guide for {label}")]  # fmt: skip
    for metric in metrics:
        steps.append(PlanStep(tool="get_measurements", args={"quantity": metric},
                              target="measurement",
                              why=f"{metric}: the value, its band and its source"))  # fmt: skip
    return steps


def technique_steps(state: CoachState, slots: Slots) -> list[PlanStep]:
    """What good looks like: the scored metrics (their elite bands and sources, beside the
    athlete's values), narrowed to the metric, keyframe or joint the message names."""
    if state.assessment is None:
        return []
    metrics = load_motion_spec(state.assessment.motion).metrics
    chosen = [m for m in metrics if m.id == slots.metric]
    if not chosen:
        joint = (slots.joint or "").split("_")[0]
        chosen = [m for m in metrics
                  if (not slots.keyframe or slots.keyframe in m.at)
                  and (not joint or joint in m.channel or joint in m.id)]  # fmt: skip
    if not chosen and slots.keyframe:  # the joint is not scored there: the keyframe's metrics
        chosen = [m for m in metrics if slots.keyframe in m.at]
    return [PlanStep(tool="get_measurements", args={"quantity": m.id}, target="measurement",
                     why=f"{m.label}: the elite band, its source and the athlete's value")
            for m in chosen or metrics]  # fmt: skip


def resolve_slots(state: CoachState, kind: str, slots: Slots) -> Slots:
    """What a follow-up is about when it does not say: the only flagged problem, the plan's
    first drill. Resolved once, so the plan and the next turn's refer-backs agree."""
    if kind == "why_flagged" and not slots.problem:
        return slots.model_copy(update={"problem": flagged_problem(state, slots)})
    if kind == "drill_details" and not slots.drill:
        first = next((h.id for h in plan_drills(state)), None)
        return slots.model_copy(update={"drill": first})
    return slots


def drill_steps(state: CoachState, slots: Slots) -> list[PlanStep]:
    drill = resolve_slots(state, "drill_details", slots).drill
    if drill is None:
        return [PlanStep(tool="search_knowledge", target="question",
                         args={"query": state.message, "kinds": ["drill"], "limit": 4},
                         why="no plan yet: find the drill in the knowledge base")]  # fmt: skip
    return [PlanStep(tool="get_drill", args={"drill_id": drill}, target="question",
                     why="the drill in full: dose, progression, easier versions")]  # fmt: skip
