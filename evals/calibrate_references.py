"""Calibrate each shipped reference's cost threshold on queries kept apart from the
keyframe benchmark, and write it into the reference file.

    python -m sportsgpt.evals.calibrate_references

Calibration data (never the benchmark's test queries) is each motion's recipe
(``references/<motion>/build.json``: ``calibration``): running = the DeepMimic jog and
run (tiled loops) embedded among fillers with seeds 1000+; jump = the DeepMimic jump with
seeds 1000+; walking = the DeepMimic long walk (another recording than the template)
among non-walking fillers; serve = each high-performance player's recording against the
other high-performance player's template (the regular players are the test set). A found
occurrence is true when it matches a true one (IoU >= 0.3); ``best_threshold`` places
the cut.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..references.build import tile_loop
from ..references.recipe import load_recipe, recipes
from ..tools.kismam.calibrate import athlete_of
from ..tools.motiondtw.align import AlignSettings, align_features, query_features
from ..tools.motiondtw.library import load_motion_references, template_path
from ..tools.motiondtw.reference import MotionReference, save_reference
from ..tools.pose_sequence import PoseSequence
from ..tools.readers import read_motion
from ..tools.shared_data import shared_dir
from .keyframe_scoring import MATCH_IOU, segment_iou
from .keyframe_suite import (
    NOT_WALKING,
    KeyframeQuery,
    embedded_query,
    recording_query,
)

log = logging.getLogger(__name__)
SEEDS = range(1000, 1004)


def calibration_queries(shared: Path, motion: str) -> list[tuple[KeyframeQuery, str | None]]:
    """The queries of the motion's recipe (``references/<motion>/build.json``:
    ``calibration``), each with the one template it is for (None: every template).
    Embedded clips: one query per seed and clip; whole recordings: one each."""
    recipe = load_recipe(motion)
    out: list[tuple[KeyframeQuery, str | None]] = []
    embedded = [q for q in recipe.calibration if q.kind == "embedded"]
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        for q in embedded:
            target: Path | PoseSequence = shared / q.source
            if q.tile > 1:
                target = tile_loop(read_motion(shared / q.source), q.tile)
            name = f"{Path(q.source).stem.removeprefix('humanoid3d_')}#{seed}"
            fillers = NOT_WALKING if q.fillers == "not_walking" else ()  # () = the defaults
            query = embedded_query(
                shared, motion, target, rng, shares_recording=q.shares_recording, name=name,
                fillers=fillers,
            )  # fmt: skip
            out.append((query, q.template))
    rng = np.random.default_rng(SEEDS[0])
    for q in recipe.calibration:
        if q.kind == "recording":
            name = athlete_of(q.source)
            out.append((recording_query(shared / q.source, rng, name=name), q.template))
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
    settings = AlignSettings(max_cost=10.0, bout=False)  # the search: what a threshold gates
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
    for motion in [r.motion for r in recipes() if r.calibration]:
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
