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
    held_frames,
    inference_scale,
    picture_change,
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


def _moving_square(
    path: Path, pictures: list[int], size: tuple[int, int] = (160, 120), live: bool = False
) -> Path:
    """A real MJPG video whose frame i shows a square at x = 10 + 4 * pictures[i] on a
    textured still background: repeated values are a picture held over several frames,
    or with ``live`` new pictures of a still square (a camera's noise, +-6 grey levels,
    in every frame)."""
    import cv2

    rng = np.random.default_rng(0)
    background = rng.integers(60, 70, (size[1], size[0], 3), dtype=np.uint8)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, size)
    cache: dict[int, np.ndarray] = {}
    for p in pictures:
        if p not in cache or live:  # one picture, encoded as often as it is held
            image = background.copy()
            image[40:80, 10 + 4 * p : 40 + 4 * p] = 220
            if live:
                noise = rng.integers(-6, 7, image.shape)
                image = np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
            cache[p] = image
        writer.write(cache[p])
    writer.release()
    return path


def test_repeated_pictures_are_found_and_a_still_scene_is_not(tmp_path: Path) -> None:
    """Slow motion made by showing each picture three times: the repeats are held frames;
    a square that stops (a still athlete before a still camera) makes none."""
    held_thrice = [i // 3 for i in range(36)]
    video = _moving_square(tmp_path / "held.avi", held_thrice)
    changes = [f.change for f in VideoFrames(probe_video(video), measure_change=True)]
    # the first and last pictures' repeats have no movement on one side to compare with
    assert held_frames(changes)[3:33] == [i % 3 != 0 for i in range(3, 33)]
    stops = list(range(12)) + [12] * 12 + list(range(13, 25))
    video = _moving_square(tmp_path / "stops.avi", stops)
    changes = [f.change for f in VideoFrames(probe_video(video), measure_change=True)]
    assert not any(held_frames(changes)[14:22])  # the middle of the still stretch
    # filmed live, a frame where the square did not move is a new picture (its noise)
    pauses = [0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 11, 12]
    video = _moving_square(tmp_path / "live.avi", pauses, live=True)
    changes = [f.change for f in VideoFrames(probe_video(video), measure_change=True)]
    assert not any(held_frames(changes))
    video = _moving_square(tmp_path / "repeat.avi", pauses)  # the same, a picture repeated
    assert held_frames([f.change for f in VideoFrames(probe_video(video), measure_change=True)])[7]
    assert picture_change(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8)) == (1, 1)


def test_a_held_picture_stands_for_the_middle_of_its_frames() -> None:
    """Each picture shown three times: the pose moves through the hold by time, a picture
    at the middle of its frames; a picture held past the limit (a freeze frame) keeps its
    copies; a joint unseen in one of the pictures is unseen between them."""
    from sportsgpt.tools.pose.extract import through_held
    from sportsgpt.tools.pose_sequence import PoseSequence

    x = np.repeat([0.0, 3.0, 6.0, 9.0], 3)
    positions = np.stack([x, np.zeros(12)], axis=1)[:, None, :].repeat(2, axis=1)
    positions[6:9, 1] = np.nan  # the second joint unseen in the third picture
    confidence = np.ones((12, 2))
    confidence[6:9, 1] = 0.0
    pose = PoseSequence(joints=("nose", "neck"), positions=positions, confidence=confidence,
                        fps=30.0, units="px", skeleton="canonical", source="t")  # fmt: skip
    held = [i % 3 != 0 for i in range(12)]
    out = through_held(pose, held, max_s=0.25)
    np.testing.assert_allclose(out.positions[:, 0, 0], [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9])
    assert np.isnan(out.positions[5:11, 1, 0]).all() and (out.confidence[5:11, 1] == 0).all()
    assert through_held(pose, [False] * 12, 0.25) is pose  # nothing held: untouched
    frozen = [False] + [True] * 10 + [False]  # one picture for 11 frames (0.37 s)
    still = pose.replace(positions=np.where(np.arange(12)[:, None, None] < 11, 0.0,
                                            np.full((12, 2, 2), 9.0)))  # fmt: skip
    np.testing.assert_allclose(through_held(still, frozen, 0.25).positions[:, 0, 0],
                               [0] * 11 + [9])  # fmt: skip
