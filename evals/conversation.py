"""The conversation suite: follow-up turns after real analyses, scored per turn and per
intent (``sportsgpt eval run --suite conversation``).

A suite file holds conversations: a recording (a fault injected into real mocap, or a
recording as it is, built by ``evals/cases.py``), then turns with the intent and tools
expected and checks by *kind*. The harness computes what each check needs from the
analysis itself, never from the file: the athlete's measured value (through the same
``get_measurements`` tool, called directly), the top problem's label, the first drill's
dose; it forbids doses and drills after a pain report, and drills of another motion.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from ..agent import new_coach
from ..agent.coach import Coach
from ..agent.grounding import CITATION
from ..agent.state import CoachState
from ..agent.tools import Measurements, run_tool
from ..agent.verify import DOSE_LIKE
from ..kb import KnowledgeBase
from ..kb.queries import priority
from ..tools.data_files import load_json_model
from ..tools.errors import SportsGPTError
from ..tools.kismam import load_motion_spec
from .cases import build_case
from .suite import EvalCase, Source, Turn, suite_path

Check = Literal[
    "measured_value",
    "top_problem",
    "problem_evidence",
    "drill_dose",
    "progression",
    "no_load",
    "referral",
    "own_motion_drills",
    "cites",
    "says_offline_or_scope",
    "asks_back",
    "session_fit",
    "elite_band",
]


class ConversationTurn(BaseModel):
    say: str = Field(min_length=1)
    intent: str = Field(description="the intent the coach must understand")
    tools: list[str] = Field(default_factory=list, description="tools that must be called")
    checks: list[Check] = Field(default_factory=list)
    measure: dict[str, Any] | None = Field(
        default=None, description="get_measurements arguments whose value must appear"
    )
    about: str | None = Field(
        default=None, description="the problem id the message asks about (flagged or not)"
    )


class Conversation(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    source: Source
    motion_hint: str | None = None
    opening: str = "Analyse my technique and give me a plan."
    turns: list[ConversationTurn] = Field(min_length=1)


FORMAT = "sportsgpt.conversation_suite"


class ConversationSuite(BaseModel):
    format: Literal["sportsgpt.conversation_suite"] = "sportsgpt.conversation_suite"
    version: Literal[1] = 1
    name: str
    description: str
    conversations: list[Conversation] = Field(min_length=1)


class TurnScore(BaseModel):
    conversation: str
    turn: int
    say: str
    intent: str
    heard: str
    ok: bool
    failures: list[str]
    ms: float
    answer: str


def is_conversation_suite(name_or_path: str | Path) -> bool:
    try:
        return bool(json.loads(suite_path(name_or_path).read_text()).get("format") == FORMAT)
    except (OSError, ValueError, TypeError, SportsGPTError):
        return False


def load_conversations(name_or_path: str | Path) -> ConversationSuite:
    return load_json_model(suite_path(name_or_path), ConversationSuite, "conversation suite")


def _number_shown(value: float, answer: str) -> bool:
    forms = {f"{value:g}", f"{value:.1f}", f"{value:.2f}", f"{round(value):d}"}
    return any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", answer) for f in forms)


def _check(
    coach: Coach,
    state: CoachState,
    turn: ConversationTurn,
    check: str,
    motion: str,
    kb: KnowledgeBase,
) -> str | None:
    """None when the check holds, else why not."""
    answer = state.answer
    a = state.assessment
    if check == "measured_value":
        assert turn.measure is not None
        truth = run_tool(coach.ctx, "get_measurements", turn.measure)
        assert isinstance(truth, Measurements)
        if truth.median is None:
            return f"nothing measured for {turn.measure}"
        return (
            None
            if _number_shown(truth.median, answer)
            else (f"the measured {truth.label} {truth.median:g} is not in the answer")
        )
    if check == "elite_band":  # what good looks like: the band, its source, the athlete's value
        assert turn.measure is not None
        truth = run_tool(coach.ctx, "get_measurements", turn.measure)
        assert isinstance(truth, Measurements)
        if truth.band is None or truth.median is None:
            return f"no band or value for {turn.measure}"
        bounds = [b for b in truth.band if b is not None]
        missing = [f"{b:g}" for b in bounds if not _number_shown(b, answer)]
        if missing or not _number_shown(truth.median, answer):
            return f"the band {missing} or the value {truth.median:g} of {truth.label} is missing"
        return None if truth.band_source and truth.band_source in answer else "no band source"
    if check == "top_problem":
        if a is None or not a.problems:
            return (
                None
                if "no problem" in answer.lower() or "nothing to fix" in answer.lower()
                else "no problem found, but the answer does not say so"
            )
        top = sorted(a.problems, key=priority)
        return None if top[0].label in answer else f"top problem {top[0].label!r} not named"
    flagged = {p.id for p in a.problems} if a is not None else set()
    if check == "problem_evidence" and a is not None and turn.about and turn.about not in flagged:
        spec = next(p for p in load_motion_spec(a.motion).problems if p.id == turn.about)
        metrics = dict.fromkeys(k.split(":")[0] for k in spec.weights)
        medians = []
        for metric in metrics:
            got = run_tool(coach.ctx, "get_measurements", {"quantity": metric})
            if isinstance(got, Measurements) and got.median is not None:
                medians.append(got.median)
        if "not flagged" not in answer:
            return f"{turn.about} was not flagged, but the answer does not say so"
        shown = any(_number_shown(m, answer) for m in medians)
        return None if shown else "none of its measured values is in the answer"
    if check == "problem_evidence":
        if a is None or not a.problems:
            return None
        named = [p for p in a.problems if p.label in answer]
        if not named:
            return "no assessed problem named"
        values = [v for p in named for v in p.measured]
        return None if any(_number_shown(v, answer) for v in values) else "no measured value"
    if check in ("drill_dose", "progression"):
        hits = [h for h in state.guidance.get("question", []) if h.kind == "drill"]
        if not hits:
            return "no drill retrieved"
        if check == "drill_dose":
            return None if hits[0].dose and hits[0].dose in answer else "the drill's dose missing"
        d = hits[0].dose_detail
        return None if d and d.progression in answer else "the drill's progression missing"
    if check == "no_load":
        bad = DOSE_LIKE.findall(answer.split("\n", 2)[-1]) + [
            c for c in CITATION.findall(answer) if c.startswith(("drill.", "exercise."))
        ]
        return None if not bad else f"prescribes after a pain report: {bad}"
    if check == "referral":
        return None if re.search(r"physiotherapist|doctor|medical help", answer) else "no referral"
    if check == "own_motion_drills":
        for doc_id in CITATION.findall(answer):
            if doc_id.startswith("drill."):
                doc = kb.get(doc_id)
                motions = list(doc["motions"]) if doc else []
                if motions and motion not in motions:
                    return f"{doc_id} is a drill for {motions}, not {motion}"
        return None
    if check == "cites":
        return None if CITATION.findall(answer) else "cites nothing"
    if check == "says_offline_or_scope":
        return (
            None if "outside what I can help with" in answer else "does not say it is out of scope"
        )
    if check == "asks_back":
        return None if "?" in answer.split("\n", 2)[-1] else "asks nothing back"
    if check == "session_fit":
        return None if re.search(r"## In \d+ minutes a session", answer) else "no session fit"
    return f"unknown check {check}"


def run_conversations(
    suite: ConversationSuite,
    out: Path,
    kb: KnowledgeBase,
    shared: Path,
    model: BaseChatModel | None = None,
) -> dict[str, Any]:
    """Every conversation through a fresh coach; per-turn scores and per-intent rates."""
    out.mkdir(parents=True, exist_ok=True)
    scores: list[TurnScore] = []
    for conv in suite.conversations:
        case = EvalCase(
            id=conv.id,
            source=conv.source,
            motion_hint=conv.motion_hint,
            turns=[Turn(message=conv.opening, attach=True)],
        )
        built = build_case(case, shared, out / "cases")
        coach = new_coach(Path(tempfile.mkdtemp(prefix="sportsgpt_conv_")), kb=kb, model=model)
        first = coach.ask(conv.opening, files=[built.file], motion=conv.motion_hint)
        motion = first.state.assessment.motion if first.state.assessment else ""
        for i, turn in enumerate(conv.turns, 1):
            started = time.perf_counter()
            reply = coach.ask(turn.say)
            ms = 1000 * (time.perf_counter() - started)
            state = reply.state
            heard = state.intent.kind if state.intent else "none"
            if heard == "explain":
                heard = "question"
            failures = [] if heard == turn.intent else [f"heard {heard}, not {turn.intent}"]
            called = {c.tool for c in state.calls}
            failures += [f"{t} not called" for t in turn.tools if t not in called]
            if reply.trace[-2].detail != "passed":
                failures.append("the answer failed verification")
            for check in turn.checks:
                why = _check(coach, state, turn, check, motion, kb)
                if why:
                    failures.append(f"{check}: {why}")
            scores.append(
                TurnScore(
                    conversation=conv.id,
                    turn=i,
                    say=turn.say,
                    intent=turn.intent,
                    heard=heard,
                    ok=not failures,
                    failures=failures,
                    ms=round(ms, 1),
                    answer=reply.answer,
                )
            )
    return _summary(suite, scores, out)


def _summary(suite: ConversationSuite, scores: list[TurnScore], out: Path) -> dict[str, Any]:
    intents = sorted({s.intent for s in scores})
    per_intent = {
        i: round(
            sum(s.ok for s in scores if s.intent == i) / sum(1 for s in scores if s.intent == i), 3
        )
        for i in intents
    }
    times = sorted(s.ms for s in scores)
    summary = {
        "suite": suite.name,
        "turns": len(scores),
        "pass_rate": round(sum(s.ok for s in scores) / max(len(scores), 1), 3),
        "per_intent": per_intent,
        "turn_ms_median": round(statistics.median(times), 1) if times else None,
        "turn_ms_p95": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1)
        if times
        else None,
        "failed": [s.model_dump(exclude={"answer"}) for s in scores if not s.ok],
    }
    (out / "conversation.json").write_text(
        json.dumps({**summary, "scores": [s.model_dump() for s in scores]}, indent=1)
    )
    lines = [
        f"# Conversation suite `{suite.name}`",
        "",
        f"{len(scores)} turns, pass rate **{summary['pass_rate']:.2f}**; offline latency per "
        f"turn median {summary['turn_ms_median']} ms, p95 {summary['turn_ms_p95']} ms.",
        "",
        "| intent | turns | pass rate |",
        "|---|---:|---:|",
    ]
    for i in intents:
        n = sum(1 for s in scores if s.intent == i)
        lines.append(f"| {i} | {n} | {per_intent[i]:.2f} |")
    failed = [s for s in scores if not s.ok]
    if failed:
        lines += ["", "## Failed turns", ""]
        lines += [
            f'- {s.conversation} #{s.turn} "{s.say}": {"; ".join(s.failures)}' for s in failed
        ]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return summary
