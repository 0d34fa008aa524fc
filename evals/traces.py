"""Run the coach on one case and keep everything it did: per turn the message, answer,
citations, plan, tool calls (arguments, outcome, duration), trace events, re-queries,
wall time, language-model calls and tokens; per case the stored analysis and the
retrieved guidance (what the scores read)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult
from pydantic import BaseModel, Field

from ..agent import new_coach
from ..agent.tools import stored_analyses
from ..agent.training_plan import plan_drills
from ..kb import KnowledgeBase
from ..tools.errors import SportsGPTError
from .cases import BuiltCase
from .suite import EvalCase
from .variants import ASSESSORS, knowledge_for


class LLMUsage(BaseCallbackHandler):
    """Counts a chat model's calls and tokens (as the endpoint reports them) and keeps
    each exchange in brief: the last message sent, the reply, the tools it called."""

    def __init__(self) -> None:
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.exchanges: list[dict[str, Any]] = []

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        sent = messages[0] if messages else []
        last = sent[-1] if sent else None
        self.exchanges.append({
            "messages_sent": len(sent),
            "last_sent": {"role": getattr(last, "type", ""),
                          "content": str(getattr(last, "content", ""))[:EXCERPT]},
            "reply": None, "tool_calls": [],
        })  # fmt: skip

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.calls += 1
        usage = (response.llm_output or {}).get("token_usage") or {}
        for generations in response.generations:
            for gen in generations:
                message = getattr(gen, "message", None)
                if self.exchanges:
                    self.exchanges[-1]["reply"] = str(getattr(gen, "text", ""))[:EXCERPT]
                    self.exchanges[-1]["tool_calls"] = [
                        c["name"] for c in getattr(message, "tool_calls", None) or []
                    ]
                if not usage:  # streamed replies carry it on the message
                    meta = getattr(message, "usage_metadata", None) or {}
                    usage = {"prompt_tokens": meta.get("input_tokens", 0),
                             "completion_tokens": meta.get("output_tokens", 0)}  # fmt: skip
        self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.completion_tokens += int(usage.get("completion_tokens") or 0)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        if self.exchanges:
            self.exchanges[-1]["reply"] = f"error: {type(error).__name__}: {str(error)[:200]}"

    def snapshot(self) -> tuple[int, int, int, int]:
        return self.calls, self.prompt_tokens, self.completion_tokens, len(self.exchanges)


EXCERPT = 500
"""Characters kept of each message sent to and received from the model."""


class ToolCallTrace(BaseModel):
    tool: str
    args: dict[str, Any]
    ok: bool
    ms: float
    error: str | None = None


class TurnTrace(BaseModel):
    message: str
    answer: str
    citations: list[str]
    intent: str | None
    plan: list[str] = Field(description="the planned tool steps, in order")
    tool_calls: list[ToolCallTrace]
    events: list[dict[str, Any]]
    requeries: list[str]
    problems: list[str] = Field(description="problem ids the coach's assessment holds")
    drills: list[dict[str, Any]] = Field(description="the plan's drills: id, dose, problems")
    guidance: dict[str, list[dict[str, Any]]] = Field(
        description="retrieved items per problem, in rank order: id, problems, dose"
    )
    wall_s: float
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_exchanges: list[dict[str, Any]] = Field(
        default_factory=list, description="each model call: last message sent, reply, tools"
    )
    error: str | None = None


class CaseTrace(BaseModel):
    case: str
    variant: str
    mode: str
    file: str
    turns: list[TurnTrace]
    analysis: dict[str, Any] | None = Field(description="the last stored Assessment")


def _hit(h: Any) -> dict[str, Any]:
    return {"id": h.id, "kind": h.kind, "problems": list(h.problems), "dose": h.dose}


def run_case(
    case: EvalCase,
    built: BuiltCase,
    kb: KnowledgeBase,
    work: Path,
    variant: str = "full",
    model: BaseChatModel | None = None,
) -> CaseTrace:
    """The case's turns in one thread of a fresh coach (its own work folder)."""
    usage = LLMUsage()
    if model is not None:
        model = model.model_copy(update={"callbacks": [usage]})
    coach = new_coach(work, kb=knowledge_for(variant, kb), model=model,
                      assessor=ASSESSORS[variant])  # fmt: skip
    turns = []
    for turn in case.turns:
        before = usage.snapshot()
        started = time.perf_counter()
        files = [built.file] if turn.attach else None
        motion = case.motion_hint if turn.attach else None
        try:
            reply = coach.ask(turn.message, thread=case.id, files=files, motion=motion)
        except SportsGPTError as exc:  # recorded as a failed turn, the case goes on
            turns.append(TurnTrace(message=turn.message, answer="", citations=[], intent=None,
                                   plan=[], tool_calls=[], events=[], requeries=[], problems=[],
                                   drills=[], guidance={}, wall_s=time.perf_counter() - started,
                                   error=str(exc)))  # fmt: skip
            continue
        wall = time.perf_counter() - started
        after = usage.snapshot()
        state = reply.state
        turns.append(TurnTrace(
            message=turn.message, answer=reply.answer, citations=reply.citations,
            intent=state.intent.kind if state.intent else None,
            plan=[s.tool for s in state.plan.steps] if state.plan else [],
            tool_calls=[ToolCallTrace(tool=c.tool, args=c.args, ok=c.ok,
                                      ms=round(c.duration_ms, 1), error=c.error)
                        for c in state.calls],
            events=[e.model_dump() for e in reply.trace],
            requeries=list(state.requeries),
            problems=[p.id for p in state.assessment.problems] if state.assessment else [],
            drills=[_hit(h) for h in plan_drills(state)],
            guidance={k: [_hit(h) for h in v] for k, v in state.guidance.items()},
            wall_s=round(wall, 3), llm_calls=after[0] - before[0],
            prompt_tokens=after[1] - before[1], completion_tokens=after[2] - before[2],
            llm_exchanges=usage.exchanges[before[3]:after[3]],
        ))  # fmt: skip
    analyses = stored_analyses(coach.ctx)
    return CaseTrace(case=case.id, variant=variant, mode="llm" if model else "offline",
                     file=built.file, turns=turns,
                     analysis=analyses[-1]["assessment"] if analyses else None)  # fmt: skip
