"""OpenSim storage files (``.mot``, ``.sto``): inverse-kinematics angles and ground forces.

A header of ``key=value`` lines ending in ``endheader``, then a tab-separated table whose
first column is ``time``. IK output (``hip_flexion_r``, ``knee_angle_r``, ...; radians
when the header says ``inDegrees=no``) is read as angle channels in degrees; force files
(``ground_force_N_vy`` per plate) give the foot contacts the plates saw.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from ..errors import MotionInputError
from ..kinematics.filtering import runs

FloatArray = npt.NDArray[np.float64]
CONTACT_N = 20.0
"""Vertical force above this (newtons) means a foot is on the plate."""


class MotTable(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)
    columns: tuple[str, ...]
    time: FloatArray
    data: FloatArray  # (T, columns)
    in_degrees: bool | None

    def column(self, name: str) -> FloatArray:
        return self.data[:, self.columns.index(name)]

    @property
    def rate(self) -> float:
        steps = np.diff(self.time)
        return float(1.0 / np.median(steps)) if len(steps) else 0.0


def read_mot(path: str | Path) -> MotTable:
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    try:
        end = next(i for i, line in enumerate(text) if line.strip().lower() == "endheader")
    except StopIteration:
        raise MotionInputError(path, "not an OpenSim storage file (no 'endheader' line)") from None
    header = dict(line.split("=", 1) for line in text[:end] if "=" in line)
    degrees = header.get("inDegrees", "").strip().lower()
    columns = tuple(c.strip() for c in text[end + 1].split("\t"))
    if not columns or columns[0].lower() != "time":
        raise MotionInputError(path, "the table's first column must be 'time'")
    rows = []
    for n, line in enumerate(text[end + 2 :], start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise MotionInputError(path, f"row {n} has {len(cells)} cells, expected {len(columns)}")
        try:
            rows.append([float(c) for c in cells])
        except ValueError:
            raise MotionInputError(path, f"row {n}: not a number") from None
    if not rows:
        raise MotionInputError(path, "no data rows")
    data = np.asarray(rows)
    return MotTable(columns=columns[1:], time=data[:, 0], data=data[:, 1:],
                    in_degrees=None if not degrees else degrees == "yes")  # fmt: skip


def ik_angles(table: MotTable) -> dict[str, FloatArray]:
    """IK coordinates in degrees (``knee_angle_r`` ...); translations left out."""
    scale = 1.0 if table.in_degrees is not False else 180.0 / np.pi
    return {
        c: table.column(c) * scale for c in table.columns if not c.endswith(("_tx", "_ty", "_tz"))
    }


class PlateContact(BaseModel):
    plate: int
    on_s: float
    off_s: float
    cop: tuple[float, float, float] | None = None  # at mid-contact, the file's axes


MIN_CONTACT_S = 0.08
"""A foot contact lasts longer than this; shorter blips are plate noise."""
MERGE_GAP_S = 0.03
"""Force dipping below the threshold for less than this is still the same contact."""


def _debounce(on: npt.NDArray[np.bool_], rate: float) -> npt.NDArray[np.bool_]:
    out = on.copy()
    gap = max(1, round(MERGE_GAP_S * rate))
    found = runs(on)
    for (_, prev_end), (nxt, _) in itertools.pairwise(found):
        if nxt - prev_end <= gap:
            out[prev_end:nxt] = True
    for a, b in runs(out):
        if b - a < MIN_CONTACT_S * rate:
            out[a:b] = False
    return out


def plate_contacts(table: MotTable, threshold: float = CONTACT_N) -> list[PlateContact]:
    """Every contact on every plate: vertical force above ``threshold`` newtons (gaps under
    30 ms merged, blips under 80 ms dropped). A contact already on at the file's first
    row or still on at its last has no measurable start or end there (NaN)."""
    out = []
    plates = sorted({c.split("_")[2] for c in table.columns if c.startswith("ground_force_")
                     and c.endswith("_vy")})  # fmt: skip
    for plate in plates:
        fy = table.column(f"ground_force_{plate}_vy")
        down = _debounce(np.asarray(fy > threshold), table.rate)
        for a, b in runs(down):  # [first, stop) frames with the foot on the plate
            mid = (a + b - 1) // 2
            cop = None
            if f"ground_force_{plate}_px" in table.columns:
                cop = tuple(float(table.column(f"ground_force_{plate}_p{k}")[mid]) for k in "xyz")
            out.append(PlateContact(
                plate=int(plate),
                on_s=float(table.time[a]) if a > 0 else float("nan"),
                off_s=float(table.time[b - 1]) if b < len(fy) else float("nan"),
                cop=cop,
            ))  # fmt: skip
    return sorted(out, key=lambda c: np.nan_to_num(c.on_s, nan=-1.0))
