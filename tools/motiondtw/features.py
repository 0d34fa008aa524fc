"""Per-frame feature vectors for alignment: joint/segment angles and their velocities.

Both sides go through the same kinematics (tools/kinematics), so 2D video and 3D mocap
share definitions. Channels are z-normalised with the *reference's* statistics, so a
query that moves with less amplitude (walking vs sprinting) costs more, not less.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from ..errors import MotionInputError, SportsGPTError
from ..kinematics import FilterSettings, compute_kinematics
from ..kinematics.series import KinematicSeries
from ..pose_sequence import PoseSequence
from ..projection import CameraView, project
from ..skeleton import mirror_name

FloatArray = npt.NDArray[np.float64]

CANDIDATE_ANGLES: tuple[str, ...] = (
    "trunk_lean",
    "left_hip_flexion",
    "right_hip_flexion",
    "left_knee_flexion",
    "right_knee_flexion",
    "left_thigh_angle",
    "right_thigh_angle",
    "left_shin_angle",
    "right_shin_angle",
    "left_shoulder_flexion",
    "right_shoulder_flexion",
    "left_elbow_flexion",
    "right_elbow_flexion",
    "left_foot_ahead_of_hip",
    "right_foot_ahead_of_hip",
    "left_foot_below_hip",
    "right_foot_below_hip",
    "left_wrist_above_shoulder",
    "right_wrist_above_shoulder",
    "com_height",
    "pelvis_height",
)
"""Sagittal channels the kinematics stage computes in 2D side views and in 3D alike.
Ankle angles are left out: mocap feet are often rigid (the SIE runs move the ankle by 1-2
degrees) and video toes are the least reliable keypoints; they mislead timing."""

DEFAULT_ARM_WEIGHT = 0.5
"""Arm swing differs most between runners; a reference may weigh arms differently (a
serve is mostly arm)."""

EVENT_CHANNELS: tuple[str, ...] = (
    "left_wrist_height", "right_wrist_height",
    "left_heel_ahead_of_hip", "right_heel_ahead_of_hip",
    "left_toe_ahead_of_hip", "right_toe_ahead_of_hip",
    "left_heel_height", "right_heel_height",
    "left_foot_clearance", "right_foot_clearance", "left_toe_clearance", "right_toe_clearance",
)  # fmt: skip
"""Read for keyframe event rules (refine.py) but not aligned on."""

SEGMENT_ANGLES = ("trunk_lean", "thigh_angle", "shin_angle")
"""Angles to the vertical: wrapped to (-180, 180] so both series sit on one branch."""

ANGLE_SD_FLOOR = 10.0  # degrees
VELOCITY_SD_FLOOR = 50.0  # degrees per second
LENGTH_SD_FLOOR = 0.05  # leg lengths (foot position channels)
LENGTH_VELOCITY_SD_FLOOR = 0.5  # leg lengths per second
VELOCITY_WEIGHT = 0.5
SHAPE_FLOOR = 0.3
"""Shape-only features never scale a window up by more than 1 / 0.3 of the template's
spread, so standing still does not turn jitter into motion."""


class ChannelStats(BaseModel):
    """How a reference scales each channel: (value - its moving mean) / sd * sqrt(weight)."""

    names: list[str]
    sd: list[float]
    weight: list[float]


class FeatureSet(BaseModel):
    """Angle channels of one sequence (degrees, NaN-free) at its own frame numbering."""

    model_config = {"arbitrary_types_allowed": True}

    angles: dict[str, FloatArray]
    fps: float
    frames: int
    dims: int
    view: str
    source: str
    reliability: dict[str, FloatArray] = Field(
        default_factory=dict,
        description="channel -> per-frame trust 0..1 (0 where the channel was filled over a "
        "gap in the keypoints); a channel not listed is trusted everywhere",
    )

    def values(self, names: list[str]) -> FloatArray:
        return np.stack([self.angles[n] for n in names], axis=1)


class AlignmentInputError(SportsGPTError):
    """Series that cannot be aligned (too short, missing channels, no keyframes...)."""


def _wrap(values: FloatArray) -> FloatArray:
    return np.asarray((values + 180.0) % 360.0 - 180.0, dtype=np.float64)


def _fill(name: str, values: FloatArray, source: str) -> FloatArray:
    """Interpolate the gaps kinematics left (long occlusions); all-NaN is an error."""
    ok = np.isfinite(values)
    if not ok.any():
        raise MotionInputError(source, f"channel {name} has no valid value in any frame")
    if ok.all():
        return values
    idx = np.arange(len(values))
    return np.interp(idx, idx[ok], values[ok])


def match_dims(query: PoseSequence, reference_dims: int, reference_view: str) -> PoseSequence:
    """Project a 3D query to a 2D reference's camera view (2D vs 3D is not comparable)."""
    if query.dims == 3 and reference_dims == 2:
        views: dict[str, CameraView] = {"side": "side", "front": "front", "oblique": "oblique"}
        return project(query, views.get(reference_view, "side"))
    return query


def angle_features(
    seq: PoseSequence,
    settings: FilterSettings | None = None,
    series: KinematicSeries | None = None,
) -> FeatureSet:
    """Every candidate angle channel this sequence supports, gaps filled (``series``: the
    sequence's kinematics when the caller has computed them already)."""
    series = series or compute_kinematics(seq, settings=settings)
    angles: dict[str, FloatArray] = {}
    reliability: dict[str, FloatArray] = {}
    for name in (*CANDIDATE_ANGLES, *EVENT_CHANNELS):
        if name not in series.channels:
            continue
        values = np.asarray(series.as_measured(name), dtype=np.float64)
        observed = np.isfinite(values)
        if not observed.any():
            continue
        if name.endswith(SEGMENT_ANGLES):
            values = _wrap(values)
        angles[name] = _fill(name, values, seq.source)
        if not observed.all():
            reliability[name] = observed.astype(np.float64)
    if len(set(angles) - set(EVENT_CHANNELS)) < 3:
        raise MotionInputError(
            seq.source, f"only {len(angles)} usable angle channels; alignment needs at least 3"
        )
    return FeatureSet(
        angles=angles,
        fps=series.fps,
        frames=seq.n_frames,
        dims=seq.dims,
        view=series.view,
        source=seq.source,
        reliability=reliability,
    )


def channel_stats(
    features: FeatureSet,
    names: list[str],
    arm_weight: float = DEFAULT_ARM_WEIGHT,
    weights: dict[str, float] | None = None,
) -> ChannelStats:
    """Reference statistics for the channels and their velocities; ``weights`` overrides
    a channel's weight (0 leaves it out)."""
    out_names, sd, weight = [], [], []
    for name in names:
        if weights is not None and weights.get(name, 1.0) == 0.0:
            continue
        values = features.angles[name]
        velocity = np.gradient(values) * features.fps
        out_names += [name, f"{name}_velocity"]
        is_length = name.endswith(("_hip", "_shoulder", "_height"))  # in leg lengths
        sd += [
            max(float(np.std(values)), LENGTH_SD_FLOOR if is_length else ANGLE_SD_FLOOR),
            max(
                float(np.std(velocity)),
                LENGTH_VELOCITY_SD_FLOOR if is_length else VELOCITY_SD_FLOOR,
            ),
        ]
        w = arm_weight if ("shoulder" in name or "elbow" in name or "wrist" in name) else 1.0
        if weights is not None and name in weights:
            w = weights[name]
        weight += [w, w * VELOCITY_WEIGHT]
    return ChannelStats(names=out_names, sd=sd, weight=weight)


def moving_mean(values: FloatArray, window: int) -> FloatArray:
    """Centred moving average (edges use the frames available)."""
    window = max(1, min(window, len(values)))
    csum = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(len(values))
    lo = np.clip(idx - window // 2, 0, len(values))
    hi = np.clip(idx - window // 2 + window, 0, len(values))
    return np.asarray((csum[hi] - csum[lo]) / (hi - lo))


def feature_matrix(
    features: FeatureSet,
    stats: ChannelStats,
    *,
    mirrored: bool = False,
    level_window: int | None = None,
    shape_only: bool = False,
) -> FloatArray:
    """(T, C) normalised features; ``mirrored`` reads left channels as right and back.

    Angles are taken relative to their moving mean over ``level_window`` frames (the
    template's duration; None = the whole series): athletes differ in posture offsets
    (trunk lean, hip angle) far more than in timing, and offsets must not drive timing.
    Amplitudes are kept, so a walk still costs more than a run against a run template.
    """
    columns = []
    for name, sd, weight in zip(stats.names, stats.sd, stats.weight, strict=True):
        is_velocity = name.endswith("_velocity")
        base = name.removesuffix("_velocity") if is_velocity else name
        source = mirror_name(base) if mirrored else base
        if source not in features.angles:
            raise AlignmentInputError(f"{features.source} lacks channel {source}")
        values = features.angles[source]
        if is_velocity:
            values = np.gradient(values) * features.fps
        else:
            level = moving_mean(values, level_window) if level_window else np.mean(values)
            values = values - level
        if shape_only:  # amplitude-free: each window scaled to unit RMS (floored)
            power = moving_mean(values**2, level_window) if level_window else np.mean(values**2)
            values = values / np.maximum(np.sqrt(power), SHAPE_FLOOR * sd)
        else:
            values = values / sd
        columns.append(values * np.sqrt(weight))
    return np.ascontiguousarray(np.stack(columns, axis=1), dtype=np.float64)


def trust_matrix(
    features: FeatureSet, stats: ChannelStats, *, mirrored: bool = False
) -> FloatArray:
    """(T, C) reliability of each column of ``feature_matrix``; a velocity is trusted as
    little as the less trusted of the frames it is taken from."""
    columns = []
    for name in stats.names:
        is_velocity = name.endswith("_velocity")
        base = name.removesuffix("_velocity") if is_velocity else name
        source = mirror_name(base) if mirrored else base
        trust = features.reliability.get(source)
        if trust is None:
            columns.append(np.ones(features.frames))
            continue
        if is_velocity:
            before = np.concatenate([trust[:1], trust[:-1]])
            after = np.concatenate([trust[1:], trust[-1:]])
            trust = np.minimum(trust, np.minimum(before, after))
        columns.append(np.asarray(trust, dtype=np.float64))
    return np.ascontiguousarray(np.stack(columns, axis=1), dtype=np.float64)


def interp_frames(values: FloatArray, t_from: FloatArray, t_to: FloatArray) -> FloatArray:
    """Linear interpolation of (T, ...) frames sampled at ``t_from`` onto ``t_to``."""
    flat = values.reshape(values.shape[0], -1)
    out = np.stack([np.interp(t_to, t_from, flat[:, c]) for c in range(flat.shape[1])], axis=1)
    return np.ascontiguousarray(out.reshape((len(t_to), *values.shape[1:])))


def resample(matrix: FloatArray, fps_from: float, fps_to: float) -> FloatArray:
    """Linear resampling of (T, C) features to another frame rate."""
    if abs(fps_from - fps_to) < 1e-9:
        return matrix
    t_from = np.arange(matrix.shape[0]) / fps_from
    return interp_frames(matrix, t_from, np.arange(0.0, t_from[-1] + 1e-9, 1.0 / fps_to))
