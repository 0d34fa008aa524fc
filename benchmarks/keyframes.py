"""Keyframe accuracy of MotionDTW on untrimmed 2D queries built from real mocap.

    .venv/bin/python benchmarks/keyframes.py [--seeds 4] [--methods two_stage one_stage]

Queries (evals/keyframe_suite.py): SIE continuous runs embedded among DeepMimic fillers
(max_velocity, template = DeepMimic run: different recordings); the DeepMimic jump
embedded likewise (standing_long_jump: the only jump recording, so template and query
share it); whole tennis serve recordings of the three regular players (tennis_serve, the
two high-performance templates voting). Thresholds were calibrated on other queries
(evals/calibrate_references.py). Frames are at 30 fps. Prints one table row per motion,
group and method; then the cyclic motions again, each contact's truth timed by the foot's
lowest point (events.on_the_foot, the force plates' rule) instead of the ankle.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sportsgpt.evals.keyframe_scoring import QueryScore, score_query
from sportsgpt.evals.keyframe_suite import KeyframeQuery, embedded_query, recording_query
from sportsgpt.references.build import tile_loop
from sportsgpt.tools.motiondtw.align import AlignSettings, align
from sportsgpt.tools.motiondtw.library import load_motion_references
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.shared_data import shared_dir


def queries(shared: Path, seeds: int) -> list[tuple[KeyframeQuery, list[str] | None]]:
    """(query, names of the references to use; None = all of the motion's)."""
    out: list[tuple[KeyframeQuery, list[str] | None]] = []
    sie = sorted((shared / "data/deepmimic_sie").glob("*.txt"))
    run = tile_loop(read_motion(shared / "data/deepmimic/motions/humanoid3d_run.txt"), 4)
    jump = shared / "data/deepmimic/motions/humanoid3d_jump.txt"
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        for path in sie:
            out.append(
                (
                    embedded_query(
                        shared,
                        "max_velocity",
                        path,
                        rng,
                        shares_recording=False,
                        name=f"{path.stem}#{seed}",
                    ),
                    None,
                )
            )
        out.append(
            (
                embedded_query(
                    shared, "max_velocity", run, rng, shares_recording=True, name=f"run#{seed}"
                ),
                None,
            )
        )
        out.append(
            (
                embedded_query(
                    shared,
                    "standing_long_jump",
                    jump,
                    rng,
                    shares_recording=True,
                    name=f"jump#{seed}",
                ),
                None,
            )
        )
    tennis = shared / "data/tennis"
    rng = np.random.default_rng(100)
    for file in ("astrejos_Servicio.bvh", "adorozco_Servicio.bvh", "jdescobar_Servicio.bvh"):
        out.append((recording_query(tennis / file, rng, name=file.split("_")[0]), None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--methods", nargs="+", default=["two_stage", "coarse_only", "one_stage"])
    args = parser.parse_args()
    shared = shared_dir()
    started = time.perf_counter()
    cases = queries(shared, args.seeds)
    groups: dict[tuple[str, str, str], list[QueryScore]] = {}
    on_foot: dict[tuple[str, str, str], list[QueryScore]] = {}
    for query, names in cases:
        refs = load_motion_references(query.motion)
        if names is not None:
            refs = [r for r in refs if r.name in names]
        group = "same recording" if query.shares_recording else "different recordings"
        for method in args.methods:
            result = align(query.pose, refs, AlignSettings(method=method))  # type: ignore[arg-type]
            # whole occurrences, matched by their spans; a cycle cut by the clip or read
            # from a run's contacts past those found (Occurrence.bout "events"/"edge") is
            # a few keyframes, not a span (docs/real_video.md scores those events)
            whole = [o for o in result.occurrences if o.bout not in ("events", "edge")]
            score = score_query(whole, query.truth, one_stage=method == "one_stage")
            groups.setdefault((query.motion, group, method), []).append(score)
            if query.foot_truth:
                foot = score_query(whole, query.foot_truth,
                                   one_stage=method == "one_stage")  # fmt: skip
                on_foot.setdefault((query.motion, group, method), []).append(foot)
    print(f"{len(cases)} queries built and aligned in {time.perf_counter() - started:.0f} s\n")
    _table(groups)
    print("\nThe same, each contact timed by the foot's lowest point (events.on_the_foot; the "
          "force plates' rule) instead of the ankle:\n")  # fmt: skip
    _table(on_foot)


def _table(groups: dict[tuple[str, str, str], list[QueryScore]]) -> None:
    print("| motion | template vs query | method | queries | truth | found | recall | precision "
          "| mean kf error (frames) | median | IoU |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (motion, group, method), scores in sorted(groups.items()):
        truth = sum(s.truths for s in scores)
        found = sum(s.found for s in scores)
        matched = sum(s.matched for s in scores)
        errors = [e for s in scores for e in s.keyframe_errors]
        ious = [i for s in scores for i in s.ious]
        print(
            f"| {motion} | {group} | {method} | {len(scores)} | {truth} | {found} | "
            f"{matched / truth if truth else float('nan'):.2f} | "
            f"{matched / found if found else float('nan'):.2f} | "
            f"{np.mean(errors) if errors else float('nan'):.2f} | "
            f"{np.median(errors) if errors else float('nan'):.1f} | "
            f"{np.mean(ious) if ious else float('nan'):.2f} |"
        )


if __name__ == "__main__":
    main()
