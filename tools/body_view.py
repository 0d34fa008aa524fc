"""A body at one instant as a flat side-view figure: what keyframe images draw.

The athlete's pose is drawn over the video frame in pixels; the elite's pose (stored in
each reference, normalised) is drawn beside it at the athlete's size, facing the same
way, so a coach compares shapes, not camera set-ups.
"""

from __future__ import annotations

import numpy as np

from .pose_sequence import FloatArray, PoseSequence
from .projection import project
from .skeleton import mirror_name

FlatPose = dict[str, tuple[float, float]]
"""joint -> (x, y): hip centre at 0, y up, facing +x, hip-to-shoulder (trunk) length 1."""


def side_view(seq: PoseSequence) -> PoseSequence:
    """The sequence as a side camera sees it: 2D as recorded, 3D mocap projected."""
    return project(seq, "side") if seq.dims == 3 else seq


def image_joints(seq2d: PoseSequence, frame: int) -> dict[str, FloatArray]:
    """The joints seen at ``frame`` of a 2D sequence, in its pixels (y down)."""
    return {
        name: seq2d.positions[frame, k]
        for k, name in enumerate(seq2d.joints)
        if np.isfinite(seq2d.positions[frame, k]).all() and seq2d.confidence[frame, k] > 0
    }


def _mid(joints: dict[str, FloatArray], a: str, b: str, fallback: str) -> FloatArray | None:
    if a in joints and b in joints:
        return (joints[a] + joints[b]) / 2
    return joints.get(fallback)


def hip_centre(joints: dict[str, FloatArray]) -> FloatArray | None:
    return _mid(joints, "left_hip", "right_hip", "pelvis")


def trunk_length(joints: dict[str, FloatArray]) -> float | None:
    """Hip centre to shoulder centre (or neck): the body's scale in any camera."""
    hips = hip_centre(joints)
    shoulders = _mid(joints, "left_shoulder", "right_shoulder", "neck")
    if hips is None or shoulders is None:
        return None
    length = float(np.linalg.norm(shoulders - hips))
    return length if length > 0 else None


def facing_sign(joints: dict[str, FloatArray]) -> float:
    """+1 when the body faces image +x, -1 when it faces -x: the feet point the way the
    athlete faces; the nose ahead of the shoulders decides when no foot is seen."""
    toes = [
        joints[f"{side}_toe"][0] - joints[back][0]
        for side in ("left", "right")
        for back in (f"{side}_heel", f"{side}_ankle")
        if f"{side}_toe" in joints and back in joints
    ]
    if toes and abs(sum(toes)) > 0:
        return float(np.sign(sum(toes)))
    shoulders = _mid(joints, "left_shoulder", "right_shoulder", "neck")
    if "nose" in joints and shoulders is not None and joints["nose"][0] != shoulders[0]:
        return float(np.sign(joints["nose"][0] - shoulders[0]))
    return 1.0


def flatten(joints: dict[str, FloatArray]) -> FlatPose:
    """Pixel joints (y down) as a FlatPose; empty when the trunk is not seen."""
    hips, trunk = hip_centre(joints), trunk_length(joints)
    if hips is None or trunk is None:
        return {}
    facing = facing_sign(joints)
    return {
        name: (round(float(facing * (p[0] - hips[0]) / trunk), 4),
               round(float(-(p[1] - hips[1]) / trunk), 4))
        for name, p in joints.items()
    }  # fmt: skip


def key_poses(seq: PoseSequence, keyframes: dict[str, int]) -> dict[str, FlatPose]:
    """The body at each keyframe of ``seq``, as a side camera sees it."""
    flat = side_view(seq)
    poses = {name: flatten(image_joints(flat, frame)) for name, frame in keyframes.items()}
    return {name: pose for name, pose in poses.items() if pose}


def trajectory(seq: PoseSequence, start: int, end: int) -> list[FlatPose]:
    """The body over frames ``start..end`` as a side camera sees it, one FlatPose per
    frame in one frame of reference: the first frame's hip centre at 0, y up, facing +x
    (the majority's facing), lengths in the median trunk length. Unlike ``key_poses``
    it keeps the travel (a jump moves forward). A frame whose trunk is not seen is {}."""
    flat = side_view(seq)
    frames = [image_joints(flat, f) for f in range(start, end + 1)]
    trunks = [t for j in frames if (t := trunk_length(j)) is not None]
    hips = next((h for j in frames if (h := hip_centre(j)) is not None), None)
    if not trunks or hips is None:
        return [{} for _ in frames]
    scale = float(np.median(trunks))
    facing = float(np.sign(sum(facing_sign(j) for j in frames if j)) or 1.0)
    return [
        {name: (round(float(facing * (p[0] - hips[0]) / scale), 3),
                round(float(-(p[1] - hips[1]) / scale), 3))
         for name, p in joints.items()} if trunk_length(joints) is not None else {}
        for joints in frames
    ]  # fmt: skip


def mirrored(pose: FlatPose) -> FlatPose:
    """The same picture with left and right named the other way (a mirrored match)."""
    return {mirror_name(name): xy for name, xy in pose.items()}


def placed(pose: FlatPose, hips: FloatArray, trunk: float, facing: float) -> dict[str, FloatArray]:
    """A FlatPose in an image's pixels: hip centre at ``hips``, trunk ``trunk`` px long,
    facing ``facing`` (+1 / -1 along x)."""
    return {
        name: np.array([hips[0] + facing * x * trunk, hips[1] - y * trunk])
        for name, (x, y) in pose.items()
    }
