"""One athlete's conversation is theirs (the CLI's chat over PostgreSQL threads, the Coach
API as the app uses it), and a model's unchecked text never reaches the terminal: only the
verified answer does, and the rejected drafts stay in the trace."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from sportsgpt.agent import new_coach
from sportsgpt.kb import KnowledgeBase
from tests.fake_openai import fake_openai

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"
FABRICATED = (
    "Torn hamstring: your hamstring is torn, so sprint only uphill. Do arm-swing jumps "
    "[kb:drill.arm_swing_jumps]: 10x100m at 100%, 7 days a week, wearing a 40 kg vest."
)


def _env(kb: KnowledgeBase, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "SPORTSGPT_LLM", "DATABASE_URL"))}  # fmt: skip
    env["SPORTSGPT_DATA_DIR"] = str(kb.settings.data_dir)  # the session's server
    env.update(extra)
    return env


def _chat(
    kb: KnowledgeBase, lines: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "sportsgpt.cli.main", "chat", *args],
        input=lines, capture_output=True, text=True, env=_env(kb, **env), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_two_athletes_in_the_cli_share_nothing(kb: KnowledgeBase) -> None:
    """tom analyses a jump and says his knee aches; a new athlete, with no --thread (the
    old default that every athlete shared), gets neither tom's diagnosis nor his injury;
    tom, again without --thread, continues his own conversation."""
    tag = uuid.uuid4().hex[:6]
    tom, new = f"tom-{tag}", f"new-{tag}"
    first = _chat(kb, "my knee aches\n", "--video", str(SAMPLE), "--motion",
                  "standing_long_jump", "--athlete", tom)  # fmt: skip
    assert "Weak or late forward arm swing" in first.stdout
    assert f"{tom}'s conversation" in first.stderr
    other = _chat(kb, "which problem should I fix first?\ngive me a 3 day plan\n",
                  "--athlete", new)  # fmt: skip
    assert f"{new}'s conversation 'default', new" in other.stderr
    for leaked in (
        "Weak or late forward arm swing",
        "Take-off too steep",
        "your knee",
        "which you told me hurts",
        "your standing long jump",
        "in your jump",
    ):
        assert leaked not in other.stdout, (leaked, other.stdout)
    again = _chat(kb, "give me a 3 day plan\n", "--athlete", tom)
    assert "continued after" in again.stderr
    assert "knee, which you told me hurts" in again.stdout


def test_threads_are_keyed_by_athlete(kb: KnowledgeBase, tmp_path: Path) -> None:
    """The same thread name under two athletes (an app session whose athlete field
    changes) is two conversations."""
    coach = new_coach(tmp_path / "work", kb=kb, model=None, athlete="ann")
    coach.ask("Analyse my jump", files=[str(SAMPLE)], motion="standing_long_jump", thread="s1")
    coach.ask("my hamstring is sore", thread="s1")
    assert coach.result("s1").assessment is not None
    coach.ctx.athlete = "ben"
    assert coach.result("s1").assessment is None and coach.latest_thread() is None
    reply = coach.ask("which problem should I fix first?", thread="s1")
    assert "arm swing" not in reply.answer.lower() and "hamstring" not in reply.answer
    assert not reply.state.context.injuries
    coach.ctx.athlete = "ann"
    assert coach.latest_thread() == "s1" and coach.result("s1").context.injuries


def test_a_fabricating_streaming_model_never_reaches_the_terminal(kb: KnowledgeBase) -> None:
    """chat with a streaming model that fabricates: none of its text on stdout or stderr;
    the verified composer answers; the rejected drafts are in the thread's trace."""
    search = {"tool": "search_knowledge", "args": {"query": "What is an A-skip?", "limit": 4}}
    turn = {"intent": "question", "steps": [search]}
    import json

    script = [("tools", [("ModelTurn", json.dumps(turn))]), ("text", "DONE"),
              ("text", FABRICATED), ("text", FABRICATED)]  # fmt: skip
    athlete = f"fab-{uuid.uuid4().hex[:6]}"
    with fake_openai(script) as fake:
        done = _chat(kb, "What is an A-skip?\n", "--athlete", athlete,
                     SPORTSGPT_LLM_BASE_URL=fake.url, SPORTSGPT_LLM_API_KEY="test",
                     SPORTSGPT_LLM_MODEL="fake", SPORTSGPT_LLM_STREAM="1",
                     SPORTSGPT_LLM_RETRIES="0")  # fmt: skip
        assert any(r.get("stream") for r in fake.requests)  # the model did stream
    for made_up in ("Torn", "torn", "uphill", "10x100m", "40 kg", "7 days a week"):
        assert made_up not in done.stdout and made_up not in done.stderr, made_up
    assert "A-skip" in done.stdout and "[kb:" in done.stdout
    coach = new_coach(kb.settings.data_dir / "threads-check", kb=kb, model=None,
                      memory="postgres", athlete=athlete)  # fmt: skip
    thread = coach.latest_thread()
    assert thread is not None
    rejected = [d for e in coach.result(thread).trace for d in e.data.get("rejected", [])]
    assert len(rejected) == 2 and all("Torn hamstring" in d["text"] for d in rejected)
    assert all(d["failed"] for d in rejected)
