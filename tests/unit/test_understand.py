"""The offline understanding of messages: intent, motion, equipment, days, level."""

from __future__ import annotations

from pathlib import Path

from sportsgpt.agent.understand import days_per_week, missing_equipment, motion_in, understand
from sportsgpt.agent.workspace import Workspace, WorkspaceError
from sportsgpt.kb.queries import AthleteContext


def test_athlete_context_from_words() -> None:
    assert missing_equipment("I have no sled") == ["sled"]
    assert missing_equipment("we don't have starting blocks or a box") == ["starting blocks"]
    assert missing_equipment("without a plyo box") == ["plyo box"]
    assert days_per_week("I only train twice a week") == 2
    assert days_per_week("3 days per week") == 3 and days_per_week("every day") is None
    assert motion_in("check my tennis serve") == "tennis_serve"
    assert motion_in("my block start feels slow") == "sprint_start"


def test_intents() -> None:
    ctx = AthleteContext()
    assert understand("look at this", ["a.mp4"], None, ctx, False)[0].kind == "analyze"
    explain, _, _ = understand("What is an A-skip?", [], None, ctx, True)
    assert explain.kind == "explain" and explain.topic == "a-skip"
    adapt, new_ctx, days = understand("I have no sled, beginner, twice a week", [], None, ctx, True)
    assert adapt.kind == "adapt" and new_ctx.missing_equipment == ["sled"] and days == 2
    assert new_ctx.level == "beginner"
    # without an analysis to adapt, kit talk is a question for the knowledge base
    assert understand("I have no sled", [], None, ctx, False)[0].kind == "question"
    assert understand("compare with my last video", [], None, ctx, True)[0].kind == "compare"


def test_about_a_recording_there_is_none_of() -> None:
    """Asked for their own measurements, problems or priorities before any analysis, the
    athlete is told there is none yet and how to send one, not handed a knowledge-base
    item about somebody else's motion."""
    for asked, missing in (
        ("which problem should I fix first?", "no problems of yours to put in order"),
        ("what was my knee angle at take-off?", "no measurement of yours"),
        ("why is my arm swing flagged?", "no problem of yours to explain"),
    ):
        intent, _, _ = understand(asked, [], None, AthleteContext(), False)
        assert intent.kind == "clarify" and intent.question is not None
        assert "not analysed a recording of yours" in intent.question
        assert missing in intent.question and "tennis serve" in intent.question
        assert "--" not in intent.question  # the app's words too: no command-line flag
        assert understand(asked, [], None, AthleteContext(), True)[0].kind != "clarify"


def test_workspace_keeps_paths_inside(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "work")
    assert ws.resolve("pose.json") == (tmp_path / "work" / "pose.json").resolve()
    for bad in ("/etc/passwd", "../../etc/passwd", str(tmp_path / "other.json")):
        try:
            ws.resolve(bad)
        except WorkspaceError:
            continue
        raise AssertionError(f"{bad} was allowed")
    ws.allow(tmp_path)
    assert ws.resolve(str(tmp_path / "other.json"))


def test_nearest_to_what_a_coach_is_not_asked() -> None:
    """A message whose nearest examples are out of scope is out of scope even when its
    words (rate, plan, best) also occur in training talk; a training question in new words
    is still looked up."""
    ctx = AthleteContext()
    for asked in ("what is the dollar exchange rate today", "who painted the mona lisa"):
        assert understand(asked, [], "max_velocity", ctx, True)[0].kind == "out_of_scope"
    for asked in ("what does stance phase mean", "how long until i see progress"):
        assert understand(asked, [], "max_velocity", ctx, True)[0].kind != "out_of_scope"
