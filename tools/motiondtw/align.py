"""MotionDTW: find every occurrence of a reference motion in a long recording, then its
keyframes.

Stage 1 (coarse): open-begin/open-end subsequence DTW of the template over the whole
query at a reduced rate, with linear memory; every local minimum of the end cost below
the reference's calibrated threshold, whose length is 0.5x-2x the template's, is an
occurrence (best first, non-overlapping). Both the query and its left/right mirror are
searched, so the athlete's facing and leading leg do not matter.
Stage 2 (fine): full-rate DTW of the template inside each found window widened by the
radius r; reference keyframes are mapped through the warping path.
Baselines for evaluation: one-stage global DTW over the whole query, and stage 1 alone.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from ..kinematics import FilterSettings
from ..kinematics.series import KinematicSeries
from ..pose_sequence import PoseSequence
from ..skeleton import mirror_name
from .features import (
    AlignmentInputError,
    FeatureSet,
    FloatArray,
    angle_features,
    feature_matrix,
    match_dims,
    resample,
    trust_matrix,
)
from .kernels import Trust, accumulated_cost, backtrack, path_spans, subsequence_end_costs
from .reference import MotionReference, camera_variants
from .refine import (
    KeyframeRule,
    OccurrenceGate,
    passes_gates,
    refine_keyframes,
    rule_events,
)

log = logging.getLogger(__name__)

Method = Literal["two_stage", "one_stage", "coarse_only"]


FINE_ENDS = 8
"""Stage 2 weighs the ends with the lowest summed cost first (the path's natural end)."""

COARSE_SLACK = 1.5
"""Stage 1 keeps windows up to 1.5x the threshold: its reduced rate costs a little
accuracy, and stage 2 decides on the full-rate cost."""


NEUTRAL_COST = 0.75
"""What an untrusted cell costs per unit of channel weight (a gap in the keypoints, filled
by interpolation): about a good match's cost, so a path neither seeks nor avoids gaps."""


class AlignSettings(BaseModel):
    method: Method = "two_stage"
    coarse_fps: float = Field(default=15.0, gt=0, description="stage-1 rate")
    radius_s: float = Field(default=0.3, ge=0, description="stage-2 widening of each window")
    max_cost: float | None = Field(default=None, gt=0, description="override the threshold")
    min_speed: float = Field(default=0.5, gt=0, description="slowest tempo vs the template")
    max_speed: float = Field(default=2.0, gt=0, description="fastest tempo vs the template")
    mirror: bool = True
    max_overlap: float = Field(default=0.3, ge=0, lt=1)
    refine: bool = Field(default=True, description="snap keyframes to their event rules")
    bout: bool = Field(
        default=True,
        description="a cyclic motion (a run, a walk): also time the cycles next to those "
        "found, as the bout goes on (Occurrence.bout)",
    )
    one_orientation: bool = Field(
        default=True,
        description="one athlete per recording: matches of the minority side (a stray "
        "mirrored match of a right-hander's serve) are re-aligned with the majority's",
    )


class Occurrence(BaseModel):
    """One occurrence, in the query's own frame numbering."""

    start: int
    end: int
    cost: float = Field(
        description="mean squared deviation per path cell and channel weight of the "
        "amplitude-normalised features; accepted below the threshold"
    )
    amplitude_cost: float = Field(
        default=0.0, description="the same with amplitudes kept (how different the sizes are)"
    )
    keyframes: dict[str, int]
    confidence: dict[str, float]
    mirrored: bool = Field(description="matched with left and right swapped")
    references: list[str]
    disagreement: dict[str, float] = Field(
        default_factory=dict, description="multi-reference: keyframe spread (frames)"
    )
    bounded: bool = Field(
        default=False,
        description="the window's cheapest paths all broke the tempo bounds, so this is "
        "its best end within them: a weaker match, ranked after the others where they "
        "overlap",
    )
    bout: Literal["cycle", "events", "edge"] | None = Field(
        default=None,
        description="found next to the others as a cyclic motion's bout goes on, not by "
        "the search: 'cycle', a whole cycle matched up to BOUT_SLACK x the threshold; "
        "'events', a cycle read from its keyframes' events past the first or last found "
        "(every keyframe a swing crossing: a run's contacts); 'edge', a cycle cut by the "
        "end of the tracking, its keyframes the neighbour's one cycle on, kept only where "
        "their events were found (these two carry the neighbour's cost). Timed, not used to "
        "recognise or assess the motion",
    )
    camera: str | None = Field(
        default=None,
        description="the template's projected camera variant that matched (a 2D query of "
        "a 3D reference; reference.TEMPLATE_CAMERAS)",
    )
    warp_start: int = Field(default=0, description="the first query frame of ``warp``")
    warp: list[int] = Field(
        default_factory=list,
        description="the warping path: the template frame of references[0] matched with "
        "each query frame from warp_start on (the side-by-side video plays it)",
    )


class AlignmentResult(BaseModel):
    motion: str
    method: Method
    query: str
    fps: float
    frames: int
    channels: list[str]
    cost_threshold: float
    occurrences: list[Occurrence]
    slow_motion: float = Field(
        default=1.0, ge=1.0, description="the recording was aligned as a slow-motion clip "
        "this many times slower than real time (its times divided by it; ``fps`` is then "
        "the real-time rate): the motion was found only that way",
    )  # fmt: skip

    def searched(self) -> AlignmentResult:
        """The occurrences the search found, without those timed as a bout goes on
        (Occurrence.bout): what recognition and assessment rest on."""
        return self.model_copy(
            update={"occurrences": [o for o in self.occurrences if o.bout is None]}
        )


class PreparedPair(BaseModel):
    """Template and query feature matrices for one reference, at the query's rate: shape
    features (amplitude-normalised) align, amplitude-aware ones measure size differences."""

    model_config = {"arbitrary_types_allowed": True}

    template: FloatArray  # shape features (alignment)
    template_mirror: FloatArray
    query: FloatArray
    template_abs: FloatArray  # amplitude-aware features (acceptance cost)
    template_abs_mirror: FloatArray
    query_abs: FloatArray
    template_trust: FloatArray  # per frame and column: 0..1
    template_trust_mirror: FloatArray
    query_trust: FloatArray
    neutral: FloatArray  # per column: the cost of what is not trusted
    keyframes: dict[str, int]
    segment: tuple[int, int]
    channels: list[str]
    weight_sum: float
    raw: dict[str, FloatArray] = Field(default_factory=dict, description="query channels")
    rules: dict[str, KeyframeRule] = Field(default_factory=dict)
    gates: list[OccurrenceGate] = Field(default_factory=list)
    fps: float = 30.0
    camera: str | None = Field(default=None, description="the template's camera variant")


def _prepare(ref: MotionReference, query: FeatureSet, variant: str | None = None) -> PreparedPair:
    template_feats = ref.features(variant or (query.view if query.dims == 2 else None))
    needed = [n for n in ref.stats.names if not n.endswith("_velocity")]
    shown = set(query.angles) & set(template_feats.angles)
    usable = [n for n in needed if n in shown and _mirror_ok(n, query)]
    missing = sorted(set(needed) - set(usable))
    if len(usable) < 3:
        raise AlignmentInputError(
            f"{query.source} and reference {ref.motion}/{ref.name} share only "
            f"{len(usable)} angle channels ({', '.join(usable) or 'none'}); need >= 3"
        )
    if missing:
        log.info("aligning without channels the query lacks: %s", ", ".join(missing))
    keep = [i for i, n in enumerate(ref.stats.names) if n.removesuffix("_velocity") in usable]
    stats = ref.stats.model_copy(
        update={
            key: [getattr(ref.stats, key)[i] for i in keep] for key in ("names", "sd", "weight")
        }
    )

    def template_matrix(mirrored: bool, shape_only: bool) -> FloatArray:
        m = feature_matrix(template_feats, stats, mirrored=mirrored, shape_only=shape_only)
        return resample(m, ref.fps, query.fps)

    def template_trust(mirrored: bool) -> FloatArray:
        return resample(trust_matrix(template_feats, stats, mirrored=mirrored), ref.fps, query.fps)

    t = template_matrix(False, True)
    window = t.shape[0]
    q = feature_matrix(query, stats, level_window=window, shape_only=True)
    q_abs = feature_matrix(query, stats, level_window=window)
    scale = (t.shape[0] - 1) / max(ref.frames - 1, 1)
    keyframes = {k: round(f * scale) for k, f in ref.keyframes.items()}
    segment = (round(ref.segment[0] * scale), round(ref.segment[1] * scale))
    return PreparedPair(
        template=t,
        template_mirror=template_matrix(True, True),
        query=q,
        template_abs=template_matrix(False, False),
        template_abs_mirror=template_matrix(True, False),
        query_abs=q_abs,
        template_trust=template_trust(False),
        template_trust_mirror=template_trust(True),
        query_trust=trust_matrix(query, stats),
        neutral=NEUTRAL_COST * np.asarray(stats.weight, dtype=np.float64),
        keyframes=keyframes,
        segment=segment,
        raw=query.angles,
        rules=ref.refine,
        gates=ref.gates,
        fps=query.fps,
        channels=stats.names,
        weight_sum=float(sum(stats.weight)),
        camera=variant if variant in ref.projected else None,
    )


def _mirror_ok(name: str, query: FeatureSet) -> bool:
    return mirror_name(name) in query.angles


def _candidates(
    template: FloatArray,
    query: FloatArray,
    trust: Trust,
    weight_sum: float,
    threshold: float,
    settings: AlignSettings,
    mirrored: bool,
) -> list[tuple[float, int, int, bool]]:
    """Stage-1 (cost, start, end, mirrored) in the given matrices' frames."""
    m = template.shape[0]
    end_cost, start, steps = subsequence_end_costs(template, query, trust)
    cost = end_cost / (steps * weight_sum)  # per path cell: comparable across tempos
    length = np.arange(len(cost)) - start + 1
    ok = (
        (cost <= threshold)
        & (length >= m / settings.max_speed)
        & (length <= m / settings.min_speed)
    )
    # local minima of the end cost (a plateau counts once)
    left = np.concatenate([[np.inf], cost[:-1]])
    right = np.concatenate([cost[1:], [np.inf]])
    minima = ok & (cost <= left) & (cost < right)
    return [(float(cost[j]), int(start[j]), int(j), mirrored) for j in np.flatnonzero(minima)]


Item = TypeVar("Item")


def _best_disjoint(
    items: list[Item],
    order: Callable[[Item], Any],
    span: Callable[[Item], tuple[int, int]],
    max_overlap: float,
) -> list[Item]:
    """Best first (by ``order``); an item is dropped when more than ``max_overlap`` of its
    span is already covered by better ones (exact duplicates included)."""
    if not items:
        return []
    covered = np.zeros(max(span(it)[1] for it in items) + 1, dtype=bool)
    kept: list[Item] = []
    for item in sorted(items, key=order):
        a, b = span(item)
        if covered[a : b + 1].sum() > max_overlap * (b - a + 1):
            continue
        kept.append(item)
        covered[a : b + 1] = True
    return kept


def _map_keyframes(
    path: np.ndarray,
    keyframes: dict[str, int],
    offset: int,
    cell_cost: FloatArray,
    threshold: float,
    mirrored: bool = False,
) -> tuple[dict[str, int], dict[str, float]]:
    """Query frame of each template keyframe (median of the frames the path pairs with it)
    and a confidence from the local fit and how sharply the path pins it down. In a
    mirrored match the template's left foot is the athlete's right: names are swapped."""
    out, conf = {}, {}
    for template_name, k in keyframes.items():
        name = mirror_name(template_name) if mirrored else template_name
        hits = path[path[:, 0] == k, 1]
        if len(hits) == 0:
            continue
        frame = int(np.median(hits))
        out[name] = frame + offset
        near = (path[:, 0] >= k - 2) & (path[:, 0] <= k + 2)
        local = float(np.mean(cell_cost[near]))
        fit = float(np.exp(-local / threshold))
        sharpness = 1.0 / max(1.0, len(hits) / 2.0)
        conf[name] = round(fit * sharpness, 3)
    return out, conf


def _warp(path: np.ndarray, offset: int) -> tuple[int, list[int]]:
    """The path as one template frame per query frame (the median of those it pairs with),
    from its first query frame on."""
    queries = path[:, 1]
    first, last = int(queries.min()), int(queries.max())
    frames = [int(np.median(path[queries == q, 0])) for q in range(first, last + 1)]
    return offset + first, frames


def _segment(path: np.ndarray, segment: tuple[int, int], offset: int) -> tuple[int, int]:
    """Query frames of the motion itself: where the template's segment bounds map to."""
    first = path[path[:, 0] == segment[0], 1]
    last = path[path[:, 0] == segment[1], 1]
    return offset + int(np.median(first)), offset + int(np.median(last))


def _cells(
    template: FloatArray, query: FloatArray, path: np.ndarray, weight_sum: float, trust: Trust
) -> FloatArray:
    """Each path cell's cost per unit of channel weight, as the kernels count it."""
    diff = template[path[:, 0]] - query[path[:, 1]]
    r = trust.template[path[:, 0]] * trust.query[path[:, 1]]
    return np.asarray(np.sum(r * diff * diff + (1.0 - r) * trust.neutral, axis=1) / weight_sum)


def _trust(prep: PreparedPair, mirrored: bool) -> Trust:
    """The pair's trust over the whole query (``Trust.window`` cuts out a stretch)."""
    template = prep.template_trust_mirror if mirrored else prep.template_trust
    return Trust(template, prep.query_trust, prep.neutral)


def _fine(
    prep: PreparedPair,
    start: int,
    end: int,
    mirrored: bool,
    settings: AlignSettings,
    threshold: float,
    fps: float,
    ref_name: str,
    widen: bool = True,
) -> Occurrence | None:
    """Stage 2: full-rate open-begin/open-end DTW inside the window (widened, unless
    ``widen`` is False)."""
    t = prep.template_mirror if mirrored else prep.template
    m = t.shape[0]
    r = max(round(settings.radius_s * fps), round(0.25 * (end - start + 1)))  # slow tempo: wider
    r = r if widen else 0
    a, b = max(0, start - r), min(prep.query.shape[0] - 1, end + r)
    window = np.ascontiguousarray(prep.query[a : b + 1])
    trust = _trust(prep, mirrored).window(a, b)
    acc = accumulated_cost(t, window, True, trust)
    # the ends with the lowest summed cost, then the one among them cheapest per path cell
    # within the tempo bounds; when every one of them breaks the bounds (a summed cost
    # favours compressed paths: fewer cells to sum), the end within the bounds cheapest
    # over both spans (per cell would favour stretched paths), marked ``bounded``
    first, steps = path_spans(acc, True)
    length = np.arange(window.shape[0]) - first + 1
    per_cell = acc[-1] / (steps * prep.weight_sum)
    ok = (length >= m / settings.max_speed) & (length <= m / settings.min_speed)
    nearest = np.argsort(acc[-1])[:FINE_ENDS]
    best_shape, best_path = np.inf, None
    bounded = not ok[nearest].any()
    if not bounded:
        pool = nearest[ok[nearest]]
        j = int(pool[np.argmin(per_cell[pool])])
    elif ok.any():  # by the cost over both spans: neither compressed nor stretched favoured
        spanned = acc[-1] / (m + length)
        j = int(np.flatnonzero(ok)[np.argmin(spanned[ok])])
    else:
        j = -1
    if j >= 0:
        best_shape, best_path = float(per_cell[j]), backtrack(acc, j, True)
    if best_path is None or best_shape > threshold:
        return None
    t_abs = prep.template_abs_mirror if mirrored else prep.template_abs
    q_abs = prep.query_abs[a : b + 1]
    amplitude_cost = float(np.mean(_cells(t_abs, q_abs, best_path, prep.weight_sum, trust)))
    cells = _cells(t, window, best_path, prep.weight_sum, trust)
    keyframes, confidence = _map_keyframes(best_path, prep.keyframes, a, cells, threshold, mirrored)
    aligned = dict(keyframes)
    if prep.rules and settings.refine:
        keyframes = refine_keyframes(keyframes, prep.rules, prep.raw, prep.fps, mirrored)
    if prep.gates and not passes_gates(keyframes, prep.gates, prep.raw, mirrored):
        return None
    start, end = _segment(best_path, prep.segment, a)
    moved = [f for k, f in keyframes.items() if f != aligned[k]]
    if moved:  # a keyframe snapped to its event stays inside its occurrence
        start, end = min(start, *moved), max(end, *moved)
    warp_start, warp = _warp(best_path, a)
    bounds = (min(prep.keyframes.values()), max(prep.keyframes.values()))
    if prep.segment == bounds and keyframes:  # the motion runs from first to last keyframe
        start, end = min(keyframes.values()), max(keyframes.values())
    return Occurrence(
        start=start,
        end=end,
        cost=round(best_shape, 4),
        amplitude_cost=round(amplitude_cost, 4),
        keyframes=keyframes,
        confidence=confidence,
        mirrored=mirrored,
        references=[ref_name],
        bounded=bounded,
        camera=prep.camera,
        warp_start=warp_start,
        warp=warp,
    )


def _one_stage(prep: PreparedPair, threshold: float, ref_name: str) -> list[Occurrence]:
    """Baseline: global DTW, template start and end pinned to the query's first and last frames."""
    t, q = prep.template, prep.query
    trust = _trust(prep, False)
    acc = accumulated_cost(t, q, False, trust)
    path = backtrack(acc, q.shape[0] - 1, False)
    cells = _cells(t, q, path, prep.weight_sum, trust)
    keyframes, confidence = _map_keyframes(path, prep.keyframes, 0, cells, threshold)
    cost = float(np.mean(cells))
    return [
        Occurrence(
            start=0,
            end=q.shape[0] - 1,
            cost=round(cost, 4),
            keyframes=keyframes,
            confidence=confidence,
            mirrored=False,
            references=[ref_name],
        )
    ]


def _coarse_only(
    prep: PreparedPair,
    found: list[tuple[float, int, int, bool]],
    coarse_templates: dict[bool, FloatArray],
    qc: FloatArray,
    coarse_trust: dict[bool, Trust],
    factor: float,
    threshold: float,
    ref_name: str,
) -> list[Occurrence]:
    """Baseline: stage-1 windows and keyframes from the coarse path, scaled back."""
    out = []
    for cost, a, b, mirrored in found:
        tc = coarse_templates[mirrored]
        window = np.ascontiguousarray(qc[a : b + 1])
        trust = coarse_trust[mirrored].window(a, b)
        acc = accumulated_cost(tc, window, True, trust)
        path = backtrack(acc, window.shape[0] - 1, True)
        kf_coarse = {k: round(f / factor) for k, f in prep.keyframes.items()}
        cells = _cells(tc, window, path, prep.weight_sum, trust)
        kfs, conf = _map_keyframes(path, kf_coarse, a, cells, threshold, mirrored)
        out.append(
            Occurrence(
                start=round(a * factor),
                end=round(b * factor),
                cost=round(cost, 4),
                keyframes={k: round(v * factor) for k, v in kfs.items()},
                confidence=conf,
                mirrored=mirrored,
                references=[ref_name],
            )
        )
    return out


def find_occurrences(
    prep: PreparedPair,
    threshold: float,
    settings: AlignSettings,
    fps: float,
    name: str,
    mirror: bool = True,
) -> list[Occurrence]:
    """The method's occurrences for prepared feature matrices (query frames at ``fps``)."""
    if settings.method == "one_stage":
        return _one_stage(prep, threshold, name)
    factor = max(1.0, fps / settings.coarse_fps)  # query frames per coarse frame
    qc = resample(prep.query, 1.0, 1.0 / factor)
    coarse_templates = {
        mirrored: resample(prep.template_mirror if mirrored else prep.template, 1.0, 1.0 / factor)
        for mirrored in ((False, True) if settings.mirror and mirror else (False,))
    }
    query_trust = resample(prep.query_trust, 1.0, 1.0 / factor)
    coarse_trust = {
        mirrored: Trust(
            resample(_trust(prep, mirrored).template, 1.0, 1.0 / factor), query_trust, prep.neutral
        )
        for mirrored in coarse_templates
    }
    found = []
    for mirrored, tc in coarse_templates.items():
        found += _candidates(
            tc, qc, coarse_trust[mirrored], prep.weight_sum, threshold * COARSE_SLACK, settings,
            mirrored,
        )  # fmt: skip
    found = _best_disjoint(found, lambda c: c, lambda c: (c[1], c[2]), settings.max_overlap)
    if settings.method == "coarse_only":
        return _coarse_only(
            prep, found, coarse_templates, qc, coarse_trust, factor, threshold, name
        )
    fine = [
        _fine(prep, round(a * factor), round(b * factor), mir, settings, threshold, fps, name)
        for _, a, b, mir in found
    ]
    return _dedupe([o for o in fine if o is not None], settings.max_overlap)


def _dedupe(occurrences: list[Occurrence], max_overlap: float) -> list[Occurrence]:
    return _best_disjoint(
        occurrences, lambda o: (o.bounded, o.cost), lambda o: (o.start, o.end), max_overlap
    )


def _one_orientation(
    occurrences: list[Occurrence],
    preps: list[PreparedPair],
    threshold: float,
    settings: AlignSettings,
    fps: float,
    name: str,
) -> list[Occurrence]:
    """Every occurrence with the recording's majority side (ties: the cheaper side's);
    a minority match is aligned again the other way round, or dropped if that fails."""
    mirrored = [o for o in occurrences if o.mirrored]
    plain = [o for o in occurrences if not o.mirrored]
    if not mirrored or not plain:
        return occurrences
    side_cost = (len(plain), -sum(o.cost for o in plain)) < (
        len(mirrored),
        -sum(o.cost for o in mirrored),
    )
    majority, minority = (mirrored, plain) if side_cost else (plain, mirrored)
    kept = list(majority)
    for occ in minority:
        redone = [
            _fine(p, occ.start, occ.end, not occ.mirrored, settings, threshold, fps, name)
            for p in preps
        ]
        found = [o for o in redone if o is not None]
        if found:
            kept.append(min(found, key=lambda o: o.cost))
    return kept


BOUT_SLACK = 1.25
"""A whole cycle next to a found one is accepted up to this many times the threshold: the
motion is established, and a cycle that differs a little (a runner slowing, a walker
turning a shoulder to the camera) is still a cycle of it. On the mocap runs 1.25 keeps 16
cycles of the truth's against 7 outside it (1.5: 20 against 15)."""

BOUT_TEMPO = (0.75, 1.33)
"""A bout's cycle lasts 0.75-1.33x the median of the cycles found (the search allows
0.5-2x the template's): an athlete keeps a tempo from one cycle to the next, and a match
squeezed into half a cycle times nothing right."""

BOUT_TRACKED = 0.8
"""A bout's cycle needs the athlete tracked (keypoints trusted) in this share of its frames:
across a gap in the tracking, gap-filled features would match anything."""


def _tracked(prep: PreparedPair) -> npt.NDArray[np.bool_]:
    """Per query frame: are most of the channels trusted there?"""
    return np.asarray(prep.query_trust.mean(axis=1) >= 0.5)


def _bout(
    occurrences: list[Occurrence],
    prep: PreparedPair,
    threshold: float,
    settings: AlignSettings,
    fps: float,
    name: str,
) -> list[Occurrence]:
    """A cyclic motion's bout: in every stretch of at least half a cycle between or beside
    the occurrences found, the whole cycle next to one (up to BOUT_SLACK x the threshold,
    at the bout's tempo), again until none is found; then, before the first and after the
    last, the cycles read from the keyframes' events while they go on (``_chain``), or
    where the rules cannot read them so, the cycle cut by the end of the tracking
    (``_edge``)."""
    found = sorted(occurrences, key=lambda o: o.start)
    if not found:
        return occurrences
    n = prep.query.shape[0]
    tracked = _tracked(prep)
    cycle = round(float(np.median([o.end - o.start + 1 for o in found])))
    reach = round(1.5 * cycle)

    def fits(occ: Occurrence, others: list[Occurrence]) -> bool:
        span = np.zeros(n, dtype=bool)
        for o in others:
            span[o.start : o.end + 1] = True
        length = occ.end - occ.start + 1
        return bool(
            tracked[occ.start : occ.end + 1].mean() >= BOUT_TRACKED
            and span[occ.start : occ.end + 1].sum() <= settings.max_overlap * length
        )

    added = True
    while added:
        added = False
        found.sort(key=lambda o: o.start)
        for i in range(len(found) + 1):
            lo = found[i - 1].end + 1 if i > 0 else 0
            hi = found[i].start - 1 if i < len(found) else n - 1
            if hi - lo + 1 < cycle / 2:
                continue
            windows = []  # next to the earlier occurrence, then to the later one
            if i > 0:
                windows.append((found[i - 1], lo, min(hi, lo + reach)))
            if i < len(found):
                windows.append((found[i], max(lo, hi - reach), hi))
            for near, a, b in windows:
                occ = _fine(prep, a, b, near.mirrored, settings, threshold * BOUT_SLACK, fps,
                            name, widen=False)  # fmt: skip
                length = 0 if occ is None else occ.end - occ.start + 1
                steady = BOUT_TEMPO[0] * cycle <= length <= BOUT_TEMPO[1] * cycle
                if occ is not None and steady and fits(occ, found):
                    found.append(occ.model_copy(update={"bout": "cycle"}))
                    added = True
                    break
            if added:
                break
    found.sort(key=lambda o: o.start)
    ends = ((found[0], -1), (found[-1], 1))
    events = {m: _keyframe_events(prep, fps, m) for m in {near.mirrored for near, _ in ends}}
    for near, direction in ends:
        chained = _chain(near, direction, events[near.mirrored], tracked,
                         (found[0].start, found[-1].end))  # fmt: skip
        if chained is None:  # not every keyframe has a crossing: the cut cycle alone
            edge = _edge(near, direction, prep, fps, tracked)
            chained = [] if edge is None else [edge]
        for occ in chained:
            if not fits(occ, found):
                break
            found.append(occ)
    return found


CHAIN_SLACK = 1.5
"""Read from the events, the next keyframe of a bout lies at most this many times its
interval in the neighbouring cycle (plus 2 frames) after the one before: a runner slowing
lengthens contacts by a third; a longer gap is not the same motion going on."""


def _keyframe_events(
    prep: PreparedPair, fps: float, mirrored: bool
) -> dict[str, npt.NDArray[np.intp]]:
    """Keyframe (the athlete's side) -> every frame its swing-crossing rule finds its event
    over the whole recording; keyframes with other rules are left out."""
    events = {}
    for template_name, rule in prep.rules.items():
        found = rule_events(rule, prep.raw, fps, mirrored)
        if found is not None:
            events[mirror_name(template_name) if mirrored else template_name] = found
    return events


def _chain(
    near: Occurrence,
    direction: int,
    events: dict[str, npt.NDArray[np.intp]],
    tracked: npt.NDArray[np.bool_],
    bout: tuple[int, int],
) -> list[Occurrence] | None:
    """The cycles after (``direction`` 1) or before (-1) ``near`` read from the events
    themselves, while they go on: where every keyframe's rule is a swing crossing (a
    run's touchdowns and toe-offs), the next keyframe in the cycle's order is the first of
    its events past the one before, within CHAIN_SLACK x its interval (in ``near``, a cycle
    ``near.end - near.start + 1`` frames long, or the median between the events within
    ``bout``, the frames of the cycles found, whichever is longer), at a tracked frame.
    ``events``: ``_keyframe_events`` on ``near``'s side. None where the rules do not time
    every keyframe so."""
    if not near.keyframes:
        return None
    order = sorted(near.keyframes, key=near.keyframes.__getitem__)
    if set(order) - set(events) or len(order) < 2:
        return None
    period = near.end - near.start + 1
    frames = [near.keyframes[k] for k in order]
    gaps = [b - a for a, b in itertools.pairwise(frames)]
    gaps.append(frames[0] + period - frames[-1])  # last keyframe -> the first, a cycle on
    if min(gaps) <= 0 or sum(gaps) != period:
        return None
    n = len(tracked)
    steps = len(order)
    # the bout's own tempo: consecutive events of the keyframes within the cycles found (a
    # cycle matched at another tempo than the athlete's says little of its intervals)
    union = np.unique(np.concatenate([events[k] for k in order]))
    inside = union[(union >= bout[0]) & (union <= bout[1])]
    typical = float(np.median(np.diff(inside))) if len(inside) > 2 else 0.0
    i = steps - 1 if direction > 0 else 0  # where the walk starts in the cycle
    at = frames[i]
    cycles: list[dict[str, int]] = [{}]
    while True:
        j = (i + 1) % steps if direction > 0 else (i - 1) % steps
        gap = gaps[i] if direction > 0 else gaps[j]
        limit = CHAIN_SLACK * max(gap, typical) + 2
        hits = events[order[j]]
        hits = hits[(hits > at) & (hits <= at + limit)] if direction > 0 else (
            hits[(hits < at) & (hits >= at - limit)])  # fmt: skip
        if not len(hits):
            break
        frame = int(hits[0] if direction > 0 else hits[-1])
        if not (0 <= frame < n and tracked[frame]):
            break
        if order[j] in cycles[-1]:
            cycles.append({})
        cycles[-1][order[j]] = frame
        i, at = j, frame
    out = []
    for c in cycles:
        if c:
            out.append(Occurrence(
                start=min(c.values()), end=max(c.values()), cost=near.cost,
                amplitude_cost=near.amplitude_cost,
                keyframes=dict(sorted(c.items(), key=lambda kv: kv[1])), confidence={},
                mirrored=near.mirrored, references=near.references, bout="events",
                camera=near.camera,
            ))  # fmt: skip
    return out


def _edge(
    near: Occurrence, direction: int, prep: PreparedPair, fps: float, tracked: npt.NDArray[np.bool_]
) -> Occurrence | None:
    """The cycle one before (``direction`` -1) or after (1) ``near``, cut by the end of the
    tracking: ``near``'s keyframes shifted by its length, each snapped to its event rule,
    kept where the event was found inside the tracked frames past ``near``."""
    n = len(tracked)
    shift = direction * (near.end - near.start + 1)
    start, end = near.start + shift, near.end + shift
    inside = start >= 0 and end < n and tracked[start : end + 1].all()
    if inside or not prep.rules:  # a whole cycle there: the search's to find, not an edge's
        return None
    predicted = {k: f + shift for k, f in near.keyframes.items() if 0 <= f + shift < n}
    snapped: set[str] = set()
    moved = refine_keyframes(predicted, prep.rules, prep.raw, fps, near.mirrored, snapped)
    keyframes = {  # refine_keyframes keeps every frame inside the recording
        k: f for k, f in moved.items()
        if k in snapped and tracked[f] and (f < near.start if direction < 0 else f > near.end)
    }  # fmt: skip
    if not keyframes:
        return None
    return Occurrence(
        start=min(keyframes.values()),
        end=max(keyframes.values()),
        cost=near.cost,
        amplitude_cost=near.amplitude_cost,
        keyframes=dict(sorted(keyframes.items(), key=lambda kv: kv[1])),
        confidence={},
        mirrored=near.mirrored,
        references=near.references,
        bout="edge",
        camera=near.camera,
    )


def align_features(
    query: FeatureSet, ref: MotionReference, settings: AlignSettings | None = None
) -> AlignmentResult:
    """Align one reference to a query's features."""
    settings = settings or AlignSettings()
    if query.dims == 2 and ref.dims == 2 and {query.view, ref.view} == {"side", "front"}:
        raise AlignmentInputError(
            f"{query.source} is seen from the {query.view}; the {ref.motion} template "
            f"{ref.name} only from the {ref.view}"
        )
    variants: list[str | None] = [None]
    if query.dims == 2:  # the template as cameras round the athlete see it
        variants = list(camera_variants(ref, query.view)) or [None]
    preps = [_prepare(ref, query, v) for v in variants]
    prep = preps[0]
    m = prep.template.shape[0]
    if query.frames < m / 2:
        raise AlignmentInputError(
            f"{query.source}: {query.frames} frames is shorter than half the "
            f"{ref.motion} template ({m} frames at {query.fps:g} fps)"
        )
    threshold = settings.max_cost or ref.cost_threshold
    name = f"{ref.motion}/{ref.name}"
    # one camera films a recording (mixing cameras per occurrence lets a wrong one win a
    # stretch): the view's own camera, unless another fits clearly better (CAMERA_MARGIN)
    per_camera = [
        find_occurrences(p, threshold, settings, query.fps, name, ref.mirror) for p in preps
    ]
    cheapest = [min((o.cost for o in found), default=np.inf) for found in per_camera]
    best = min(range(len(preps)), key=lambda i: cheapest[i] / (1.0 if i == 0 else CAMERA_MARGIN))
    occurrences, preps = per_camera[best], [preps[best]]
    prep = preps[0]
    if ref.mirror and settings.one_orientation:
        occurrences = _one_orientation(occurrences, preps, threshold, settings, query.fps, name)
    if ref.cyclic and settings.bout and settings.method == "two_stage":
        occurrences = _bout(occurrences, prep, threshold, settings, query.fps, name)
    return AlignmentResult(
        motion=ref.motion,
        method=settings.method,
        query=query.source,
        fps=query.fps,
        frames=query.frames,
        channels=prep.channels,
        cost_threshold=threshold,
        occurrences=sorted(occurrences, key=lambda o: o.cost),
    )


def query_features(
    query: PoseSequence, reference: MotionReference, filters: FilterSettings | None = None
) -> FeatureSet:
    """The query's angle features, projected first if it is 3D and the reference 2D."""
    return angle_features(match_dims(query, reference.dims, reference.view), filters)


def align(
    query: PoseSequence,
    references: list[MotionReference],
    settings: AlignSettings | None = None,
    filters: FilterSettings | None = None,
    kinematics: KinematicSeries | None = None,
) -> AlignmentResult:
    """Align one or several references of a motion; several are fused by a robust vote.
    ``kinematics``: the query's own kinematics, if the caller has them (used whenever the
    query is not projected for a reference)."""
    if not references:
        raise AlignmentInputError("no reference to align against")
    motions = {r.motion for r in references}
    if len(motions) != 1:
        raise AlignmentInputError(f"references of different motions: {sorted(motions)}")
    # references seen from the same camera share one kinematics pass over the query
    features: dict[tuple[int, str | None], FeatureSet] = {}
    results = []
    for ref in references:
        seq = match_dims(query, ref.dims, ref.view)
        key = (seq.dims, seq.view)
        if key not in features:
            features[key] = angle_features(seq, filters, kinematics if seq is query else None)
        results.append(align_features(features[key], ref, settings))
    if len(results) == 1:
        return results[0]
    return vote(results)


CAMERA_MARGIN = 0.8
"""Another of the template's cameras than the view's own (an oblique from the far side,
behind the athlete on the right) stands for a recording when its best match costs at most
this share of the own camera's: on mocap filmed at 45 degrees the far oblique's best
match is sometimes a little cheaper but times the serve worse."""

AGREE_S = 0.1
"""References whose keyframes lie within this of the fused one agree: their weighted mean
is the keyframe (two serves' templates that agree are averaged); one farther off is left
out (of two that disagree, the clearer match's keyframe stands)."""


def weighted_median(values: FloatArray, weights: FloatArray) -> float:
    """The value that half of the weight lies at or below (of two, the heavier one's)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def consensus(values: FloatArray, weights: FloatArray, tolerance: float) -> float:
    """The weighted mean of the values within ``tolerance`` of their weighted median."""
    middle = weighted_median(values, weights)
    near = np.abs(values - middle) <= tolerance
    return float(np.average(values[near], weights=weights[near]))


def vote(results: list[AlignmentResult]) -> AlignmentResult:
    """Fuse several references' occurrences: cluster by overlap; the keyframes and span
    are the consensus (AGREE_S) weighted by how well each reference fits (1 / its cost
    ratio: of two that disagree, the clearer match's, not a mean of a good and a poor
    one); the cost is the median cost ratio (every reference's fit counts as evidence) at
    the median threshold; report the spread; an occurrence needs at least half of the
    references."""
    threshold = [r.cost_threshold for r in results]
    pool = [(o, i) for i, r in enumerate(results) for o in r.occurrences]
    pool.sort(key=lambda oi: oi[0].cost / threshold[oi[1]])
    clusters: list[list[tuple[Occurrence, int]]] = []
    for occ, i in pool:
        for cluster in clusters:
            head = cluster[0][0]
            inter = max(0, min(occ.end, head.end) - max(occ.start, head.start) + 1)
            if inter > 0.5 * min(occ.end - occ.start + 1, head.end - head.start + 1):
                if not any(occ.references[0] in c.references for c, _ in cluster):
                    cluster.append((occ, i))
                break
        else:
            clusters.append([(occ, i)])
    need = (len(results) + 1) // 2  # half of the references, rounded up
    fused_threshold = float(np.median(threshold))
    fused = []
    for cluster in clusters:
        if len(cluster) < need:
            continue
        occs = [c for c, _ in cluster]
        ratio = np.array([c.cost / threshold[i] for c, i in cluster])
        weight = 1.0 / np.maximum(ratio, 1e-6)

        def middle(values: list[float]) -> float:
            agree = AGREE_S * results[0].fps
            return consensus(np.asarray(values, dtype=np.float64), weight, agree)  # noqa: B023

        names = [k for k in occs[0].keyframes if all(k in c.keyframes for c in occs)]
        keyframes, spread, confidence = {}, {}, {}
        for k in names:
            frames = np.array([c.keyframes[k] for c in occs])
            keyframes[k] = round(middle(list(frames)))
            spread[k] = float(np.max(frames) - np.min(frames))
            confidence[k] = round(float(np.median([c.confidence.get(k, 0.0) for c in occs])), 3)
        lead = occs[0]  # the clearest match (the pool is sorted by ratio): its warp
        fused.append(
            Occurrence(
                start=round(middle([c.start for c in occs])),
                end=round(middle([c.end for c in occs])),
                cost=round(float(np.median(ratio)) * fused_threshold, 4),
                amplitude_cost=round(middle([c.amplitude_cost for c in occs]), 4),
                keyframes=keyframes,
                confidence=confidence,
                mirrored=lead.mirrored,
                camera=lead.camera,
                references=[r for c in occs for r in c.references],
                disagreement=spread,
                warp_start=lead.warp_start,
                warp=lead.warp,
                bout=lead.bout if all(c.bout == lead.bout for c in occs) else None,
            )
        )
    base = results[0]
    return base.model_copy(
        update={
            "occurrences": sorted(fused, key=lambda o: o.cost),
            "cost_threshold": fused_threshold,
        }
    )
