"""The language model's loops: carrying out the plan through tool calls (errors fed back,
bounded faults, the turn's budget), and writing the answer, which must pass the
verifier (one retry) or the deterministic composer answers."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, Field

from .context import CoachContext
from .executor import POSE, _event, _Work, live, matching_step
from .llm import (
    MAX_FAULTS,
    MAX_ROUNDS,
    act_messages,
    compose_messages,
    parse_tool_calls,
    tool_result_message,
    tool_specs,
)
from .state import (
    CoachState,
)
from .training_plan import plan_drills
from .verify import verify_answer


def _budget_spent(work: _Work, run: CoachContext) -> bool:
    spent = run.budget_spent()
    if not spent:
        return False
    work.trace.append(_event("requery", f"{spent}; "
                             "deterministic path takes over"))  # fmt: skip
    return True


def llm_act(work: _Work, run: CoachContext, model: BaseChatModel) -> None:
    """Let the model carry out the pending steps through tool calls; errors go back to it
    as tool results; a timeout, repeated faults or the spent turn budget hand the rest to
    the deterministic path."""
    ctx = run.tools
    pending = [s for s in work.plan.steps if s.status == "pending"]
    if not pending:
        return
    bound = model.bind_tools(tool_specs())
    messages = act_messages(work.state, pending)
    faults = 0
    for _ in range(MAX_ROUNDS):
        if work.plan.next_pending() is None:
            break
        if _budget_spent(work, run):
            return
        try:
            reply = bound.invoke(messages, **run.request_options())
        except Exception as exc:  # timeouts, HTTP errors, junk: all recovered the same way
            reason = f"{type(exc).__name__}: {str(exc)[:120]}"
            work.trace.append(
                _event(
                    "requery", f"language model failed ({reason}); deterministic path takes over"
                )
            )
            return
        assert isinstance(reply, AIMessage)
        messages.append(reply)
        calls, errors = parse_tool_calls(reply)
        if not calls and not errors:
            break
        for call_id, error in errors:
            faults += 1
            messages.append(tool_result_message(call_id, f"error: {error}; call it again with "
                                                "valid JSON arguments"))  # fmt: skip
            work.trace.append(_event("tool", "llm: a malformed tool call (refused)",
                                     error=error))  # fmt: skip
        expanded_before = work.plan.revision
        if calls and not all(run.take_tool_call() for _ in calls):
            work.trace.append(_event("requery", "the language model asked for more than "
                                     f"{run.settings.llm_max_tool_calls} tool calls this turn; "
                                     "deterministic path takes over"))  # fmt: skip
            return
        for call in calls:
            step = matching_step(work.plan, call["name"], call["args"])
            args = {k: (work.pose.pose_file if v == POSE and work.pose else v)
                    for k, v in call["args"].items()}  # fmt: skip
            result = work.call(ctx, call["name"], args, step.target if step else
                               call["args"].get("problem"), via="llm: ")  # fmt: skip
            if isinstance(result, str):
                faults += 1
                messages.append(tool_result_message(call["id"], f"error: {result}"))
                continue
            if step is not None:
                step.status, step.result_summary = "done", str(getattr(result, "summary", ""))
            messages.append(tool_result_message(call["id"], result.model_dump_json()))
        if faults > MAX_FAULTS:
            work.trace.append(_event("requery", f"{faults} faulty tool calls from the language "
                                     "model; deterministic path takes over"))  # fmt: skip
            return
        if work.plan.revision != expanded_before:
            listing = "\n".join(f"- {s.tool}({json.dumps(s.args)})" for s in work.plan.steps
                                if s.status == "pending")  # fmt: skip
            messages.append(HumanMessage(f"Next steps of the plan:\n{listing}"))


FALLBACK_NOTE = (
    "_The language model's answer could not be used (it failed verification, or the model "
    "was unavailable or out of time), so this answer was composed deterministically from "
    "the same evidence._"
)


def _evidence(state: CoachState) -> dict[str, Any]:
    hits = {h.id: h for v in state.guidance.values() for h in v}
    return {
        "assessment": state.assessment.model_dump() if state.assessment else None,
        "retrieved": [{"id": h.id, "title": h.title, "kind": h.kind, "dose": h.dose,
                       "text": h.text[:500]} for h in hits.values()],
        "plan_priority": [h.id for h in plan_drills(state)],
        "missing_equipment": state.context.missing_equipment,
        "days_per_week": state.days_per_week,
        "comparison": state.comparison,
    }  # fmt: skip


class RejectedDraft(BaseModel):
    """A model's answer the verifier refused: kept in the trace for whoever reviews it,
    never shown to the athlete."""

    text: str
    failed: list[str] = Field(description="the checks it failed")


def llm_compose(
    state: CoachState, model: BaseChatModel, run: CoachContext
) -> tuple[str | None, str, list[RejectedDraft]]:
    """The model's answer if it passes verification (one retry with the failed checks,
    when the turn's budget allows): (answer or None, why not in our own words, the
    rejected drafts). Nothing of the model's text is sent to a streaming caller before
    the verifier passed it: while it writes, the caller hears only that it writes."""
    messages = compose_messages(state, _evidence(state))
    why = "no answer"
    rejected: list[RejectedDraft] = []
    for attempt in range(2):
        if spent := run.budget_spent():
            return None, f"{why}; {spent}", rejected
        live(_event("compose", "the language model is writing the answer"
                    + (" again" if attempt else "")))  # fmt: skip
        try:
            chunks = [chunk.content for chunk in model.stream(messages, **run.request_options())]
        except Exception as exc:  # timeouts, HTTP errors: recovered the same way
            return None, f"language model failed ({type(exc).__name__})", rejected
        text = "".join(c for c in chunks if isinstance(c, str))
        failed = [c for c in verify_answer(state, text) if not c.ok]
        if text.strip() and not failed:
            return text.strip() + "\n", "", rejected
        rejected.append(RejectedDraft(text=text, failed=[c.detail for c in failed]))
        why = (f"the model's answer failed verification ({len(failed)} check(s))" if failed
               else "the model's answer was empty")  # fmt: skip
        messages += [AIMessage(content=text), HumanMessage(
            "The answer failed verification: " + ("; ".join(c.detail for c in failed) or "empty")
            + ". Rewrite it following the grounding rules.")]  # fmt: skip
    return None, why, rejected
