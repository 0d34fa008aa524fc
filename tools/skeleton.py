"""The canonical joint vocabulary and how each source skeleton maps onto it.

Every stage speaks canonical snake_case names only; a reader translates its source's
names once, here. Joints a source lacks are simply absent from the sequence.
"""

from __future__ import annotations

from typing import Final

CANONICAL_JOINTS: Final[tuple[str, ...]] = (
    "nose",
    "head",
    "neck",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "pelvis",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_toe",
    "right_toe",
)
"""Fixed order: sequences store their joints in this order (a subset of it)."""

JOINT_INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(CANONICAL_JOINTS)}

SIDES: Final[tuple[str, str]] = ("left", "right")

# Bones used for drawing and for simple plausibility checks (parent, child).
BONES: Final[tuple[tuple[str, str], ...]] = (
    ("head", "neck"),
    ("nose", "neck"),
    ("neck", "pelvis"),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("left_ankle", "left_heel"),
    ("left_ankle", "left_toe"),
    ("left_heel", "left_toe"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("right_ankle", "right_heel"),
    ("right_ankle", "right_toe"),
    ("right_heel", "right_toe"),
)


def mirror_name(joint: str) -> str:
    """left_x <-> right_x; midline joints map to themselves."""
    if joint.startswith("left_"):
        return "right_" + joint[5:]
    if joint.startswith("right_"):
        return "left_" + joint[6:]
    return joint


# ---------------------------------------------------------------------------
# Source skeletons: index (or name) -> canonical name. None = not in the vocabulary.

MEDIAPIPE_33: Final[tuple[str | None, ...]] = (
    "nose", None, None, None, None, None, None, None, None, None, None,
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", None, None, None, None, None, None,
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_toe", "right_toe",
)  # fmt: skip
"""MediaPipe Pose landmarks 0-32 (eyes, ears, mouth, fingers are not canonical)."""

COCO_17: Final[tuple[str | None, ...]] = (
    "nose", None, None, None, None,
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip

HALPE_26: Final[tuple[str | None, ...]] = (
    *COCO_17,
    "head", "neck", "pelvis", "left_toe", "right_toe", None, None, "left_heel", "right_heel",
)  # fmt: skip
"""Halpe-26 = COCO-17 + head, neck, hip (pelvis), big toes, small toes, heels."""

OPENPOSE_BODY_25: Final[tuple[str | None, ...]] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist", "pelvis",
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    None, None, None, None,
    "left_toe", None, "left_heel", "right_toe", None, "right_heel",
)  # fmt: skip

OPENPOSE_COCO_18: Final[tuple[str | None, ...]] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist",
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    None, None, None, None,
)  # fmt: skip

COCO_WHOLEBODY_133: Final[tuple[str | None, ...]] = (
    *COCO_17,
    "left_toe", None, "left_heel", "right_toe", None, "right_heel",
    *([None] * 110),
)  # fmt: skip
"""COCO-WholeBody (RTMW): body 0-16, feet 17-22 (big toe, small toe, heel), face, hands."""

INDEXED_SKELETONS: Final[dict[str, tuple[str | None, ...]]] = {
    "mediapipe33": MEDIAPIPE_33,
    "coco17": COCO_17,
    "halpe26": HALPE_26,
    "openpose_body25": OPENPOSE_BODY_25,
    "openpose_coco18": OPENPOSE_COCO_18,
    "coco_wholebody133": COCO_WHOLEBODY_133,
}


def _lr(stem_left: str, canonical: str) -> dict[str, str]:
    return {f"Left{stem_left}": f"left_{canonical}", f"Right{stem_left}": f"right_{canonical}"}


# Named skeletons (BVH, TRC, DeepMimic). Keys are matched case-insensitively with
# separators removed, so "LeftUpLeg", "left_up_leg" and "l_upleg" styles all work.
NAMED_ALIASES: Final[dict[str, str]] = {
    # BVH: the tennis mocap (Hips, LeftHip, LeftKnee, LeftAnkle, ...) and CMU style
    "Hips": "pelvis",
    "Hip": "pelvis",
    "Pelvis": "pelvis",
    "Root": "pelvis",
    "Neck": "neck",
    "Nose": "nose",
    "Head": "head",
    "HeadEnd": "head",
    # CMU style first: there "LeftShoulder" is the collar and "LeftArm" the shoulder.
    **_lr("Arm", "shoulder"),
    **_lr("ForeArm", "elbow"),
    **_lr("Hand", "wrist"),
    **_lr("UpLeg", "hip"),
    **_lr("Leg", "knee"),
    **_lr("Foot", "ankle"),
    **_lr("ToeBase", "toe"),
    **_lr("Shoulder", "shoulder"),
    **_lr("Elbow", "elbow"),
    **_lr("Wrist", "wrist"),
    **_lr("Thigh", "hip"),
    **_lr("Hip", "hip"),
    **_lr("Knee", "knee"),
    **_lr("Shin", "knee"),
    **_lr("Ankle", "ankle"),
    **_lr("Heel", "heel"),
    **_lr("Toe", "toe"),
    **_lr("BigToe", "toe"),
    **_lr("AnkleEnd", "toe"),
    **_lr("FootEnd", "toe"),
    # TRC from Sports2D / OpenSim markers
    "RShoulder": "right_shoulder",
    "LShoulder": "left_shoulder",
    "RElbow": "right_elbow",
    "LElbow": "left_elbow",
    "RWrist": "right_wrist",
    "LWrist": "left_wrist",
    "RHip": "right_hip",
    "LHip": "left_hip",
    "RKnee": "right_knee",
    "LKnee": "left_knee",
    "RAnkle": "right_ankle",
    "LAnkle": "left_ankle",
    "RHeel": "right_heel",
    "LHeel": "left_heel",
    "RBigToe": "right_toe",
    "LBigToe": "left_toe",
}
"""Order is priority: where two source joints map to one canonical joint (CMU's
"LeftShoulder" collar and "LeftArm"), the alias listed first wins."""


def _normalise(name: str) -> str:
    return name.lower().replace("_", "").replace(" ", "").replace("-", "")


_NORMALISED_ALIASES: Final[dict[str, tuple[str, int]]] = {}
for _rank, (_alias, _canonical) in enumerate(NAMED_ALIASES.items()):
    _NORMALISED_ALIASES.setdefault(_normalise(_alias), (_canonical, _rank))


def canonical_from_name(name: str) -> str | None:
    """Canonical joint for a source joint name, or None if it is not one of ours."""
    hit = canonical_with_priority(name)
    return None if hit is None else hit[0]


def canonical_with_priority(name: str) -> tuple[str, int] | None:
    """(canonical joint, priority rank; lower wins) for a source joint name."""
    if name in JOINT_INDEX:
        return name, -1
    return _NORMALISED_ALIASES.get(_normalise(name))


def map_named_joints(names: list[str]) -> dict[str, str]:
    """Source name -> canonical name for the best source joint per canonical joint."""
    best: dict[str, tuple[int, str]] = {}
    for name in names:
        hit = canonical_with_priority(name)
        if hit is None:
            continue
        canonical, rank = hit
        if canonical not in best or rank < best[canonical][0]:
            best[canonical] = (rank, name)
    return {source: canonical for canonical, (_, source) in best.items()}


def order_joints(names: list[str] | tuple[str, ...]) -> list[str]:
    """Sort canonical names into the vocabulary's fixed order."""
    return sorted(names, key=JOINT_INDEX.__getitem__)
