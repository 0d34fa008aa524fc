"""The coach: a LangGraph agent over typed tools (pose, alignment, KISMAM, knowledge base)
with an explicit plan, deterministic evidence checks, bounded re-queries, and an answer
verified against what was retrieved. See docs/agent.md."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from langchain_core.language_models import BaseChatModel

from ..kb import KBSettings, KnowledgeBase
from ..settings import Settings, current_settings
from .coach import DEFAULT_THREAD, Coach, CoachReply
from .context import CoachContext
from .graph import state_serializer
from .llm import chat_model
from .memory import postgres_checkpointer
from .state import SHOWN_STEPS, CoachRequest
from .tools import Assessor, ToolContext
from .workspace import Workspace

__all__ = [
    "DEFAULT_THREAD",
    "SHOWN_STEPS",
    "Coach",
    "CoachContext",
    "CoachReply",
    "CoachRequest",
    "new_coach",
]


def new_coach(
    work_dir: Path | None = None,
    kb: KnowledgeBase | None = None,
    athlete: str = "athlete",
    model: BaseChatModel | Literal["env"] | None = "env",
    memory: Literal["memory", "postgres"] = "memory",
    assessor: Assessor | None = None,
    settings: Settings | None = None,
) -> Coach:
    """A coach with its own work folder (default: a fresh temporary one). The language
    model comes from the settings (``agent/llm.py``) unless given (None = offline);
    ``memory="postgres"`` keeps threads in the knowledge base's PostgreSQL. The settings
    (default: the process's, ``current_settings()``) reach every node as the graph's
    runtime context."""
    settings = settings or current_settings()
    folder = work_dir or Path(tempfile.mkdtemp(prefix="sportsgpt_coach_"))
    base = kb or KnowledgeBase(KBSettings.from_settings(settings))
    ctx = ToolContext(workspace=Workspace(folder), kb=base, athlete=athlete)
    if assessor is not None:  # an eval's ablation of the diagnosis step
        ctx.assessor = assessor
    chat = chat_model(settings) if model == "env" else model
    saver = (
        postgres_checkpointer(base.settings, state_serializer()) if memory == "postgres" else None
    )
    return Coach(CoachContext(settings=settings, tools=ctx, model=chat), checkpointer=saver)
