"""Recompute a motion's elite bands from a folder of recordings of elite athletes.

Each recording is aligned with the motion's templates; every metric is measured at every
occurrence's keyframes; a band becomes mean +/- k SD of those measurements, its source
"statistics" with the population size. Metrics with fewer than ``min_samples``
measurements keep their old band (and are reported), never a band from too little data.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ..errors import SportsGPTError
from ..kinematics import compute_kinematics
from ..motiondtw.align import align
from ..motiondtw.library import load_motion_references
from ..pose_sequence import PoseSequence
from .assess import measure_metric
from .spec import AssessmentSpec, Band, BandSource

log = logging.getLogger(__name__)


class CalibrationReport(BaseModel):
    recordings: int
    occurrences: int
    updated: dict[str, int]
    kept: dict[str, str]


def calibrate_bands(
    spec: AssessmentSpec,
    recordings: list[PoseSequence],
    *,
    k_sd: float = 2.0,
    min_samples: int = 5,
    label: str = "elite recordings",
    keyframes: list[list[dict[str, int]]] | None = None,
    athletes: list[str] | None = None,
) -> tuple[AssessmentSpec, CalibrationReport]:
    """A copy of ``spec`` whose bands are statistics of ``recordings``.

    Keyframes come from aligning each recording with the motion's templates, or, when
    known (mocap event rules), from ``keyframes``: one list of occurrences per recording.
    ``athletes`` names each recording's athlete: with two or more, the band is centred on
    the mean of the athletes' means (each athlete counts once, however many trials) and
    its SD holds the spread between athletes as well as between one athlete's trials.
    """
    if athletes is not None and len(athletes) != len(recordings):
        raise SportsGPTError("one athlete name per recording is needed")
    if not recordings:
        raise SportsGPTError("no recordings to calibrate on")
    if k_sd <= 0:
        raise SportsGPTError(f"k must be positive, got {k_sd}")
    if keyframes is not None and len(keyframes) != len(recordings):
        raise SportsGPTError("one keyframe list per recording is needed")
    refs = load_motion_references(spec.motion) if keyframes is None else []
    values: dict[str, list[float]] = {m.id: [] for m in spec.metrics}
    who: dict[str, list[str]] = {m.id: [] for m in spec.metrics}
    occurrences = 0
    for n, seq in enumerate(recordings):
        series = compute_kinematics(seq)
        found_kfs = (
            [o.keyframes for o in align(seq, refs, kinematics=series).searched().occurrences]
            if keyframes is None
            else keyframes[n]
        )
        occurrences += len(found_kfs)
        for i, kfs in enumerate(found_kfs):
            for metric in spec.metrics:
                found, _ = measure_metric(metric, series, kfs, i)
                values[metric.id] += [r.measured for r in found]
                who[metric.id] += [athletes[n] if athletes else str(n)] * len(found)
    metrics, updated, kept = [], {}, {}
    for metric in spec.metrics:
        samples = np.asarray(values[metric.id])
        if len(samples) < min_samples:
            kept[metric.id] = f"{len(samples)} measurements (< {min_samples}); band unchanged"
            metrics.append(metric)
            continue
        mean, sd, spread = _centre_and_spread(samples, who[metric.id] if athletes else None)
        sd = max(sd, 1e-6)
        band = Band(
            min=round(mean - k_sd * sd, 3),
            max=round(mean + k_sd * sd, 3),
            source=BandSource(
                kind="statistics",
                citation=f"{label}: {len(recordings)} recordings, {len(samples)} measurements",
                population=len(samples),
                k_sd=k_sd,
                note=f"mean {mean:.3f}, SD {sd:.3f}{spread}",
            ),
        )
        metrics.append(metric.model_copy(update={"band": band}))
        updated[metric.id] = len(samples)
    report = CalibrationReport(
        recordings=len(recordings), occurrences=occurrences, updated=updated, kept=kept
    )
    return spec.model_copy(update={"metrics": metrics}), report


def athlete_of(path: str | Path) -> str:
    """Whose recording a file is, by the naming convention ``ATHLETE_anything``
    (``jduribe_Servicio.bvh`` -> ``jduribe``)."""
    return Path(path).name.split("_")[0]


def _centre_and_spread(samples: np.ndarray, athletes: list[str] | None) -> tuple[float, float, str]:
    """(mean, SD, note): plain statistics, or with athletes given (two or more), the mean
    of their means and SD = sqrt(pooled within-athlete variance + variance of the
    athletes' means), so the band is as wide as elite athletes differ from each other."""
    names = sorted(set(athletes or []))
    if len(names) < 2:
        return float(np.mean(samples)), float(np.std(samples, ddof=1)), ""
    groups = [samples[[a == n for a in athletes or []]] for n in names]
    means = np.array([float(np.mean(g)) for g in groups])
    dof = sum(len(g) - 1 for g in groups)
    within = sum(float(np.sum((g - np.mean(g)) ** 2)) for g in groups) / dof if dof else 0.0
    between = float(np.var(means, ddof=1))
    sd = float(np.sqrt(within + between))
    each = ", ".join(f"{n} {m:.3f}" for n, m in zip(names, means, strict=True))
    note = (f"; {len(names)} athletes ({each}), within SD {np.sqrt(within):.3f}, "
            f"between SD {np.sqrt(between):.3f}")  # fmt: skip
    return float(np.mean(means)), sd, note


def save_spec(spec: AssessmentSpec, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(spec.model_dump_json(indent=1, exclude_none=True) + "\n")
    return path
