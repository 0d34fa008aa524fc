"""``sportsgpt pose VIDEO``: the athlete's skeleton from a video, plus pictures of it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..tools.errors import SportsGPTError
from .common import PICK_HELP, add_common, emit, pick_hint


def add_pose_parser(sub: Any) -> None:
    p = sub.add_parser(
        "pose",
        help="video -> the athlete's 2D skeleton (MediaPipe or rtmlib, offline)",
        description="Detect everyone in each frame, track them, keep the athlete (the "
        "largest moving person, or the one at --athlete/--bbox) and write a pose file.",
    )
    p.add_argument("video", type=Path, help="video file (.mp4 .mov .avi .mkv .webm ...)")
    p.add_argument(
        "-o", "--output", type=Path, help="pose.json or pose.npz (default: VIDEO_STEM.pose.json)"
    )
    p.add_argument(
        "--backend", choices=["mediapipe", "rtmlib"], default="mediapipe", help="(mediapipe)"
    )
    p.add_argument(
        "--model",
        help="mediapipe: lite|full|heavy or a .task path (full); "
        "rtmlib: rtmo-s|rtmo-m|rtmo-l|rtmpose-s|rtmpose-m|rtmpose-x or an .onnx path (rtmo-m)",
    )
    p.add_argument("--det-model", help="rtmlib RTMPose only: yolox-tiny|yolox-m|yolox-x or .onnx")
    p.add_argument(
        "--allow-download",
        action="store_true",
        help="rtmlib: let rtmlib download a missing model (needs internet)",
    )
    p.add_argument("--athlete", "--pick", dest="athlete", metavar="X,Y[,SECONDS]",
                   help=PICK_HELP)  # fmt: skip
    p.add_argument("--bbox", help="X,Y,W,H: a box around the athlete where they first appear")
    p.add_argument("--num-poses", type=int, default=2, help="people MediaPipe looks for (2)")
    p.add_argument("--start", type=float, default=0.0, help="start time, seconds")
    p.add_argument("--end", type=float, help="end time, seconds")
    p.add_argument("--stride", type=int, default=1, help="use every Nth frame (1)")
    p.add_argument(
        "--max-side", type=int, default=1920, help="longest side for inference, px (1920)"
    )
    p.add_argument(
        "--overlay", type=Path, help="write the video with skeletons (.mp4 H.264, .webm VP8)"
    )
    p.add_argument("--thumbnails", type=Path, help="folder for PNG thumbnails of the athlete")
    p.add_argument("--thumbnail-count", type=int, default=6, help="how many thumbnails (6)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_common(p)
    p.set_defaults(handler=cmd_pose)


def _numbers(text: str, count: int, flag: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != count:
        raise SportsGPTError(f"{flag} needs {count} comma-separated numbers, got {text!r}")
    return values


def cmd_pose(args: argparse.Namespace) -> int:
    from ..tools.pose import AthleteHint, FrameWindow, PoseSettings, extract_pose
    from ..tools.pose.tracking import person_words
    from ..tools.readers import write_motion
    from ..tools.render.overlay import save_thumbnails, write_overlay

    hint = pick_hint(args.athlete, "--athlete")
    if hint is None and args.bbox:
        x, y, w, h = _numbers(args.bbox, 4, "--bbox")
        hint = AthleteHint(box=(x, y, w, h))
    try:
        window = FrameWindow(
            start_s=args.start, end_s=args.end, stride=args.stride, max_side=args.max_side
        )
        settings = PoseSettings(
            backend=args.backend,
            model=args.model,
            detector=args.det_model,
            num_poses=args.num_poses,
            window=window,
            athlete=hint,
            allow_download=args.allow_download,
        )
    except ValueError as exc:  # pydantic: one line per problem
        raise SportsGPTError(f"bad pose options: {exc}".splitlines()[0]) from None
    output = args.output or Path(f"{args.video.stem}.pose.json")
    progress = not (args.no_progress or args.json)
    result = extract_pose(args.video, settings, progress=progress)
    written = write_motion(result.pose, output)
    report = result.report
    payload: dict[str, Any] = {"output": str(written), **report.model_dump(mode="json")}
    if args.overlay:
        payload["overlay"] = str(write_overlay(result, args.overlay, progress=progress))
    if args.thumbnails:
        thumbs = save_thumbnails(result.pose, args.thumbnails, count=args.thumbnail_count)
        payload["thumbnails"] = [str(t) for t in thumbs]
    athlete = [t for t in report.selection.tracks if t.athlete]
    lines = [
        f"{args.video}: {report.frames} frames ({report.video.width}x{report.video.height}, "
        f"{report.video.fps:g} fps), {report.backend} {Path(report.model).name}",
        f"  athlete seen in {report.frames_with_athlete}/{report.frames} frames "
        f"({report.detection_rate:.0%}); {len(report.selection.tracks)} people tracked, "
        f"athlete = track {', '.join(str(t.id) for t in athlete)} ({report.selection.method})",
        f"  camera view: {report.view}; {report.processing_fps:.1f} frames/s",
    ]
    if report.frames_held:
        lines.append(f"  {report.frames_held} frames repeat the picture before them (slow "
                     "motion by repeated pictures, or a frame-rate conversion): the pose "
                     "moves through them")  # fmt: skip
    if len(report.selection.people) > 1:
        lines.append(f"  {len(report.selection.people)} people may be the athlete "
                     "(--athlete X,Y,SECONDS picks one):")  # fmt: skip
        lines += [f"    {'*' if p.athlete else ' '} {person_words(p, i)}"
                  for i, p in enumerate(report.selection.people, 1)]  # fmt: skip
    lines.append(f"wrote {written}")
    if "overlay" in payload:
        lines.append(f"wrote {payload['overlay']}")
    if "thumbnails" in payload:
        lines.append(f"wrote {len(payload['thumbnails'])} thumbnails to {args.thumbnails}")
    emit(args, payload, "\n".join(lines))
    return 0
