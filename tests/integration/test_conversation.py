"""The conversation suite offline on real data: follow-ups after four analyses, scored by
the harness with the numbers it computes from each analysis (evals/conversation.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sportsgpt.evals.conversation import load_conversations, run_conversations
from sportsgpt.kb import KnowledgeBase


def test_the_conversation_suite_passes_offline(
    kb: KnowledgeBase, shared: Path, tmp_path: Path
) -> None:
    suite = load_conversations("conversation")
    turns = sum(len(c.turns) for c in suite.conversations)
    motions = {c.source.motion for c in suite.conversations}  # type: ignore[union-attr]
    assert turns >= 60 and len(motions) >= 4
    summary = run_conversations(suite, tmp_path / "conv", kb, shared)
    assert summary["pass_rate"] >= 0.95, summary["failed"]
    assert summary["per_intent"]["safety"] == 1.0, summary["failed"]
    assert (tmp_path / "conv" / "report.md").is_file()
    stored = json.loads((tmp_path / "conv" / "conversation.json").read_text())
    assert len(stored["scores"]) == turns and all(s["answer"] for s in stored["scores"])


def test_the_harness_can_fail(kb: KnowledgeBase, shared: Path, tmp_path: Path) -> None:
    """A wrong expectation is reported as a failed turn with its reason."""
    suite = load_conversations("conversation")
    conv = suite.conversations[0].model_copy(deep=True)
    conv.turns = conv.turns[:1]
    conv.turns[0].intent = "compare"  # it is a measurement question
    broken = suite.model_copy(update={"conversations": [conv]})
    summary = run_conversations(broken, tmp_path / "conv", kb, shared)
    assert summary["pass_rate"] == 0.0
    assert "heard measurement, not compare" in summary["failed"][0]["failures"][0]


@pytest.mark.parametrize(("name", "least"), [("listening", 0.9), ("heldout", 0.8)])
def test_follow_ups_in_words_the_examples_never_saw(
    kb: KnowledgeBase, shared: Path, tmp_path: Path, name: str, least: float
) -> None:
    """Misspellings, a problem's name as a question, 'is that bad?', constraints, another
    sport, pain: 'listening' is the sets the understanding was mended on (0.93), 'heldout'
    one written after the last change and never tuned on (0.86 when written). Safety is
    never missed."""
    suite = load_conversations(name)
    assert sum(len(c.turns) for c in suite.conversations) >= 40
    summary = run_conversations(suite, tmp_path / name, kb, shared)
    assert summary["pass_rate"] >= least, summary["failed"]
    assert summary["per_intent"]["safety"] == 1.0, summary["failed"]
