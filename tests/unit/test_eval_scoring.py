"""Eval harness parts that need no database: suites as validated data, trajectory checks
(superset, subset, forbidden, order, unhandled errors), readability."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sportsgpt.evals.suite import TrajectoryExpectation, load_suite, suite_names
from sportsgpt.evals.trace_scoring import flesch_reading_ease, score_trajectory
from sportsgpt.evals.traces import ToolCallTrace, TurnTrace
from sportsgpt.tools.errors import SportsGPTError


def turn(
    *calls: tuple[str, bool], answer: str = "Here is your plan.",
    events: tuple[tuple[str, str], ...] = (),
) -> TurnTrace:  # fmt: skip
    return TurnTrace(
        message="m", answer=answer, citations=[], intent="analyze", plan=[],
        tool_calls=[ToolCallTrace(tool=t, args={}, ok=ok, ms=1.0,
                                  error=None if ok else "boom") for t, ok in calls],
        events=[{"kind": k, "detail": d} for k, d in events],
        requeries=[d for k, d in events if k == "requery"], problems=[], drills=[],
        guidance={}, wall_s=0.1,
    )  # fmt: skip


EXPECT = TrajectoryExpectation(
    required=["extract_pose", "assess_motion"], forbidden=["adapt_plan"],
    order=[("extract_pose", "assess_motion")],
)  # fmt: skip


def test_trajectory_passes_with_extra_calls_and_says_why_it_fails() -> None:
    good = turn(("extract_pose", True), ("assess_motion", True), ("search_knowledge", True))
    assert score_trajectory(0, good, EXPECT).ok  # superset: extra calls allowed
    bad = turn(("assess_motion", True), ("extract_pose", True), ("adapt_plan", True))
    score = score_trajectory(0, bad, EXPECT)
    assert not score.ok and score.order == ["extract_pose before assess_motion"]
    assert score.forbidden == ["adapt_plan"]
    missing = score_trajectory(0, turn(("extract_pose", True)), EXPECT)
    assert missing.missing == ["assess_motion"]
    subset = TrajectoryExpectation(allowed=["search_knowledge"])
    assert score_trajectory(0, good, subset).outside == ["assess_motion", "extract_pose"]


def test_a_tool_error_must_be_retried_requeried_or_told() -> None:
    silent = turn(("extract_pose", True), ("assess_motion", False), ("assess_motion", False))
    assert score_trajectory(0, silent, EXPECT).unhandled_errors
    retried = turn(("extract_pose", True), ("assess_motion", False), ("assess_motion", True))
    assert score_trajectory(0, retried, EXPECT).ok
    told = turn(("extract_pose", True), ("assess_motion", False),
                answer="I could not analyse the recording: boom")  # fmt: skip
    assert not score_trajectory(0, told, EXPECT).unhandled_errors
    unprompted = turn(("extract_pose", True), ("assess_motion", False),
                      events=(("check", "sufficient"), ("requery", "try again")))  # fmt: skip
    assert score_trajectory(0, unprompted, EXPECT).unjustified_requeries == ["try again"]
    why = (("check", "no occurrence found"), ("requery", "wider window"))
    justified = turn(("extract_pose", True), ("assess_motion", False), ("assess_motion", True),
                     events=why)  # fmt: skip
    assert score_trajectory(0, justified, EXPECT).ok


def test_shipped_suites_load_and_bad_suites_are_refused(tmp_path: Path) -> None:
    assert {"ci", "full"} <= set(suite_names())
    ci = load_suite("ci")
    assert ci.cases[0].turns[0].attach and len(ci.cases) >= 3
    assert len(load_suite("full").cases) > len(ci.cases)
    doc = json.loads(ci.model_dump_json())
    doc["cases"][0]["turns"][0]["attach"] = False
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(SportsGPTError, match="must hand over the recording"):
        load_suite(bad)
    with pytest.raises(SportsGPTError, match="shipped: ci, conversation, full"):
        load_suite("nope")
    bad.write_text("{not json")
    with pytest.raises(SportsGPTError):
        load_suite(bad)


def test_readability_of_plain_and_dense_text() -> None:
    plain = "Run tall. Keep your hips high. Land under your body. " * 4
    dense = ("Biomechanical considerations regarding neuromuscular coordination necessitate "
             "comprehensive individualised periodisation methodologies. ") * 3  # fmt: skip
    easy, hard = flesch_reading_ease(plain), flesch_reading_ease(dense)
    assert easy is not None and hard is not None and easy > 70 > 20 > hard
    assert flesch_reading_ease("too short") is None
