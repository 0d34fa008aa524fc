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


def read_motion_input(path: Path, args: argparse.Namespace, video: bool = False) -> Any:
    """The PoseSequence behind ``path`` with the reader options in ``args``; with ``video``
    a video file is run through pose extraction (default settings) first."""
    from ..tools.pose_sequence import with_view
    from ..tools.readers import VIDEO_SUFFIXES, read_motion

    if video and path.suffix.lower() in VIDEO_SUFFIXES:
        from ..tools.pose import extract_pose  # ~2 s of imports: only for a video

        return _scaled(with_view(extract_pose(path).pose, getattr(args, "view", None)), args)
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
