"""TRC marker files (OpenSim, Sports2D): tab-separated, header with DataRate and Units.

Units m/cm/mm become metres. 3D files are lab markers or 3D keypoints: joint centres
come from the file's marker set (``markers.py``: Plug-in Gait, OpenCap, Camargo, OpenSim
examples, anatomical landmarks, Sports2D/Pose2Sim keypoints), y up whatever the lab's
axes. 2D when every Z is 0. Pixel TRC
becomes 2D image coordinates; Sports2D writes pixel y upwards (negative values), so
a pixel file whose y values are all <= 0 is flipped back to image y-down.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import MotionInputError
from ..pose_sequence import PoseSequence
from ..skeleton import map_named_joints
from .limits import check_fps, check_shape
from .markers import sequence_from_markers

_SCALE = {"m": 1.0, "cm": 0.01, "mm": 0.001}


def read_trc(path: Path, marker_set: str | None = None) -> PoseSequence:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise MotionInputError(path, "not a TRC file (first line must start with PathFileType)")
    keys = lines[1].split("\t")
    values = lines[2].split("\t")
    header = {k.strip(): v.strip() for k, v in zip(keys, values, strict=False)}
    try:
        rate = float(header["DataRate"])
        units = header["Units"].lower()
    except (KeyError, ValueError):
        raise MotionInputError(path, "TRC header lacks a numeric DataRate or Units") from None
    if units not in _SCALE and units != "px":
        raise MotionInputError(path, f"TRC units {units!r} not supported (m, cm, mm, px)")
    check_fps(path, rate)
    declared = {k: header.get(k, "") for k in ("NumFrames", "NumMarkers")}
    if all(v.isdigit() for v in declared.values()):
        check_shape(path, frames=int(declared["NumFrames"]), points=int(declared["NumMarkers"]))
    markers = [m.strip() for m in lines[3].split("\t")[2:] if m.strip()]
    body = [ln for ln in lines[5:] if ln.strip()]
    check_shape(path, frames=len(body), points=len(markers))  # before a cell is split
    rows = [ln.split("\t") for ln in body]
    if not rows:
        raise MotionInputError(path, "TRC file has no data rows")
    width = 2 + 3 * len(markers)
    data = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        if len(row) < width:
            raise MotionInputError(path, f"data row {i + 1} has {len(row)} cells, expected {width}")
        for j, cell in enumerate(row[:width]):
            if cell.strip():
                try:
                    data[i, j] = float(cell)
                except ValueError:
                    raise MotionInputError(
                        path, f"data row {i + 1}, column {j + 1}: not a number"
                    ) from None
    xyz = data[:, 2:].reshape(len(rows), len(markers), 3)
    flat_z = np.nanmax(np.abs(xyz[:, :, 2])) == 0 if np.isfinite(xyz[:, :, 2]).any() else True
    times = data[:, 1]
    times_ok = times if np.isfinite(times).all() and (np.diff(times) > 0).all() else None
    if units != "px" and not flat_z:  # lab markers or 3D keypoints: joint centres
        return sequence_from_markers(
            markers, xyz * _SCALE[units], fps=rate, source=str(path), skeleton="trc",
            times=times_ok, set_name=marker_set,
        )  # fmt: skip
    mapping = map_named_joints(markers)
    if not mapping:
        raise MotionInputError(path, f"no TRC marker maps to a canonical joint ({markers[:5]}...)")
    if units == "px":
        xy = xyz[:, :, :2].copy()
        if np.nanmax(xy[:, :, 1]) <= 0:
            xy[:, :, 1] *= -1
        coords = {c: xy[:, markers.index(m)] for m, c in mapping.items()}
        unit = "px"
    else:
        coords = {c: xyz[:, markers.index(m), :2] * _SCALE[units] for m, c in mapping.items()}
        unit = "m"
    return PoseSequence.from_joint_dict(
        coords, fps=rate, units=unit, skeleton="trc", source=str(path), times=times_ok,
    )  # fmt: skip
