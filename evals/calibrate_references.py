"""Calibrate each shipped reference's cost threshold on queries kept apart from the
keyframe benchmark, and write it into the reference file.

    python -m sportsgpt.evals.calibrate_references

Calibration data (never the benchmark's test queries): running = the DeepMimic jog and
run (tiled loops) embedded among fillers with seeds 1000+; jump = the DeepMimic jump with
seeds 1000+; walking = the DeepMimic long walk (another recording than the template)
among non-walking fillers; serve = each high-performance player's recording against the other
high-performance player's template (the regular players are the test set). A found
occurrence is true when it matches a true one (IoU >= 0.3); ``best_threshold`` places
the cut.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..references.build import tile_loop
from ..tools.motiondtw.align import AlignSettings, align_features, query_features
from ..tools.motiondtw.library import load_motion_references, template_path
from ..tools.motiondtw.reference import MotionReference, save_reference
from ..tools.readers import read_motion
from ..tools.shared_data import shared_dir
from .keyframe_scoring import MATCH_IOU, segment_iou
from .keyframe_suite import NOT_WALKING, KeyframeQuery, embedded_query, recording_query

log = logging.getLogger(__name__)
SEEDS = range(1000, 1004)


def calibration_queries(shared: Path, motion: str) -> list[tuple[KeyframeQuery, str | None]]:
    motions = shared / "data/deepmimic/motions"
    out: list[tuple[KeyframeQuery, str | None]] = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        if motion == "max_velocity":
            for clip in ("humanoid3d_jog.txt", "humanoid3d_run.txt"):
                target = tile_loop(read_motion(motions / clip), 4)
                out.append(
                    (
                        embedded_query(
                            shared,
                            motion,
                            target,
                            rng,
                            shares_recording=True,
                            name=f"{clip}#{seed}",
                        ),
                        None,
                    )
                )
        elif motion == "walking_gait":
            long_walk = motions / "humanoid3d_long_walk3.txt"
            out.append(
                (
                    embedded_query(
                        shared,
                        motion,
                        long_walk,
                        rng,
                        shares_recording=False,
                        name=f"long_walk#{seed}",
                        fillers=NOT_WALKING,
                    ),
                    None,
                )
            )
        elif motion == "standing_long_jump":
            out.append(
                (
                    embedded_query(
                        shared,
                        motion,
                        motions / "humanoid3d_jump.txt",
                        rng,
                        shares_recording=True,
                        name=f"jump#{seed}",
                    ),
                    None,
                )
            )
    if motion == "tennis_serve":
        rng = np.random.default_rng(SEEDS[0])
        tennis = shared / "data/tennis"
        # each high-performance player's recording against the *other* player's template
        for other, file in (
            ("lvargas", "jduribe_Servicio.bvh"),
            ("jduribe", "lvargas_Servicio_21seg.bvh"),
        ):
            out.append((recording_query(tennis / file, rng, name=file.split("_")[0]), other))
    return out


def best_threshold(costs: list[float], labels: list[bool]) -> float:
    """Where true and false matches separate: midway between the 95th percentile of the
    true costs and the 5th percentile of the false ones (a margin for athletes unlike
    the calibration data), or the F1-optimal cut where the two overlap."""
    c = np.asarray(costs, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    if y.all():
        return round(float(np.max(c)) * 1.2, 3)
    high_true = float(np.percentile(c[y], 95))
    low_false = float(np.percentile(c[~y], 5))
    if high_true < low_false:
        return round((high_true + low_false) / 2, 3)
    order = np.argsort(c)
    cs, ys = c[order], y[order]
    best, cut = -1.0, float(cs[-1])
    for k in range(1, len(cs)):
        tp = ys[:k].sum()
        f1 = 2 * tp / (k + ys.sum())
        if f1 > best:
            best, cut = f1, float((cs[k - 1] + cs[k]) / 2)
    return round(cut, 3)


def calibrate(ref: MotionReference, queries: list[tuple[KeyframeQuery, str | None]]) -> float:
    costs, labels = [], []
    settings = AlignSettings(max_cost=10.0)
    for query, only in queries:
        if only is not None and only != ref.name:
            continue
        result = align_features(query_features(query.pose, ref), ref, settings)
        for occ in result.occurrences:
            iou = max(
                (segment_iou((occ.start, occ.end), (t.start, t.end)) for t in query.truth),
                default=0.0,
            )
            costs.append(occ.cost)
            labels.append(iou >= MATCH_IOU)
    if not any(labels):
        raise RuntimeError(f"no true match to calibrate {ref.motion}/{ref.name} on")
    return best_threshold(costs, labels)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shared = shared_dir()
    for motion in ("max_velocity", "standing_long_jump", "tennis_serve", "walking_gait"):
        queries = calibration_queries(shared, motion)
        for ref in load_motion_references(motion):
            threshold = calibrate(ref, queries)
            save_reference(
                ref.model_copy(update={"cost_threshold": threshold}),
                template_path(motion, ref.name),
            )
            log.info("%s/%s: cost threshold %.3f", motion, ref.name, threshold)


if __name__ == "__main__":
    main()
