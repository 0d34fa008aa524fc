"""Real phone video from ../shared/data/video (used by path, nothing kept): a walk and a jog
recognised from their feet (a walk has double support, a run none), their labelled foot
contacts timed from the feet, and a movement we do not know refused with what was tried
and how to film it, in words that name no command-line flag."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sportsgpt.evals.real_video import load_event_map, load_manifest, score_events
from sportsgpt.tools.kinematics import compute_kinematics
from sportsgpt.tools.kismam import MotionNotFoundError, align_motion, assess_motion
from sportsgpt.tools.kismam.recognise import recognise_motion
from sportsgpt.tools.pose import extract_pose
from sportsgpt.tools.pose_sequence import PoseSequence

CLIPS = ("walking_slouch_side.mp4", "running_jog_side_park.mp4", "negative_tennis_forehand_pro.mp4")


@pytest.fixture(scope="module")
def poses(shared: Path) -> dict[str, PoseSequence]:
    """One pose run per clip for the whole module."""
    folder = shared / "data" / "video"
    return {name: extract_pose(folder / name, progress=False).pose for name in CLIPS}


@pytest.mark.parametrize(("clip", "motion", "least"), [
    ("walking_slouch_side.mp4", "walking_gait", 4),
    ("running_jog_side_park.mp4", "max_velocity", 2),
])  # fmt: skip
def test_a_real_walk_and_jog_are_recognised_and_timed(
    poses: dict[str, PoseSequence], shared: Path, clip: str, motion: str, least: int
) -> None:
    pose = poses[clip]
    series = compute_kinematics(pose)
    guess, alignments = recognise_motion(pose, series=series)
    assert guess.motion == motion, guess
    assert motion in guess.confirmed  # the feet share the ground as in this motion
    entry = next(c for c in load_manifest(shared / "data" / "video") if c.file == clip)
    keyframes = [o.keyframes for o in alignments[motion].occurrences]
    scores, _ = score_events(entry, load_event_map(), keyframes, np.asarray(pose.frame_times))
    within = [e for e in scores if e.scored and e.within]
    assert len(within) >= least, [(e.name, e.frame, e.error_frames) for e in scores]


def test_a_forehand_is_none_of_our_motions(poses: dict[str, PoseSequence]) -> None:
    with pytest.raises(MotionNotFoundError) as caught:
        align_motion(poses["negative_tennis_forehand_pro.mp4"], "auto")
    said = str(caught.value)
    assert said.startswith("none of the motions I know")
    assert "px tall" in said and "tracked in" in said and "To film it better" in said
    assert "% of" not in said  # the coach quotes it: nothing a verifier reads as a dose
    assert "--" not in said  # the app and the coach show it too: no CLI flag in it
    assert caught.value.report.named is None and caught.value.report.capture.view


def test_a_named_motion_not_found_says_why(poses: dict[str, PoseSequence]) -> None:
    result = assess_motion(poses["negative_tennis_forehand_pro.mp4"], "standing_long_jump")
    assert not result.occurrences
    reason = result.unmeasurable["motion"]
    assert reason.startswith("no standing long jump was found")
    assert "one standing long jump" in reason


def test_the_shipped_real_video_suite_is_the_manifest(shared: Path) -> None:
    """evals/suites/real_video.json is what the manifest builds (it cannot drift), and a
    negative's right answer is no motion."""
    from sportsgpt.evals.real_video import real_video_suite
    from sportsgpt.evals.suite import load_suite

    shipped = load_suite("real_video")
    assert shipped == real_video_suite(shared / "data" / "video")
    negatives = [c for c in shipped.cases if c.source.kind == "recording"
                 and c.source.none_of_ours]  # fmt: skip
    assert len(negatives) == 3 and all(c.source.motion is None for c in negatives)
