"""Angles on hand-built skeletons whose true angles are known."""

import numpy as np
import pytest

from sportsgpt.tools.errors import MissingJointError
from sportsgpt.tools.kinematics import FilterSettings, compute_kinematics
from sportsgpt.tools.kinematics.body_frame import estimate_view
from sportsgpt.tools.pose_sequence import PoseSequence

RAW = FilterSettings(cutoff_hz=None)


def _side_pose(knee_deg: float, facing: float = 1.0, frames: int = 12) -> PoseSequence:
    """Metric 2D side view (y up): upright trunk, thigh forward at 45 deg, knee bent."""
    th = np.radians(45.0)
    hip = np.array([0.0, 1.0])
    knee = hip + 0.45 * np.array([np.sin(th), -np.cos(th)])
    shank_dir = th - np.radians(knee_deg)
    ankle = knee + 0.45 * np.array([np.sin(shank_dir), -np.cos(shank_dir)])
    toe = ankle + np.array([0.15, 0.0])
    pts = {
        "left_shoulder": [0.0, 1.5],
        "right_shoulder": [0.01, 1.5],
        "left_hip": hip,
        "right_hip": hip + np.array([0.01, 0.0]),
        "left_knee": knee,
        "right_knee": knee,
        "left_ankle": ankle,
        "right_ankle": ankle,
        "left_toe": toe,
        "right_toe": toe,
    }
    coords = {k: np.tile(np.asarray(v, float) * [facing, 1.0], (frames, 1)) for k, v in pts.items()}
    return PoseSequence.from_joint_dict(
        coords, fps=30.0, units="m", skeleton="t", source="t", view="side"
    )


@pytest.mark.parametrize("knee", [0.0, 30.0, 90.0])
@pytest.mark.parametrize("facing", [1.0, -1.0])
def test_sagittal_angles_match_construction_either_facing(knee: float, facing: float) -> None:
    k = compute_kinematics(_side_pose(knee, facing), settings=RAW)
    assert k.channels["left_knee_flexion"][0] == pytest.approx(knee, abs=1e-6)
    assert k.channels["left_hip_flexion"][0] == pytest.approx(45.0, abs=1e-6)
    assert k.channels["left_thigh_angle"][0] == pytest.approx(45.0, abs=1e-6)
    assert k.channels["left_shin_angle"][0] == pytest.approx(90.0 + (45.0 - knee), abs=1e-6)
    # foot horizontal, shank tilted by (45 - knee) from vertical
    assert k.channels["left_ankle_dorsiflexion"][0] == pytest.approx(-(45.0 - knee), abs=1e-6)
    assert k.channels["trunk_lean"][0] == pytest.approx(0.0, abs=1.0)
    assert k.facing == facing
    assert "left_knee_valgus" in k.unmeasurable  # a side view cannot show the frontal plane


def test_pixels_are_y_down() -> None:
    metric = _side_pose(60.0)
    px = metric.replace(
        positions=np.array(metric.positions) * [100.0, -100.0] + [500, 800], units="px"
    )
    k = compute_kinematics(px, settings=RAW)
    assert k.channels["left_knee_flexion"][0] == pytest.approx(60.0, abs=1e-6)


def test_missing_joint_is_named() -> None:
    seq = _side_pose(20.0)
    keep = [j for j in seq.joints if "toe" not in j]
    idx = [seq.joints.index(j) for j in keep]
    no_toes = PoseSequence(
        joints=tuple(keep),
        positions=seq.positions[:, idx],
        confidence=seq.confidence[:, idx],
        fps=30,
        units="m",
        skeleton="t",
        source="t",
        view="side",
    )
    k = compute_kinematics(no_toes, settings=RAW)
    assert "left_toe" in k.unmeasurable["left_ankle_dorsiflexion"]
    assert "left_knee_flexion" in k.channels


def test_view_estimate_from_proportions() -> None:
    side = _side_pose(10.0)
    assert estimate_view(side.replace(view=None)) == "side"
    wide = np.array(side.positions)
    wide[:, side.joints.index("left_shoulder"), 0] -= 0.4
    wide[:, side.joints.index("left_hip"), 0] -= 0.3
    assert estimate_view(side.replace(positions=wide, view=None)) == "front"


def test_view_needs_shoulders_and_hips() -> None:
    seq = PoseSequence.from_joint_dict(
        {"nose": np.zeros((3, 2))}, fps=30, units="px", skeleton="t", source="t"
    )
    with pytest.raises(MissingJointError, match="left_shoulder"):
        estimate_view(seq)
