"""Evidence rules and the re-queries they trigger (no tools, no database)."""

from __future__ import annotations

from sportsgpt.agent.evidence import MAX_REQUERIES, check_evidence, requery_steps
from sportsgpt.agent.state import CoachState, Intent
from sportsgpt.agent.tools import AssessmentSummary, KBHit, PoseSummary, ProblemBrief
from sportsgpt.agent.verify import verify_answer


def _state(**changes: object) -> CoachState:
    pose = PoseSummary(pose_file="p.json", frames=100, frames_with_athlete=90, detection_rate=0.9,
                       fps=30, view="side", source_kind="video", summary="")  # fmt: skip
    problem = ProblemBrief(
        id="overstriding", label="Overstriding", probability=0.9, severity="major",
        evidence=["foot_ahead at touchdown: 0.3 vs ..0.15"],
    )  # fmt: skip
    assessment = AssessmentSummary(
        analysis_id="x", motion="max_velocity", score=60, occurrences=3, best_cost=0.3,
        problems=[problem], unmeasurable={}, summary="",
    )  # fmt: skip
    state = CoachState(intent=Intent(kind="analyze", motion="max_velocity", file="v.mp4"),
                       pose=pose, assessment=assessment)  # fmt: skip
    return state.model_copy(update=changes)


def _drill(dose: str | None = "3 x 20 m, submaximal, rest 60 s, 2x per week") -> KBHit:
    return KBHit(id="drill.a_skip", title="A-skip", kind="drill", text="t", dose=dose,
                 sources=["s"], problems=["overstriding"])  # fmt: skip


def test_sufficient_evidence_needs_tracking_motion_measurements_and_dosed_drills() -> None:
    ok = _state(guidance={"overstriding": [_drill()]})
    assert check_evidence(ok).sufficient
    undosed = _state(guidance={"overstriding": [_drill(dose=None)]})
    failed = check_evidence(undosed).failed()
    assert [c.name for c in failed] == ["drills_with_doses"]
    steps, reason = requery_steps(undosed, failed) or ([], "")
    assert "broaden" in reason and steps[0].target == "overstriding"
    assert "problem" not in steps[0].args  # the problem filter is dropped
    lost = _state(pose=_state().pose.model_copy(update={"frames_with_athlete": 5}))  # type: ignore[union-attr]
    assert "athlete_tracked" in [c.name for c in check_evidence(lost).failed()]


def test_motion_not_found_widens_then_recognises_then_stops() -> None:
    missing = _state(assessment=_state().assessment.model_copy(update={"occurrences": 0}))  # type: ignore[union-attr]
    failed = check_evidence(missing).failed()
    steps, reason = requery_steps(missing, failed) or ([], "")
    assert steps[0].args["radius_s"] == 0.6
    second = missing.model_copy(update={"requeries": [reason], "attempts": 1})
    steps, reason2 = requery_steps(second, failed) or ([], "")
    assert steps[0].args["motion"] == "auto" and "recognise" in reason2
    third = missing.model_copy(update={"requeries": [reason, reason2], "attempts": 2})
    assert requery_steps(third, failed) is None
    capped = missing.model_copy(update={"attempts": MAX_REQUERIES})
    assert requery_steps(capped, failed) is None


def test_empty_retrieval_rephrases_once() -> None:
    state = CoachState(intent=Intent(kind="question", topic="how do I do the thing with the cones"))
    failed = check_evidence(state).failed()
    steps, reason = requery_steps(state, failed) or ([], "")
    assert "rephrase" in reason and steps[0].args["query"] == "thing with cones"
    again = state.model_copy(update={"requeries": [reason], "attempts": 1})
    assert requery_steps(again, failed) is None


def test_verifier_refuses_invented_citations_and_doses() -> None:
    state = _state(guidance={"overstriding": [_drill()]})
    good = "Overstriding: do A-skips [kb:drill.a_skip], 3 x 20 m."
    assert all(c.ok for c in verify_answer(state, good))
    invented = "Do wall drills [kb:drill.wall_drill_march], 5 x 8."
    failed = {c.name for c in verify_answer(state, invented) if not c.ok}
    assert failed == {"citations_exist", "doses_from_knowledge"}
    assert "cites_something" in {c.name for c in verify_answer(state, "Just run.") if not c.ok}


def test_an_analysis_with_nothing_judged_says_so_and_gives_no_score() -> None:
    """A front-view run: every metric needs a side view. The diagnosis says it is not
    scored and why, never "0/100" or "every measured metric is inside its elite band"."""
    from sportsgpt.agent.compose import compose_analysis

    why = "needs a side view or 3D capture (mocap); this recording is filmed from the front"
    nothing = _state().assessment.model_copy(  # type: ignore[union-attr]
        update={"score": None, "problems": [],
                "unmeasurable": {"overstriding": why, "foot_ahead_touchdown": why}}
    )  # fmt: skip
    state = _state(assessment=nothing, guidance={"overstriding": [_drill()]})
    text, _ = compose_analysis(state)
    assert "not scored (nothing could be judged)" in text
    assert "Nothing in this recording could be judged" in text and why in text
    assert "/100" not in text and "inside its elite band" not in text
