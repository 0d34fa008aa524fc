"""Wide CSV: ``time`` then ``<joint>_x,<joint>_y[,_z][,_c]`` per canonical joint.

Optional ``# key: value`` lines before the header carry fps, units, skeleton, source,
view. An empty cell is a missing value. Details: docs/formats.md.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np

from ...settings import current_settings
from ..errors import InvalidPoseError, MotionInputError
from ..pose_sequence import PoseSequence
from ..skeleton import JOINT_INDEX, order_joints
from .limits import check_fps

_COLUMN = re.compile(r"^(?P<joint>[a-z_]+?)_(?P<axis>[xyzc])(?:\s*\[(?P<unit>[a-z]+)\])?$")
_AXES = "xyz"


def _parse_header(columns: list[str], path: Path) -> tuple[dict[str, dict[str, int]], str | None]:
    if not columns or columns[0].strip().lower() != "time":
        raise MotionInputError(path, f"first column must be 'time', found {columns[:1]!r}")
    layout: dict[str, dict[str, int]] = {}
    units: set[str] = set()
    for idx, raw in enumerate(columns[1:], start=1):
        name = raw.strip()
        match = _COLUMN.match(name)
        if match is None:
            raise MotionInputError(
                path, f"column {name!r} is not '<joint>_x|_y|_z|_c' (column {idx + 1})"
            )
        joint, axis = match["joint"], match["axis"]
        if joint not in JOINT_INDEX:
            raise MotionInputError(path, f"unknown joint name {joint!r} in column {name!r}")
        if match["unit"]:
            units.add(match["unit"])
        slots = layout.setdefault(joint, {})
        if axis in slots:
            raise MotionInputError(path, f"duplicate column {name!r}")
        slots[axis] = idx
    if len(units) > 1:
        raise MotionInputError(path, f"mixed units in columns: {', '.join(sorted(units))}")
    if not layout:
        raise MotionInputError(path, "no joint columns after 'time'")
    dims = {sum(a in slots for a in _AXES) for slots in layout.values()}
    for joint, slots in layout.items():
        if "x" not in slots or "y" not in slots:
            raise MotionInputError(path, f"joint {joint!r} needs both _x and _y columns")
    if len(dims) != 1:
        raise MotionInputError(path, "some joints have a _z column and others do not")
    return layout, (units.pop() if units else None)


CHUNK_ROWS = 4096
"""Rows are parsed into blocks of this many as they stream (memory: the numbers only)."""


def read_csv(path: Path, *, fps: float | None = None) -> PoseSequence:
    """Read a wide CSV pose file."""
    text = path.read_text(encoding="utf-8-sig")
    meta: dict[str, str] = {}
    lines = text.splitlines()
    body_start = 0
    for body_start, line in enumerate(lines):  # noqa: B007
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip().lower()] = value.strip()
        elif line.strip():
            break
    else:
        raise MotionInputError(path, "empty file (no header row)")
    reader = csv.reader(lines[body_start:])
    header = next(reader)
    layout, column_unit = _parse_header(header, path)
    width = len(header)
    limit = current_settings().input_max_values
    chunks: list[np.ndarray] = []
    chunk = np.full((CHUNK_ROWS, width), np.nan)
    filled = count = 0
    for i, row in enumerate(reader):  # rows checked as they stream, never all held as text
        if not any(c.strip() for c in row):
            continue
        if len(row) != width:
            raise MotionInputError(path, f"row {i + 2} has {len(row)} cells, header has {width}")
        if (count + 1) * width > limit:
            raise MotionInputError(path, f"more than {limit // width:,} rows of {width} columns "
                                   "(the input_max_values setting)")  # fmt: skip
        for j, cell in enumerate(row):
            cell = cell.strip()
            if cell:
                try:
                    chunk[filled, j] = float(cell)
                except ValueError:
                    raise MotionInputError(
                        path, f"row {i + 2}, column {header[j]!r}: not a number"
                    ) from None
        filled += 1
        count += 1
        if filled == CHUNK_ROWS:
            chunks.append(chunk)
            chunk, filled = np.full((CHUNK_ROWS, width), np.nan), 0
    chunks.append(chunk[:filled])
    if count == 0:
        raise MotionInputError(path, "header but no data rows")
    values = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    times = values[:, 0]
    if np.isnan(times).any():
        raise MotionInputError(path, "the time column has empty cells")
    units = meta.get("units") or column_unit or "px"
    if column_unit and units != column_unit:
        raise MotionInputError(path, f"mixed units: header says {units}, columns say {column_unit}")
    if units not in ("px", "m"):
        raise MotionInputError(path, f"units must be px or m, got {units!r}")
    if fps is None and "fps" in meta:
        try:
            fps = float(meta["fps"])
        except ValueError:
            raise MotionInputError(path, "the '# fps:' line is not a number") from None
    if fps is None:
        if len(times) < 2:
            raise MotionInputError(path, "one frame and no '# fps:' line: frame rate unknown")
        fps = float(1.0 / np.median(np.diff(times)))
    check_fps(path, fps)
    names = order_joints(list(layout))
    dims = 3 if "z" in layout[names[0]] else 2
    pos = np.stack([values[:, [layout[n][a] for a in _AXES[:dims]]] for n in names], axis=1)
    conf = np.stack(
        [values[:, layout[n]["c"]] if "c" in layout[n] else np.ones(len(values)) for n in names],
        axis=1,
    )
    conf = np.where(np.isnan(conf), 0.0, conf)
    try:
        return PoseSequence(
            joints=tuple(names),
            positions=pos,
            confidence=conf,
            fps=fps,
            units=units,
            skeleton=meta.get("skeleton", "canonical"),
            source=meta.get("source", str(path)),
            times=times,
            view=meta.get("view") or None,
        )
    except (InvalidPoseError, ValueError) as exc:
        raise MotionInputError(path, str(exc).splitlines()[0]) from None


def write_csv(seq: PoseSequence, path: Path) -> None:
    """Write the wide CSV, with metadata lines so it reads back losslessly."""
    axes = _AXES[: seq.dims]
    header = ["time"]
    for name in seq.joints:
        header += [f"{name}_{a}" for a in axes] + [f"{name}_c"]
    out = io.StringIO()
    out.write(f"# fps: {seq.fps!r}\n# units: {seq.units}\n# skeleton: {seq.skeleton}\n")
    out.write(f"# source: {seq.source}\n")
    if seq.view:
        out.write(f"# view: {seq.view}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    times = seq.frame_times
    for t in range(seq.n_frames):
        row = [repr(float(times[t]))]
        for j in range(len(seq.joints)):
            p = seq.positions[t, j]
            row += ["" if np.isnan(v) else repr(float(v)) for v in p]
            row.append(repr(float(seq.confidence[t, j])))
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")
