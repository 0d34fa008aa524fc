"""Helpers every subcommand shares: common flags and the text-or-JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print only JSON on stdout")
    p.add_argument("-v", "--verbose", action="store_true", help="more log detail on stderr")
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")


def emit(args: argparse.Namespace, payload: Any, text: str) -> None:
    if args.json:
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write(text.rstrip() + "\n")


VIEWS = ("side", "front", "oblique")


def add_motion_input(p: argparse.ArgumentParser, name: str = "input", video: bool = False) -> None:
    """The motion-file argument and the options its readers take (``video``: videos too,
    run through pose extraction first)."""
    kinds = (".json .npz .csv .bvh .trc .c3d, DeepMimic .txt, COCO .json, OpenPose .json "
             "or folder")  # fmt: skip
    p.add_argument(
        name, type=Path, help=f"motion file: {kinds}" + (", or a video" if video else "")
    )
    if video:
        add_pick(p)
    p.add_argument("--fps", type=float, help="frame rate for formats without one (COCO, OpenPose)")
    p.add_argument("--person", type=int, help="track id to keep in multi-person 2D files")
    p.add_argument("--character", type=Path, help="DeepMimic character file")
    p.add_argument("--marker-set", help="lab marker set of a TRC/C3D file (default: the one "
                   "that fits; plug_in_gait, opencap, camargo, opensim_gait, anatomical, "
                   "keypoints)")  # fmt: skip
    p.add_argument("--keypoint-map", help="what a COCO file's keypoint labels mean: a shipped "
                   "map (ski_tb_23) or a JSON file (docs/formats.md)")  # fmt: skip
    p.add_argument("--view", choices=VIEWS, help="the camera view of 2D input (default: "
                   "estimated from the skeleton, per stretch of the clip)")  # fmt: skip
    p.add_argument("--height", type=float, help="the athlete's height in metres: 2D pixel "
                   "input is scaled to metres (y up) by it")  # fmt: skip
    p.add_argument("--known-length", help="JOINT_A,JOINT_B,METRES: scale 2D pixel input by "
                   "a known distance instead (e.g. left_hip,left_knee,0.45)")  # fmt: skip


PICK_HELP = ("X,Y[,SECONDS]: a point on the athlete in the video (pixels), at that time "
             "(default: the first frame it touches anyone); for a video with more than one "
             "person in it")  # fmt: skip


def add_pick(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pick", metavar="X,Y[,SECONDS]", help=PICK_HELP)


def pick_hint(text: str | None, flag: str = "--pick") -> Any:
    """The AthleteHint that ``--pick X,Y[,SECONDS]`` gives (None without one)."""
    from ..tools.errors import SportsGPTError
    from ..tools.pose.tracking import AthleteHint

    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) not in (2, 3) or (len(values) == 3 and values[2] < 0):
        raise SportsGPTError(f"{flag} needs X,Y or X,Y,SECONDS (pixels, seconds), got {text!r}")
    return AthleteHint(point=(values[0], values[1]), time_s=values[2] if len(values) == 3
                       else None)  # fmt: skip


def read_motion_input(path: Path, args: argparse.Namespace, video: bool = False) -> Any:
    """The PoseSequence behind ``path`` with the reader options in ``args``; with ``video``
    a video file is run through pose extraction (default settings) first: the athlete is
    the person at ``--pick``, or, among several, the one who performs ``--motion``."""
    from ..tools.pose_sequence import with_view
    from ..tools.readers import VIDEO_SUFFIXES, read_motion

    if video and path.suffix.lower() in VIDEO_SUFFIXES:
        from ..tools.kismam import AUTO, motion_check
        from ..tools.motiondtw.library import known_motions
        from ..tools.pose import PoseSettings, extract_pose  # ~2 s of imports: for a video

        motion = getattr(args, "motion", None)
        performs = motion_check(motion) if motion in (*known_motions(), AUTO) else None
        settings = PoseSettings(athlete=pick_hint(getattr(args, "pick", None)))
        extraction = extract_pose(path, settings, performs=performs)
        if len(extraction.report.selection.people) > 1:  # say who was analysed, and why
            args.athlete_choice = extraction.report.selection.method
        return _scaled(with_view(extraction.pose, getattr(args, "view", None)), args)
    seq = read_motion(
        path,
        fps=getattr(args, "fps", None),
        person=getattr(args, "person", None),
        character=getattr(args, "character", None),
        marker_set=getattr(args, "marker_set", None),
        keypoint_map=getattr(args, "keypoint_map", None),
    )
    return _scaled(with_view(seq, getattr(args, "view", None)), args)


def _scaled(seq: Any, args: argparse.Namespace) -> Any:
    """2D pixels to metres when ``--height`` or ``--known-length`` asks for it."""
    from ..tools.errors import SportsGPTError
    from ..tools.scaling import to_metres

    height, known = getattr(args, "height", None), getattr(args, "known_length", None)
    if height is None and known is None:
        return seq
    spec = None
    if known is not None:
        parts = [x.strip() for x in str(known).split(",")]
        try:
            spec = (parts[0], parts[1], float(parts[2]))
        except (IndexError, ValueError):
            raise SportsGPTError(f"--known-length wants JOINT_A,JOINT_B,METRES, got {known!r}"
                                 ) from None  # fmt: skip
    return to_metres(seq, height_m=height, known=spec)
