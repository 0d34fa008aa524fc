"""Signal cleaning before angles: confidence gating, spike rejection, bounded gap filling,
zero-phase Butterworth low-pass. Works on positions, so angles never wrap inside a filter."""

from __future__ import annotations

import logging
import warnings

import numpy as np
from pydantic import BaseModel, Field
from scipy.signal import butter, filtfilt

from ..pose_sequence import FloatArray, PoseSequence

log = logging.getLogger(__name__)


class FilterSettings(BaseModel):
    """Defaults suit 25-240 fps running/jumping data (docs/kinematics.md)."""

    min_confidence: float = Field(0.3, ge=0, le=1, description="below this a joint is missing")
    max_gap_s: float = Field(0.15, ge=0, description="longest gap filled by interpolation")
    cutoff_hz: float | None = Field(
        8.0, gt=0, description="Butterworth low-pass cutoff; None disables filtering"
    )
    order: int = Field(2, ge=1, le=4, description="per pass; filtfilt doubles it (zero phase)")
    spike_k: float = Field(6.0, gt=0, description="robust z-score above which a frame is a spike")


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of consecutive True values."""
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def reject_spikes(track: FloatArray, k: float, floor: float) -> np.ndarray:
    """Frames where a joint jumps away and back (pose-estimator glitches), as a mask.

    The residual from the neighbours' midpoint is scored against its robust scale over
    the whole track; only isolated jumps larger than ``floor`` (source units) count.
    """
    t = track.shape[0]
    bad = np.zeros(t, dtype=bool)
    if t < 5:
        return bad
    mid = (track[:-2] + track[2:]) / 2
    resid = np.linalg.norm(track[1:-1] - mid, axis=1)
    finite = np.isfinite(resid)
    if finite.sum() < 5:
        return bad
    med = np.median(resid[finite])
    mad = 1.4826 * np.median(np.abs(resid[finite] - med)) + 1e-12
    score = np.where(finite, (resid - med) / mad, 0.0)
    # A spike at t also disturbs the residuals of t-1 and t+1 (by half): keep the peak.
    padded = np.concatenate([[-np.inf], np.where(finite, resid, -np.inf), [-np.inf]])
    peak = (padded[1:-1] >= padded[:-2]) & (padded[1:-1] >= padded[2:])
    bad[1:-1] = (score > k) & (resid > floor) & peak
    return bad


def fill_gaps(values: FloatArray, times: FloatArray, max_gap_s: float) -> FloatArray:
    """Linear interpolation across interior NaN runs no longer than ``max_gap_s``."""
    out = values.copy()
    missing = np.isnan(values)
    for start, stop in runs(missing):
        if start == 0 or stop == len(values):
            continue  # never extrapolate past the ends
        if times[stop] - times[start - 1] > max_gap_s + 1e-9 + (times[start] - times[start - 1]):
            continue
        w = (times[start:stop] - times[start - 1]) / (times[stop] - times[start - 1])
        out[start:stop] = values[start - 1] + w * (values[stop] - values[start - 1])
    return out


def lowpass(values: FloatArray, fps: float, cutoff_hz: float, order: int) -> FloatArray:
    """Zero-phase Butterworth on each finite run long enough for filtfilt's padding."""
    nyquist = fps / 2
    cutoff = min(cutoff_hz, 0.8 * nyquist)
    b, a = butter(order, cutoff / nyquist)
    pad = 3 * (max(len(a), len(b)) - 1)
    out = values.copy()
    for start, stop in runs(np.isfinite(values)):
        if stop - start > pad:
            out[start:stop] = filtfilt(b, a, values[start:stop], padlen=pad)
    return out


def clean_pose(seq: PoseSequence, settings: FilterSettings | None = None) -> PoseSequence:
    """Gate by confidence, drop spikes, fill short gaps, low-pass: a cleaned copy."""
    settings = settings or FilterSettings()
    pos = np.array(seq.positions, dtype=np.float64)
    conf = np.array(seq.confidence, dtype=np.float64)
    pos[conf < settings.min_confidence] = np.nan
    times = seq.frame_times
    scale = _body_scale(pos)
    n_spikes = 0
    for j in range(pos.shape[1]):
        bad = reject_spikes(pos[:, j], settings.spike_k, floor=0.05 * scale)
        n_spikes += int(bad.sum())
        pos[bad, j] = np.nan
        for d in range(pos.shape[2]):
            pos[:, j, d] = fill_gaps(pos[:, j, d], times, settings.max_gap_s)
            if settings.cutoff_hz is not None:
                pos[:, j, d] = lowpass(pos[:, j, d], seq.fps, settings.cutoff_hz, settings.order)
    if n_spikes:
        log.info("rejected %d spike joint-frames in %s", n_spikes, seq.source)
    filled = np.isfinite(pos).all(axis=2) & (conf < settings.min_confidence)
    conf[filled] = settings.min_confidence  # interpolated: present but low confidence
    return seq.replace(positions=pos, confidence=np.where(np.isnan(pos).any(axis=2), 0.0, conf))


def _body_scale(pos: FloatArray) -> float:
    """A robust body size (median spread of joints per frame) in source units."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames with no joint at all
        spread = np.nanmax(pos, axis=1) - np.nanmin(pos, axis=1)
        size = np.nanmedian(np.linalg.norm(spread, axis=1)) if np.isfinite(spread).any() else 1.0
    return float(size) if np.isfinite(size) and size > 0 else 1.0
