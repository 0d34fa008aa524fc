"""The coach: a LangGraph agent over typed tools (pose, alignment, KISMAM, knowledge base)
with an explicit plan, deterministic evidence checks, bounded re-queries, and an answer
verified against what was retrieved. See docs/agent.md."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..kb import KBSettings, KnowledgeBase
from .graph import Coach, CoachReply
from .tools import ToolContext
from .workspace import Workspace

__all__ = ["Coach", "CoachReply", "new_coach"]


def new_coach(
    work_dir: Path | None = None, kb: KnowledgeBase | None = None, athlete: str = "athlete"
) -> Coach:
    """A coach with its own work folder (default: a fresh temporary one)."""
    folder = work_dir or Path(tempfile.mkdtemp(prefix="sportsgpt_coach_"))
    ctx = ToolContext(workspace=Workspace(folder), kb=kb or KnowledgeBase(KBSettings.from_env()),
                      athlete=athlete)  # fmt: skip
    return Coach(ctx)
