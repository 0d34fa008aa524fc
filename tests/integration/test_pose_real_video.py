"""MediaPipe on the real Sports2D demo: follow the woman walking across the frame, never
the man on the box behind her; bad inputs give one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from helpers import write_video

from sportsgpt.cli.main import main
from sportsgpt.tools.errors import ModelLoadError, NoPersonError
from sportsgpt.tools.pose import AthleteHint, PoseExtraction, PoseSettings, extract_pose
from sportsgpt.tools.render.overlay import save_thumbnails, write_overlay


@pytest.fixture(scope="module")
def demo_video(shared: Path) -> Path:
    return shared / "media" / "sports2d_demo.mp4"


@pytest.fixture(scope="module")
def walker(demo_video: Path) -> PoseExtraction:
    return extract_pose(demo_video, progress=False)


def _hip(extraction: PoseExtraction) -> np.ndarray:
    pose = extraction.pose
    return (pose.joint("left_hip") + pose.joint("right_hip")) / 2


def test_follows_the_walker_across_the_frame(walker: PoseExtraction) -> None:
    pose, report = walker.pose, walker.report
    width, height = pose.image_size or (0, 0)
    assert (width, height) == (1768, 994) and pose.n_frames == 230  # video time kept
    hip = _hip(walker)
    seen = np.flatnonzero(~np.isnan(hip[:, 0]))
    # She walks in from the right and out on the left: the hip crosses most of the width.
    assert np.nanmax(hip[:, 0]) - np.nanmin(hip[:, 0]) > 0.7 * width
    assert hip[seen[0], 0] > 0.7 * width and hip[seen[-1], 0] < 0.1 * width
    # She walks on the grass (hip low in the frame); the man on the box is at ~0.3 height.
    assert np.nanmin(hip[:, 1]) > 0.6 * height
    # Before she enters (the man alone is in view) and after she leaves: empty frames
    # (looking again around her finds her a few frames earlier, half in the frame).
    assert 35 <= seen[0] <= 70 and 185 <= seen[-1] <= 215
    assert np.isnan(pose.positions[: seen[0]]).all() and (pose.confidence[: seen[0]] == 0).all()
    assert np.isnan(pose.positions[seen[-1] + 1 :]).all()
    # Continuous while in view: no holes longer than a few frames.
    assert len(seen) >= 0.95 * (seen[-1] - seen[0] + 1)
    assert report.frames_with_athlete == len(seen)
    assert report.view == "side" and pose.view == "side"
    assert report.frames_with_anyone > report.frames_with_athlete  # the man was seen too
    assert len(report.selection.tracks) >= 2


def test_a_point_on_the_man_selects_him_instead(demo_video: Path) -> None:
    settings = PoseSettings(model="lite", athlete=AthleteHint(point=(650, 300)))
    result = extract_pose(demo_video, settings, progress=False)
    hip = _hip(result)
    assert np.nanmax(hip[:, 1]) < 0.5 * 994  # up on the box
    assert result.report.selection.method == "the person at the point given"


def test_overlay_and_thumbnails(walker: PoseExtraction, tmp_path: Path) -> None:
    overlay = write_overlay(walker, tmp_path / "overlay.webm", progress=False)
    cap = cv2.VideoCapture(str(overlay))
    count = 0
    while cap.grab():
        count += 1
    width = cap.get(cv2.CAP_PROP_FRAME_WIDTH)
    cap.release()
    assert count == walker.pose.n_frames and width == 960
    thumbs = save_thumbnails(walker.pose, tmp_path / "thumbs", count=4)
    assert len(thumbs) == 4
    first = cv2.imread(str(thumbs[0]))
    assert first.shape[0] == 360
    # The side colours are drawn: some strongly blue and some strongly orange pixels.
    b, _g, r = (first[..., i].astype(int) for i in range(3))
    assert ((b > 200) & (r < 80)).sum() > 50 and ((r > 200) & (b < 80)).sum() > 50


def test_cli_pose_json(
    demo_video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pose.npz"
    code = main(
        [
            "pose", str(demo_video), "-o", str(out), "--model", "lite", "--end", "4",
            "--stride", "2", "--thumbnails", str(tmp_path / "th"), "--json",
        ]
    )  # fmt: skip
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["output"] == str(out) and out.is_file()
    assert payload["frames"] == 60 and payload["window"]["stride"] == 2
    assert payload["video"]["fps"] == 30.0 and len(payload["thumbnails"]) == 6
    assert 0.3 < payload["detection_rate"] < 1.0  # she enters around 2 s


def test_blank_video_has_nobody(tmp_path: Path) -> None:
    video = write_video(tmp_path / "blank.avi", n_frames=10, size=(320, 240))
    with pytest.raises(NoPersonError, match="no person detected in any of its 10 frames"):
        extract_pose(video, PoseSettings(model="lite"), progress=False)


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad_model = tmp_path / "pose.task"
    bad_model.write_bytes(b"corrupt" * 100)
    video = write_video(tmp_path / "clip.avi", n_frames=3)
    assert main(["pose", str(video), "--model", str(bad_model)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("sportsgpt: error:") and "not a MediaPipe .task bundle" in err[-1]
    text = tmp_path / "clip.mp4"
    text.write_text("hello")
    assert main(["pose", str(text)]) == 1
    assert "cannot be opened as a video" in capsys.readouterr().err
    assert main(["pose", str(video), "--athlete", "12"]) == 1
    assert "--athlete needs X,Y or X,Y,SECONDS" in capsys.readouterr().err


def test_model_that_mediapipe_rejects(tmp_path: Path) -> None:
    import zipfile

    fake = tmp_path / "fake.task"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("pose_detector.tflite", b"not a tflite model")
        z.writestr("pose_landmarks_detector.tflite", b"not a tflite model")
    video = write_video(tmp_path / "clip.avi", n_frames=3)
    with pytest.raises(ModelLoadError, match="MediaPipe cannot load this model"):
        extract_pose(video, PoseSettings(model=str(fake)), progress=False)
