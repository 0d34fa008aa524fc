"""``sportsgpt align`` and ``sportsgpt reference build``: MotionDTW from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..tools.errors import SportsGPTError
from .common import add_common, add_motion_input, emit, read_motion_input


def add_align_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "align",
        help="find every occurrence of a motion and its keyframes (MotionDTW)",
        description="Two-stage alignment: a coarse subsequence search over the whole "
        "recording, then full-rate DTW in each found window; prints occurrences with "
        "keyframes in the input's own frame numbers.",
    )
    add_motion_input(p, "pose", video=True)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--motion", help="a shipped motion (e.g. max_velocity); all its references vote"
    )
    which.add_argument("--reference", type=Path, nargs="+", help="reference file(s) to use")
    method = p.add_mutually_exclusive_group()
    method.add_argument("--one-stage", action="store_true", help="baseline: global DTW")
    method.add_argument("--coarse-only", action="store_true", help="baseline: stage 1 only")
    p.add_argument("--max-cost", type=float, help="override the references' cost threshold")
    p.add_argument("--radius", type=float, default=0.3, help="stage-2 window widening, s (0.3)")
    p.add_argument("--no-mirror", action="store_true", help="do not try left/right swapped")
    add_common(p)
    p.set_defaults(handler=cmd_align)

    ref = sub.add_parser(
        "reference",
        help="build alignment references from your own recordings",
        description="Manage MotionDTW references.",
    )
    ref_sub = ref.add_subparsers(dest="reference_command", required=True, metavar="ACTION")
    b = ref_sub.add_parser(
        "build",
        help="a reference from a pose file or video and keyframe frames",
        description="Build a template (angle channels) with named keyframes. The template "
        "spans the first keyframe minus --pad to the last plus --pad, or --span.",
    )
    b.add_argument("--from", dest="source", type=Path, required=True, help="pose file or video")
    b.add_argument("--person", type=int, help="track id to keep in multi-person 2D files")
    b.add_argument("--character", type=Path, help="DeepMimic character file")
    b.add_argument("--marker-set", help="lab marker set of a TRC/C3D file")
    b.add_argument("--keypoint-map", help="what a COCO file's keypoint labels mean")
    b.add_argument("--view", choices=("side", "front", "oblique"),
                   help="the camera view of 2D input (default: estimated)")  # fmt: skip
    b.add_argument(
        "--keyframes", required=True, help="name=frame,... (0-based frames of the source)"
    )
    b.add_argument("--motion", required=True, help="snake_case motion name")
    b.add_argument("--name", help="this reference's id (default: the source file's stem)")
    b.add_argument("-o", "--output", type=Path, required=True, help="ref.json")
    span = b.add_mutually_exclusive_group()
    span.add_argument("--pad", type=float, default=0.5, help="seconds around the keyframes (0.5)")
    span.add_argument("--span", help="START:END source frames (inclusive) instead of --pad")
    b.add_argument("--cycle", action="store_true", help="the whole span is one motion cycle")
    b.add_argument("--fps", type=float, help="frame rate for formats without one")
    add_common(b)
    b.set_defaults(handler=cmd_reference_build)

    c = ref_sub.add_parser(
        "calibrate",
        help="recompute a motion's elite bands from a folder of elite recordings",
        description="Align every recording in the folder, measure the motion's metrics at "
        "every occurrence, and write an assessment spec whose bands are mean +/- k SD.",
    )
    c.add_argument("--motion", required=True, help="motion whose assessment spec to recalibrate")
    c.add_argument("--from", dest="folder", type=Path, required=True, help="folder of recordings")
    c.add_argument("-o", "--output", type=Path, required=True, help="new assessment.json")
    c.add_argument("--k", type=float, default=2.0, help="band half-width in SDs (2)")
    c.add_argument("--min-samples", type=int, default=5, help="fewest measurements per band (5)")
    c.add_argument(
        "--by-athlete",
        action="store_true",
        help="files are named ATHLETE_anything: each athlete counts once and the bands hold "
        "the spread between athletes, not only between one athlete's trials",
    )
    c.add_argument("--fps", type=float, help="frame rate for formats without one")
    add_common(c)
    c.set_defaults(handler=cmd_reference_calibrate)


def _keyframes(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in filter(None, (t.strip() for t in text.split(","))):
        name, sep, frame = item.partition("=")
        if not sep or not frame.strip().lstrip("-").isdigit():
            raise SportsGPTError(f"--keyframes wants name=frame pairs, got {item!r}")
        out[name.strip()] = int(frame)
    if not out:
        raise SportsGPTError("--keyframes is empty")
    return out


def cmd_reference_build(args: argparse.Namespace) -> int:
    from ..tools.motiondtw.reference import (
        WEAK_SUPPORT,
        WEAK_WINDOW_S,
        build_reference,
        save_reference,
    )

    span = None
    if args.span:
        start, sep, end = args.span.partition(":")
        if not sep or not start.isdigit() or not end.isdigit():
            raise SportsGPTError(f"--span wants START:END frames, got {args.span!r}")
        span = (int(start), int(end))
    seq = read_motion_input(args.source, args, video=True)
    try:
        ref = build_reference(
            seq, _keyframes(args.keyframes), args.motion,
            name=args.name or _snake(args.source.stem), pad_s=args.pad, span=span,
            whole_template_is_motion=args.cycle,
        )  # fmt: skip
    except ValueError as exc:  # pydantic validation: one line
        raise SportsGPTError(f"invalid reference: {str(exc).splitlines()[-1].strip()}") from None
    out = save_reference(ref, args.output)
    exclude = {"channels", "projected", "reliability"}
    support = ref.keyframe_support()
    weak = {k: v for k, v in support.items() if v < WEAK_SUPPORT}
    info = {"output": str(out), **ref.model_dump(mode="json", exclude=exclude),
            "keyframe_support": support, "weak_keyframes": sorted(weak)}  # fmt: skip
    lines = [
        f"wrote {out}: {ref.motion}/{ref.name}, {ref.frames} frames at {ref.fps:g} fps, "
        f"{ref.dims}D {ref.view}, keyframes {ref.keyframes}"
    ]
    lines += [
        f"  warning: {k} has only {v:.0%} real data within {WEAK_WINDOW_S:g} s (the rest was "
        "filled over gaps in the keypoints): alignment has little to pin it to; a recording "
        "that sees it is a better reference"
        for k, v in weak.items()
    ]
    emit(args, info, "\n".join(lines))
    return 0


def cmd_reference_calibrate(args: argparse.Namespace) -> int:
    from ..tools.kismam import load_motion_spec
    from ..tools.kismam.calibrate import athlete_of, calibrate_bands, save_spec

    if not args.folder.is_dir():
        raise SportsGPTError(f"{args.folder} is not a folder")
    files = sorted(p for p in args.folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise SportsGPTError(f"{args.folder} holds no recordings")
    recordings = [read_motion_input(p, args, video=True) for p in files]
    athletes = [athlete_of(p) for p in files] if args.by_athlete else None
    spec, report = calibrate_bands(
        load_motion_spec(args.motion), recordings, k_sd=args.k,
        min_samples=args.min_samples, label=f"recordings in {args.folder.name}",
        athletes=athletes,
    )  # fmt: skip
    out = save_spec(spec, args.output)
    lines = [
        f"wrote {out}: {len(report.updated)} band(s) recalibrated from {report.recordings} "
        f"recordings ({report.occurrences} occurrences)"
    ]
    lines += [f"  {metric}: {n} measurements" for metric, n in report.updated.items()]
    lines += [f"  kept {metric}: {why}" for metric, why in report.kept.items()]
    emit(args, {"output": str(out), **report.model_dump()}, "\n".join(lines))
    return 0


def _snake(text: str) -> str:
    import re

    snake = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return snake if snake and snake[0].isalpha() else f"ref_{snake}"


def cmd_align(args: argparse.Namespace) -> int:
    from ..tools.motiondtw.align import AlignSettings, align
    from ..tools.motiondtw.library import load_motion_references
    from ..tools.motiondtw.reference import load_reference

    refs = (
        load_motion_references(args.motion)
        if args.motion
        else [load_reference(p) for p in args.reference]
    )
    method = "one_stage" if args.one_stage else "coarse_only" if args.coarse_only else "two_stage"
    settings = AlignSettings(
        method=method, max_cost=args.max_cost, radius_s=args.radius, mirror=not args.no_mirror
    )
    result = align(read_motion_input(args.pose, args, video=True), refs, settings)
    choice = getattr(args, "athlete_choice", None)  # a video with several people in it
    payload = result.model_dump(mode="json") | ({"athlete_choice": choice} if choice else {})
    lines = [
        f"{args.pose}: {len(result.occurrences)} occurrence(s) of {result.motion} "
        f"({result.method}, {result.frames} frames at {result.fps:g} fps, "
        f"threshold {result.cost_threshold:g})"
    ] + ([f"  athlete: {choice}"] if choice else [])
    how = {"cycle": "a cycle next to those found, at {cost}",
           "events": "read from the contacts past the cycles found",
           "edge": "a cycle cut by the end of the tracking"}  # fmt: skip
    for i, occ in enumerate(sorted(result.occurrences, key=lambda o: o.start)):
        kfs = ", ".join(f"{k}={v}" for k, v in occ.keyframes.items())
        found = f"cost {occ.cost:.3f}"
        if occ.bout is not None:  # timed as the bout goes on: not judged
            found = how[occ.bout].format(cost=found)
        lines.append(f"  #{i + 1} frames {occ.start}-{occ.end} {found}: {kfs}")
    emit(args, payload, "\n".join(lines))
    return 0
