"""The verifier holds: every fabricated answer of the red-team set is rejected by the check
it targets, and genuine answers (the composer's own, and paraphrases of real doses) pass.
Scenarios are built from the bundled corpus (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sportsgpt.agent.compose import compose_answer
from sportsgpt.agent.safety import detect_concern
from sportsgpt.agent.state import CoachState, Intent
from sportsgpt.agent.tools import AssessmentSummary, KBHit, ProblemBrief
from sportsgpt.agent.verify import verify_answer
from sportsgpt.kb.corpus import load_coaching_corpus
from sportsgpt.kb.queries import AthleteContext
from sportsgpt.tools.kismam import load_motion_spec

REPO = Path(__file__).resolve().parents[2]
REDTEAM = json.loads((REPO / "evals" / "redteam_answers.json").read_text())["answers"]
SORE = "My hamstring is sore, should I still do the lean broad jumps?"


def _hits(*ids: str) -> list[KBHit]:
    docs = {d.id: d for d in load_coaching_corpus()}
    out = []
    for doc_id in ids:
        d = docs[doc_id]
        out.append(KBHit(id=d.id, title=d.title, kind=d.kind, text=d.body[:600],
                         dose=d.dose.summary() if d.dose else None,
                         sources=[s.citation for s in d.sources], problems=d.problems,
                         equipment=d.equipment, contraindications=d.contraindications))  # fmt: skip
    return out


def scenario(name: str) -> CoachState:
    problems = [
        ProblemBrief(id="weak_arm_swing", label="Weak or late forward arm swing", probability=1.0,
                     severity="major",
                     evidence=["arm_swing_take_off at take_off (frame 44): 45.67 vs 80..-"]),
        ProblemBrief(id="take_off_too_steep", label="Take-off too steep", probability=0.79,
                     severity="moderate",
                     evidence=["take_off_angle at take_off (frame 44): 56.51 vs 20..40"]),
    ]  # fmt: skip
    assessment = AssessmentSummary(analysis_id="a", motion="standing_long_jump", score=74.5,
                                   occurrences=1, best_cost=0.2, problems=problems,
                                   unmeasurable={}, summary="")  # fmt: skip
    guidance = {
        "weak_arm_swing": _hits("problem.weak_arm_swing", "drill.arm_swing_jumps",
                                "drill.nordic_hamstring"),
        "take_off_too_steep": _hits("problem.take_off_too_steep", "drill.lean_broad_jump",
                                    "drill.broad_jump_stick"),
    }  # fmt: skip
    state = CoachState(message="Analyse my jump", assessment=assessment, guidance=guidance,
                       intent=Intent(kind="analyze", motion="standing_long_jump",
                                     file="j.csv"))  # fmt: skip
    if name == "sore":
        state = state.model_copy(update={
            "message": SORE,
            "intent": Intent(kind="safety", concern=detect_concern(SORE)),
            "context": AthleteContext(injuries=["hamstring"]),
        })  # fmt: skip
    return state


@pytest.mark.parametrize("case", REDTEAM, ids=[c["why"] for c in REDTEAM])
def test_every_fabrication_is_rejected(case: dict[str, str]) -> None:
    failed = {c.name for c in verify_answer(scenario(case["scenario"]), case["answer"]) if not c.ok}
    assert case["fails"] in failed, (case["answer"], failed)


def test_the_red_team_set_is_large_and_varied() -> None:
    assert len(REDTEAM) >= 40
    assert len({c["fails"] for c in REDTEAM}) >= 7


GENUINE = [
    "Weak or late forward arm swing (45.67 vs 80): arm-swing jumps [kb:drill.arm_swing_jumps], "
    "3 x 5, rest 60 s, 2x per week.",
    "Arm-swing jumps [kb:drill.arm_swing_jumps]: 3 sets of 5, resting 60 seconds, twice a week.",
    "Take-off too steep (56.51 vs 20..40): broad jump and stick [kb:drill.broad_jump_stick], "
    "4 x 3 with a full reset, rest 90 s.",
    "Start with the arm swing [kb:problem.weak_arm_swing], then the lean broad jump "
    "[kb:drill.lean_broad_jump] 3 x 3, 2 times per week.",
]


@pytest.mark.parametrize("answer", GENUINE)
def test_genuine_answers_pass(answer: str) -> None:
    checks = verify_answer(scenario("jump"), answer)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


@pytest.mark.parametrize("name", ["jump", "sore"])
def test_the_composers_own_answers_pass(name: str) -> None:
    state = scenario(name)
    answer, _ = compose_answer(state)
    checks = verify_answer(state, answer)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_a_problem_reported_as_not_judged_may_be_named() -> None:
    """'Not judged: low toss release (its metrics could not be measured)' is no invention;
    claiming the athlete has a problem of another motion still is."""
    state = scenario("jump")
    assert state.assessment is not None
    unmeasurable = {"stiff_landing": "knee_flexion is missing at landing"}
    state = state.model_copy(update={"assessment": state.assessment.model_copy(
        update={"unmeasurable": unmeasurable})})  # fmt: skip
    answer, _ = compose_answer(state)
    assert "Not judged" in answer
    checks = {c.name: c for c in verify_answer(state, answer)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    label = load_motion_spec("tennis_serve").problems[0].label
    bad = verify_answer(state, f"You also show {label}. [kb:problem.weak_arm_swing]")
    assert not next(c for c in bad if c.name == "problems_in_assessment").ok
