"""Limits on what a motion file may make us allocate, checked from its header (or while
streaming it) before anything big exists: frames, points per frame, numbers in all, the
frame rate, and what a compressed file expands to. All are settings (``input_max_*``,
``input_min_fps``); every refusal is one line naming the file and the setting."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import numpy as np

from ...settings import current_settings
from ..errors import MotionInputError


def check_shape(
    path: Path, *, frames: int | None = None, points: int | None = None, dims: int = 3
) -> None:
    """Refuse ``frames`` x ``points`` x ``dims`` over the frame, point or value limits."""
    s = current_settings()
    if frames is not None and frames > s.input_max_frames:
        limit = f"{s.input_max_frames:,} (the input_max_frames setting)"
        raise MotionInputError(path, f"{frames:,} frames is over the limit of {limit}")
    if points is not None and points > s.input_max_points:
        limit = f"{s.input_max_points:,} (the input_max_points setting)"
        raise MotionInputError(path, f"{points:,} joints or markers is over the limit of {limit}")
    if frames is not None and points is not None:
        values = frames * points * dims
        if values > s.input_max_values:
            raise MotionInputError(
                path, f"{frames:,} frames x {points:,} points x {dims} is {values:,} numbers, "
                f"over the limit of {s.input_max_values:,} (the input_max_values setting)",
            )  # fmt: skip


def check_fps(path: Path | str, fps: float) -> None:
    s = current_settings()
    if not (s.input_min_fps <= fps <= s.input_max_fps):
        raise MotionInputError(
            path, f"a frame rate of {fps:g} fps is outside {s.input_min_fps:g}-"
            f"{s.input_max_fps:g} (the input_min_fps / input_max_fps settings)",
        )  # fmt: skip


NPZ_READ_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error)
"""What reading a damaged NPZ (its zip directory, a member's header or data) raises."""


def check_npz(path: Path) -> None:
    """An NPZ's members, from the zip directory and each array's own header, before one
    is decompressed: what they expand to, and the arrays' shapes."""
    s = current_settings()
    limit = s.input_max_decompressed_mb * 1024 * 1024
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            if total > limit:
                raise MotionInputError(
                    path, f"expands to {total / 1024 / 1024:,.0f} MB, over the limit of "
                    f"{s.input_max_decompressed_mb:g} MB (the input_max_decompressed_mb setting)",
                )  # fmt: skip
            for info in infos:
                if not info.filename.endswith(".npy"):
                    continue
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, _ = read_header(member)
                count = int(np.prod(shape, dtype=np.float64)) if shape else 1
                if count > s.input_max_values:
                    raise MotionInputError(
                        path, f"member {info.filename} claims shape {shape} ({count:,} "
                        f"numbers), over the limit of {s.input_max_values:,} (the "
                        "input_max_values setting)",
                    )  # fmt: skip
    except NPZ_READ_ERRORS as exc:
        raise MotionInputError(
            path, f"not a readable sportsgpt.pose NPZ file ({type(exc).__name__})"
        ) from None
