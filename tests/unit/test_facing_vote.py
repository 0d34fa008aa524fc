"""A split facing vote (feet turned apart) still flips when the image is mirrored."""

from __future__ import annotations

import numpy as np

from sportsgpt.tools.kinematics.body_frame import facing_sign_2d
from sportsgpt.tools.pose_sequence import PoseSequence


def stance(mirror: bool) -> PoseSequence:
    # left foot points image-right by 30 px, right foot image-left by 10 px: a tie of signs
    coords = {
        "left_heel": [100.0, 500.0], "left_toe": [130.0, 500.0],
        "right_heel": [200.0, 500.0], "right_toe": [190.0, 500.0],
    }  # fmt: skip
    arrays = {k: np.tile(v, (5, 1)) for k, v in coords.items()}
    if mirror:
        for v in arrays.values():
            v[:, 0] = 1000.0 - v[:, 0]
    return PoseSequence.from_joint_dict(
        arrays, fps=30.0, units="px", skeleton="test", source="stance"
    )


def test_split_vote_follows_the_larger_offsets_and_mirrors() -> None:
    assert facing_sign_2d(stance(mirror=False)) == 1.0
    assert facing_sign_2d(stance(mirror=True)) == -1.0


def test_hinge_angles_never_gain_whole_turns() -> None:
    """An arm swinging overhead (a serve seen from the side) keeps the elbow in range."""
    from sportsgpt.tools.kinematics import compute_kinematics

    t = np.linspace(0, 4 * np.pi, 120)
    shoulder = np.tile([500.0, 300.0], (120, 1))
    elbow = shoulder + np.stack([80 * np.sin(t), -80 * np.cos(t)], axis=1)  # full circles
    wrist = elbow + np.stack([70 * np.sin(2 * t), -70 * np.cos(2 * t)], axis=1)  # forearm spins

    def still(x: float, y: float) -> np.ndarray:
        return np.tile([x, y], (120, 1))

    joints = {
        "left_shoulder": shoulder, "right_shoulder": still(505.0, 300.0),
        "left_hip": still(500.0, 600.0), "right_hip": still(505.0, 600.0),
        "right_elbow": elbow, "right_wrist": wrist,
        "right_knee": still(505.0, 800.0), "right_ankle": still(505.0, 1000.0),
    }  # fmt: skip
    seq = PoseSequence.from_joint_dict(
        joints, fps=30.0, units="px", skeleton="test", source="circles", view="side"
    )
    series = compute_kinematics(seq, settings=None)
    elbow_flexion = series.channels["right_elbow_flexion"]
    assert np.nanmax(np.abs(elbow_flexion)) <= 180.0


def crouch(mirror: bool, lying: bool = False) -> PoseSequence:
    """A skier's legs only (no toes, no face): knees bent forwards, upright or lying
    (rotated 90 degrees in the image, as in flight); facing image-right unless mirrored."""
    hip, knee, ankle = np.array([0.0, 0.0]), np.array([40.0, 60.0]), np.array([0.0, 120.0])
    points = {"hip": hip, "knee": knee, "ankle": ankle}
    if lying:  # y down: the head to the right, the feet to the left, front facing down
        points = {k: np.array([-v[1], v[0]]) for k, v in points.items()}
    arrays = {}
    for side, dx in (("left", 0.0), ("right", 8.0)):
        for name, p in points.items():
            xy = np.tile(p + np.array([500.0 + dx, 300.0]), (6, 1))
            if mirror:
                xy[:, 0] = 1000.0 - xy[:, 0]
            arrays[f"{side}_{name}"] = xy
    return PoseSequence.from_joint_dict(arrays, fps=30.0, units="px", skeleton="t", source="ski")


def test_bent_knees_give_the_facing_without_feet_or_face() -> None:
    assert facing_sign_2d(crouch(mirror=False)) == 1.0
    assert facing_sign_2d(crouch(mirror=True)) == -1.0
    # lying in the air (rotated in the image) keeps the answer; its mirror flips it
    assert facing_sign_2d(crouch(mirror=False, lying=True)) == facing_sign_2d(crouch(False))
    assert facing_sign_2d(crouch(mirror=True, lying=True)) == -1.0
