"""Fault injection: rigid rotations with the right sign, windows, planted feet, catalogue."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from sportsgpt.evals.fault_injection import (
    Fault,
    FaultRotation,
    inject,
    load_catalogue,
    rotate_segments,
)
from sportsgpt.tools.kinematics import compute_kinematics
from sportsgpt.tools.motiondtw.events import MotionEvent
from sportsgpt.tools.pose_sequence import PoseSequence


def standing(frames: int = 60) -> PoseSequence:
    """A 3D person standing still, y up, facing +x, right side at +z."""
    joints = {
        "head": (0.0, 1.7, 0.0), "neck": (0.0, 1.5, 0.0), "pelvis": (0.0, 1.0, 0.0),
        "left_shoulder": (0.0, 1.45, -0.2), "right_shoulder": (0.0, 1.45, 0.2),
        "left_elbow": (0.0, 1.15, -0.22), "right_elbow": (0.0, 1.15, 0.22),
        "left_wrist": (0.0, 0.9, -0.22), "right_wrist": (0.0, 0.9, 0.22),
        "left_hip": (0.0, 1.0, -0.1), "right_hip": (0.0, 1.0, 0.1),
        "left_knee": (0.02, 0.55, -0.1), "right_knee": (0.02, 0.55, 0.1),
        "left_ankle": (0.0, 0.1, -0.1), "right_ankle": (0.0, 0.1, 0.1),
        "left_toe": (0.15, 0.02, -0.1), "right_toe": (0.15, 0.02, 0.1),
        "left_heel": (-0.05, 0.02, -0.1), "right_heel": (-0.05, 0.02, 0.1),
    }  # fmt: skip
    coords = {k: np.tile(np.array(v), (frames, 1)) for k, v in joints.items()}
    return PoseSequence.from_joint_dict(
        coords, fps=30.0, units="m", skeleton="test", source="standing"
    )


def test_rotation_is_rigid_and_flexion_is_positive() -> None:
    seq = standing()
    out = rotate_segments(seq, "right_knee", ["right_ankle", "right_toe", "right_heel"],
                          np.full(seq.n_frames, np.radians(-30)))  # fmt: skip
    shin = np.linalg.norm(seq.joint("right_ankle") - seq.joint("right_knee"), axis=1)
    moved = np.linalg.norm(out.joint("right_ankle") - out.joint("right_knee"), axis=1)
    np.testing.assert_allclose(moved, shin)
    assert (out.joint("right_ankle")[:, 0] < seq.joint("right_ankle")[:, 0]).all()  # shin back
    fault = Fault(problem="x", description="knees bent by twenty degrees",
                  rotations=[FaultRotation(joint="knee", degrees=(20, 20.0001))])  # fmt: skip
    before = compute_kinematics(seq).channels["right_knee_flexion"]
    after = compute_kinematics(inject(seq, fault, [], 0.0)).channels["right_knee_flexion"]
    assert np.nanmedian(after - before) == pytest.approx(20, abs=0.5)


def test_window_and_planted_feet() -> None:
    seq = standing()
    fault = Fault(problem="x", description="trunk forward around frame 30",
                  rotations=[FaultRotation(joint="trunk", degrees=(30, 31), at="impact",
                                           window_s=(-0.1, 0.1), ramp_s=0.1)])  # fmt: skip
    out = inject(seq, fault, [MotionEvent(start=20, end=40, keyframes={"impact": 30})], 0.0)
    lean = (
        compute_kinematics(out).channels["trunk_lean"]
        - compute_kinematics(seq).channels["trunk_lean"]
    )
    assert lean[30] == pytest.approx(30, abs=1) and abs(lean[5]) < 0.5 and abs(lean[55]) < 0.5
    knee = Fault(problem="x", description="knees bent by thirty degrees",
                 rotations=[FaultRotation(joint="knee", degrees=(30, 31))])  # fmt: skip
    bent = inject(seq, knee, [], 0.0)
    np.testing.assert_allclose(bent.joint("left_ankle"), seq.joint("left_ankle"), atol=1e-9)
    assert (bent.joint("pelvis")[:, 1] < seq.joint("pelvis")[:, 1] - 0.01).all()  # body lowers


def test_rotation_ranges_are_validated() -> None:
    with pytest.raises(ValidationError, match="one sign"):
        FaultRotation(joint="knee", degrees=(-10, 20))
    with pytest.raises(ValidationError, match="until"):
        FaultRotation(joint="knee", degrees=(10, 20), until="landing")


def test_shipped_catalogue_names_real_problems() -> None:
    catalogue = load_catalogue()
    motions = {c.motion for c in catalogue.clips}
    assert motions == {"max_velocity", "standing_long_jump", "walking_gait", "tennis_serve"}
    assert sum(len(c.faults) for c in catalogue.clips) >= 20
    assert not any("deepmimic_sie" in c.clip for c in catalogue.clips)
