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
