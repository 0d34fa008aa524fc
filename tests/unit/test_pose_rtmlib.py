"""The rtmlib backend loads local ONNX files (a tiny one built here) and maps COCO-17
keypoints to canonical joints in original-frame pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import set_mp4_rotation_90, tiny_rtmo_onnx, write_video

from sportsgpt.tools.errors import ModelLoadError, ModelNotFoundError, NoPersonError
from sportsgpt.tools.pose import FrameWindow, PoseSettings, extract_pose
from sportsgpt.tools.pose.rtmlib_backend import RtmlibBackend


def test_tiny_rtmo_loads_and_scales_back_to_image_pixels(tmp_path: Path) -> None:
    model = tiny_rtmo_onnx(tmp_path / "tiny_rtmo.onnx", [(200.0, 300.0, 0.9), (500, 200, 0.1)])
    backend = RtmlibBackend(str(model))
    assert backend.skeleton == "coco17" and backend.model_path == str(model)
    image = np.zeros((240, 320, 3), np.uint8)  # RTMO pads to 640: ratio 2
    people = backend.detect(backend.prepare(image), 0)
    assert len(people) == 1  # the 0.1-score person is below rtmlib's threshold
    kp = people[0].keypoints
    assert kp.shape == (17, 2)
    np.testing.assert_allclose(kp.mean(axis=0), [100.0, 150.0], atol=0.01)
    np.testing.assert_allclose(people[0].scores, 0.9, atol=1e-6)


def test_extraction_end_to_end_with_rtmlib(tmp_path: Path) -> None:
    model = tiny_rtmo_onnx(tmp_path / "tiny_rtmo.onnx", [(200.0, 300.0, 0.9)])
    video = write_video(tmp_path / "clip.avi", n_frames=20, fps=20.0, size=(320, 240))
    settings = PoseSettings(backend="rtmlib", model=str(model), window=FrameWindow(stride=2))
    result = extract_pose(video, settings, progress=False)
    pose = result.pose
    assert pose.skeleton == "coco17" and pose.units == "px" and pose.image_size == (320, 240)
    assert pose.n_frames == 10 and pose.fps == 10.0
    np.testing.assert_allclose(pose.frame_times, np.arange(0, 1.0, 0.1), atol=1e-6)
    assert "left_hip" in pose.joints and "left_heel" not in pose.joints
    assert result.report.detection_rate == 1.0 and result.report.frames_with_athlete == 10
    # COCO index 0 (nose) and 15 (left ankle) of the fixed body, halved back to the frame
    np.testing.assert_allclose(pose.joint("nose"), [[90.0, 120.0]] * 10, atol=0.01)
    np.testing.assert_allclose(pose.joint("left_ankle"), [[108.75, 176.25]] * 10, atol=0.01)


def test_portrait_phone_video_gives_upright_pixels(tmp_path: Path) -> None:
    model = tiny_rtmo_onnx(tmp_path / "tiny_rtmo.onnx", [(200.0, 300.0, 0.9)])
    clip = write_video(tmp_path / "clip.mp4", n_frames=4, size=(160, 120), codec="mp4v")
    portrait = set_mp4_rotation_90(clip, tmp_path / "portrait.mp4")
    settings = PoseSettings(backend="rtmlib", model=str(model))
    result = extract_pose(portrait, settings, progress=False)
    assert result.pose.image_size == (120, 160) and result.report.video.rotation_deg == 90
    # RTMO sees the upright 120x160 frame padded to 640: ratio 4
    np.testing.assert_allclose(result.pose.joint("nose"), [[45.0, 60.0]] * 4, atol=0.01)


def test_nobody_in_any_frame(tmp_path: Path) -> None:
    model = tiny_rtmo_onnx(tmp_path / "tiny_rtmo.onnx", [(200.0, 300.0, 0.05)])
    video = write_video(tmp_path / "clip.avi", n_frames=5)
    settings = PoseSettings(backend="rtmlib", model=str(model))
    with pytest.raises(NoPersonError, match="no person detected in any of its 5 frames"):
        extract_pose(video, settings, progress=False)


def test_missing_and_corrupt_onnx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("TORCH_HOME", raising=False)
    with pytest.raises(ModelNotFoundError, match=r"rtmo-s_8xb32.*\.onnx not found"):
        RtmlibBackend("rtmo-s")
    broken = tmp_path / "rtmo_broken.onnx"
    broken.write_bytes(b"\x08\x01garbage" * 64)
    with pytest.raises(ModelLoadError, match="cannot load the RTMO pose model"):
        RtmlibBackend(str(broken))
