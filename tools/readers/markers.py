"""Lab marker sets -> joint centres (the canonical skeleton), by documented methods.

A marker set is data (``marker_sets/*.json``): which marker names stand for which
anatomical landmark, per side (``{S}`` = L or R, matched case-insensitively, a subject
prefix such as ``Derrick:`` dropped). The set a file uses is the one that covers most
of its markers. Joint centres, each by the first method the markers allow:

- **pelvis frame** from both ASIS and the PSIS midpoint (or a single sacral marker):
  origin at the ASIS midpoint, z to the right ASIS, x anterior, y = z x x (ISB,
  Wu et al. 2002).
- **hip**: a hip-joint-centre marker (OpenCap ``L_HJC``, Plug-in Gait ``LHJC``), else the
  Harrington et al. 2007 regression (J Biomech 40:595-602) from pelvis width PW (ASIS to
  ASIS) and depth PD (ASIS midpoint to PSIS midpoint), in mm in the pelvis frame:
  x = -0.24 PD - 9.9, y = -0.30 PW - 10.9, z = +-(0.33 PW + 7.3).
- **knee**: a knee-joint-centre marker, else the epicondyle midpoint (lateral and medial
  markers), else the lateral marker moved medially along the pelvis's medio-lateral axis
  by half a default knee width (``KNEE_WIDTH`` of the leg length, ASIS to lateral
  malleolus; with a warning).
- **ankle**: likewise with the malleoli (``ANKLE_WIDTH``).
- **shoulder** the acromion or shoulder marker; **elbow** the epicondyle midpoint or the
  lateral marker; **wrist** the midpoint of the radial and ulnar markers or the one there
  is; **heel**, **toe** their markers; **head** the head markers' mean; **neck** the
  C7-clavicle midpoint (or C7, or the shoulders' midpoint); **pelvis** the hips' midpoint.

Legs are required: a set that cannot place a hip, knee or ankle is refused with the joint
and the markers it needs (thigh clusters alone need a static trial or IK output), never
returned as a silent partial skeleton. Arms and head are optional (lower-limb sets), and
what is left out is logged.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from ..data_files import load_json_model
from ..errors import MotionInputError
from ..pose_sequence import PoseSequence
from ..skeleton import map_named_joints

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]

KNEE_WIDTH = 0.105
"""Knee width (femoral epicondyles) as a fraction of leg length: a typical adult's
100 mm knee over a 0.95 m leg (Plug-in Gait's default subject measurements)."""
MIN_COVERED = 3
"""A file uses one of our marker sets when that set names at least this many markers."""
ANKLE_WIDTH = 0.075
"""Ankle width (malleoli) as a fraction of leg length: a typical adult's 70 mm."""

SideLandmark = Literal[
    "asis", "psis", "hip_centre", "knee_centre", "knee_lateral", "knee_medial",
    "ankle_centre", "ankle_lateral", "ankle_medial", "heel", "toe", "shoulder",
    "elbow_centre", "elbow_lateral", "elbow_medial", "wrist_centre", "wrist_a", "wrist_b",
    "head_front", "head_back", "thigh_cluster", "shank_cluster",
]  # fmt: skip
MidLandmark = Literal["sacrum", "c7", "clavicle", "head_top", "neck", "nose", "pelvis"]


class MarkerSet(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    source: str = Field(min_length=10, description="where the names and placements come from")
    kind: Literal["markers", "keypoints"]
    side: dict[SideLandmark, list[str]]
    midline: dict[MidLandmark, list[str]] = Field(default_factory=dict)

    def names(self) -> set[str]:
        out = {n.lower() for names in self.midline.values() for n in names}
        for names in self.side.values():
            for n in names:
                out |= {n.replace("{S}", s).lower() for s in ("L", "R")}
        return out


MARKER_SETS = Path(__file__).with_name("marker_sets")


@cache
def marker_sets() -> tuple[MarkerSet, ...]:
    """Every shipped marker set (``marker_sets/*.json``), in name order."""
    files = sorted(MARKER_SETS.glob("*.json"))
    return tuple(load_json_model(f, MarkerSet, "marker set") for f in files)


def marker_set(name: str) -> MarkerSet:
    """A shipped marker set by name."""
    for s in marker_sets():
        if s.name == name:
            return s
    known = ", ".join(s.name for s in marker_sets())
    raise MotionInputError(name, f"unknown marker set {name!r} (known: {known})")


def bare_name(label: str) -> str:
    """'Derrick:LASI' -> 'LASI' (a subject prefix dropped), spaces trimmed."""
    return label.strip().rsplit(":", 1)[-1].strip()


def choose_set(labels: list[str]) -> tuple[MarkerSet, int]:
    """The set that names most of these markers, and how many it names."""
    have = {bare_name(n).lower() for n in labels}
    scored = [(len(s.names() & have), -i, s) for i, s in enumerate(marker_sets())]
    best = max(scored, key=lambda t: (t[0], t[1]))
    return best[2], best[0]


class _Markers:
    def __init__(self, data: dict[str, FloatArray], mset: MarkerSet) -> None:
        self.by_lower = {bare_name(k).lower(): v for k, v in data.items()}
        self.mset = mset

    def side(self, landmark: SideLandmark, s: str) -> FloatArray | None:
        for name in self.mset.side.get(landmark, []):
            hit = self.by_lower.get(name.replace("{S}", s).lower())
            if hit is not None and np.isfinite(hit).any():
                return hit
        return None

    def mid(self, landmark: MidLandmark) -> FloatArray | None:
        for name in self.mset.midline.get(landmark, []):
            hit = self.by_lower.get(name.lower())
            if hit is not None and np.isfinite(hit).any():
                return hit
        return None

    def names_for(self, landmark: SideLandmark, s: str) -> str:
        return "/".join(n.replace("{S}", s) for n in self.mset.side.get(landmark, [])) or "-"


def _unit(v: FloatArray) -> FloatArray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, v / norm, np.nan)


def _mean(*arrays: FloatArray | None) -> FloatArray | None:
    have = [a for a in arrays if a is not None]
    return np.mean(np.stack(have), axis=0) if have else None


class PelvisFrame(BaseModel):
    model_config = {"arbitrary_types_allowed": True}
    origin: FloatArray
    x: FloatArray
    y: FloatArray
    z: FloatArray
    width: float = Field(description="median ASIS-ASIS distance, metres")
    depth: float = Field(description="median ASIS midpoint to PSIS midpoint, metres")


def pelvis_frame(m: _Markers) -> PelvisFrame | None:
    lasis, rasis = m.side("asis", "L"), m.side("asis", "R")
    back = _mean(m.side("psis", "L"), m.side("psis", "R"))
    if back is None:
        back = m.mid("sacrum")
    if lasis is None or rasis is None or back is None:
        return None
    origin = (lasis + rasis) / 2
    z = _unit(rasis - lasis)
    forward = origin - back
    x = _unit(forward - np.sum(forward * z, axis=-1, keepdims=True) * z)
    y = np.cross(z, x)
    return PelvisFrame(origin=origin, x=x, y=y, z=z,
                       width=float(np.nanmedian(np.linalg.norm(rasis - lasis, axis=-1))),
                       depth=float(np.nanmedian(np.linalg.norm(forward, axis=-1))))  # fmt: skip


def harrington_hip(p: PelvisFrame, s: str) -> FloatArray:
    """Harrington et al. 2007 hip joint centre (metres in, metres out)."""
    pw, pd = 1000 * p.width, 1000 * p.depth
    sign = 1.0 if s == "R" else -1.0
    x, y, z = -0.24 * pd - 9.9, -0.30 * pw - 10.9, sign * (0.33 * pw + 7.3)
    return p.origin + (x * p.x + y * p.y + z * p.z) / 1000


def _pair_or_offset(
    m: _Markers, joint: str, s: str, p: PelvisFrame | None, width: float, leg: float | None,
    notes: list[str],
) -> FloatArray | None:  # fmt: skip
    centre = m.side(f"{joint}_centre", s)  # type: ignore[arg-type]
    if centre is not None:
        return centre
    lat = m.side(f"{joint}_lateral", s)  # type: ignore[arg-type]
    med = m.side(f"{joint}_medial", s)  # type: ignore[arg-type]
    if lat is not None and med is not None:
        return (lat + med) / 2
    if lat is not None and p is not None and leg is not None:
        medial = p.z if s == "L" else -p.z  # towards the body's midline
        mm = 1000 * width * leg
        notes.append(f"{'left' if s == 'L' else 'right'} {joint}: lateral marker plus half a "
                     f"default {joint} width ({mm:.0f} mm, scaled by the leg)")  # fmt: skip
        return lat + medial * (width * leg / 2)
    return None


def _optional_side(m: _Markers, s: str, side: str, out: dict[str, FloatArray]) -> None:
    """Heel, toe and the arm of one side, where the markers are there."""
    for landmark in ("heel", "toe", "shoulder"):
        got = m.side(landmark, s)
        if got is not None:
            out[f"{side}_{landmark}"] = got
    elbow = m.side("elbow_centre", s)
    if elbow is None:
        lat, med = m.side("elbow_lateral", s), m.side("elbow_medial", s)
        elbow = (lat + med) / 2 if lat is not None and med is not None else lat
    if elbow is not None:
        out[f"{side}_elbow"] = elbow
    wrist = m.side("wrist_centre", s)
    if wrist is None:
        wrist = _mean(m.side("wrist_a", s), m.side("wrist_b", s))
    if wrist is not None:
        out[f"{side}_wrist"] = wrist


def joint_centres(
    data: dict[str, FloatArray], mset: MarkerSet, source: str
) -> tuple[dict[str, FloatArray], list[str]]:
    """Canonical joint -> (T, 3) positions (metres), and notes on the methods used.
    Raises MotionInputError naming the joint and the markers it needs."""
    m = _Markers(data, mset)
    notes: list[str] = []
    out: dict[str, FloatArray] = {}
    pelvis = pelvis_frame(m) if mset.kind == "markers" else None
    for s, side in (("L", "left"), ("R", "right")):
        hip = m.side("hip_centre", s)
        if hip is None and pelvis is not None:
            hip = harrington_hip(pelvis, s)
            notes.append(f"{side} hip: Harrington 2007 regression from ASIS and PSIS")
        if hip is None and mset.kind == "keypoints":
            _optional_side(m, s, side, out)
            continue
        if hip is None:
            raise MotionInputError(source, f"{side} hip: needs a hip-centre marker "
                                   f"({m.names_for('hip_centre', s)}) or both ASIS "
                                   f"({m.names_for('asis', s)}) and PSIS or a sacral marker "
                                   f"(marker set {mset.name})")  # fmt: skip
        asis = m.side("asis", s)
        lat_ankle = m.side("ankle_lateral", s)
        leg = None
        if asis is not None and lat_ankle is not None:
            leg = float(np.nanmedian(np.linalg.norm(asis - lat_ankle, axis=-1)))
        for joint, width in (("knee", KNEE_WIDTH), ("ankle", ANKLE_WIDTH)):
            centre = _pair_or_offset(m, joint, s, pelvis, width, leg, notes)
            if centre is None and mset.kind == "keypoints":
                continue
            if centre is None:
                cluster = m.side("thigh_cluster" if joint == "knee" else "shank_cluster", s)
                extra = "" if cluster is None else (
                    " (a cluster alone does not locate the joint: use a static trial with "
                    "the anatomical markers, or the IK output .mot)")  # fmt: skip
                raise MotionInputError(source, f"{side} {joint}: needs the {joint} centre "
                                       f"({m.names_for(f'{joint}_centre', s)}), the lateral "  # type: ignore[arg-type]
                                       f"({m.names_for(f'{joint}_lateral', s)}) and medial "  # type: ignore[arg-type]
                                       f"({m.names_for(f'{joint}_medial', s)}) markers, or the "  # type: ignore[arg-type]
                                       f"lateral one with ASIS and PSIS{extra} "
                                       f"(marker set {mset.name})")  # fmt: skip
            out[f"{side}_{joint}"] = centre
        out[f"{side}_hip"] = hip
        _optional_side(m, s, side, out)
    pelvis_mark = m.mid("pelvis")
    if pelvis_mark is not None:
        out["pelvis"] = pelvis_mark
    elif "left_hip" in out and "right_hip" in out:
        out["pelvis"] = (out["left_hip"] + out["right_hip"]) / 2
    head = m.mid("head_top")
    if head is None:
        head = _mean(*(m.side(k, s) for k in ("head_front", "head_back") for s in "LR"))
    if head is not None:
        out["head"] = head
    neck = m.mid("neck")
    if neck is None:
        neck = _mean(m.mid("c7"), m.mid("clavicle"))
    if neck is None and "left_shoulder" in out and "right_shoulder" in out:
        neck = (out["left_shoulder"] + out["right_shoulder"]) / 2
    if neck is not None:
        out["neck"] = neck
    if (nose := m.mid("nose")) is not None:
        out["nose"] = nose
    lacking = [j for j in ("shoulder", "elbow", "wrist") if f"left_{j}" not in out]
    if lacking:
        log.info("%s: no %s markers in set %s: legs and trunk only", source,
                 "/".join(lacking), mset.name)  # fmt: skip
    return out, notes


UP_AXES = {
    (1, 1.0): np.eye(3),
    (1, -1.0): np.diag([-1.0, -1.0, 1.0]),
    (2, 1.0): np.array([[1.0, 0, 0], [0, 0, 1.0], [0, -1.0, 0]]),
    (2, -1.0): np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]]),
    (0, 1.0): np.array([[0, 1.0, 0], [-1.0, 0, 0], [0, 0, 1.0]]).T,
    (0, -1.0): np.array([[0, -1.0, 0], [1.0, 0, 0], [0, 0, 1.0]]).T,
}
"""Rotations that bring the recording's up axis (axis index, sign) to +y (ours)."""


def to_y_up(coords: dict[str, FloatArray], source: str) -> dict[str, FloatArray]:
    """Labs record z-up (Vicon, C3D) or y-up (OpenSim): the body says which. The axis along
    which the pelvis sits above the ankles becomes +y (a proper rotation)."""
    ankles = _mean(coords.get("left_ankle"), coords.get("right_ankle"))
    top = coords.get("neck", coords.get("pelvis"))
    if ankles is None or top is None:
        return coords
    axis_vec = np.nanmedian(top - ankles, axis=0)
    if not np.isfinite(axis_vec).all():
        return coords
    axis = int(np.argmax(np.abs(axis_vec)))
    key = (axis, float(np.sign(axis_vec[axis])))
    if key == (1, 1.0):
        return coords
    rot = UP_AXES[key]
    log.info("%s: the body's up axis is %s%s: rotated to y up", source,
             "-" if key[1] < 0 else "+", "xyz"[axis])  # fmt: skip
    return {k: v @ rot.T for k, v in coords.items()}


def sequence_from_markers(
    labels: list[str], xyz: FloatArray, *, fps: float, source: str, skeleton: str,
    times: FloatArray | None = None, set_name: str | None = None,
) -> PoseSequence:  # fmt: skip
    """(T, M, 3) marker positions in metres -> the canonical skeleton, y up."""
    mset, covered = (marker_set(set_name), -1) if set_name else choose_set(labels)
    data = {label: xyz[:, i] for i, label in enumerate(labels)}
    if 0 <= covered < MIN_COVERED:  # no set of ours: named joints as they are (BVH-style)
        mapping = map_named_joints([bare_name(n) for n in labels])
        if not mapping:
            raise MotionInputError(source, f"no marker set covers these markers and none is a "
                                   f"joint name ({', '.join(labels[:6])}...); known sets: "
                                   f"{', '.join(s.name for s in marker_sets())}")  # fmt: skip
        coords = {c: data[next(k for k in labels if bare_name(k) == m)]
                  for m, c in mapping.items()}  # fmt: skip
    else:
        coords, notes = joint_centres(data, mset, source)
        for note in notes:
            (log.warning if "default" in note else log.info)("%s: %s", source, note)
        log.info("%s: marker set %s (%s joints)", source, mset.name, len(coords))
    coords = to_y_up(coords, source)
    return PoseSequence.from_joint_dict(coords, fps=fps, units="m", skeleton=skeleton,
                                        source=source, times=times)  # fmt: skip
