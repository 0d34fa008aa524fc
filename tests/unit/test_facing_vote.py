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
