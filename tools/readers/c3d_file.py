"""C3D, the binary format motion-capture labs export (Vicon, Qualisys, OptiTrack, Motion
Analysis), read with the pure-Python ``c3d`` package.

Markers, their rate and units (``POINT:UNITS``: mm, cm or m become metres), the joint
centres from the file's marker set (``markers.py``; y up whatever the lab's axes), and
the ``EVENT`` group's events (Vicon's Foot Strike / Foot Off per side) as labelled
frames (``left_foot_strike``, ...). A marker with a negative residual in a frame (not
seen) is missing there. Model outputs stored as points (Plug-in Gait's angles, forces,
powers and moments) are not markers and are left out. The header's frame count is
checked against the file's size before anything is read, so a file that lies about it
cannot make us allocate more than it holds.
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MotionInputError
from ..pose_sequence import PoseSequence
from .markers import sequence_from_markers

log = logging.getLogger(__name__)

_SCALE = {"mm": 0.001, "cm": 0.01, "m": 1.0}
_NOT_MARKERS = ("ANGLES", "FORCES", "MOMENTS", "POWERS", "SCALARS", "REACTIONS")


def _strings(group: object, name: str) -> list[str]:
    param = group.get(name) if group is not None else None  # type: ignore[attr-defined]
    if param is None:
        return []
    try:
        values = param.string_array
    except Exception:  # a malformed parameter: treat as absent
        return []
    return [str(v).strip() for v in np.atleast_1d(values)]


def c3d_events(reader: object, rate: float, first_frame: int) -> dict[str, list[int]]:
    """EVENT group -> {'left_foot_strike': [0-based frames of the clip], ...}."""
    group = reader.get("EVENT")  # type: ignore[attr-defined]
    if group is None:
        return {}
    labels, contexts = _strings(group, "LABELS"), _strings(group, "CONTEXTS")
    times_param = group.get("TIMES")
    if not labels or times_param is None:
        return {}
    times = np.asarray(times_param.float_array, dtype=float).reshape(-1, 2)
    out: dict[str, list[int]] = {}
    for i, label in enumerate(labels[: len(times)]):
        context = contexts[i].lower() if i < len(contexts) else ""
        name = re.sub(r"[^a-z0-9]+", "_", f"{context} {label}".lower()).strip("_")
        seconds = times[i, 0] * 60 + times[i, 1]  # TIMES holds (minutes, seconds)
        frame = round(seconds * rate) - (first_frame - 1)  # Vicon: frame 1 at t = 0
        out.setdefault(name, []).append(frame)
    return {k: sorted(v) for k, v in out.items()}


def _header(
    path: Path, reader: Any, size: int
) -> tuple[float, int, int, int, str, list[str], set[str]]:
    """Rate, first frame, points, frames, units, labels and derived (non-marker) labels."""
    rate = float(reader.point_rate)
    first, last = int(reader.first_frame), int(reader.last_frame)
    n_points = int(reader.point_used)
    frames = last - first + 1
    if rate <= 0 or frames <= 0 or n_points <= 0:
        raise MotionInputError(path, f"C3D header: {frames} frames of {n_points} points "
                               f"at {rate:g} Hz: nothing to read")  # fmt: skip
    if frames * n_points * 8 > 4 * size + 1024:  # 4 x 2-byte ints at least per point
        raise MotionInputError(path, f"C3D header claims {frames} frames of {n_points} "
                               f"points, more than the {size} bytes hold")  # fmt: skip
    units_param = reader.get("POINT:UNITS")
    units = units_param.string_value.strip("\x00 ").lower() if units_param else "mm"
    if units not in _SCALE:
        raise MotionInputError(path, f"C3D point units {units!r} not supported (mm, cm, m)")
    labels = [str(label).strip() for label in reader.point_labels][:n_points]
    derived = {name for g in _NOT_MARKERS for name in _strings(reader.get("POINT"), g)}
    return rate, first, n_points, frames, units, labels, derived


def read_c3d(path: Path, marker_set: str | None = None) -> PoseSequence:
    """A C3D file's markers as the canonical skeleton (events are in ``read_c3d_events``)."""
    seq, _ = read_c3d_with_events(path, marker_set)
    return seq


def read_c3d_with_events(
    path: Path, marker_set: str | None = None
) -> tuple[PoseSequence, dict[str, list[int]]]:
    import c3d

    size = path.stat().st_size
    with path.open("rb") as handle, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no analog data" and the like
        try:
            reader = c3d.Reader(handle)
        except Exception as exc:  # the c3d package raises plain errors on bad headers
            raise MotionInputError(path, f"not a readable C3D file ({type(exc).__name__})"
                                   ) from None  # fmt: skip
        try:  # the header's fields: the c3d package trusts them, and fails plainly
            rate, first, n_points, frames, units, labels, derived = _header(path, reader, size)
        except MotionInputError:
            raise
        except Exception as exc:
            raise MotionInputError(path, f"C3D header could not be read ({type(exc).__name__})"
                                   ) from None  # fmt: skip
        xyz = np.full((frames, n_points, 3), np.nan)
        try:
            for i, (_, points, _analog) in enumerate(reader.read_frames()):
                if i >= frames:
                    break
                seen = points[:, 3] >= 0
                xyz[i, seen] = points[seen, :3]
            events = c3d_events(reader, rate, first)
        except Exception as exc:
            raise MotionInputError(path, f"C3D data could not be read ({type(exc).__name__})"
                                   ) from None  # fmt: skip
    keep = [i for i, n in enumerate(labels) if n and n not in derived]
    seq = sequence_from_markers([labels[i] for i in keep], xyz[:, keep] * _SCALE[units],
                                fps=rate, source=str(path), skeleton="c3d",
                                set_name=marker_set)  # fmt: skip
    if events:
        log.info("%s: events %s", path, {k: len(v) for k, v in events.items()})
    return seq, events
