"""Score found occurrences against ground truth: one-to-one matching, keyframe errors, IoU."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from ..tools.motiondtw.events import MotionEvent


class Occurrence(Protocol):
    """What scoring reads of a found occurrence (an alignment's, or an assessment's)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def keyframes(self) -> dict[str, int]: ...


MATCH_IOU = 0.3


def segment_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]) + 1)
    union = max(a[1], b[1]) - min(a[0], b[0]) + 1
    return inter / union if union > 0 else 0.0


class QueryScore(BaseModel):
    truths: int
    found: int
    matched: int
    keyframe_errors: list[float]
    ious: list[float]


def score_query(
    found: Sequence[Occurrence], truth: list[MotionEvent], one_stage: bool = False
) -> QueryScore:
    """Greedy one-to-one matching by IoU (>= 0.3); keyframe errors of matched occurrences.

    The one-stage baseline returns one alignment of the whole query; its keyframes are
    scored against the ground-truth occurrence they fit best (the kindest reading)."""
    if one_stage and found and truth:
        occ = found[0]
        best = min(truth, key=lambda t: _mean_error(occ, t))
        best_errors = [
            float(abs(occ.keyframes[k] - f))
            for k, f in best.keyframes.items()
            if k in occ.keyframes
        ]
        iou = segment_iou((occ.start, occ.end), (best.start, best.end))
        return QueryScore(truths=len(truth), found=1, matched=int(iou >= MATCH_IOU),
                          keyframe_errors=best_errors, ious=[iou])  # fmt: skip
    pairs = sorted(
        ((segment_iou((o.start, o.end), (t.start, t.end)), i, j)
         for i, o in enumerate(found) for j, t in enumerate(truth)),
        reverse=True,
    )  # fmt: skip
    used_o: set[int] = set()
    used_t: set[int] = set()
    errors: list[float] = []
    ious: list[float] = []
    for iou, i, j in pairs:
        if iou < MATCH_IOU or i in used_o or j in used_t:
            continue
        used_o.add(i)
        used_t.add(j)
        ious.append(iou)
        errors += _nearest_errors(found[i], truth)
    return QueryScore(truths=len(truth), found=len(found), matched=len(used_t),
                      keyframe_errors=errors, ious=ious)  # fmt: skip


def _nearest_errors(occ: Occurrence, truth: list[MotionEvent]) -> list[float]:
    """Each found keyframe against the nearest true keyframe of the same name.

    In cyclic motion an occurrence may start with either foot (a mirrored match starts at
    the right touchdown), so its keyframes belong to two neighbouring true cycles."""
    out = []
    for name, frame in occ.keyframes.items():
        candidates = [t.keyframes[name] for t in truth if name in t.keyframes]
        if candidates:
            out.append(float(min(abs(frame - c) for c in candidates)))
    return out


def _mean_error(occ: Occurrence, truth: MotionEvent) -> float:
    errs = [abs(occ.keyframes[k] - f) for k, f in truth.keyframes.items() if k in occ.keyframes]
    return float(np.mean(errs)) if errs else np.inf
