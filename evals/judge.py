"""The optional LLM-as-judge: the paper's rubric (accuracy and feasibility, Likert 1-5)
applied by any OpenAI-compatible model to an analysis answer, with the case's computed
truth. The prompt is versioned (prompts/judge.md) and its version goes into the scores."""

from __future__ import annotations

import json
import logging
import re

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field, ValidationError

from ..prompts import load_prompt

log = logging.getLogger(__name__)


class Verdict(BaseModel):
    accuracy: int = Field(ge=1, le=5)
    feasibility: int = Field(ge=1, le=5)
    reason: str = ""


class JudgeResult(BaseModel):
    verdict: Verdict | None
    prompt_version: int
    error: str | None = None


def judge_answer(
    model: BaseChatModel, *, motion: str, truth: list[str] | None, message: str, answer: str
) -> JudgeResult:
    """The judge's verdict, or the reason there is none (a timeout, junk, out-of-range
    scores): a failed judgement is reported, never guessed."""
    prompt = load_prompt("judge")
    text = prompt.render(
        motion=motion, message=message, answer=answer,
        truth=", ".join(truth) if truth else "none found" if truth is not None else "unknown",
    )  # fmt: skip
    try:
        reply = model.invoke([HumanMessage(text)])
    except Exception as exc:  # timeouts, HTTP errors
        return JudgeResult(verdict=None, prompt_version=prompt.version,
                           error=f"{type(exc).__name__}: {str(exc)[:120]}")  # fmt: skip
    content = reply.content if isinstance(reply.content, str) else str(reply.content)
    found = re.search(r"\{.*\}", content, re.S)
    try:
        verdict = Verdict.model_validate(json.loads(found.group(0) if found else content))
    except (json.JSONDecodeError, ValidationError) as exc:
        log.warning("the judge's reply is not a verdict: %s", content[:200])
        return JudgeResult(verdict=None, prompt_version=prompt.version,
                           error=f"unusable reply: {str(exc).splitlines()[0][:120]}")  # fmt: skip
    return JudgeResult(verdict=verdict, prompt_version=prompt.version)
