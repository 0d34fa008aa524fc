"""The annotated video and the side-by-side with the elite, from real recordings: H.264
written by the ffmpeg that imageio-ffmpeg ships, one output frame per analysed frame, the
verdict captions at keyframes, the elite reaching each keyframe with the athlete."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from sportsgpt.kb import KnowledgeBase
from sportsgpt.tools.errors import SportsGPTError
from sportsgpt.tools.kismam import assess_motion
from sportsgpt.tools.motiondtw.library import load_motion_references
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.render.annotated import (
    PAD_S,
    annotated_video,
    side_by_side_video,
    template_frames,
)
from sportsgpt.tools.render.draw import OUTSIDE_BGR
from sportsgpt.tools.render.video import VideoSink

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"


def _frames(path: Path) -> list[np.ndarray]:
    """Every frame of a video, decoded (RGB)."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]


def _reddish(image: np.ndarray) -> int:
    """Pixels of the 'outside the band' caption colour (RGB), give or take the codec's
    blur of thin text: clearly red, not the grey background or white text."""
    rgb = image.astype(int)
    assert OUTSIDE_BGR[2] > 200 and OUTSIDE_BGR[1] < 100  # the colour is a red
    return int(((rgb[..., 0] - rgb[..., 1] > 60) & (rgb[..., 0] > 140)).sum())


def _segments(pose_frames: int, fps: float, occurrences: list) -> int:
    pad = round(PAD_S * fps)
    return sum(min(pose_frames - 1, o.end + pad) - max(0, o.start - pad) + 1 for o in occurrences)


def test_the_sample_jump_annotated_and_beside_the_elite(tmp_path: Path) -> None:
    pose = read_motion(SAMPLE)
    result = assess_motion(pose, "standing_long_jump")
    facts = annotated_video(pose, result, tmp_path / "annotated.mp4", progress=False)
    assert facts.codec == "h264" and facts.frames == pose.n_frames == 107
    assert facts.width % 2 == 0 and facts.height % 2 == 0 and abs(facts.fps - pose.fps) < 0.1
    frames = _frames(tmp_path / "annotated.mp4")
    assert len(frames) == pose.n_frames
    take_off = result.occurrences[0].keyframes["take_off"]  # arm swing 46° < 80°: red
    top_right = (slice(0, 200), slice(facts.width // 2, facts.width))
    assert _reddish(frames[take_off + 5][top_right]) > 200  # the caption is held
    first = min(result.occurrences[0].keyframes.values())
    assert _reddish(frames[max(0, first - 5)][top_right]) < 20  # before any keyframe: none

    side = side_by_side_video(pose, result, tmp_path / "side.mp4", progress=False)
    assert side.codec == "h264"
    assert side.frames == _segments(pose.n_frames, pose.fps, result.occurrences)


def test_the_elite_reaches_every_keyframe_on_the_athlete_s_frame() -> None:
    """Through the warping path, corrected at each keyframe: on a real serve with six
    occurrences, each athlete keyframe maps onto the reference's own keyframe frame."""
    pose = read_motion(Path(__file__).resolve().parents[3] / "shared" / "data" / "tennis" /
                       "astrejos_Servicio.bvh")  # fmt: skip
    result = assess_motion(pose, "tennis_serve")
    refs = {r.name: r for r in load_motion_references("tennis_serve")}
    assert len(result.occurrences) >= 4
    for occ in result.occurrences:
        assert occ.warp, "the alignment keeps its warping path"
        ref = refs[occ.references[0].split("/")[-1]]
        frames = range(max(0, occ.start - 30), min(pose.n_frames, occ.end + 31))
        mapped = template_frames(occ, ref.keyframes, frames, len(ref.trajectory))
        assert all(b >= a for a, b in pairwise(mapped))  # monotone
        for key, frame in occ.keyframes.items():
            assert mapped[frame - frames.start] == ref.keyframes[key], key


def test_a_serve_from_mocap_is_a_stick_figure_every_occurrence_in_turn(
    tmp_path: Path, shared: Path
) -> None:
    pose = read_motion(shared / "data" / "tennis" / "jduribe_Servicio.bvh")
    result = assess_motion(pose, "tennis_serve")
    side = side_by_side_video(pose, result, tmp_path / "side.mp4", progress=False)
    assert side.codec == "h264"
    assert side.frames == _segments(pose.n_frames, pose.fps, result.occurrences)
    frames = _frames(tmp_path / "side.mp4")
    half = side.width // 2
    middle = frames[len(frames) // 2]
    # both panels hold a figure: bright skeleton pixels on the neutral background
    assert (middle[:540, :half].max(axis=2) > 200).sum() > 100
    assert (middle[:540, half:].max(axis=2) > 200).sum() > 100


def test_a_real_video_is_annotated_over_its_own_frames(tmp_path: Path, shared: Path) -> None:
    from sportsgpt.tools.pose import extract_pose

    video = shared / "media" / "sports2d_demo.mp4"
    pose = extract_pose(video).pose
    result = assess_motion(pose, "walking_gait")
    facts = annotated_video(pose, result, tmp_path / "walk.mp4", video=video, progress=False)
    assert facts.codec == "h264" and facts.frames == pose.n_frames
    assert result.capture is not None and result.capture.athlete_px is not None
    frame = _frames(tmp_path / "walk.mp4")[pose.n_frames // 2]
    assert frame[100:-100].std() > 20  # the video's own pixels, not a plain background


def test_a_failed_render_leaves_no_file_and_bad_names_are_one_line(tmp_path: Path) -> None:
    out = tmp_path / "broken.mp4"
    with pytest.raises(RuntimeError), VideoSink(out, 30.0, (64, 48)) as sink:
        sink.write(np.zeros((48, 64, 3), np.uint8))
        raise RuntimeError("stopped half way")
    assert not out.exists() and not list(tmp_path.iterdir())
    with pytest.raises(SportsGPTError, match="must end in"):
        VideoSink(tmp_path / "clip.gif", 30.0, (64, 48))
    with pytest.raises(SportsGPTError, match="even size"):
        VideoSink(tmp_path / "clip.mp4", 30.0, (63, 48))


def test_cli_analyze_writes_both_videos(kb: KnowledgeBase, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from sportsgpt.cli.main import main

    monkeypatch.setenv("SPORTSGPT_DATA_DIR", str(kb.settings.data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name in ("OPENAI_BASE_URL", "SPORTSGPT_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    args = ["analyze", str(SAMPLE), "--video-out", str(tmp_path / "a.mp4"),
            "--compare-out", str(tmp_path / "s.mp4"), "--json"]  # fmt: skip
    assert main(args) == 0
    payload = json.loads(capsys.readouterr().out)
    videos = payload["videos"]
    assert videos["annotated"]["frames"] == 107 and videos["annotated"]["codec"] == "h264"
    assert videos["side_by_side"]["codec"] == "h264"
    assert [m["label"] for m in videos["marks"]][:2] == ["bottom of the countermovement",
                                                         "take-off"]  # fmt: skip
    assert "## What this recording limits" in payload["answer"]
    first = payload["answer"].index("## What this recording limits")
    assert first < payload["answer"].index("## Diagnosis")
    # a name no encoder has is said before any work, in one line
    assert main(["analyze", str(SAMPLE), "--video-out", str(tmp_path / "a.gif")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "must end in" in err[0]
