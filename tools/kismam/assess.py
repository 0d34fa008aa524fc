"""KISMAM: keyframe metrics vs elite bands -> deviation channels -> named problems.

For every aligned occurrence and keyframe, each metric is measured from the kinematic
series. Outside its band [T_min, T_max] a measurement opens a deviation channel,
``insufficient`` = (T_min - x) / width or ``excessive`` = (x - T_max) / width. A problem's
probability is sigmoid(s * sum_c W_c e_c + bias) over the median deviation of each
channel across occurrences, drawn towards 0.5 by how well its values were measured
(kismam/quality.py: 0.5 + (p - 0.5) x quality); it is reported at p >= 0.5 with its
evidence. A metric the camera view or the joints cannot give, or measured too poorly to
judge, is listed as unmeasurable, and a problem whose channels are all unmeasurable is
"not judgeable", never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..kinematics.series import KinematicSeries
from ..motiondtw.align import AlignmentResult
from ..skeleton import mirror_name
from .models import Assessment, Evidence, MetricResult, OccurrenceAssessment, Problem, Severity
from .quality import MeasurementQuality
from .spec import SIDE_PLACEHOLDER, AssessmentSpec, MetricSpec
from .wording import view_reason

REPORT_AT = 0.5


def _side_of(keyframe: str) -> str | None:
    for side in ("left", "right"):
        if keyframe.startswith(f"{side}_"):
            return side
    return None


def _channel_for(metric: MetricSpec, keyframe: str, primary: str, mirrored: bool) -> str:
    """The channel a metric reads at a keyframe. A mirrored occurrence (left and right
    swapped against the reference: the other leg in front, a left-handed server) reads
    the other side's channel of a sided metric; {side} follows the keyframe's own side,
    which the alignment already names for the athlete."""
    if SIDE_PLACEHOLDER in metric.channel:
        return metric.channel.replace(SIDE_PLACEHOLDER, _side_of(keyframe) or primary)
    return mirror_name(metric.channel) if mirrored else metric.channel


def _view_of(series: KinematicSeries) -> str:
    return "3d" if series.dims == 3 else series.view


def measure_metric(
    metric: MetricSpec,
    series: KinematicSeries,
    keyframes: dict[str, int],
    occurrence: int,
    mirrored: bool = False,
    spec: AssessmentSpec | None = None,
) -> tuple[list[MetricResult], str | None]:
    """The metric at each of its keyframes in one occurrence, or why it cannot be."""
    view = _view_of(series)
    if view not in metric.views:
        return [], view_reason(metric.views, view)
    out: list[MetricResult] = []
    reason = None
    for kf in metric.at:
        if kf not in keyframes:
            continue
        frame = keyframes[kf]
        channel = _channel_for(metric, kf, series.primary_side, mirrored)
        if channel not in series.channels:
            reason = series.unmeasurable.get(channel, f"channel {channel} was not computed")
            continue
        values = series.channels[channel]
        if metric.reduce == "value":
            value = float(values[frame])
        else:
            end = keyframes.get(metric.until or kf, frame)
            lo, hi = sorted((frame, end))
            if metric.before_s is not None:  # a phase that starts before the keyframe
                lo = max(0, lo - round(metric.before_s * series.fps))
            if metric.after_s is not None:  # or ends after it
                hi = min(len(values) - 1, hi + round(metric.after_s * series.fps))
            window = values[lo : hi + 1]
            seen = window[np.isfinite(window)]  # an occluded stretch: measured where seen
            pick = np.max if metric.reduce == "max" else np.min
            value = float(pick(seen)) if seen.size else math.nan
        if not math.isfinite(value):
            reason = series.missing_reason(channel, frame, kf)
            continue
        band = metric.band
        low = max(0.0, (band.min - value) / band.scale) if band.min is not None else 0.0
        high = max(0.0, (value - band.max) / band.scale) if band.max is not None else 0.0
        out.append(
            MetricResult(
                id=metric.id, label=metric.label, short=metric.name, unit=metric.unit,
                at=spec.keyframe_label(kf) if spec else kf.replace("_", " "), keyframe=kf,
                frame=frame,
                occurrence=occurrence, measured=round(value, 2), band=(band.min, band.max),
                insufficient=round(low, 3), excessive=round(high, 3),
                source=band.source.citation,
            )
        )  # fmt: skip
    return out, reason if not out else None


def _severity(p: float) -> Severity:
    return "major" if p >= 0.9 else "moderate" if p >= 0.7 else "minor"


def _evidence(results: Iterable[MetricResult], metric_id: str, direction: str) -> list[Evidence]:
    out = []
    for r in results:
        if r.id != metric_id:
            continue
        dev = -r.insufficient if direction == "insufficient" else r.excessive
        if dev != 0:
            out.append(
                Evidence(
                    keyframe=r.keyframe, frame=r.frame, metric=r.id, measured=r.measured,
                    band=r.band, deviation=dev, label=r.short, unit=r.unit, at=r.at,
                )
            )  # fmt: skip
    return out


def assess(
    spec: AssessmentSpec,
    series: KinematicSeries,
    alignment: AlignmentResult,
    quality: MeasurementQuality | None = None,
) -> Assessment:
    """The assessment of every occurrence ``alignment`` found in ``series``; ``quality``:
    how well each value was measured (kismam/quality.py): a value under its floor is not
    judged, and a problem is never surer than the values it rests on."""
    quality = quality or MeasurementQuality()
    alignment = alignment.searched()  # a bout's cycles are timed, not judged
    occurrences: list[OccurrenceAssessment] = []
    unmeasurable: dict[str, str] = {}
    results: list[MetricResult] = []
    poorly: dict[str, list[str]] = {}
    # One athlete per recording: the leading leg / hitting hand is the majority's, so a
    # stray mirrored match of a right-hander's serve does not read the left arm.
    flags = [o.mirrored for o in alignment.occurrences]
    mirrored = sum(flags) > len(flags) / 2
    for i, occ in enumerate(alignment.occurrences):
        metrics: list[MetricResult] = []
        for metric in spec.metrics:
            found, reason = measure_metric(metric, series, occ.keyframes, i, mirrored, spec)
            for r in found:
                q, weak = quality.of(i, r.keyframe)
                if q < quality.floor:  # measured, but too poorly to judge
                    poorly.setdefault(metric.id, []).extend(f.words for f in weak)
                else:
                    metrics.append(r.model_copy(update={"quality": round(q, 3)}))
            if reason and metric.id not in unmeasurable:
                unmeasurable[metric.id] = reason
        occurrences.append(
            OccurrenceAssessment(
                start=occ.start, end=occ.end, keyframes=occ.keyframes, cost=occ.cost,
                metrics=metrics, references=occ.references, mirrored=occ.mirrored,
                warp_start=occ.warp_start, warp=occ.warp,
            )
        )  # fmt: skip
        results += metrics
    for metric_id, why in poorly.items():
        unmeasurable[metric_id] = (f"measured too poorly to judge ({'; '.join(dict.fromkeys(why))}"
                                   "): film it better to have it judged")  # fmt: skip
    for m in results:  # measured in some occurrence: judged, even if not in every one
        unmeasurable.pop(m.id, None)
    if not alignment.occurrences:
        unmeasurable["motion"] = (
            f"no occurrence of the {spec.motion.replace('_', ' ')} was found in the recording"
        )
    measured_ids = {r.id for r in results}
    channel_value: dict[str, float] = {}
    for metric_id in measured_ids:
        rows = [r for r in results if r.id == metric_id]
        channel_value[f"{metric_id}:insufficient"] = float(
            np.median([r.insufficient for r in rows])
        )
        channel_value[f"{metric_id}:excessive"] = float(np.median([r.excessive for r in rows]))
    problems: list[Problem] = []
    view = _view_of(series)
    for problem in spec.problems:
        if view not in problem.views:
            unmeasurable[problem.id] = view_reason(problem.views, view)
            continue
        usable = {k: w for k, w in problem.weights.items() if k in channel_value}
        if not usable:
            unmeasurable[problem.id] = "none of its metrics could be measured"
            continue
        drive = sum(w * channel_value[k] for k, w in usable.items())
        p = 1.0 / (1.0 + math.exp(-(spec.sensitivity * drive + problem.bias)))
        metric_ids = {k.split(":")[0] for k in usable}
        q = float(np.median([r.quality for r in results if r.id in metric_ids]))
        p = 0.5 + (p - 0.5) * q  # never surer than the values it rests on: towards "cannot say"
        if p < REPORT_AT:
            continue
        evidence = [e for key in usable for e in _evidence(results, *key.split(":"))]
        problems.append(
            Problem(
                id=problem.id, label=problem.label, probability=round(p, 3),
                severity=_severity(p), coach_text=problem.coach_text, evidence=evidence,
                quality=round(q, 3),
            )
        )  # fmt: skip
    return Assessment(
        motion=spec.motion,
        score=_score(results),
        problems=sorted(problems, key=lambda p: -p.probability),
        occurrences=occurrences,
        unmeasurable=unmeasurable,
    )


def _score(results: list[MetricResult]) -> float | None:
    """100 x the mean closeness to band: 1 inside, exp(-deviation) outside; None when no
    metric was measured (nothing judged is not a perfect or a failed technique)."""
    if not results:
        return None
    closeness = [math.exp(-(r.insufficient + r.excessive)) for r in results]
    return round(100.0 * float(np.mean(closeness)), 1)
