"""Keyframe pictures: the athlete over the video frame beside the elite's pose."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from sportsgpt.agent.figures import source_video
from sportsgpt.agent.workspace import Workspace
from sportsgpt.tools.body_view import facing_sign, flatten, mirrored, placed, trunk_length
from sportsgpt.tools.kismam import assess_motion
from sportsgpt.tools.motiondtw.library import known_motions, load_motion_references
from sportsgpt.tools.pose.video import frames_at
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.render.figures import _elite_poses, keyframe_figures
from tests.helpers import write_video

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"

STANDING = {  # pixels, y down, facing +x (toes ahead of the heels)
    "left_shoulder": np.array([100.0, 100.0]),
    "right_shoulder": np.array([104.0, 100.0]),
    "left_hip": np.array([100.0, 200.0]),
    "right_hip": np.array([104.0, 200.0]),
    "left_knee": np.array([110.0, 300.0]),
    "left_heel": np.array([95.0, 400.0]),
    "left_toe": np.array([125.0, 400.0]),
}


def test_flat_pose_is_hip_centred_trunk_scaled_and_faces_forward() -> None:
    flat = flatten(STANDING)
    assert flat["left_hip"] == (-0.02, 0.0) and flat["left_shoulder"] == (-0.02, 1.0)
    assert flat["left_toe"][0] > flat["left_heel"][0]  # faces +x
    facing_left = {k: np.array([400.0 - v[0], v[1]]) for k, v in STANDING.items()}
    assert facing_sign(STANDING) == 1.0 and facing_sign(facing_left) == -1.0
    for name, xy in flatten(facing_left).items():  # the same body, whichever way it faces
        assert xy == pytest.approx(flat[name], abs=0.05)
    back = placed(flat, np.array([298.0, 200.0]), 100.0, -1.0)
    for name, xy in facing_left.items():
        assert back[name] == pytest.approx(xy, abs=0.01)
    assert mirrored(flat)["right_toe"] == flat["left_toe"]


def test_every_reference_carries_the_elite_pose_at_each_keyframe() -> None:
    for motion in known_motions():
        for ref in load_motion_references(motion):
            assert set(ref.key_poses) == set(ref.keyframes), (motion, ref.name)
            for pose in ref.key_poses.values():
                joints = {k: np.array(v) for k, v in pose.items()}
                assert trunk_length(joints) == pytest.approx(1.0, abs=1e-3)
                assert {"left_ankle", "right_ankle", "left_wrist"} <= set(pose)


def test_a_mirrored_match_meets_the_elite_with_left_and_right_swapped() -> None:
    ref = load_motion_references("sprint_start")[0]
    occ = {"keyframes": {"set": 10}, "references": [f"sprint_start/{ref.name}"]}
    plain = _elite_poses("sprint_start", occ)["set"]
    swapped = _elite_poses("sprint_start", {**occ, "mirrored": True})["set"]
    assert plain == ref.key_poses["set"]
    assert swapped["right_ankle"] == plain["left_ankle"]
    assert _elite_poses("no_such_motion", occ) == {}


def test_frames_at_returns_the_frame_shown_at_each_time(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", n_frames=30, fps=25.0)
    first, later = frames_at(video, [0.4, 0.8])  # frames 10 and 20: brightness 50, 100
    assert abs(float(first.mean()) - 50) < 4 and abs(float(later.mean()) - 100) < 4
    assert frames_at(video, []) == []


def test_one_picture_per_keyframe_and_a_bad_video_falls_back_to_stick_figures(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pose = read_motion(SAMPLE)
    assessment = assess_motion(pose, "standing_long_jump").model_dump()
    not_a_video = tmp_path / "notes.mp4"
    not_a_video.write_text("not a video")
    with caplog.at_level(logging.WARNING):
        paths = keyframe_figures(pose, assessment, tmp_path / "figs", video=not_a_video)
    keyframes = assessment["occurrences"][0]["keyframes"]
    assert [p.name.split("_", 2)[-1] for p in paths] == [f"{k}.png" for k in keyframes]
    assert all(p.stat().st_size > 5000 for p in paths)
    assert "without the video" in caplog.text
    assert keyframe_figures(pose, {**assessment, "occurrences": []}, tmp_path / "none") == []


def test_a_pose_file_cannot_point_the_pictures_at_another_file(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "work")
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(b"")
    assert source_video(workspace, str(outside)) is None
    assert source_video(workspace, "/etc/passwd") is None
    inside = workspace.work_dir / "clip.mp4"
    inside.write_bytes(b"")
    assert source_video(workspace, str(inside)) == inside.resolve()
