"""Frames stream with true times; broken videos give clear errors, nothing silently lost."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from helpers import set_mp4_rotation_90, write_video

from sportsgpt.tools.errors import MotionInputError
from sportsgpt.tools.pose.video import (
    FrameWindow,
    VideoFrames,
    inference_scale,
    probe_video,
    resize_for_inference,
)


def test_probe_and_stream_every_frame_in_order(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", n_frames=30, fps=25.0)
    info = probe_video(video)
    assert (info.width, info.height, info.fps, info.declared_frames) == (160, 120, 25.0, 30)
    frames = list(VideoFrames(info))
    assert [f.index for f in frames] == list(range(30))
    np.testing.assert_allclose([f.time_s for f in frames], np.arange(30) / 25.0, atol=1e-6)
    brightness = [int(f.image.mean()) for f in frames]
    assert brightness == sorted(brightness) and brightness[-1] > brightness[0] + 100


def test_container_rotation_is_applied(tmp_path: Path) -> None:
    landscape = write_video(tmp_path / "clip.mp4", n_frames=5, size=(160, 120), codec="mp4v")
    portrait = set_mp4_rotation_90(landscape, tmp_path / "portrait.mp4")
    info = probe_video(portrait)
    assert (info.width, info.height, info.rotation_deg) == (120, 160, 90)
    frames = list(VideoFrames(info))
    assert len(frames) == 5 and all(f.image.shape == (160, 120, 3) for f in frames)


def test_slow_motion_keeps_true_time(tmp_path: Path) -> None:
    video = write_video(tmp_path / "slowmo.avi", n_frames=48, fps=240.0)
    frames = list(VideoFrames(probe_video(video)))
    assert len(frames) == 48
    np.testing.assert_allclose(np.diff([f.time_s for f in frames]), 1 / 240, atol=1e-6)


def test_window_stride_and_inference_size(tmp_path: Path) -> None:
    info = probe_video(write_video(tmp_path / "clip.avi", n_frames=50, fps=25.0, size=(320, 240)))
    window = FrameWindow(start_s=0.4, end_s=1.6, stride=3, max_side=160)
    scale = inference_scale(info, window.max_side)
    frames = list(VideoFrames(info, window, prepare=lambda im: resize_for_inference(im, scale)))
    assert [f.index for f in frames] == list(range(10, 40, 3))
    assert all(0.4 - 1e-6 <= f.time_s < 1.6 for f in frames)
    assert frames[0].image.shape == (240, 320, 3)  # original kept for drawing
    assert frames[0].prepared.shape == (120, 160, 3)  # what the model sees
    assert inference_scale(info, 1920) == 1.0  # never upscales


def test_bad_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="must be after start"):
        FrameWindow(start_s=2.0, end_s=1.0)
    with pytest.raises(ValueError):
        FrameWindow(stride=0)


def test_missing_folder_and_non_video_files(tmp_path: Path) -> None:
    with pytest.raises(MotionInputError, match="no such file"):
        probe_video(tmp_path / "nope.mp4")
    with pytest.raises(MotionInputError, match="is a folder"):
        probe_video(tmp_path)
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    with pytest.raises(MotionInputError, match="cannot be opened as a video"):
        probe_video(text)


def test_empty_and_truncated_videos(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    empty = write_video(tmp_path / "empty.avi", n_frames=0)
    with pytest.raises(MotionInputError, match="no decodable frames"):
        probe_video(empty)
    mp4 = write_video(tmp_path / "clip.mp4", n_frames=40, codec="mp4v")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(mp4.read_bytes()[: mp4.stat().st_size // 2])  # index (moov) lost
    with pytest.raises(MotionInputError, match="truncated/corrupt"):
        probe_video(cut)
    avi = write_video(tmp_path / "clip.avi", n_frames=50)
    cut_avi = tmp_path / "cut.avi"
    cut_avi.write_bytes(avi.read_bytes()[: avi.stat().st_size // 2])
    stream = VideoFrames(probe_video(cut_avi))
    with caplog.at_level(logging.WARNING):
        kept = list(stream)
    assert 5 < len(kept) < 50 and stream.ended_early  # what was decoded is kept
    assert "truncated or corrupt" in caplog.text


def test_consumer_can_stop_early_without_hanging(tmp_path: Path) -> None:
    info = probe_video(write_video(tmp_path / "clip.avi", n_frames=60))
    for i, _frame in enumerate(VideoFrames(info, prefetch=2)):
        if i == 3:
            break
