"""``sportsgpt`` entry point.

Conventions for every subcommand: ``--json`` prints only JSON on stdout; logs, progress
and library warnings go to stderr; frame numbers are 0-based; exit 0 on success, 1 with a
one-line ``sportsgpt: error: ...`` message on a handled error, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..settings import configure_logging, load_settings, mask_secrets, settings_scope
from ..tools.errors import SportsGPTError
from .align_cmd import add_align_parsers
from .assess_cmd import add_assess_parser
from .batch_cmd import add_batch_parser
from .coach_cmd import add_coach_parsers
from .common import add_common as _add_common
from .common import add_motion_input, read_motion_input
from .common import emit as _emit
from .config_cmd import add_config_parser
from .eval_cmd import add_eval_parsers
from .history_cmd import add_history_parser
from .kb_cmd import add_kb_parsers
from .pose_cmd import add_pose_parser

log = logging.getLogger("sportsgpt")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sportsgpt",
        description="Interpretable sports-motion assessment: read motion, compute "
        "kinematics, align to elite references, diagnose, and coach.",
        epilog="Run 'sportsgpt COMMAND --help' for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"sportsgpt {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "info",
        help="describe a motion file (frames, joints, fps, units)",
        description="Read any supported motion file and describe it.",
    )
    add_motion_input(p)
    _add_common(p)
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser(
        "convert",
        help="convert motion between formats (and project 3D to 2D)",
        description="Read any supported motion file and write it as our "
        "JSON, NPZ or wide CSV (format by the output's extension).",
    )
    add_motion_input(p)
    p.add_argument(
        "-o", "--output", type=Path, required=True, help="OUT.json, .npz, .csv, .trc or .c3d (3D)"
    )
    p.add_argument(
        "--project",
        choices=["side", "front", "oblique"],
        help="project a 3D sequence to a 2D pixel view from this camera",
    )
    p.add_argument("--image-size", default="1920x1080", help="WxH for --project (1920x1080)")
    _add_common(p)
    p.set_defaults(handler=cmd_convert)

    p = sub.add_parser(
        "kinematics",
        help="joint/segment angles, COM proxy and velocities",
        description="Clean the skeleton (confidence gate, spike rejection, gap "
        "fill, zero-phase low-pass) and compute angles; writes a CSV and a PNG.",
    )
    add_motion_input(p, "pose")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="angles.csv, or angles.mot (OpenSim, degrees)",
    )
    p.add_argument("--plot", type=Path, help="PNG of the main angles (default: beside -o)")
    p.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    p.add_argument(
        "--compare-ik",
        type=Path,
        metavar="IK.mot",
        help="an OpenSim inverse-kinematics file of the same trial: our angles against its "
        "coordinates (r, offset, RMS)",
    )
    p.add_argument(
        "--side",
        default="auto",
        choices=["auto", "left", "right"],
        help="primary side for the plot and summary (auto: the better-seen leg)",
    )
    p.add_argument("--cutoff", default="8", help="low-pass cutoff in Hz, or 'none' (default 8)")
    p.add_argument("--max-gap", type=float, default=0.15, help="longest gap filled, seconds")
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.3,
        help="joints below this confidence count as missing",
    )
    _add_common(p)
    p.set_defaults(handler=cmd_kinematics)

    add_pose_parser(sub)
    add_align_parsers(sub)
    add_assess_parser(sub)
    add_kb_parsers(sub)
    add_batch_parser(sub)
    add_history_parser(sub)
    add_coach_parsers(sub)
    add_eval_parsers(sub)
    add_config_parser(sub)
    return parser


def _mot_info(args: argparse.Namespace) -> int:
    """An OpenSim storage file: IK coordinates or force plates, described."""
    from ..tools.readers.mot import ik_angles, plate_contacts, read_mot

    table = read_mot(args.input)
    contacts = (
        plate_contacts(table) if any(c.startswith("ground_force_") for c in table.columns) else []
    )
    duration = float(table.time[-1] - table.time[0])
    info: dict[str, object] = {
        "source": str(args.input),
        "rows": len(table.time),
        "rate_hz": round(table.rate, 3),
        "duration_s": round(duration, 3),
    }
    lines = [
        f"{args.input}",
        f"  rows: {len(table.time)}  rate: {table.rate:g} Hz  duration: {duration:.2f} s",
    ]
    if contacts:
        info["kind"] = "force plates"
        info["contacts"] = [c.model_dump() for c in contacts]

        def when(t: float, edge: str) -> str:
            return f"{t:.2f}" if t == t else edge  # NaN: on at the file's start or end

        shown = ", ".join(
            f"plate {c.plate} {when(c.on_s, 'start')}-{when(c.off_s, 'end')} s" for c in contacts
        )
        plates = len({c.plate for c in contacts})
        lines.append(f"  force plates: {plates}, contacts (> 20 N): {shown}")
    else:
        angles = ik_angles(table)
        info["kind"] = "joint angles (inverse kinematics)"
        info["coordinates"] = list(angles)
        lines.append(f"  joint angles ({len(angles)}, degrees): {', '.join(angles)}")
        lines.append("  compare with ours: sportsgpt kinematics TRIAL.trc -o angles.csv "
                     f"--compare-ik {args.input}")  # fmt: skip
    _emit(args, info, "\n".join(lines))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    if Path(args.input).suffix.lower() in (".mot", ".sto"):
        return _mot_info(args)
    seq = read_motion_input(args.input, args)
    info = seq.summary()
    lines = [
        f"{args.input}",
        f"  frames: {info['frames']}  fps: {info['fps']:g}  duration: {info['duration_s']:.2f} s",
        f"  {info['dims']}D, units: {info['units']}, skeleton: {info['skeleton']}, "
        f"view: {info['view'] or '-'}",
        f"  joints ({len(info['joints'])}): {', '.join(info['joints'])}",
    ]
    if info["extra_points"]:
        lines.append(
            f"  extra points ({len(info['extra_points'])}): {', '.join(info['extra_points'])}"
        )
    _emit(args, info, "\n".join(lines))
    return 0


def _image_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SportsGPTError(f"--image-size must look like 1920x1080, got {text!r}") from None
    if w <= 0 or h <= 0:
        raise SportsGPTError(f"--image-size must be positive, got {text!r}")
    return w, h


def cmd_convert(args: argparse.Namespace) -> int:
    from ..tools.projection import project
    from ..tools.readers import write_motion

    seq = read_motion_input(args.input, args)
    if args.project:
        seq = project(seq, args.project, image_size=_image_size(args.image_size))
    out = write_motion(seq, args.output)
    info = {"output": str(out), **seq.summary()}
    _emit(
        args,
        info,
        f"wrote {out}: {seq.n_frames} frames, {len(seq.joints)} joints, {seq.dims}D {seq.units}",
    )
    return 0


def cmd_kinematics(args: argparse.Namespace) -> int:
    from ..tools.kinematics import FilterSettings, compute_kinematics
    from ..tools.kinematics.plot import plot_kinematics

    cutoff = None if str(args.cutoff).lower() == "none" else float(args.cutoff)
    settings = FilterSettings(
        cutoff_hz=cutoff, max_gap_s=args.max_gap, min_confidence=args.min_confidence
    )
    seq = read_motion_input(args.pose, args)
    series = compute_kinematics(seq, side=args.side, settings=settings)
    if args.output.suffix.lower() in (".mot", ".sto"):  # OpenSim: the angles, in degrees
        from ..tools.readers.lab_writers import write_mot

        args.output.parent.mkdir(parents=True, exist_ok=True)
        angles = {n: v for n, v in series.channels.items() if series.units.get(n) == "deg"}
        write_mot(angles, series.times, args.output)
    else:
        series.to_csv(args.output)
    plot = None
    if not args.no_plot:
        plot = plot_kinematics(series, args.plot or args.output.with_suffix(".png"))
    summary = {"output": str(args.output), "plot": str(plot) if plot else None, **series.summary()}
    side = series.primary_side
    lines = [
        f"{seq.source}: {series.n_frames} frames at {series.fps:g} fps, "
        f"{series.view} view, primary side {side}"
    ]
    for base in ("hip_flexion", "knee_flexion", "ankle_dorsiflexion", "thigh_angle", "shin_angle"):
        name = f"{side}_{base}"
        if name in series.channels:
            st = summary["channels"][name]
            lines.append(f"  {name:<28} min {st['min']:8.1f}  max {st['max']:8.1f} deg")
    for name in ("trunk_lean", "com_height"):
        if name in series.channels:
            st = summary["channels"][name]
            lines.append(
                f"  {name:<28} min {st['min']:8.2f}  max {st['max']:8.2f} {series.units[name]}"
            )
    if series.unmeasurable:
        lines.append(
            f"  not measurable: {len(series.unmeasurable)} channels "
            "(see --json 'unmeasurable' for why)"
        )
    if args.compare_ik:
        from ..tools.kinematics.validation import ik_agreement
        from ..tools.readers.mot import read_mot

        rows = ik_agreement(series, read_mot(args.compare_ik))
        if not rows:
            raise SportsGPTError(f"{args.compare_ik}: no coordinate of it matches our channels")
        summary["ik_agreement"] = [r.model_dump() for r in rows]
        lines.append(f"  against {args.compare_ik.name} (ours - OpenSim IK):")
        for r in rows:
            lines.append(f"  {r.channel:<28} {r.coordinate:<16} r {r.r:6.3f}  offset "
                         f"{r.offset_deg:+6.1f}  RMS {r.rms_deg:5.1f} deg")  # fmt: skip
    lines.append(f"wrote {args.output}" + (f" and {plot}" if plot else ""))
    _emit(args, summary, "\n".join(lines))
    return 0


def _explicit_settings(args: argparse.Namespace) -> dict[str, object]:
    """Settings given as command-line options (``set_defaults(settings_options=...)``)."""
    options: dict[str, str] = getattr(args, "settings_options", {})
    found = {name: getattr(args, option, None) for name, option in options.items()}
    return {name: value for name, value in found.items() if value is not None}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        args.explicit_settings = _explicit_settings(args)
        args.settings = load_settings(**args.explicit_settings)
    except SportsGPTError as exc:
        if debug:
            raise
        sys.stderr.write(f"sportsgpt: error: {mask_secrets(str(exc))}\n")
        return 1
    configure_logging(getattr(args, "verbose", False), args.settings.log_level)
    try:
        with warnings.catch_warnings(), settings_scope(args.settings):
            warnings.simplefilter("default")
            return int(args.handler(args))
    except SportsGPTError as exc:
        if debug:
            raise
        from ..tools.kismam.not_found import MotionNotFoundError

        said = str(exc)
        if isinstance(exc, MotionNotFoundError) and exc.report.named is None:
            said += " If you know which motion it is, name it with --motion."
        people = getattr(exc, "people", None)  # AthleteChoiceError (no video stack import)
        if people:
            x, y = people[0].point
            said = said.rstrip(".") + (f" with --pick X,Y,SECONDS (e.g. --pick {x:.0f},{y:.0f},"
                     f"{people[0].time_s:.1f} for person 1).")  # fmt: skip
        sys.stderr.write(f"sportsgpt: error: {mask_secrets(said)}\n")
        return 1
    except (OSError, ValueError) as exc:
        if debug:
            raise
        sys.stderr.write(f"sportsgpt: error: {type(exc).__name__}: {mask_secrets(str(exc))}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("sportsgpt: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
