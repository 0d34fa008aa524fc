"""Score one case's trace: trajectory, alignment, diagnosis, retrieval, guidance, cost.

Every score is computed from the trace, the case's computed truth and the knowledge base;
each failed check says why (agentevals' trajectory matchers give no reason on failure).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from ..agent.grounding import CITATION
from ..kb import KnowledgeBase
from ..tools.kismam import load_motion_spec
from .cases import CaseTruth
from .keyframe_scoring import score_query
from .suite import EvalCase, TrajectoryExpectation
from .traces import CaseTrace, TurnTrace

HIT_K = 5


class TrajectoryScore(BaseModel):
    turn: int
    ok: bool
    missing: list[str] = Field(description="required tools not called (superset)")
    outside: list[str] = Field(description="tools called outside the allowed set (subset)")
    forbidden: list[str]
    order: list[str] = Field(description="order rules broken")
    unhandled_errors: list[str] = Field(description="tool errors the turn neither retried "
                                        "nor told the user about")  # fmt: skip
    unjustified_requeries: list[str]


class AlignmentScore(BaseModel):
    truths: int
    found: int
    matched: int
    keyframe_error: float | None = Field(description="mean |frames| of matched keyframes")
    iou: float | None


class DiagnosisScore(BaseModel):
    reported: list[str]
    truth: list[str]
    true_positives: int
    false_positives: int
    false_negatives: int
    injected: str | None
    injected_found: bool | None


class RetrievalScore(BaseModel):
    problems: int = Field(description="true problems the coach reported and retrieved for")
    hits_at_k: int
    reciprocal_ranks: list[float]


class GuidanceScore(BaseModel):
    drills: int
    dosed: int
    cited: int = Field(description="drills whose [kb:id] the answer carries")
    citations: int
    citations_known: int = Field(description="cited ids that exist in the knowledge base")
    citations_relevant: int = Field(
        description="cited ids that address a real problem (or the motion, when none)"
    )
    problems: int
    problems_with_evidence: int
    readability: float | None = Field(description="Flesch reading ease of the answer")


class CostScore(BaseModel):
    wall_s: float
    stage_s: dict[str, float]
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int


class CaseScores(BaseModel):
    case: str
    variant: str
    mode: str
    trajectory: list[TrajectoryScore]
    alignment: AlignmentScore | None
    diagnosis: DiagnosisScore | None
    retrieval: RetrievalScore | None
    guidance: GuidanceScore | None
    cost: CostScore
    errors: list[str]
    judge: dict[str, Any] | None = None
    motion_right: bool | None = Field(
        default=None, description="the motion analysed is the true one (none for a movement "
        "we do not know); None where the truth is not known",
    )  # fmt: skip


def motion_right(trace: CaseTrace, truth: CaseTruth) -> bool | None:
    """Whether the coach analysed the recording as the motion it shows."""
    found = (trace.analysis or {}).get("motion")
    if truth.none_of_ours:
        return found is None
    if truth.motion is None:
        return None
    return found in (truth.motion, *truth.also)


STAGES = {
    "extract_pose": "pose",
    "align_motion": "alignment + KISMAM",
    "assess_motion": "alignment + KISMAM",
    "search_knowledge": "retrieval",
    "explain_problem": "retrieval",
    "get_drill": "retrieval",
    "adapt_plan": "retrieval",
}


def score_trajectory(index: int, turn: TurnTrace, expect: TrajectoryExpectation) -> TrajectoryScore:
    called = [c.tool for c in turn.tool_calls]
    missing = [t for t in expect.required if t not in called]
    outside = (
        sorted({t for t in called if t not in expect.allowed}) if expect.allowed is not None else []
    )
    forbidden = sorted({t for t in called if t in expect.forbidden})
    order = [
        f"{a} before {b}"
        for a, b in expect.order
        if a in called and b in called and called.index(a) > called.index(b)
    ]
    unhandled = []
    for i, call in enumerate(turn.tool_calls):
        if call.ok:
            continue
        retried = any(c.ok and c.tool == call.tool for c in turn.tool_calls[i + 1 :])
        told = bool(call.error) and _mentions_failure(turn.answer)
        if not (retried or told or turn.requeries):
            unhandled.append(f"{call.tool}: {call.error}")
    unjustified = _unjustified_requeries(turn)
    ok = not (missing or outside or forbidden or order or unhandled or unjustified)
    return TrajectoryScore(turn=index, ok=ok, missing=missing, outside=outside,
                           forbidden=forbidden, order=order, unhandled_errors=unhandled,
                           unjustified_requeries=unjustified)  # fmt: skip


def _unjustified_requeries(turn: TurnTrace) -> list[str]:
    """A re-query is justified by a failed evidence check before it, or by the language
    model failing (its steps handed to the deterministic path)."""
    out, failed_check = [], False
    for event in turn.events:
        if event.get("kind") == "check":
            failed_check = event.get("detail") != "sufficient"
        elif event.get("kind") == "requery":
            detail = str(event.get("detail", ""))
            if not (failed_check or "language model" in detail or "verification" in detail):
                out.append(detail or "(no reason given)")
    return out


def _mentions_failure(answer: str) -> bool:
    return bool(re.search(r"could not|cannot|can't|unable|not found|failed", answer, re.I))


def score_alignment(trace: CaseTrace, truth: CaseTruth) -> AlignmentScore | None:
    if truth.events is None or trace.analysis is None:
        return None
    if trace.analysis.get("motion") != truth.motion:  # recognised as something else
        return AlignmentScore(truths=len(truth.events), found=0, matched=0, keyframe_error=None,
                              iou=None)  # fmt: skip
    from ..tools.kismam.models import OccurrenceAssessment

    found = [OccurrenceAssessment.model_validate(o) for o in trace.analysis["occurrences"]]
    # one-stage DTW aligns the whole recording once: scored against the true occurrence
    # it fits best (the kindest reading, as in benchmarks/keyframes.py)
    result = score_query(found, truth.events, one_stage=trace.variant == "one_stage")
    return AlignmentScore(
        truths=result.truths, found=result.found, matched=result.matched,
        keyframe_error=float(np.mean(result.keyframe_errors)) if result.keyframe_errors else None,
        iou=float(np.mean(result.ious)) if result.ious else None,
    )  # fmt: skip


def reported_problems(turn: TurnTrace, motion: str | None) -> list[str]:
    """The coach's diagnosis, or (when it has none, e.g. without KISMAM) the known
    problems of the motion the answer names by label."""
    if turn.problems:
        return list(turn.problems)
    if not motion:
        return []
    text = turn.answer.lower()
    return [p.id for p in load_motion_spec(motion).problems if p.label.lower() in text]


def score_diagnosis(trace: CaseTrace, truth: CaseTruth) -> DiagnosisScore | None:
    if truth.problems is None or not trace.turns:
        return None
    reported = set(reported_problems(trace.turns[0], truth.motion))
    real = set(truth.problems)
    return DiagnosisScore(
        reported=sorted(reported), truth=sorted(real), true_positives=len(reported & real),
        false_positives=len(reported - real), false_negatives=len(real - reported),
        injected=truth.injected,
        injected_found=(truth.injected in reported) if truth.injected else None,
    )  # fmt: skip


def score_retrieval(trace: CaseTrace, truth: CaseTruth) -> RetrievalScore | None:
    """For each true problem the coach reported: the rank of the first retrieved item
    that addresses it (hit@k, reciprocal rank); a problem with nothing retrieved misses."""
    if truth.problems is None or not trace.turns:
        return None
    first = trace.turns[0]
    targets = [p for p in first.problems if p in truth.problems]
    ranks = []
    for problem in targets:
        items = first.guidance.get(problem, [])
        rank = next((i for i, h in enumerate(items, 1) if problem in h["problems"]), None)
        ranks.append(1.0 / rank if rank else 0.0)
    hits = sum(1 for rr in ranks if rr >= 1.0 / HIT_K)
    return RetrievalScore(problems=len(targets), hits_at_k=hits, reciprocal_ranks=ranks)


def score_guidance(
    trace: CaseTrace, kb: KnowledgeBase, motion: str | None, truth: list[str] | None
) -> GuidanceScore | None:
    """The first (analysis) turn's answer: dosed, cited, grounded, evidenced, readable.
    A cited item is relevant when it addresses a problem the recording really shows (or,
    without a known truth, one the coach reported; with no problem, the motion)."""
    if not trace.turns or trace.turns[0].error:
        return None
    turn = trace.turns[0]
    cited = list(dict.fromkeys(CITATION.findall(turn.answer)))
    docs = {c: kb.get(c) for c in cited}
    targets = set(truth) if truth else set(reported_problems(turn, motion))

    def relevant(doc: dict[str, Any] | None) -> bool:
        if doc is None:
            return False
        if targets:
            return bool(targets & set(doc.get("problems") or []))
        return not doc.get("motions") or motion in doc.get("motions", [])

    labels = {p.id: p.label for p in load_motion_spec(motion).problems} if motion else {}
    answer = turn.answer.lower()
    evidence = sum(
        1 for problem in turn.problems
        if labels.get(problem, problem).lower() in answer and "measured" in answer
    )  # fmt: skip
    return GuidanceScore(
        drills=len(turn.drills), dosed=sum(1 for d in turn.drills if d["dose"]),
        cited=sum(1 for d in turn.drills if f"[kb:{d['id']}]" in turn.answer),
        citations=len(cited), citations_known=sum(1 for d in docs.values() if d is not None),
        citations_relevant=sum(1 for d in docs.values() if relevant(d)),
        problems=len(turn.problems), problems_with_evidence=evidence,
        readability=flesch_reading_ease(turn.answer),
    )  # fmt: skip


def score_cost(trace: CaseTrace) -> CostScore:
    stages: dict[str, float] = {}
    for turn in trace.turns:
        tools = 0.0
        for call in turn.tool_calls:
            stage = STAGES.get(call.tool, call.tool)
            stages[stage] = stages.get(stage, 0.0) + call.ms / 1000
            tools += call.ms / 1000
        stages["agent + composer"] = stages.get("agent + composer", 0.0) + max(
            0.0, turn.wall_s - tools
        )
    return CostScore(
        wall_s=round(sum(t.wall_s for t in trace.turns), 3),
        stage_s={k: round(v, 3) for k, v in stages.items()},
        llm_calls=sum(t.llm_calls for t in trace.turns),
        prompt_tokens=sum(t.prompt_tokens for t in trace.turns),
        completion_tokens=sum(t.completion_tokens for t in trace.turns),
    )


def score_case(case: EvalCase, trace: CaseTrace, truth: CaseTruth, kb: KnowledgeBase) -> CaseScores:
    motion = truth.motion or (trace.analysis or {}).get("motion")
    return CaseScores(
        case=case.id, variant=trace.variant, mode=trace.mode,
        trajectory=[score_trajectory(i, t, spec.expect)
                    for i, (t, spec) in enumerate(zip(trace.turns, case.turns, strict=True))],
        alignment=score_alignment(trace, truth), diagnosis=score_diagnosis(trace, truth),
        retrieval=score_retrieval(trace, truth),
        guidance=score_guidance(trace, kb, motion, truth.problems),
        cost=score_cost(trace), errors=[t.error for t in trace.turns if t.error],
        motion_right=motion_right(trace, truth),
    )  # fmt: skip


def flesch_reading_ease(markdown: str) -> float | None:
    """Flesch reading ease (higher = easier; 60-70 plain English) of the prose, without
    citations, Markdown marks and numbers."""
    text = CITATION.sub("", markdown)
    text = re.sub(r"[#*_`>|\[\]()]", " ", text)
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    sentences = max(1, len(re.findall(r"[.!?:](\s|$)", text)) + text.count("\n- "))
    if len(words) < 20:
        return None
    syllables = sum(max(1, len(re.findall(r"[aeiouy]+", w.lower().rstrip("e")))) for w in words)
    return round(206.835 - 1.015 * len(words) / sentences - 84.6 * syllables / len(words), 1)
