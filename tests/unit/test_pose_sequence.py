import numpy as np
import pytest
from helpers import make_pose
from pydantic import ValidationError

from sportsgpt.tools.errors import InvalidPoseError
from sportsgpt.tools.pose_sequence import PoseSequence, check_same_units, real_time


def _build(**overrides: object) -> PoseSequence:
    base: dict[str, object] = dict(
        joints=("left_hip", "left_knee"),
        positions=np.ones((4, 2, 2)),
        confidence=np.ones((4, 2)),
        fps=30.0,
        units="px",
        skeleton="t",
        source="s",
    )
    base.update(overrides)
    return PoseSequence(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"fps": 0}, "fps must be a positive number"),
        ({"fps": -5}, "fps must be a positive number"),
        ({"joints": ("left_hip", "lefthip")}, "unknown joint name"),
        ({"joints": ("left_knee", "left_hip")}, "canonical vocabulary order"),
        ({"positions": np.ones((4, 3, 2))}, "3 joints but 2 names"),
        ({"positions": np.full((4, 2, 2), np.nan)}, "every joint is missing"),
        ({"positions": np.full((4, 2, 2), np.inf)}, "infinite"),
        ({"confidence": np.full((4, 2), 1.5)}, "within [0, 1]"),
        ({"positions": np.ones((4, 2, 3))}, "pixel coordinates must be 2D"),
        ({"times": [0.0, 0.1, 0.1, 0.2]}, "increase strictly"),
        ({"positions": np.ones((0, 2, 2)), "confidence": np.ones((0, 2))}, "at least one frame"),
    ],
)
def test_invalid_sequences_are_rejected(overrides: dict[str, object], message: str) -> None:
    with pytest.raises((InvalidPoseError, ValidationError), match=None) as info:
        _build(**overrides)
    assert message in str(info.value)


def test_missing_is_normalised_to_nan_and_zero_confidence() -> None:
    pos = np.ones((3, 2, 2))
    pos[1, 0, 0] = np.nan  # x missing only
    seq = _build(positions=pos, confidence=np.ones((3, 2)), fps=10)
    assert np.isnan(seq.positions[1, 0]).all()
    assert seq.confidence[1, 0] == 0.0
    assert seq.valid_fraction()["left_hip"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        seq.positions[0, 0, 0] = 5.0  # read-only: sequences are immutable


def test_frame_times_and_select() -> None:
    seq = make_pose(t=10)
    assert seq.frame_times[3] == pytest.approx(0.1)
    part = seq.select_frames(2, 5)
    assert part.n_frames == 3 and part.frame_times[0] == pytest.approx(2 / 30)


def test_real_time_of_a_slow_motion_clip() -> None:
    """Played k times faster: same frames, times divided by k (uneven ones too)."""
    seq = _build(times=[0.0, 0.04, 0.1, 0.13])
    fast = real_time(seq, 2.0)
    assert fast.n_frames == seq.n_frames and fast.fps == 60.0
    assert fast.frame_times == pytest.approx([0.0, 0.02, 0.05, 0.065])
    assert np.array_equal(fast.positions, seq.positions)
    assert real_time(seq, 1.0) is seq


def test_mixed_units_are_an_error() -> None:
    a = make_pose(units="px")
    b = make_pose(units="m", dims=3)
    assert check_same_units([a, a]) == "px"
    with pytest.raises(InvalidPoseError, match="mixed units"):
        check_same_units([a, b])
