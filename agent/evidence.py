"""Deterministic evidence rules, and what to try again when they fail (bounded).

The rules decide whether the agent may answer: the athlete was tracked in enough frames,
the motion was found with a cost within its threshold, every reported problem has
measurements behind it, and every problem has retrieved drills with doses. A failed rule
names its re-query: a wider alignment window, letting the motion be recognised (the user
may have named the wrong one), or a broader retrieval.
"""

from __future__ import annotations

from ..kb.queries import broadened_query, rephrased_query
from .plans import search_step
from .state import Check, CoachState, EvidenceReport, PlanStep

MIN_ATHLETE_FRAMES = 20
MIN_DETECTION_RATE = 0.25
MAX_REQUERIES = 3


def check_evidence(state: CoachState) -> EvidenceReport:
    checks: list[Check] = []
    intent = state.intent
    if intent is None:
        return EvidenceReport(checks=[Check(name="understood", ok=False, detail="no intent")])
    if intent.kind == "analyze":
        pose = state.pose
        if pose is not None:
            checks.append(
                Check(
                    name="athlete_tracked",
                    ok=pose.frames_with_athlete >= MIN_ATHLETE_FRAMES
                    and pose.detection_rate >= MIN_DETECTION_RATE,
                    detail=f"athlete in {pose.frames_with_athlete}/{pose.frames} frames "
                    f"(needs {MIN_ATHLETE_FRAMES} and {100 * MIN_DETECTION_RATE:.0f}%)",
                )
            )
        a = state.assessment
        if a is not None:
            checks.append(
                Check(
                    name="motion_found",
                    ok=a.occurrences > 0,
                    detail=f"{a.occurrences} occurrence(s) of {a.motion}"
                    + (f", best cost {a.best_cost:.2f}" if a.best_cost is not None else ""),
                )
            )
            bare = [p.id for p in a.problems if not p.evidence]
            checks.append(
                Check(
                    name="problems_have_evidence",
                    ok=not bare,
                    detail="every problem has measurements" if not bare else f"no evidence: {bare}",
                )
            )
            topics = [p.id for p in a.problems] or ["development"]
            undosed = [t for t in topics if not any(h.dose for h in state.guidance.get(t, []))]
            searched = all(t in state.guidance for t in topics)
            if searched:
                checks.append(
                    Check(
                        name="drills_with_doses",
                        ok=not undosed,
                        detail="every problem has dosed drills"
                        if not undosed
                        else f"no dosed drill retrieved for {undosed}",
                    )
                )
    elif intent.kind in ("explain", "question"):
        hits = state.guidance.get("question", [])
        checks.append(
            Check(name="knowledge_found", ok=bool(hits), detail=f"{len(hits)} item(s) retrieved")
        )
    return EvidenceReport(checks=checks)


def requery_steps(state: CoachState, failed: list[Check]) -> tuple[list[PlanStep], str] | None:
    """The next thing to try for the first failed rule, or None when nothing is left."""
    if state.attempts >= MAX_REQUERIES:
        return None
    names = {c.name for c in failed}
    pose_file = state.pose.pose_file if state.pose else None
    if "motion_found" in names and pose_file and state.assessment:
        tried_wide = any("radius_s" in r for r in state.requeries)
        if not tried_wide:
            step = PlanStep(
                tool="assess_motion",
                args={"pose_file": pose_file, "motion": state.assessment.motion, "radius_s": 0.6},
                why="no occurrence found: align again with a wider window (radius_s 0.6)",
            )
            return [step], "motion not found: wider alignment window (radius_s 0.6)"
        if not any("recognise" in r for r in state.requeries):
            step = PlanStep(
                tool="assess_motion",
                args={"pose_file": pose_file, "motion": "auto"},
                why="still not found: the recording may show another motion, recognise it",
            )
            return [step], "motion still not found: recognise which motion it is (auto)"
        return None
    if "drills_with_doses" in names and state.assessment:
        context = state.context
        steps = [search_step(broadened_query(p, context)) for p in state.assessment.problems
                 if not any(h.dose for h in state.guidance.get(p.id, []))]  # fmt: skip
        if steps and not any("broaden" in r for r in state.requeries):
            return steps, "retrieval returned no dosed drill: broaden the search"
        return None
    topic = state.intent.topic if state.intent else None
    if "knowledge_found" in names and topic and not any("rephrase" in r for r in state.requeries):
        step = search_step(rephrased_query(topic))
        return [step], "no knowledge found: rephrase the query"
    return None
