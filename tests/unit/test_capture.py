"""The capture check: the view, the frame rate, tracking, the body in frame and its size
against what the motion needs, each limit with how to film better."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sportsgpt.tools.kinematics import compute_kinematics
from sportsgpt.tools.kismam import assess_motion, load_motion_spec
from sportsgpt.tools.kismam.capture import capture_words, check_capture
from sportsgpt.tools.kismam.models import Assessment
from sportsgpt.tools.pose_sequence import PoseSequence
from sportsgpt.tools.readers import read_motion

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"


def _no_motion(motion: str) -> Assessment:
    return Assessment(motion=motion, score=0.0, problems=[], occurrences=[], unmeasurable={})


def _video_like(pose: PoseSequence, fps: float, size: float, box: tuple[int, int]) -> PoseSequence:
    """The sample as a camera of ``box`` pixels at ``fps`` would give it, the athlete
    ``size`` times as tall."""
    xy = pose.positions.copy()
    lo = np.nanmin(xy.reshape(-1, 2), axis=0)
    xy = (xy - lo) * size + 40.0
    return pose.model_copy(update={"positions": xy, "fps": fps, "times": None,
                                   "image_size": box})  # fmt: skip


def test_the_sample_jump_is_limited_only_by_its_side_view() -> None:
    result = assess_motion(read_motion(SAMPLE), "standing_long_jump")
    assert result.capture is not None
    assert [i.aspect for i in result.capture.issues] == ["view"]
    assert result.capture.tracked_share == 1.0 and result.capture.athlete_px
    words = capture_words(result.capture)
    assert "Knee valgus on landing" in words[0] and "front" in words[0]
    assert "To do better, film" in words[0]


def test_a_sprint_at_30_fps_small_and_cut_off_is_told_how_to_film_better() -> None:
    pose = read_motion(SAMPLE)
    low = _video_like(pose, fps=30.0, size=0.15, box=(1920, 1080))
    # the feet leave the bottom of the frame for the last third of the recording
    cut = low.positions.copy()
    cut[2 * low.n_frames // 3 :, :, 1] += 2000.0
    low = low.model_copy(update={"positions": cut})
    spec = load_motion_spec("max_velocity")
    check = check_capture(low, spec, compute_kinematics(low), _no_motion("max_velocity"))
    aspects = {i.aspect: i for i in check.issues}
    assert {"frame_rate", "in_frame", "athlete_size"} <= set(aspects)
    assert aspects["frame_rate"].measured == "30 fps"
    assert "33 ms" in aspects["frame_rate"].limits and "120 fps" in aspects["frame_rate"].advice
    assert check.in_frame_share is not None and check.in_frame_share < 0.85
    assert check.athlete_px is not None and check.athlete_px < 160
    assert all(line.endswith(".") and "To do better" in line for line in capture_words(check))


def test_untracked_frames_are_counted_over_the_motion_found() -> None:
    pose = read_motion(SAMPLE)
    conf = pose.confidence.copy()
    conf[10:40] = 0.0  # the athlete lost for 30 of the 107 frames
    lost = pose.model_copy(update={"confidence": conf})
    spec = load_motion_spec("standing_long_jump")
    check = check_capture(lost, spec, compute_kinematics(pose), _no_motion("standing_long_jump"))
    tracking = next(i for i in check.issues if i.aspect == "tracking")
    assert "77 of the motion's 107 frames" in tracking.measured
    assert check.tracked_share == round(77 / 107, 3)


def test_mocap_at_a_high_rate_has_no_capture_limit() -> None:
    pose = read_motion(SAMPLE)
    fast = pose.model_copy(update={"fps": 240.0, "times": None})
    spec = load_motion_spec("walking_gait")
    check = check_capture(fast, spec, compute_kinematics(fast), _no_motion("walking_gait"))
    assert check.issues == []


def test_front_and_behind_are_told_apart_and_the_azimuth_reported() -> None:
    pose = read_motion(SAMPLE)
    side = check_capture(pose, load_motion_spec("standing_long_jump"), compute_kinematics(pose),
                         _no_motion("standing_long_jump"))  # fmt: skip
    assert side.view == "side" and side.azimuth_deg is not None and 60 < side.azimuth_deg < 120
    spec = load_motion_spec("walking_gait")
    for shift, view in ((40.0, "front"), (-40.0, "behind")):
        xy = pose.positions.copy()  # widen the trunk: left side on the image's right (front)
        for joint in ("left_shoulder", "left_hip", "right_shoulder", "right_hip"):
            sign = 1.0 if joint.startswith("left") else -1.0
            xy[:, pose.joints.index(joint), 0] += sign * shift
        turned = pose.model_copy(update={"positions": xy, "view": "front"})
        check = check_capture(turned, spec, compute_kinematics(turned), _no_motion("walking_gait"))
        assert check.view == view, (shift, check.azimuth_deg)
        assert check.azimuth_deg is not None
        assert (check.azimuth_deg < 60) if view == "front" else (check.azimuth_deg > 120)
