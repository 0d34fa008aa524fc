"""A language model that misbehaves never costs the athlete their answer: slow past the
turn's budget, timing out, answering junk or HTTP errors, calling tools without end, or
making things up. Each turn ends within its budget with the grounded, deterministic
answer, and the trace says why. Through the real langchain-openai HTTP path."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sportsgpt.agent import new_coach
from sportsgpt.agent.model_loop import FALLBACK_NOTE
from sportsgpt.kb import KnowledgeBase
from sportsgpt.settings import load_settings
from tests.fake_openai import Entry, fake_openai

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "standing_long_jump_side.csv"
STEP = {"tool": "extract_pose", "args": {"path": str(SAMPLE)}, "why": "the skeleton"}
TURN = {"intent": "analyze", "motion": "standing_long_jump", "steps": [STEP]}
PLAN: Entry = ("tools", [("ModelTurn", json.dumps(TURN))])


def _analyse(kb: KnowledgeBase, tmp_path: Path, script: list[Entry], **settings: object):  # type: ignore[no-untyped-def]
    with fake_openai(script) as fake:
        chosen = load_settings(**{"llm_base_url": fake.url, "llm_api_key": "test",
                                  "llm_retries": 0, **settings})  # type: ignore[arg-type]  # fmt: skip
        coach = new_coach(tmp_path / "work", kb=kb, settings=chosen)
        started = time.monotonic()
        reply = coach.ask("Analyse my jump", files=[str(SAMPLE)], motion="standing_long_jump")
        return reply, time.monotonic() - started, fake


def _grounded_fallback(reply) -> None:  # type: ignore[no-untyped-def]
    assert reply.answer.startswith(FALLBACK_NOTE)
    assert "Weak or late forward arm swing" in reply.answer  # the athlete's own analysis
    assert "[kb:" in reply.answer  # cited guidance
    assert reply.trace[-2].detail == "passed"  # the verifier's verdict on what is shown


def test_a_slow_model_cannot_stretch_the_turn_past_its_budget(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    # every request would take 40 s; the timeout (60 s) and two tries would allow 2 minutes
    # each, but the turn's budget of 4 s cuts every request to what is left
    reply, took, fake = _analyse(kb, tmp_path, [("sleep", 40)] * 6, llm_timeout_s=60.0,
                                 llm_retries=1, llm_turn_budget_s=4.0)  # fmt: skip
    assert took < 40, f"the turn took {took:.0f} s"
    assert any("budget" in e.detail or "language model failed" in e.detail for e in reply.trace)
    _grounded_fallback(reply)
    assert len(fake.requests) <= 4


@pytest.mark.parametrize("fault", [("junk", "<html>502 Bad Gateway</html>"), ("status", 500),
                                   ("status", 401), ("junk", '{"choices": "none"}')])  # fmt: skip
def test_junk_and_http_errors_fall_back(kb: KnowledgeBase, tmp_path: Path, fault: Entry) -> None:
    reply, _, _ = _analyse(kb, tmp_path, [fault] * 6)
    assert any("language model failed" in e.detail for e in reply.trace)
    _grounded_fallback(reply)


def test_a_model_calling_tools_without_end_is_stopped(kb: KnowledgeBase, tmp_path: Path) -> None:
    flood = ("tools", [("search_knowledge", json.dumps({"query": f"drill {i}"}))
                       for i in range(40)])  # fmt: skip
    reply, _, _ = _analyse(kb, tmp_path, [PLAN, flood, flood, flood], llm_max_tool_calls=5)
    assert any("more than 5 tool calls" in e.detail for e in reply.trace)
    llm_calls = [c for c in reply.state.calls if c.tool == "search_knowledge" and
                 c.args.get("query", "").startswith("drill ")]  # fmt: skip
    assert llm_calls == []  # the flood was refused as a whole, none of it ran
    _grounded_fallback(reply)


def test_a_fabricating_model_never_reaches_the_athlete(kb: KnowledgeBase, tmp_path: Path) -> None:
    made_up = (
        "Torn hamstring likely. Do arm-swing jumps [kb:drill.arm_swing_jumps]: 10x100m "
        "at 100%, rest 10 s, 7 days a week, wearing a 40 kg vest [kb:drill.invented]."
    )
    reply, _, _ = _analyse(kb, tmp_path, [PLAN, ("text", "DONE"), ("text", made_up),
                                          ("text", made_up)])  # fmt: skip
    for fabricated in ("Torn", "10x100m", "40 kg", "7 days a week", "drill.invented"):
        assert fabricated not in reply.answer
    assert any("failed verification" in e.detail for e in reply.trace)
    _grounded_fallback(reply)
