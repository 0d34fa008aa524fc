"""The coach as a conversation: one thread, many turns, over the compiled graph with a
checkpointer (memory or PostgreSQL) and a fresh runtime context per turn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from .context import CoachContext
from .graph import builder, state_serializer
from .state import (
    CoachRequest,
    CoachState,
    TraceEvent,
)


class CoachReply(BaseModel):
    answer: str
    citations: list[str]
    trace: list[TraceEvent]
    state: CoachState


class Coach:
    """A conversation with the coach: one thread, many turns."""

    def __init__(
        self,
        context: CoachContext,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
    ):
        self.context = context
        self.ctx = context.tools
        self.model = context.model
        saver = checkpointer or InMemorySaver(serde=state_serializer())
        self.graph = builder.compile(checkpointer=saver, name="SportsGPT coach")

    def _input(
        self, message: str | CoachRequest, files: list[str] | None, motion: str | None
    ) -> dict[str, Any]:
        from .tools import resolve_upload

        request = (
            message if isinstance(message, CoachRequest)
            else CoachRequest(message=message, files=files or [], motion=motion)
        )  # fmt: skip
        uploads = [str(resolve_upload(self.ctx, f)) for f in request.files]
        mode = "llm" if self.model is not None else "offline"
        return {"message": request.message, "files": uploads, "motion_hint": request.motion,
                "mode": mode, "request": request}  # fmt: skip

    def ask(
        self, message: str | CoachRequest, thread: str = "default",
        files: list[str] | None = None, motion: str | None = None,
    ) -> CoachReply:  # fmt: skip
        """One turn: a message (or a typed request from the app or the CLI)."""
        config = {"configurable": {"thread_id": thread}}
        out = self.graph.invoke(self._input(message, files, motion), config,
                                context=self.context.for_turn())  # fmt: skip
        state = CoachState.model_validate(out)
        return CoachReply(answer=state.answer, citations=state.citations, trace=state.trace,
                          state=state)  # fmt: skip

    def result(self, thread: str = "default") -> CoachState:
        """The thread's state after its last turn (answer, assessment, plan, trace)."""
        values = self.graph.get_state({"configurable": {"thread_id": thread}}).values
        return CoachState.model_validate(values or {})

    def stream(
        self, message: str | CoachRequest, thread: str = "default",
        files: list[str] | None = None, motion: str | None = None,
    ) -> Iterator[TraceEvent]:  # fmt: skip
        """Trace events as the graph produces them (plan, tools, re-queries, answer)."""
        config = {"configurable": {"thread_id": thread}}
        seen = 0
        for kind, values in self.graph.stream(
            self._input(message, files, motion), config,
            stream_mode=["custom", "values"], context=self.context.for_turn(),
        ):  # fmt: skip
            if kind == "custom":  # live: tool starts, partial answer text
                yield TraceEvent.model_validate(values)
                continue
            trace = values.get("trace", []) if isinstance(values, dict) else values.trace
            for event in trace[seen:]:
                yield event if isinstance(event, TraceEvent) else TraceEvent.model_validate(event)
            seen = len(trace)
