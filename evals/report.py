"""Turn a results folder into a report a person reads, and compare two result folders.

    sportsgpt eval report results/            -> report.md, report.html, report.json, plots
    sportsgpt eval compare old/ new/          -> what got better or worse (exit 1: worse)

Sections: the paper's ablation table (from our runs), alignment, diagnosis, retrieval,
guidance, trajectories, offline vs language model, cost.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from pydantic import BaseModel

from ..agent.report import report_html
from .harness import RunInfo, Summary
from .trace_scoring import CaseScores
from .variants import ABLATIONS, VARIANTS

NA = "n/a"

ABLATION_COLUMNS: list[tuple[str, str]] = [
    ("keyframe_error", "keyframe error (frames)"),
    ("segment_iou", "segment IoU"),
    ("f1", "problem F1"),
    ("drills_dosed_cited", "drills dosed and cited"),
    ("citations_relevant", "cited items addressing a real problem"),
    ("hit_at_5", "retrieval hit@5"),
    ("judge_accuracy", "judge accuracy (1-5)"),
    ("judge_feasibility", "judge feasibility (1-5)"),
]

LOWER_IS_BETTER = {"keyframe_error", "wall_s_per_answer", "llm_calls_per_answer",
                   "tokens_per_answer", "errors"}  # fmt: skip
COMPARED = [
    "trajectory_pass", "motion_recognised", "keyframe_error", "segment_iou", "occurrence_recall",
    "precision", "recall", "f1", "injected_recall", "hit_at_5", "mrr", "drills_dosed_cited",
    "citations_known", "citations_relevant", "problems_with_evidence", "judge_accuracy",
    "judge_feasibility",
]  # fmt: skip


class Results(BaseModel):
    run: RunInfo
    summaries: list[Summary]
    scores: list[CaseScores]


def load_results(folder: Path) -> Results:
    if not (folder / "summary.json").is_file():
        raise FileNotFoundError(f"{folder} holds no eval results (run 'sportsgpt eval run')")
    run = RunInfo.model_validate_json((folder / "run.json").read_text())
    listed = json.loads((folder / "summary.json").read_text())
    summaries = [Summary.model_validate(s) for s in listed]
    scores = [CaseScores.model_validate_json(p.read_text())
              for p in sorted((folder / "scores").glob("*/*/*.json"))]  # fmt: skip
    return Results(run=run, summaries=summaries, scores=scores)


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return NA
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def ablation_rows(results: Results, mode: str = "offline") -> list[list[str]]:
    by = {(s.variant, s.mode): s for s in results.summaries}
    rows = []
    for name in ABLATIONS:
        s = by.get((name, mode))
        if s is None:
            continue
        rows.append([VARIANTS[name].label] + [_fmt(getattr(s, key)) for key, _ in ABLATION_COLUMNS])
    return rows


def report_markdown(results: Results, plots: list[Path]) -> str:
    run = results.run
    out = [
        f"Suite **{run.suite}** ({len(run.cases)} cases: {', '.join(run.cases)}), run "
        f"{run.started} in {run.elapsed_s:.0f} s; modes {', '.join(run.modes)}; language model "
        f"{run.llm_model or 'none (offline mode)'}; judge {'on' if run.judge else 'off (n/a)'}; "
        f"prompt versions {json.dumps(run.prompt_versions)}.",
        "",
    ]
    for mode in run.modes:
        rows = ablation_rows(results, mode)
        if rows:
            out += [f"## Ablations ({mode})", ""]
            out += _table(["system"] + [label for _, label in ABLATION_COLUMNS], rows)
            out += [""]
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        ("Alignment", [("keyframe_error", "keyframe error (frames)"), ("segment_iou", "IoU"),
                       ("occurrence_recall", "occurrences found")]),
        ("Diagnosis", [("precision", "precision"), ("recall", "recall"), ("f1", "F1"),
                       ("injected_recall", "injected faults reported")]),
        ("Retrieval", [("hit_at_5", "hit@5"), ("mrr", "MRR")]),
        ("Guidance", [("drills_dosed_cited", "drills dosed and cited"),
                      ("citations_known", "citations that exist"),
                      ("citations_relevant", "citations addressing a real problem"),
                      ("problems_with_evidence", "problems named with measurements"),
                      ("readability", "Flesch reading ease"),
                      ("judge_accuracy", "judge accuracy"),
                      ("judge_feasibility", "judge feasibility")]),
        ("Trajectories", [("trajectory_pass", "turns passing"),
                          ("motion_recognised", "motion recognised"),
                          ("errors", "failed turns")]),
        ("Cost", [("wall_s_per_answer", "wall s / answer"),
                  ("llm_calls_per_answer", "LLM calls / answer"),
                  ("tokens_per_answer", "tokens / answer")]),
    ]  # fmt: skip
    for title, columns in sections:
        out += [f"## {title}", ""]
        rows = [[s.variant, s.mode] + [_fmt(getattr(s, k)) for k, _ in columns]
                for s in results.summaries]  # fmt: skip
        out += [*_table(["variant", "mode"] + [label for _, label in columns], rows), ""]
        if title == "Diagnosis":
            out += [*_per_case_diagnosis(results), ""]
        if title == "Trajectories":
            out += [*_trajectory_failures(results), ""]
        if title == "Cost":
            stages = sorted({k for s in results.summaries for k in s.stage_s_per_case})
            rows = [[s.variant, s.mode] + [_fmt(s.stage_s_per_case.get(k), 3) for k in stages]
                    for s in results.summaries]  # fmt: skip
            out += ["Wall time per case and stage (s):", ""]
            out += [*_table(["variant", "mode", *stages], rows), ""]
    if "offline" in run.modes and "llm" in run.modes:
        out += ["## Offline vs language model (full system)", ""]
        pair = [s for s in results.summaries if s.variant == "full"]
        keys = ["f1", "drills_dosed_cited", "citations_relevant", "trajectory_pass",
                "judge_accuracy", "judge_feasibility", "llm_calls_per_answer",
                "tokens_per_answer", "wall_s_per_answer"]  # fmt: skip
        rows = [[k, *[_fmt(getattr(s, k)) for s in pair]] for k in keys]
        out += [*_table(["measure", *[s.mode for s in pair]], rows), ""]
    if plots:
        out += ["Plots: " + ", ".join(p.name for p in plots), ""]
    return "\n".join(out) + "\n"


def _per_case_diagnosis(results: Results) -> list[str]:
    rows = []
    for s in results.scores:
        if s.variant != "full" or s.diagnosis is None:
            continue
        d = s.diagnosis
        rows.append([s.case, s.mode, ", ".join(d.truth) or "none", ", ".join(d.reported) or "none",
                     d.injected or "none", _fmt(d.injected_found)])  # fmt: skip
    if not rows:
        return []
    headers = ["case", "mode", "truth (clean view at true events)", "reported", "injected",
               "found"]  # fmt: skip
    return ["Per case (full system):", "", *_table(headers, rows)]


def _trajectory_failures(results: Results) -> list[str]:
    lines = []
    for s in results.scores:
        for t in s.trajectory:
            if t.ok:
                continue
            why = "; ".join(
                f"{k}: {', '.join(v)}"
                for k, v in (("missing", t.missing), ("outside allowed", t.outside),
                             ("forbidden", t.forbidden), ("order", t.order),
                             ("unhandled errors", t.unhandled_errors),
                             ("unjustified re-queries", t.unjustified_requeries))
                if v
            )  # fmt: skip
            lines.append(f"- {s.variant}/{s.mode}/{s.case} turn {t.turn + 1}: {why}")
    if not lines:
        return ["Every trajectory check passed."]
    return ["Failed trajectory checks:", "", *lines]


def plot_ablations(results: Results, folder: Path) -> list[Path]:
    paths = []
    offline = [s for s in results.summaries if s.mode == "offline" and s.variant in ABLATIONS]
    if offline:
        keys = ["segment_iou", "f1", "drills_dosed_cited", "citations_relevant", "hit_at_5"]
        fig, ax = plt.subplots(figsize=(8, 3.6), dpi=90)
        width = 0.8 / len(offline)
        for i, s in enumerate(offline):
            values = [getattr(s, k) or 0.0 for k in keys]
            ax.bar([k + i * width for k in range(len(keys))], values, width, label=s.variant)
        ax.set_xticks([k + 0.4 - width / 2 for k in range(len(keys))])
        ax.set_xticklabels([k.replace("_", " ") for k in keys], fontsize=8)
        ax.set_ylim(0, 1.25)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.legend(fontsize=7, ncol=len(offline), loc="upper center")
        ax.set_title("Ablations (offline, higher is better)", fontsize=10)
        fig.tight_layout()
        paths.append(folder / "ablations.png")
        fig.savefig(paths[-1])
        plt.close(fig)
    if results.summaries:
        stages = sorted({k for s in results.summaries for k in s.stage_s_per_case})
        fig, ax = plt.subplots(figsize=(8, 3.2), dpi=90)
        names = [f"{s.variant}\n{s.mode}" for s in results.summaries]
        bottom = [0.0] * len(names)
        for stage in stages:
            values = [s.stage_s_per_case.get(stage, 0.0) for s in results.summaries]
            ax.bar(names, values, bottom=bottom, label=stage)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel("s per case")
        ax.tick_params(axis="x", labelsize=7)
        ax.legend(fontsize=7)
        ax.set_title("Wall time per stage", fontsize=10)
        fig.tight_layout()
        paths.append(folder / "cost_per_stage.png")
        fig.savefig(paths[-1])
        plt.close(fig)
    return paths


def write_report(folder: Path) -> list[Path]:
    """report.md, report.html (plots embedded), report.json and the plots, in ``folder``."""
    results = load_results(folder)
    plots = plot_ablations(results, folder)
    markdown = report_markdown(results, plots)
    (folder / "report.md").write_text(markdown)
    title = f"SportsGPT eval report: suite {results.run.suite}"
    (folder / "report.html").write_text(report_html(markdown, title, plots))
    payload = {
        "run": results.run.model_dump(),
        "ablations": {mode: [dict(zip(["system"] + [k for k, _ in ABLATION_COLUMNS], row,
                                      strict=True)) for row in ablation_rows(results, mode)]
                      for mode in results.run.modes},
        "summaries": [s.model_dump() for s in results.summaries],
        "cases": [s.model_dump() for s in results.scores],
    }  # fmt: skip
    (folder / "report.json").write_text(json.dumps(payload, indent=1))
    return [folder / "report.md", folder / "report.html", folder / "report.json", *plots]


class Change(BaseModel):
    variant: str
    mode: str
    measure: str
    old: float | None
    new: float | None
    worse: bool


def compare_results(old: Path, new: Path, tolerance: float = 0.02) -> list[Change]:
    """Every compared measure of every variant and mode both folders hold; ``worse`` when
    it moved the wrong way by more than ``tolerance`` (0.5 frames for keyframe error)."""
    before = {(s.variant, s.mode): s for s in load_results(old).summaries}
    after = {(s.variant, s.mode): s for s in load_results(new).summaries}
    changes = []
    for key in sorted(set(before) & set(after)):
        for measure in COMPARED:
            a, b = getattr(before[key], measure), getattr(after[key], measure)
            if a is None and b is None:
                continue
            slack = 0.5 if measure == "keyframe_error" else tolerance
            if a is None or b is None:
                worse = b is None
            elif measure in LOWER_IS_BETTER:
                worse = b > a + slack
            else:
                worse = b < a - slack
            changes.append(Change(variant=key[0], mode=key[1], measure=measure, old=a, new=b,
                                  worse=worse))  # fmt: skip
    return changes
