"""Run a suite: build its cases from ../shared, run the coach on each (every variant,
offline and, when an endpoint is configured, with the language model), store every
trace and score, and summarise per variant and mode.

    sportsgpt eval run --suite ci -o results/

Results folder: ``run.json`` (what was run), ``cases/`` (the built recordings and their
truth), ``traces/VARIANT/MODE/CASE.json``, ``scores/VARIANT/MODE/CASE.json`` and
``summary.json`` (one row per variant and mode); ``sportsgpt eval report`` turns it into
report.html / report.json with plots.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Literal

import numpy as np
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field
from tqdm import tqdm

from ..agent.llm import chat_model
from ..kb import KnowledgeBase
from ..prompts import load_prompt
from ..settings import current_settings
from .cases import BuiltCase, build_case
from .judge import judge_answer
from .suite import EvalSuite
from .trace_scoring import CaseScores, score_case
from .traces import run_case
from .variants import VARIANTS

log = logging.getLogger(__name__)

Mode = Literal["offline", "llm"]


class Summary(BaseModel):
    """One variant in one mode, over the suite (None: nothing to measure)."""

    variant: str
    mode: str
    cases: int
    turns: int
    trajectory_pass: float = Field(description="share of turns whose trajectory checks pass")
    keyframe_error: float | None = Field(description="mean |frames| over matched keyframes")
    segment_iou: float | None
    occurrence_recall: float | None = Field(description="true occurrences matched")
    precision: float | None
    recall: float | None
    f1: float | None
    injected_recall: float | None = Field(description="injected faults the coach reported")
    hit_at_5: float | None
    mrr: float | None
    drills_dosed_cited: float | None = Field(
        description="per analysis: share of plan drills dosed and cited (0 when no drill)"
    )
    citations_known: float | None
    citations_relevant: float | None
    problems_with_evidence: float | None
    readability: float | None
    wall_s_per_answer: float
    stage_s_per_case: dict[str, float]
    llm_calls_per_answer: float
    tokens_per_answer: float
    judge_accuracy: float | None = None
    judge_feasibility: float | None = None
    judged: int = 0
    errors: int = 0
    motion_recognised: float | None = Field(
        default=None, description="share of cases analysed as the motion they show"
    )


class RunInfo(BaseModel):
    suite: str
    variants: list[str]
    modes: list[str]
    cases: list[str]
    started: str
    elapsed_s: float
    llm_model: str | None
    judge: bool
    prompt_versions: dict[str, int]


def _mean(values: list[float]) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def summarise(variant: str, mode: str, scores: list[CaseScores]) -> Summary:
    turns = [t for s in scores for t in s.trajectory]
    aligned = [s.alignment for s in scores if s.alignment]
    diag = [s.diagnosis for s in scores if s.diagnosis]
    retr = [s.retrieval for s in scores if s.retrieval]
    guide = [s.guidance for s in scores if s.guidance]
    tp = sum(d.true_positives for d in diag)
    fp = sum(d.false_positives for d in diag)
    fn = sum(d.false_negatives for d in diag)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn) if diag else None
    injected = [d.injected_found for d in diag if d.injected_found is not None]
    answers = sum(len(s.trajectory) for s in scores)
    stages: dict[str, list[float]] = {}
    for s in scores:
        for k, v in s.cost.stage_s.items():
            stages.setdefault(k, []).append(v)
    judged = [s.judge for s in scores if s.judge and s.judge.get("verdict")]
    verdicts = [s.motion_right for s in scores if s.motion_right is not None]
    return Summary(
        variant=variant, mode=mode, cases=len(scores), turns=len(turns),
        motion_recognised=_mean([float(v) for v in verdicts]),
        trajectory_pass=round(sum(t.ok for t in turns) / max(1, len(turns)), 4),
        keyframe_error=_mean([a.keyframe_error for a in aligned if a.keyframe_error is not None]),
        segment_iou=_mean([a.iou for a in aligned if a.iou is not None]),
        occurrence_recall=_ratio(sum(a.matched for a in aligned), sum(a.truths for a in aligned)),
        precision=precision, recall=recall, f1=f1,
        injected_recall=_mean([float(x) for x in injected]),
        hit_at_5=_ratio(sum(r.hits_at_k for r in retr), sum(r.problems for r in retr)),
        mrr=_mean([rr for r in retr for rr in r.reciprocal_ranks]),
        drills_dosed_cited=_mean([
            (min(g.dosed, g.cited) / g.drills) if g.drills else 0.0 for g in guide
        ]),
        citations_known=_ratio(sum(g.citations_known for g in guide),
                               sum(g.citations for g in guide)),
        citations_relevant=_ratio(sum(g.citations_relevant for g in guide),
                                  sum(g.citations for g in guide)),
        problems_with_evidence=_ratio(sum(g.problems_with_evidence for g in guide),
                                      sum(g.problems for g in guide)),
        readability=_mean([g.readability for g in guide if g.readability is not None]),
        wall_s_per_answer=round(sum(s.cost.wall_s for s in scores) / max(1, answers), 3),
        stage_s_per_case={k: round(float(np.mean(v)), 3) for k, v in stages.items()},
        llm_calls_per_answer=round(sum(s.cost.llm_calls for s in scores) / max(1, answers), 2),
        tokens_per_answer=round(sum(s.cost.prompt_tokens + s.cost.completion_tokens
                                    for s in scores) / max(1, answers), 1),
        judge_accuracy=_mean([float(j["verdict"]["accuracy"]) for j in judged]),
        judge_feasibility=_mean([float(j["verdict"]["feasibility"]) for j in judged]),
        judged=len(judged), errors=sum(len(s.errors) for s in scores),
    )  # fmt: skip


def run_suite(
    suite: EvalSuite,
    out: Path,
    kb: KnowledgeBase,
    shared: Path,
    variants: list[str],
    modes: list[Mode] | None = None,
    model: BaseChatModel | None = None,
    judge: BaseChatModel | None = None,
    progress: bool = True,
) -> list[Summary]:
    """Everything the results folder holds; returns the summaries (also in summary.json)."""
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    model = model if model is not None else chat_model(current_settings())
    modes = modes or (["offline", "llm"] if model is not None else ["offline"])
    wrong = sorted(set(modes) - {"offline", "llm"})
    if wrong:
        raise ValueError(f"modes are 'offline' and 'llm', not {wrong}")
    if "llm" in modes and model is None:
        raise ValueError("mode 'llm' needs a language model (set SPORTSGPT_LLM_BASE_URL)")
    with kb.connection() as conn:  # a database that is down or empty stops the run here,
        kb.ensure_ready(conn)  # not as every case's failed retrieval in the scores
    started, clock = time.strftime("%Y-%m-%dT%H:%M:%S"), time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    built: dict[str, BuiltCase] = {c.id: build_case(c, shared, out / "cases") for c in suite.cases}
    summaries = []
    runs = [(v, m) for v in variants for m in modes]
    bar = tqdm(total=len(runs) * len(suite.cases), desc=f"eval {suite.name}", unit="case",
               disable=not progress)  # fmt: skip
    for variant, mode in runs:
        scores = []
        for case in suite.cases:
            bar.set_postfix_str(f"{variant}/{mode}/{case.id}")
            work = Path(tempfile.mkdtemp(prefix="sportsgpt_eval_"))
            try:
                trace = run_case(case, built[case.id], kb, work, variant,
                                 model if mode == "llm" else None)  # fmt: skip
            finally:
                shutil.rmtree(work, ignore_errors=True)
            score = score_case(case, trace, built[case.id].truth, kb)
            if judge is not None and trace.turns and trace.turns[0].answer:
                truth = built[case.id].truth
                result = judge_answer(
                    judge, motion=truth.motion or "unknown", truth=truth.problems,
                    message=trace.turns[0].message, answer=trace.turns[0].answer,
                )  # fmt: skip
                score.judge = result.model_dump()
            name = Path(variant) / mode / f"{case.id}.json"
            _write(out / "traces" / name, trace.model_dump_json(indent=1))
            _write(out / "scores" / name, score.model_dump_json(indent=1))
            scores.append(score)
            bar.update()
        summaries.append(summarise(variant, mode, scores))
        log.debug("%s/%s: %s", variant, mode, summaries[-1].model_dump_json())
    bar.close()
    info = RunInfo(
        suite=suite.name, variants=variants, modes=list(modes), cases=[c.id for c in suite.cases],
        started=started, elapsed_s=round(time.perf_counter() - clock, 1),
        llm_model=str(getattr(model, "model_name", None)) if model is not None else None,
        judge=judge is not None,
        prompt_versions={n: load_prompt(n).version for n in ("system", "act", "compose", "judge")},
    )  # fmt: skip
    _write(out / "run.json", info.model_dump_json(indent=1))
    _write(out / "summary.json", json.dumps([s.model_dump() for s in summaries], indent=1))
    return summaries


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
