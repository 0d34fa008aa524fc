import numpy as np
import pytest
from helpers import make_pose

from sportsgpt.tools.kinematics.angles import unwrap_deg
from sportsgpt.tools.kinematics.filtering import (
    FilterSettings,
    clean_pose,
    fill_gaps,
    lowpass,
    reject_spikes,
    runs,
)


def test_runs() -> None:
    assert runs(np.array([0, 1, 1, 0, 1], dtype=bool)) == [(1, 3), (4, 5)]
    assert runs(np.zeros(3, dtype=bool)) == []


def test_fill_gaps_respects_the_limit_and_never_extrapolates() -> None:
    times = np.arange(10) / 10.0
    v = np.arange(10, dtype=float)
    v[[0, 3, 4]] = np.nan  # leading gap, 2-frame gap
    v[6:9] = np.nan  # 3-frame gap
    out = fill_gaps(v, times, max_gap_s=0.2)
    assert np.isnan(out[0])
    np.testing.assert_allclose(out[3:5], [3.0, 4.0])
    assert np.isnan(out[6:9]).all()
    out = fill_gaps(v, times, max_gap_s=0.3)
    np.testing.assert_allclose(out[6:9], [6.0, 7.0, 8.0])


def test_lowpass_is_zero_phase_and_removes_noise() -> None:
    fps = 100.0
    t = np.arange(300) / fps
    slow = np.sin(2 * np.pi * 1.5 * t)
    noisy = slow + 0.3 * np.sin(2 * np.pi * 30 * t)
    out = lowpass(noisy, fps, cutoff_hz=6.0, order=2)
    assert np.max(np.abs(out[20:-20] - slow[20:-20])) < 0.02
    # zero phase: the peak stays on the same frame
    assert np.argmax(out[:100]) == np.argmax(slow[:100])


def test_lowpass_filters_each_run_between_gaps() -> None:
    v = np.ones(60)
    v[30] = np.nan
    out = lowpass(v, 30.0, 6.0, 2)
    assert np.isnan(out[30]) and np.allclose(out[:30], 1.0)


def test_spike_rejection_finds_an_isolated_jump_only() -> None:
    t = np.linspace(0, 2 * np.pi, 100)
    track = np.stack([np.cos(t) * 100, np.sin(t) * 100], axis=1)
    track[40] += [60.0, -60.0]
    bad = reject_spikes(track, k=6.0, floor=5.0)
    assert bad.tolist().count(True) == 1 and bad[40]


def test_clean_pose_gates_low_confidence_then_fills() -> None:
    seq = make_pose(t=40, joints=("left_hip",))
    pos = np.repeat(np.linspace(0, 100, 40)[:, None, None], 2, axis=2)
    conf = np.ones((40, 1))
    conf[10:12] = 0.1
    out = clean_pose(seq.replace(positions=pos, confidence=conf), FilterSettings(cutoff_hz=None))
    np.testing.assert_allclose(out.positions[10:12, 0, 0], pos[10:12, 0, 0])
    assert out.confidence[10:12, 0] == pytest.approx(0.3)


def test_unwrap_removes_360_jumps_and_keeps_nan() -> None:
    deg = np.array([170.0, 179.0, -179.0, -170.0, np.nan, -160.0])
    out = unwrap_deg(deg)
    assert np.nanmax(np.abs(np.diff(out[:4]))) < 10
    assert np.isnan(out[4]) and out[5] == pytest.approx(200.0)
