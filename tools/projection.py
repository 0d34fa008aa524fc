"""Project 3D sequences (metres, y up) to a 2D camera view in pixels.

A pinhole camera stands still, level, at hip height, looking at the middle of the
athlete's path: ``side`` from the athlete's right (travel runs left to right in the
image), ``front`` facing the athlete, ``oblique`` 45 degrees between the two, or any
azimuth round the athlete (0 their right side, 90 the front, 180 the left, 270 behind). The
distance is chosen so the whole motion fills about 80 % of the frame width. This lets
mocap stand in for video-derived keypoints (pixels, y down).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .errors import InvalidPoseError, MissingJointError
from .pose_sequence import FloatArray, PoseSequence

CameraView = Literal["side", "front", "oblique"]
VIEW_AZIMUTH: dict[str, float] = {"side": 0.0, "oblique": 45.0, "front": 90.0}
"""Each named view's camera azimuth round the athlete, degrees from their right side
towards their front."""
_UP = np.array([0.0, 1.0, 0.0])


def facing_direction(seq: PoseSequence) -> FloatArray:
    """Unit horizontal vector of the athlete's travel (or of the way the hips face)."""
    if seq.dims != 3:
        raise InvalidPoseError("facing_direction needs a 3D sequence")
    centre = _hip_centre(seq)
    valid = centre[~np.isnan(centre).any(axis=1)]
    travel = valid[-1] - valid[0] if len(valid) > 1 else np.zeros(3)
    travel[1] = 0.0
    if np.linalg.norm(travel) > 0.5:
        return travel / np.linalg.norm(travel)
    if not seq.has("left_hip", "right_hip"):
        raise MissingJointError("facing direction", ["left_hip", "right_hip"])
    left = np.nanmean(seq.joint("left_hip") - seq.joint("right_hip"), axis=0)
    fwd = np.cross(left, _UP)
    fwd[1] = 0.0
    norm = np.linalg.norm(fwd)
    if not np.isfinite(norm) or norm == 0:
        raise InvalidPoseError("cannot tell which way the athlete faces")
    return np.asarray(fwd / norm)


def _hip_centre(seq: PoseSequence) -> FloatArray:
    if seq.has("left_hip", "right_hip"):
        return (seq.joint("left_hip") + seq.joint("right_hip")) / 2
    if seq.has("pelvis"):
        return seq.joint("pelvis").copy()
    raise MissingJointError("projection", ["left_hip", "right_hip"])


def project(
    seq: PoseSequence,
    view: CameraView = "side",
    *,
    image_size: tuple[int, int] = (1920, 1080),
    focal_px: float | None = None,
    camera_height_m: float | None = None,
    azimuth_deg: float | None = None,
) -> PoseSequence:
    """A 2D pixel sequence of ``seq`` as seen by a still camera from ``view`` (at
    ``azimuth_deg`` round the athlete when given; ``view`` then only labels it)."""
    if seq.dims != 3 or seq.units != "m":
        raise InvalidPoseError("only 3D sequences in metres can be projected")
    width, height = image_size
    focal = focal_px if focal_px is not None else 1.2 * width  # ~45 deg horizontal field
    fwd = facing_direction(seq)
    right = np.cross(fwd, _UP)  # athlete's right
    angle = np.radians(VIEW_AZIMUTH[view] if azimuth_deg is None else azimuth_deg)
    # Camera looks along -toward: from the athlete's right (side) round to the front.
    toward = np.cos(angle) * right + np.sin(angle) * fwd  # from subject to camera
    look = -toward
    cam_x = np.cross(look, _UP)
    cam_x /= np.linalg.norm(cam_x)
    pts = seq.positions.reshape(-1, 3)
    valid = pts[~np.isnan(pts).any(axis=1)]
    centre = (valid.min(axis=0) + valid.max(axis=0)) / 2
    centre[1] = (
        camera_height_m
        if camera_height_m is not None
        else float(np.nanmedian(_hip_centre(seq)[:, 1]))
    )
    span_h = float(np.ptp(valid @ cam_x))
    span_v = float(np.ptp(valid[:, 1]))
    depth_span = float(np.ptp(valid @ look))
    distance = max(span_h / (0.8 * width), span_v / (0.8 * height)) * focal + depth_span / 2
    distance = max(distance, 2.0 + depth_span / 2)
    cam = centre + toward * distance
    rel = seq.positions - cam
    z = rel @ look
    if (z[~np.isnan(z)] <= 0.1).any():
        raise InvalidPoseError("the motion passes behind the virtual camera")
    u = focal * (rel @ cam_x) / z + width / 2
    v = -focal * (rel @ _UP) / z + height / 2
    return PoseSequence(
        joints=seq.joints,
        positions=np.stack([u, v], axis=-1),
        confidence=seq.confidence.copy(),
        fps=seq.fps,
        units="px",
        skeleton=seq.skeleton,
        source=f"{seq.source} (projected: {view} view)",
        times=seq.times,
        person_id=seq.person_id,
        view=view,
        image_size=(width, height),
    )
