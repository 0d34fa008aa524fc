"""Sprint start and acceleration: provisional templates from literature key positions."""

from __future__ import annotations

import numpy as np
import pytest

from sportsgpt.references.key_positions import KeyPositions, load_key_positions, synthesize
from sportsgpt.tools.kismam import assess_motion
from sportsgpt.tools.motiondtw.library import REFERENCES_DIR, load_motion_references
from sportsgpt.tools.pose_sequence import PoseSequence
from sportsgpt.tools.skeleton import mirror_name


def athlete(motion: str, changes: dict[str, dict[str, float]] | None = None) -> PoseSequence:
    """The motion's key positions (some angles changed at given keyframe poses), played
    10% slower with 2 px keypoint noise: a stand-in for a filmed athlete."""
    kp = load_key_positions(REFERENCES_DIR / motion / "key_positions.json")
    doc = kp.model_dump()
    for pose in doc["poses"]:
        for segment, value in (changes or {}).get(f"{pose['time_s']:.2f}", {}).items():
            pose["angles"][segment] = value
    seq, _ = synthesize(KeyPositions.model_validate(doc), fps=60.0 / 1.1)
    rng = np.random.default_rng(3)
    noisy = seq.positions + rng.normal(0.0, 2.0, seq.positions.shape)
    return seq.replace(positions=noisy, fps=60.0, times=None)


def test_templates_are_provisional_and_sourced() -> None:
    for motion in ("sprint_start", "acceleration"):
        (ref,) = load_motion_references(motion)
        assert ref.provisional and "key positions" in (ref.attribution or "")
        assert load_key_positions(REFERENCES_DIR / motion / "key_positions.json").sources


def test_clean_start_has_no_problems() -> None:
    result = assess_motion(athlete("sprint_start"), "sprint_start")
    assert len(result.occurrences) == 1
    assert result.problems == [] and result.score > 90


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"0.70": {"trunk": 15}, "0.78": {"trunk": 20}}, "too_vertical_exit"),
        ({"0.00": {"right_thigh": 2, "right_shin": -10},
          "0.30": {"right_thigh": 2, "right_shin": -10}}, "rear_knee_too_open"),
    ],
)  # fmt: skip
def test_start_faults_are_named(changes: dict[str, dict[str, float]], problem: str) -> None:
    result = assess_motion(athlete("sprint_start", changes), "sprint_start")
    assert problem in [p.id for p in result.problems]


def test_right_foot_front_start_reads_the_other_leg() -> None:
    seq = athlete("sprint_start", {"0.00": {"right_thigh": 2, "right_shin": -10},
                                   "0.30": {"right_thigh": 2, "right_shin": -10}})  # fmt: skip
    swapped = PoseSequence.from_joint_dict(
        {mirror_name(j): seq.positions[:, k] for k, j in enumerate(seq.joints)},
        fps=seq.fps, units="px", skeleton="key_positions", source="right foot in front",
        image_size=seq.image_size, view="side",
    )  # fmt: skip
    result = assess_motion(swapped, "sprint_start")
    assert result.occurrences and result.occurrences[0].keyframes
    assert "rear_knee_too_open" in [p.id for p in result.problems]


def test_acceleration_early_trunk_rise() -> None:
    upright = {f"{t:.2f}": {"trunk": 12} for t in (0.0, 0.13, 0.22, 0.35, 0.44)}
    clean = assess_motion(athlete("acceleration"), "acceleration")
    risen = assess_motion(athlete("acceleration", upright), "acceleration")
    assert clean.occurrences and clean.problems == []
    assert "early_trunk_rise" in [p.id for p in risen.problems]
