"""Small builders shared by tests."""

from __future__ import annotations

import numpy as np

from sportsgpt.tools.pose_sequence import PoseSequence


def make_pose(
    t: int = 20,
    joints: tuple[str, ...] = ("left_hip", "left_knee"),
    dims: int = 2,
    units: str = "px",
    seed: int = 0,
    **meta: object,
) -> PoseSequence:
    rng = np.random.default_rng(seed)
    pos = rng.normal(100, 20, size=(t, len(joints), dims))
    conf = rng.uniform(0.5, 1.0, size=(t, len(joints)))
    return PoseSequence(
        joints=joints,
        positions=pos,
        confidence=conf,
        fps=30.0,
        units=units,
        skeleton="test",
        source="synthetic",
        **meta,
    )
