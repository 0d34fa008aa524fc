"""Where the camera stands round the athlete (0 in front, 90 at the side, 180 behind),
from the skeleton's width and left-right order; the capture check calls a square view
from behind "behind"."""

from __future__ import annotations

import numpy as np
import pytest

from sportsgpt.tools.kinematics.body_frame import camera_azimuth
from sportsgpt.tools.pose_sequence import PoseSequence

JOINTS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def trunk(azimuth_deg: float, frames: int = 30) -> PoseSequence:
    """A trunk 100 px long, 60 px wide seen square (x image right, y down), turned so the
    camera stands ``azimuth_deg`` round it: its left side is on the image's right when
    it faces the camera."""
    half = 30 * np.cos(np.radians(azimuth_deg))
    points = np.array([[500 + half, 300], [500 - half, 300], [500 + half, 400],
                       [500 - half, 400]], dtype=float)  # fmt: skip
    positions = np.repeat(points[None], frames, axis=0)
    positions += np.random.default_rng(0).normal(0, 0.5, positions.shape)
    return PoseSequence(joints=JOINTS, positions=positions, confidence=np.ones((frames, 4)),
                        fps=30.0, units="px", skeleton="test", source="synthetic")  # fmt: skip


@pytest.mark.parametrize("azimuth", [0.0, 45.0, 90.0, 135.0, 180.0])
def test_the_azimuth_comes_back_from_the_skeleton(azimuth: float) -> None:
    assert camera_azimuth(trunk(azimuth)) == pytest.approx(azimuth, abs=6.0)


def test_no_azimuth_without_the_trunk_or_in_3d() -> None:
    seq = trunk(0.0)
    hips_lost = seq.positions.copy()
    hips_lost[:, 2:] = np.nan
    assert camera_azimuth(seq.replace(positions=hips_lost)) is None
    deep = np.concatenate([seq.positions, np.zeros((30, 4, 1))], axis=2)
    assert camera_azimuth(seq.replace(positions=deep, units="m")) is None
