"""The coach as a conversation: one thread, many turns, over the compiled graph with a
checkpointer (memory or PostgreSQL) and a fresh runtime context per turn.

A thread belongs to one athlete: the checkpointer keys it by the athlete's name and the
thread's name together (``thread_key``), so the same thread name under another athlete is
another conversation, and nothing one athlete said (injuries, constraints, the last
analysis) reaches another."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.postgres import PostgresSaver
from pydantic import BaseModel

from ..tools.errors import SportsGPTError
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


THREAD_SEP = "\x1f"
"""Between the athlete's name and the thread's in a checkpoint's thread id (a character
neither a name nor a thread name can hold: names are printable)."""
DEFAULT_THREAD = "default"


def thread_key(athlete: str, thread: str) -> str:
    """The checkpointer's id of an athlete's thread."""
    return f"{athlete}{THREAD_SEP}{thread}"


class Coach:
    """A conversation with the coach: one thread, many turns, of the athlete the tools'
    context names (``ctx.athlete``): change the athlete and the same thread name is
    another conversation."""

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

    def _config(self, thread: str) -> dict[str, Any]:
        if not thread or not thread.isprintable():
            raise SportsGPTError("a thread's name is printable characters")
        return {"configurable": {"thread_id": thread_key(self.ctx.athlete, thread)}}

    def latest_thread(self) -> str | None:
        """The name of this athlete's most recent thread, or None when they have none."""
        prefix = thread_key(self.ctx.athlete, "")
        saver = self.graph.checkpointer
        if isinstance(saver, PostgresSaver):  # one indexed query, not every checkpoint
            with saver._cursor() as cur:
                cur.execute(
                    "SELECT thread_id FROM checkpoints WHERE checkpoint_ns = '' AND "
                    "left(thread_id, length(%s)) = %s ORDER BY checkpoint_id DESC LIMIT 1",
                    (prefix, prefix),
                )  # fmt: skip
                row = cur.fetchone()
            found = str(row["thread_id"]) if row else None
        else:
            latest: tuple[str, str] | None = None
            assert isinstance(saver, BaseCheckpointSaver)
            for item in saver.list(None):
                tid = str(item.config["configurable"]["thread_id"])
                cid = str(item.config["configurable"].get("checkpoint_id", ""))
                if tid.startswith(prefix) and (latest is None or cid > latest[1]):
                    latest = (tid, cid)
            found = latest[0] if latest else None
        return found[len(prefix) :] if found else None

    def ask(
        self, message: str | CoachRequest, thread: str = DEFAULT_THREAD,
        files: list[str] | None = None, motion: str | None = None,
    ) -> CoachReply:  # fmt: skip
        """One turn: a message (or a typed request from the app or the CLI)."""
        config = self._config(thread)
        out = self.graph.invoke(self._input(message, files, motion), config,
                                context=self.context.for_turn())  # fmt: skip
        state = CoachState.model_validate(out)
        return CoachReply(answer=state.answer, citations=state.citations, trace=state.trace,
                          state=state)  # fmt: skip

    def result(self, thread: str = DEFAULT_THREAD) -> CoachState:
        """The thread's state after its last turn (answer, assessment, plan, trace)."""
        values = self.graph.get_state(self._config(thread)).values
        return CoachState.model_validate(values or {})

    def stream(
        self, message: str | CoachRequest, thread: str = DEFAULT_THREAD,
        files: list[str] | None = None, motion: str | None = None,
    ) -> Iterator[TraceEvent]:  # fmt: skip
        """Trace events as the graph produces them (plan, tools, re-queries, answer)."""
        config = self._config(thread)
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
