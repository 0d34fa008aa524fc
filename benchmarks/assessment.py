"""KISMAM validation by fault injection on real motion capture (docs/kismam.md).

For every clip of evals/fault_catalogue.json and every seed: the unperturbed clip and
each of its faults (one at a time, random size within the fault's range) are turned to
a 2D side view with a random tempo, facing and keypoint noise, then assessed end to end
(kinematics, MotionDTW, KISMAM). Prints, per motion: fault detection precision / recall /
F1 and false alarms per unperturbed clip (against the oracle: the same spec on a clean
side view at the mocap's true events).

    .venv/bin/python benchmarks/assessment.py --seeds 3 [--details] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import defaultdict
from pathlib import Path

from tqdm import tqdm

from sportsgpt.evals.fault_injection import (
    CaseResult,
    clean_view,
    load_catalogue,
    load_clip,
    oracle_assessment,
    run_case,
)
from sportsgpt.tools.shared_data import shared_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--details", action="store_true", help="one row per case")
    parser.add_argument("--json", type=Path, default=None, help="write every case here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    shared = shared_dir(args.shared)
    catalogue = load_catalogue()

    cases: list[CaseResult] = []
    clean_rows: list[dict[str, object]] = []
    skipped: list[str] = []
    total = sum((1 + len(c.faults)) * args.seeds for c in catalogue.clips)
    with tqdm(total=total, desc="assessing", unit="case") as bar:
        for clip in catalogue.clips:
            seq3d = load_clip(shared, clip)
            truth = {p.id for p in oracle_assessment(seq3d, clip.motion).problems}
            for seed in range(args.seeds):
                baseline = clean_view(seq3d, clip.motion, seed)
                clean_rows.append(
                    {"motion": clip.motion, "clip": clip.clip, "seed": seed,
                     "oracle": sorted(truth), "reported": baseline,
                     "false_alarms": sorted(set(baseline) - truth),
                     "missed": sorted(truth - set(baseline))}
                )  # fmt: skip
                bar.update(1)
                for fault in clip.faults:
                    bar.update(1)
                    if fault.problem in truth:
                        skipped.append(f"{clip.clip}: {fault.problem} already present")
                        continue
                    cases.append(run_case(seq3d, clip, fault, seed, baseline))

    by_motion: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in cases:
        row = by_motion[c.motion]
        row["cases"] += 1
        row["tp"] += c.detected
        row["fn"] += not c.detected
        row["fp"] += len(c.false_positives)
        row["oracle_tp"] += c.oracle_detected
    for r in clean_rows:
        row = by_motion[str(r["motion"])]
        row["clean"] += 1
        row["false_alarms"] += len(r["false_alarms"])  # type: ignore[arg-type]
        row["missed_present"] += len(r["missed"])  # type: ignore[arg-type]

    print(f"\nFault injection, {args.seeds} seeds, 2D side view with noise and tempo change\n")
    print(
        "| motion | injected cases | recall | precision | F1 | unperturbed clips | "
        "false alarms / clip | present problems missed / clip | recall at true events |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    totals: dict[str, float] = defaultdict(float)
    for motion, row in sorted(by_motion.items()):
        for k, v in row.items():
            totals[k] += v
        _print_row(motion, row)
    _print_row("**all**", totals)
    if args.details:
        header = ["clip", "problem", "size (deg)", "seed", "detected", "at true events",
                  "new false problems"]  # fmt: skip
        print("\n| " + " | ".join(header) + " |")
        print("|---|---|---|---:|---|---|---|")
        for c in cases:
            print(
                f"| {Path(c.clip).name} | {c.problem} | {c.size_deg} | {c.seed} | "
                f"{'yes' if c.detected else 'NO'} | {'yes' if c.oracle_detected else 'no'} | "
                f"{', '.join(c.false_positives) or '-'} |"
            )
        for r in clean_rows:
            if r["false_alarms"] or r["missed"]:
                print(
                    f"| {Path(str(r['clip'])).name} | (unperturbed) | - | {r['seed']} | "
                    f"oracle {r['oracle']} | false alarms {r['false_alarms']}, "
                    + f"missed {r['missed']} |"
                )
    for line in sorted(set(skipped)):
        print(f"not testable: {line}")
    if args.json:
        args.json.write_text(
            json.dumps({"cases": [c.model_dump() for c in cases], "clean": clean_rows}, indent=1)
        )


def _print_row(motion: str, row: dict[str, float]) -> None:
    tp, fn, fp = row["tp"], row["fn"], row["fp"]
    recall = tp / (tp + fn) if tp + fn else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    clean = max(row["clean"], 1)
    print(
        f"| {motion} | {int(row['cases'])} | {recall:.2f} | {precision:.2f} | {f1:.2f} | "
        f"{int(row['clean'])} | {row['false_alarms'] / clean:.2f} | "
        f"{row['missed_present'] / clean:.2f} | {row['oracle_tp'] / max(row['cases'], 1):.2f} |"
    )


if __name__ == "__main__":
    main()
