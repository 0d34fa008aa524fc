"""Writing for lab software: TRC (OpenSim, Mokka), C3D (any mocap package) and OpenSim
``.mot`` angle tables.

Positions go out as the canonical joints, named as the joint-centre markers of our
``keypoints`` set (``RHip``, ``LKnee``, ...; Sports2D and Pose2Sim use the same names), so
a file we write reads back to the same skeleton. 3D in metres stays y up (OpenSim's
convention; TRC in mm); 2D pixel data is written with z = 0. C3D points are in mm, with
a residual of -1 where a joint is missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import MotionInputError
from ..pose_sequence import FloatArray, PoseSequence

_NAMES = {"head": "Head", "neck": "Neck", "nose": "Nose", "pelvis": "Hip"}
_PARTS = {"shoulder": "Shoulder", "elbow": "Elbow", "wrist": "Wrist", "hip": "Hip",
          "knee": "Knee", "ankle": "Ankle", "heel": "Heel", "toe": "BigToe"}  # fmt: skip


def marker_name(joint: str) -> str:
    """'left_knee' -> 'LKnee', 'pelvis' -> 'Hip' (the keypoint-TRC names)."""
    if joint in _NAMES:
        return _NAMES[joint]
    side, _, part = joint.partition("_")
    return ("L" if side == "left" else "R") + _PARTS[part]


def _xyz_mm(seq: PoseSequence) -> FloatArray:
    pos = seq.positions
    if seq.dims == 2:
        pos = np.concatenate([pos, np.zeros((*pos.shape[:2], 1))], axis=2)
    return pos * (1000.0 if seq.units == "m" else 1.0)


def write_trc(seq: PoseSequence, path: Path) -> None:
    names = [marker_name(j) for j in seq.joints]
    xyz = _xyz_mm(seq)
    units = "mm" if seq.units == "m" else "px"
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame"
        "\tOrigNumFrames",
        f"{seq.fps:g}\t{seq.fps:g}\t{seq.n_frames}\t{len(names)}\t{units}\t{seq.fps:g}\t1"
        f"\t{seq.n_frames}",
        "Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(names) + 1)),
        "",
    ]
    times = seq.frame_times
    for t in range(seq.n_frames):
        cells = [str(t + 1), f"{times[t]:.5f}"]
        for j in range(len(names)):
            cells += ["" if not np.isfinite(v) else f"{v:.5f}" for v in xyz[t, j]]
        lines.append("\t".join(cells))
    path.write_text("\n".join(lines) + "\n")


def write_c3d(seq: PoseSequence, path: Path) -> None:
    import c3d

    if seq.units != "m":
        raise MotionInputError(path, "C3D holds 3D marker positions: project or use a 3D input")
    xyz = _xyz_mm(seq)
    writer = c3d.Writer(point_rate=float(seq.fps), point_units="mm")
    for t in range(seq.n_frames):
        points = np.zeros((len(seq.joints), 5), dtype=np.float32)
        ok = np.isfinite(xyz[t]).all(axis=1)
        points[ok, :3] = xyz[t, ok]
        points[~ok, 3] = -1.0  # residual -1: not seen
        writer.add_frames([(points, np.zeros((0, 0), dtype=np.float32))])
    writer.set_point_labels([marker_name(j) for j in seq.joints])
    with path.open("wb") as handle:
        writer.write(handle)


def write_mot(channels: dict[str, FloatArray], times: FloatArray, path: Path,
              in_degrees: bool = True) -> None:  # fmt: skip
    """An OpenSim storage table: ``time`` then one column per channel."""
    names = list(channels)
    lines = [path.name, "version=1", f"nRows={len(times)}", f"nColumns={len(names) + 1}",
             f"inDegrees={'yes' if in_degrees else 'no'}", "endheader",
             "\t".join(["time", *names])]  # fmt: skip
    for t in range(len(times)):
        row = [f"{times[t]:.5f}"] + [
            "NaN" if not np.isfinite(channels[n][t]) else f"{channels[n][t]:.6f}" for n in names
        ]
        lines.append("\t".join(row))
    path.write_text("\n".join(lines) + "\n")
