"""The session's pictures and videos: which analysis, which files, which video the pose
came from (this session's workspace decides); the drawing itself is tools/render's."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..tools.errors import SportsGPTError
from ..tools.kismam import load_motion_spec
from ..tools.kismam.models import Assessment
from ..tools.pose_sequence import PoseSequence
from ..tools.readers import VIDEO_SUFFIXES, read_motion
from ..tools.render.annotated import annotated_video, occurrence_spans, side_by_side_video
from ..tools.render.figures import keyframe_figures, metric_plot
from ..tools.render.video import VideoFacts
from .tools import ToolContext, stored_analyses
from .workspace import Workspace

log = logging.getLogger(__name__)


class LatestAnalysis(BaseModel):
    """The session's latest analysis, its pose and the video it came from (if readable)."""

    stored: dict[str, Any]
    pose: PoseSequence
    video: Path | None


def latest_analysis(ctx: ToolContext) -> LatestAnalysis | None:
    analyses = stored_analyses(ctx)
    if not analyses:
        return None
    last = analyses[-1]
    pose = read_motion(ctx.workspace.resolve(last["pose_file"]))
    return LatestAnalysis(stored=last, pose=pose, video=source_video(ctx.workspace, pose.source))


def analysis_figures(ctx: ToolContext, out_dir: Path) -> tuple[list[Path], Path | None]:
    """The keyframe pictures and the angle plot of the session's latest analysis."""
    latest = latest_analysis(ctx)
    if latest is None:
        return [], None
    last, pose = latest.stored, latest.pose
    folder = out_dir / last["id"]
    images = keyframe_figures(pose, last["assessment"], folder, latest.video)
    return images, metric_plot(pose, last["assessment"], folder / "angles.png")


def figure_caption(path: Path) -> str:
    """What a figure file shows, in words (gallery and report captions)."""
    stem = Path(path).stem
    if stem.startswith("keyframe_"):
        return stem.split("_", 2)[-1].replace("_", " ")
    if stem == "angles":
        return "measured angles over time, elite bands shaded, keyframes marked"
    return stem.replace("_", " ")


def source_video(workspace: Workspace, source: str) -> Path | None:
    """The video a pose came from, if this session may read it (a pose file names its
    own source, so the name is checked like any path from the client)."""
    if Path(source).suffix.lower() not in VIDEO_SUFFIXES:
        return None
    try:
        video = workspace.resolve(source)
    except SportsGPTError:
        return None
    return video if video.is_file() else None


class KeyframeMark(BaseModel):
    """Where a keyframe is in each video (the app's jump-to-keyframe)."""

    label: str
    annotated_s: float
    side_s: float | None


class AnalysisVideos(BaseModel):
    annotated: VideoFacts | None = None
    side_by_side: VideoFacts | None = None
    marks: list[KeyframeMark] = []


def analysis_videos(ctx: ToolContext, annotated: Path | None, side: Path | None,
                    progress: bool = True) -> AnalysisVideos:  # fmt: skip
    """The annotated video and the side-by-side of the session's latest analysis."""
    latest = latest_analysis(ctx)
    if latest is None:
        raise SportsGPTError("no analysis yet: nothing to put in a video")
    pose, video = latest.pose, latest.video
    assessment = Assessment.model_validate(latest.stored["assessment"])
    out = AnalysisVideos()
    if annotated is not None:
        out.annotated = annotated_video(pose, assessment, annotated, video=video,
                                        progress=progress)  # fmt: skip
    if side is not None and assessment.occurrences:
        out.side_by_side = side_by_side_video(pose, assessment, side, video=video,
                                              progress=progress)  # fmt: skip
    out.marks = keyframe_marks(assessment, pose.n_frames, pose.fps)
    return out


def keyframe_marks(assessment: Assessment, n_frames: int, fps: float) -> list[KeyframeMark]:
    """Each occurrence's keyframes: the time in the annotated video (one frame per frame
    of the recording) and in the side-by-side (its clips one after another)."""
    spec = load_motion_spec(assessment.motion)
    spans = occurrence_spans(assessment, n_frames, fps)
    marks = []
    offset = 0
    for n, (occ, frames) in enumerate(spans, 1):
        for key, frame in sorted(occ.keyframes.items(), key=lambda kv: kv[1]):
            of = f" (occurrence {n})" if len(spans) > 1 else ""
            side_s = (offset + frame - frames.start) / fps
            marks.append(KeyframeMark(label=f"{spec.keyframe_label(key)}{of}",
                                      annotated_s=round(frame / fps, 3),
                                      side_s=round(side_s, 3)))  # fmt: skip
        offset += len(frames)
    return marks
