"""The coach's LangGraph runtime context: what a run needs but never checkpoints.

Handed to every node as ``runtime.context`` (``StateGraph(..., context_schema=CoachContext)``),
the way langchain-ai/react-agent passes its ``Context``: the one settings object, the
tools' context (work folder, knowledge base), the language model (None = offline), and
this turn's deadline for model work (``llm_turn_budget_s``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from ..settings import Settings
from .tools import ToolContext


@dataclass(frozen=True)
class CoachContext:
    settings: Settings
    tools: ToolContext
    model: BaseChatModel | None = None
    deadline: float = field(default=float("inf"))
    """``time.monotonic()`` after which the model is asked nothing more this turn."""

    def for_turn(self) -> CoachContext:
        """A copy for one turn, its deadline starting now."""
        budget = self.settings.llm_turn_budget_s
        return CoachContext(self.settings, self.tools, self.model, time.monotonic() + budget)

    def budget_spent(self) -> str | None:
        """Why the model may be asked nothing more this turn, or None while it may."""
        if time.monotonic() < self.deadline:
            return None
        return f"the turn's model budget ({self.settings.llm_turn_budget_s:g} s) is spent"
