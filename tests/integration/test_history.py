"""Athlete history in PostgreSQL (kb/history.py, migration 0003) on the session's embedded
server: one transaction per analysis, idempotent by recording hash, motion and settings
version; a recording seen again is linked again, never analysed twice."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from sportsgpt.kb import KnowledgeBase
from sportsgpt.kb.history import (
    Recording,
    analyses_of,
    file_hash,
    history_counts,
    link_recording,
    record_analysis,
)
from sportsgpt.tools.kismam import assess_motion
from sportsgpt.tools.motiondtw.align import AlignSettings
from sportsgpt.tools.readers import read_motion

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"


def _copy(folder: Path, name: str) -> Path:
    """The sample jump as a recording of its own: trailing blank lines make its contents,
    and so its hash, unlike any other test's (the session's database is shared)."""
    out = folder / name
    out.write_bytes(SAMPLE.read_bytes() + b"\n" * (3 + uuid.uuid4().int % 100_000))
    return out


def _recording(path: Path) -> tuple[Recording, object]:
    pose = read_motion(path)
    rec = Recording(hash=file_hash(path), original_name=path.name, kind="keypoints",
                    frames=pose.n_frames, fps=pose.fps, view=pose.view)  # fmt: skip
    return rec, assess_motion(pose, "standing_long_jump", AlignSettings())


def test_an_analysis_is_stored_once_and_linked_again(kb: KnowledgeBase, tmp_path: Path) -> None:
    ana, ben = f"ana-{uuid.uuid4().hex[:6]}", f"ben-{uuid.uuid4().hex[:6]}"
    rec, assessment = _recording(_copy(tmp_path, "ana_jump.csv"))
    rec_b, assessment_b = _recording(_copy(tmp_path, "ben_jump.csv"))
    with kb.connection() as conn:
        before = history_counts(conn)
        first, new = record_analysis(conn, rec, assessment, ana, "monday")  # type: ignore[arg-type]
        again, again_new = record_analysis(conn, rec, assessment, ana, "tuesday")  # type: ignore[arg-type]
        assert new and not again_new and again == first  # analysed once
        link_recording(conn, rec, ana, "tuesday")  # linking twice changes nothing
        b_id, _ = record_analysis(conn, rec_b, assessment_b, ben)  # type: ignore[arg-type]
        after = history_counts(conn)
        mine = analyses_of(conn, ana)
        everyone = analyses_of(conn, motion="standing_long_jump")
    grown = {k: after[k] - before[k] for k in after}
    assert grown == {"athletes": 2, "training_sessions": 2, "recordings": 2,
                     "recording_links": 3, "analyses": 2}  # fmt: skip
    assert [a.id for a in mine] == [first] and mine[0].session == "monday"  # listed once
    stored = mine[0]
    assert stored.score == assessment.score  # type: ignore[attr-defined]
    assert {p["id"] for p in stored.problems} >= {"weak_arm_swing"}
    arm = next(p for p in stored.problems if p["id"] == "weak_arm_swing")
    assert arm["evidence"] and arm["evidence"][0]["measured"] is not None
    assert set(stored.keyframes) >= {"take_off"} and stored.versions["software"]
    assert {first, b_id} <= {a.id for a in everyone}


def test_history_command_lists_plots_and_exports(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from sportsgpt.cli.main import main
    from sportsgpt.kb.database import embedded_uri

    name = f"cara-{uuid.uuid4().hex[:6]}"
    rec, assessment = _recording(_copy(tmp_path, "week1.csv"))
    rec2, assessment2 = _recording(_copy(tmp_path, "week2.csv"))
    rec3, judged = _recording(_copy(tmp_path, "week3.csv"))
    nothing = judged.model_copy(update={"score": None, "problems": []})  # type: ignore[attr-defined]
    with kb.connection() as conn:
        record_analysis(conn, rec, assessment, name, "week 1")  # type: ignore[arg-type]
        record_analysis(conn, rec2, assessment2, name, "week 2")  # type: ignore[arg-type]
        record_analysis(conn, rec3, nothing, name, "week 3")  # nothing judged: kept, no score
    monkeypatch.setenv("DATABASE_URL", embedded_uri(kb.settings.data_dir))
    plot, table = tmp_path / "history.png", tmp_path / "team.csv"
    assert main(["history", name, "--json", "--plot", str(plot)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["recording"] for r in rows] == ["week1.csv", "week2.csv", "week3.csv"]
    assert all(r["problems"][0]["key_metric"]["band"] for r in rows[:2])
    assert rows[2]["score"] is None and rows[2]["problems"] == []
    assert plot.stat().st_size > 10_000
    assert main(["history", "--team", "--csv", str(table)]) == 0
    lines = table.read_text().splitlines()
    assert lines[0].startswith("athlete,date,motion") and sum(name in ln for ln in lines) == 3
    assert main(["history", name]) == 0
    text = capsys.readouterr().out
    assert "3 analyses of" in text and "not scored (nothing could be judged)" in text
    assert (
        "Weak or late forward arm swing (major): Arm swing at take-off: 46° (elite ≥ 80°)" in text
    )


def test_a_recording_analysed_for_someone_else_is_in_each_history(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    dan, eve = f"dan-{uuid.uuid4().hex[:6]}", f"eve-{uuid.uuid4().hex[:6]}"
    rec, assessment = _recording(_copy(tmp_path, "trial.csv"))
    with kb.connection() as conn:
        made, new = record_analysis(conn, rec, assessment, dan, "trial")  # type: ignore[arg-type]
        assert new
        again, new = record_analysis(conn, rec, assessment, eve, "camp")  # type: ignore[arg-type]
        assert again == made and not new
        assert [(a.id, a.session) for a in analyses_of(conn, eve)] == [(made, "camp")]
        assert [(a.id, a.session) for a in analyses_of(conn, dan)] == [(made, "trial")]


def test_the_coach_answers_progress_from_the_stored_history(
    kb: KnowledgeBase, tmp_path: Path, shared: Path
) -> None:
    """'How am I progressing on my arm swing?' in a fresh session, with no recording sent:
    the answer is the athlete's history, its numbers those of the stored analyses."""
    from sportsgpt.agent import new_coach

    name = f"fay-{uuid.uuid4().hex[:6]}"
    jump = tmp_path / "humanoid3d_jump.txt"  # the mocap jump, then the 2D sample
    jump.write_bytes((shared / "data/deepmimic/motions/humanoid3d_jump.txt").read_bytes())
    stored = []
    with kb.connection() as conn:
        for path in (jump, _copy(tmp_path, "week2.csv")):
            rec, assessment = _recording(path)
            record_analysis(conn, rec, assessment, name, "camp")  # type: ignore[arg-type]
        stored = analyses_of(conn, name)
    coach = new_coach(tmp_path / "work", kb=kb, model=None, athlete=name)
    for question in ("How am I progressing on my arm swing?", "is my arm swing improving?"):
        reply = coach.ask(question)
        assert reply.state.intent and reply.state.intent.kind == "compare", question
        arm = [a.metric("arm_swing_take_off") for a in stored]
        assert all(arm)
        expected = " -> ".join(f"{m.median:.0f}°" for m in arm if m)
        assert "Arm swing at take-off" in reply.answer and expected in reply.answer
        scores = " -> ".join(f"{a.score:.0f} (" for a in stored)
        assert scores.split(" -> ")[0] in reply.answer and "2 analyses" in reply.answer
        assert "elite ≥ 80°" in reply.answer and "outside the elite band" in reply.answer
        assert reply.trace[-2].detail == "passed"  # verified: every number is grounded
    other = new_coach(tmp_path / "work2", kb=kb, model=None, athlete=f"new-{uuid.uuid4().hex[:6]}")
    assert "No analysis is kept" in other.ask("How am I progressing on my arm swing?").answer


def test_progress_is_ordered_by_when_each_analysis_was_made_for_that_athlete(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    """cas has a recording analysed that dan has analysed later, after one of his own: in
    dan's history it comes last (it was analysed for him last), not first (when cas had
    it analysed)."""
    cas, dan = f"cas-{uuid.uuid4().hex[:6]}", f"dan-{uuid.uuid4().hex[:6]}"
    shared_rec, shared_assessment = _recording(_copy(tmp_path, "shared.csv"))
    own_rec, own_assessment = _recording(_copy(tmp_path, "own.csv"))
    with kb.connection() as conn:
        record_analysis(conn, shared_rec, shared_assessment, cas)  # type: ignore[arg-type]
        record_analysis(conn, own_rec, own_assessment, dan)  # type: ignore[arg-type]
        record_analysis(conn, shared_rec, shared_assessment, dan)  # type: ignore[arg-type]
        his = analyses_of(conn, dan)
        hers = analyses_of(conn, cas)
    assert [r.recording for r in his] == ["own.csv", "shared.csv"]
    assert his[0].created_at <= his[1].created_at
    assert [r.recording for r in hers] == ["shared.csv"] and hers[0].created_at < his[1].created_at
