"""The coach's LangGraph runtime context: what a run needs but never checkpoints.

Handed to every node as ``runtime.context`` (``StateGraph(..., context_schema=CoachContext)``),
the way langchain-ai/react-agent passes its ``Context``: the one settings object, the
tools' context (work folder, knowledge base), the language model (None = offline), and
this turn's budget for model work: a deadline (``llm_turn_budget_s``) that also caps every
request's timeout, and a count of the model's tool calls (``llm_max_tool_calls``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from ..settings import Settings
from .tools import ToolContext

MIN_REQUEST_S = 1.0
"""A request is not started with less than this left of the turn's budget."""


@dataclass
class TurnBudget:
    """What the model may still spend this turn: time and tool calls."""

    deadline: float = float("inf")
    """``time.monotonic()`` after which the model is asked nothing more."""
    tool_calls_left: int | None = None
    """None: unbounded (a context that never started a turn)."""

    def remaining_s(self) -> float:
        return self.deadline - time.monotonic()


@dataclass(frozen=True)
class CoachContext:
    settings: Settings
    tools: ToolContext
    model: BaseChatModel | None = None
    budget: TurnBudget = field(default_factory=TurnBudget)

    def for_turn(self) -> CoachContext:
        """A copy for one turn, its budget starting now."""
        s = self.settings
        budget = TurnBudget(time.monotonic() + s.llm_turn_budget_s, s.llm_max_tool_calls)
        return CoachContext(self.settings, self.tools, self.model, budget)

    def budget_spent(self) -> str | None:
        """Why the model may be asked nothing more this turn, or None while it may."""
        if self.budget.remaining_s() >= MIN_REQUEST_S:
            return None
        return f"the turn's model budget ({self.settings.llm_turn_budget_s:g} s) is spent"

    def request_options(self) -> dict[str, Any]:
        """Keyword arguments for one model request (``invoke``/``stream``): its timeout,
        cut so that the request and all its retries end within the turn's budget."""
        tries = self.settings.llm_retries + 1
        left = self.budget.remaining_s() / tries
        return {"timeout": max(MIN_REQUEST_S / tries, min(self.settings.llm_timeout_s, left))}

    def take_tool_call(self) -> bool:
        """Count one tool call by the model; False once the turn's allowance is used."""
        left = self.budget.tool_calls_left
        if left is None:
            return True
        if left <= 0:
            return False
        self.budget.tool_calls_left = left - 1
        return True
