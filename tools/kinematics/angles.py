"""Joint and segment angles, centre-of-mass proxy and their velocities.

Conventions (degrees; docs/kinematics.md has the figures):
- Sagittal, signed, 0 in upright standing: ``hip_flexion`` (thigh vs trunk, + forward),
  ``knee_flexion`` (+ bent), ``ankle_dorsiflexion`` (foot segment ankle->toe vs a line
  perpendicular to the shank, + toes up), ``shoulder_flexion`` (+ arm forward),
  ``elbow_flexion`` (+ bent), ``trunk_lean`` (from vertical, + forward),
  ``thigh_angle`` / ``shin_angle`` (to the forward horizontal: 90 = vertical, shin < 90
  = knee ahead of ankle), ``foot_ahead_of_hip`` (ankle ahead of hip, leg lengths),
  ``foot_below_hip`` (ankle below hip, leg lengths; lowest in stance),
  ``wrist_above_shoulder`` (leg lengths; a serve's toss and impact are its peaks),
  ``heel_ahead_of_hip`` / ``toe_ahead_of_hip`` (leg lengths; in gait the heel is farthest
  ahead at heel strike and the toe farthest behind at toe-off, Zeni et al. 2008).
- Frontal, signed: ``knee_valgus`` (+ knee medial to the hip-ankle line),
  ``hip_adduction`` (thigh from vertical, + medial), ``trunk_lateral_lean`` (+ to the
  athlete's left), ``pelvis_obliquity`` (+ left hip higher).
- 3D only, unsigned: ``*_3d`` interior-angle versions of hip, knee, ankle, shoulder, elbow.
Every signed angle is unwrapped over time, so it never jumps by 360.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable

import numpy as np

from ..errors import MissingJointError
from ..pose_sequence import FloatArray, PoseSequence
from .anatomy import anatomy
from .body_frame import BodyFrame, estimate_view, nanmedian
from .filtering import FilterSettings, clean_pose
from .series import KinematicSeries, Side

log = logging.getLogger(__name__)

# Segment mass fractions and COM positions from the proximal end (Winter 2009, table 4.1).
_COM_SEGMENTS: tuple[tuple[str, str, float, float], ...] = (
    ("shoulder_mid", "hip_mid", 0.497, 0.5),  # trunk
    ("left_hip", "left_knee", 0.100, 0.433),
    ("right_hip", "right_knee", 0.100, 0.433),
    ("left_knee", "left_ankle", 0.0465, 0.433),
    ("right_knee", "right_ankle", 0.0465, 0.433),
    ("left_ankle", "left_toe", 0.0145, 0.5),
    ("right_ankle", "right_toe", 0.0145, 0.5),
    ("left_shoulder", "left_elbow", 0.028, 0.436),
    ("right_shoulder", "right_elbow", 0.028, 0.436),
    ("left_elbow", "left_wrist", 0.022, 0.682),
    ("right_elbow", "right_wrist", 0.022, 0.682),
    ("shoulder_mid", "head_point", 0.081, 1.0),
)


def wrap180(deg: FloatArray) -> FloatArray:
    return np.asarray((deg + 180.0) % 360.0 - 180.0)


def unwrap_deg(deg: FloatArray) -> FloatArray:
    """Continuous angle over time (no 359 -> 0 jumps), NaN kept, start in [-180, 180)."""
    out = np.full_like(deg, np.nan)
    ok = np.isfinite(deg)
    if ok.any():
        out[ok] = np.rad2deg(np.unwrap(np.deg2rad(deg[ok])))
    return out


def from_down(v: FloatArray) -> FloatArray:
    """Angle of a 2D (a, u) vector from straight down, + towards anterior."""
    return np.asarray(np.degrees(np.arctan2(v[:, 0], -v[:, 1])))


def from_up(v: FloatArray) -> FloatArray:
    """Angle of a 2D (a, u) vector from straight up, + towards anterior."""
    return np.asarray(np.degrees(np.arctan2(v[:, 0], v[:, 1])))


def from_forward(v: FloatArray) -> FloatArray:
    """Angle of a 2D (a, u) vector from the forward horizontal, + upwards."""
    return np.asarray(np.degrees(np.arctan2(v[:, 1], v[:, 0])))


def interior_angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle ABC in degrees for (T, D) points."""
    u, v = a - b, c - b
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def trunk_vector(point: Callable[[str], FloatArray]) -> FloatArray:
    """Hip mid-point -> shoulder mid-point, in whatever coordinates ``point`` gives."""
    shoulders = (point("left_shoulder") + point("right_shoulder")) / 2
    return np.asarray(shoulders - (point("left_hip") + point("right_hip")) / 2)


def vector_angle(u: FloatArray, v: FloatArray) -> FloatArray:
    z = np.zeros_like(u)
    return interior_angle(u, z, v)


class _Channels:
    """Collects channels and the reason each missing one could not be computed."""

    def __init__(self, seq: PoseSequence) -> None:
        self.seq = seq
        self.values: dict[str, FloatArray] = {}
        self.units: dict[str, str] = {}
        self.unmeasurable: dict[str, str] = {}
        self.implausible: dict[str, FloatArray] = {}

    def add(
        self, name: str, unit: str, needs: tuple[str, ...], fn: Callable[[], FloatArray]
    ) -> None:
        missing = [j for j in needs if j not in self.seq.joints]
        if missing:
            self.unmeasurable[name] = f"needs {', '.join(missing)}, which the input lacks"
            return
        values = fn()
        if not np.isfinite(values).any():
            self.unmeasurable[name] = f"{', '.join(needs)} never confidently visible together"
            return
        limits = anatomy().limits(name) if unit == "deg" else None
        if limits is not None:  # outside what a body can do: a measurement failure
            with np.errstate(invalid="ignore"):
                outside = (values < limits[0]) | (values > limits[1])
            if outside.any():
                self.implausible[name] = np.where(outside, values, np.nan)
                values = np.where(outside, np.nan, values)
                if not np.isfinite(values).any():
                    self.unmeasurable[name] = (f"measured {anatomy().words(name)} in every "
                                               "frame: a measurement failure")  # fmt: skip
                    return
        self.values[name] = values
        self.units[name] = unit

    def skip(self, names: list[str], reason: str) -> None:
        for n in names:
            self.unmeasurable[n] = reason


SAGITTAL = (
    "hip_flexion",
    "knee_flexion",
    "ankle_dorsiflexion",
    "shoulder_flexion",
    "elbow_flexion",
    "thigh_angle",
    "shin_angle",
    "foot_ahead_of_hip",
    "foot_below_hip",
    "wrist_above_shoulder",
    "heel_ahead_of_hip",
    "toe_ahead_of_hip",
)
FRONTAL = ("knee_valgus", "hip_adduction")
ANGLES_3D = (
    "hip_flexion_3d",
    "knee_flexion_3d",
    "ankle_dorsiflexion_3d",
    "shoulder_flexion_3d",
    "elbow_flexion_3d",
)


WHOLE_BODY = (
    "trunk_lean",
    "trunk_lateral_lean",
    "pelvis_obliquity",
    "com_x",
    "com_y",
    "com_z",
    "com_height",
    "com_forward_velocity",
    "com_vertical_velocity",
    "com_velocity_angle",
    "pelvis_height",
)


def channel_vocabulary() -> set[str]:
    """Every channel name compute_kinematics can produce (angle velocities included)."""
    sided = [f"{s}_{c}" for s in ("left", "right") for c in (*SAGITTAL, *FRONTAL, *ANGLES_3D)]
    sided += [f"{s}_{j}_height" for s in ("left", "right") for j in ("wrist", "heel")]
    names = {*WHOLE_BODY, *sided}
    return names | {f"{n}_velocity" for n in names}


def leg_length(seq: PoseSequence) -> float:
    """Median hip-knee-ankle length over frames and sides (source units)."""
    lengths = []
    for s in ("left", "right"):
        if seq.has(f"{s}_hip", f"{s}_knee", f"{s}_ankle"):
            thigh = np.linalg.norm(seq.joint(f"{s}_knee") - seq.joint(f"{s}_hip"), axis=1)
            shank = np.linalg.norm(seq.joint(f"{s}_ankle") - seq.joint(f"{s}_knee"), axis=1)
            lengths.append(thigh + shank)
    if not lengths:
        raise MissingJointError("leg length", ["left/right hip, knee and ankle"])
    value = float(nanmedian(np.concatenate(lengths)))
    if not np.isfinite(value) or value <= 0:
        raise MissingJointError("leg length", ["a visible hip, knee and ankle on one side"])
    return value


def choose_side(seq: PoseSequence, side: str) -> Side:
    """``left``/``right`` as asked; ``auto`` = the leg seen with higher confidence."""
    if side in ("left", "right"):
        return side  # type: ignore[return-value]
    if side != "auto":
        raise ValueError(f"side must be left, right or auto, got {side!r}")
    score = {}
    for s in ("left", "right"):
        names = [f"{s}_{j}" for j in ("hip", "knee", "ankle") if f"{s}_{j}" in seq.joints]
        score[s] = float(np.mean([seq.joint_confidence(n).mean() for n in names])) if names else -1
    return "left" if score["left"] > score["right"] + 1e-6 else "right"


def compute_kinematics(
    seq: PoseSequence,
    *,
    side: str = "auto",
    settings: FilterSettings | None = None,
) -> KinematicSeries:
    """Clean the positions, then compute every channel the joints allow."""
    settings = settings or FilterSettings()
    primary = choose_side(seq, side)
    clean = clean_pose(seq, settings)
    view = "3d" if seq.dims == 3 else estimate_view(seq)
    out = _Channels(clean)
    times = clean.frame_times
    frame = BodyFrame(clean, view)
    plane_reason = ""
    if not clean.has("left_hip", "right_hip"):
        # Without both hips there is no body frame (3D) or lateral axis (2D front).
        plane_reason = "need both hips to orient the body"
        if seq.dims == 2 and view != "front":
            plane_reason = ""

    def sag(j: str) -> FloatArray:
        return frame.sagittal(j)

    def fro(j: str) -> FloatArray:
        return frame.frontal(j)

    has_trunk = clean.has("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    trunk_needs = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")

    def trunk_sag() -> FloatArray:
        return trunk_vector(sag)

    sagittal_ok = view in ("side", "oblique", "3d") and not plane_reason
    frontal_ok = view in ("front", "oblique", "3d") and not plane_reason
    no_plane = plane_reason or f"cannot be measured from a {view} view"
    if sagittal_ok:
        out.add("trunk_lean", "deg", trunk_needs, lambda: unwrap_deg(from_up(trunk_sag())))
    else:
        out.skip(["trunk_lean"], f"sagittal angles {no_plane}")
    try:
        legs = leg_length(clean)
    except MissingJointError:
        legs = float("nan")
    for s in ("left", "right"):
        _add_side_channels(
            out, s, frame, clean, legs, trunk_needs, sagittal_ok, frontal_ok, no_plane,
            vertical_ok=view == "front" and not plane_reason,
        )  # fmt: skip
    if frontal_ok:

        def trunk_fro() -> FloatArray:
            return trunk_vector(fro)

        out.add(
            "trunk_lateral_lean",
            "deg",
            trunk_needs,
            lambda: unwrap_deg(np.degrees(np.arctan2(trunk_fro()[:, 0], trunk_fro()[:, 1]))),
        )
        out.add(
            "pelvis_obliquity",
            "deg",
            ("left_hip", "right_hip"),
            lambda: unwrap_deg(
                np.degrees(
                    np.arctan2(
                        (fro("left_hip") - fro("right_hip"))[:, 1],
                        (fro("left_hip") - fro("right_hip"))[:, 0],
                    )
                )
            ),
        )
    else:
        out.skip(["trunk_lateral_lean", "pelvis_obliquity"], f"frontal angles {no_plane}")
    vertical_ok = sagittal_ok or (view == "front" and not plane_reason)
    _add_com(out, clean, frame, legs, times, sagittal_ok, has_trunk, vertical_ok=vertical_ok)
    _add_heights(out, clean, frame, legs, vertical_ok)
    _add_clearance(out, clean, frame, legs, times)
    _add_velocities(out, times)
    return KinematicSeries(
        source=seq.source,
        fps=seq.fps,
        times=times,
        channels=out.values,
        units=out.units,
        primary_side=primary,
        view=view,
        dims=seq.dims,
        leg_length=legs,
        source_units=seq.units,
        facing=frame.facing,
        cutoff_hz=settings.cutoff_hz,
        unmeasurable=out.unmeasurable,
        implausible=out.implausible,
    )


def _add_side_channels(
    out: _Channels,
    s: str,
    frame: BodyFrame,
    clean: PoseSequence,
    legs: float,
    trunk_needs: tuple[str, ...],
    sagittal_ok: bool,
    frontal_ok: bool,
    no_plane: str,
    vertical_ok: bool = False,
) -> None:
    """Sagittal, frontal and 3D channels of one side (left or right); with only
    ``vertical_ok`` (a front view) the sagittal heights, which need no depth."""
    sag, fro, p = frame.sagittal, frame.frontal, clean.joint
    hip, knee, ankle, toe = (f"{s}_{j}" for j in ("hip", "knee", "ankle", "toe"))
    sh, el, wr = (f"{s}_{j}" for j in ("shoulder", "elbow", "wrist"))

    def trunk_sag() -> FloatArray:
        return trunk_vector(sag)

    def thigh() -> FloatArray:
        return from_down(sag(knee) - sag(hip))

    def shank() -> FloatArray:
        return from_down(sag(ankle) - sag(knee))

    def arm() -> FloatArray:
        return from_down(sag(el) - sag(sh))

    if sagittal_ok:
        out.add(
            f"{s}_hip_flexion",
            "deg",
            (*trunk_needs, knee),
            lambda: wrap180(thigh() + from_up(trunk_sag())),
        )
        out.add(
            f"{s}_knee_flexion",
            "deg",
            (hip, knee, ankle),
            # hinge joints stay inside (-180, 180]: unwrapping would let a projection
            # glitch (an arm overhead, out of the plane) add whole turns
            lambda: wrap180(thigh() - shank()),
        )
        out.add(
            f"{s}_ankle_dorsiflexion",
            "deg",
            (knee, ankle, toe),
            lambda: wrap180(from_forward(sag(toe) - sag(ankle)) - shank()),
        )
        out.add(
            f"{s}_shoulder_flexion",
            "deg",
            (*trunk_needs, el),
            # the arm goes overhead (180) and past it: keep the branch [-90, 270)
            lambda: (arm() + from_up(trunk_sag()) + 90.0) % 360.0 - 90.0,
        )
        out.add(
            f"{s}_elbow_flexion",
            "deg",
            (sh, el, wr),
            lambda: wrap180(from_down(sag(wr) - sag(el)) - arm()),
        )
        out.add(f"{s}_thigh_angle", "deg", (hip, knee), lambda: unwrap_deg(wrap180(90.0 - thigh())))
        out.add(
            f"{s}_shin_angle", "deg", (knee, ankle), lambda: unwrap_deg(wrap180(90.0 + shank()))
        )
        out.add(
            f"{s}_foot_ahead_of_hip",
            "leg",
            (hip, ankle),
            lambda: (sag(ankle)[:, 0] - sag(hip)[:, 0]) / legs,
        )
        out.add(
            f"{s}_foot_below_hip",
            "leg",
            (hip, ankle),
            lambda: (sag(hip)[:, 1] - sag(ankle)[:, 1]) / legs,
        )
        out.add(
            f"{s}_wrist_above_shoulder",
            "leg",
            (sh, wr),
            lambda: (sag(wr)[:, 1] - sag(sh)[:, 1]) / legs,
        )
        for part in ("heel", "toe"):  # gait events (Zeni 2008): heel farthest ahead of the
            # pelvis centre (Zeni's sacrum; not the same-side hip, which swings with the leg)
            out.add(f"{s}_{part}_ahead_of_hip", "leg", ("left_hip", "right_hip", f"{s}_{part}"),
                    _ahead_of(sag, f"{s}_{part}", legs))  # fmt: skip
    else:
        out.skip([f"{s}_{c}" for c in SAGITTAL], f"sagittal angles {no_plane}")
        if vertical_ok:  # heights need no depth: a front view has them
            for name, (top, low) in ((f"{s}_foot_below_hip", (hip, ankle)),
                                     (f"{s}_wrist_above_shoulder", (wr, sh))):  # fmt: skip
                out.unmeasurable.pop(name, None)
                out.add(name, "leg", (top, low), _above(sag, top, low, legs))
    if frontal_ok:
        medial = -1.0 if s == "left" else 1.0

        def f_angle(a: str, b: str) -> FloatArray:
            v = fro(b) - fro(a)
            return np.asarray(np.degrees(np.arctan2(medial * v[:, 0], -v[:, 1])))

        out.add(
            f"{s}_knee_valgus",
            "deg",
            (hip, knee, ankle),
            # no unwrapping: inside its anatomical range it never nears +/-180, and a
            # glitch unwrapped would shift every later frame by whole turns
            lambda: wrap180(f_angle(hip, knee) - f_angle(knee, ankle)),
        )
        out.add(f"{s}_hip_adduction", "deg", (hip, knee), lambda: f_angle(hip, knee))
    else:
        out.skip([f"{s}_{c}" for c in FRONTAL], f"frontal angles {no_plane}")
    if clean.dims == 3:

        def trunk_down() -> FloatArray:
            return -trunk_vector(p)

        out.add(
            f"{s}_knee_flexion_3d",
            "deg",
            (hip, knee, ankle),
            lambda: 180.0 - interior_angle(p(hip), p(knee), p(ankle)),
        )
        out.add(
            f"{s}_hip_flexion_3d",
            "deg",
            (*trunk_needs, knee),
            lambda: vector_angle(p(knee) - p(hip), trunk_down()),
        )
        out.add(
            f"{s}_ankle_dorsiflexion_3d",
            "deg",
            (knee, ankle, toe),
            lambda: 90.0 - interior_angle(p(knee), p(ankle), p(toe)),
        )
        out.add(
            f"{s}_shoulder_flexion_3d",
            "deg",
            (*trunk_needs, el),
            lambda: vector_angle(p(el) - p(sh), trunk_down()),
        )
        out.add(
            f"{s}_elbow_flexion_3d",
            "deg",
            (sh, el, wr),
            lambda: 180.0 - interior_angle(p(sh), p(el), p(wr)),
        )
    else:
        out.skip([f"{s}_{c}" for c in ANGLES_3D], "3D angles need 3D input")


def _com_points(seq: PoseSequence, frame: BodyFrame) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Named points in (sagittal a,u) and raw coordinates, incl. the mid-points COM uses."""
    pts: dict[str, tuple[FloatArray, FloatArray]] = {
        j: (frame.sagittal(j), seq.joint(j)) for j in seq.joints
    }
    for name, (a, b) in {
        "shoulder_mid": ("left_shoulder", "right_shoulder"),
        "hip_mid": ("left_hip", "right_hip"),
    }.items():
        if a in pts and b in pts:
            pts[name] = ((pts[a][0] + pts[b][0]) / 2, (pts[a][1] + pts[b][1]) / 2)
    for head in ("head", "nose", "neck"):
        if head in pts:
            pts["head_point"] = pts[head]
            break
    return pts


def _above(
    sag: Callable[[str], FloatArray], top: str, low: str, legs: float
) -> Callable[[], FloatArray]:
    """A channel function: ``top`` above ``low``, leg lengths (any view: heights only)."""
    return lambda: np.asarray((sag(top)[:, 1] - sag(low)[:, 1]) / legs)


def _ahead_of(
    sag: Callable[[str], FloatArray], joint: str, legs: float
) -> Callable[[], FloatArray]:
    """A channel function: ``joint`` ahead of the hips' midpoint (sagittal), leg lengths."""
    return lambda: np.asarray(
        (sag(joint)[:, 0] - (sag("left_hip")[:, 0] + sag("right_hip")[:, 0]) / 2) / legs
    )


def _height_above(
    frame: BodyFrame, joint: str, ground: float, legs: float
) -> Callable[[], FloatArray]:
    """A channel function: ``joint`` above the ground level, in leg lengths."""

    def height() -> FloatArray:
        return np.asarray((frame.sagittal(joint)[:, 1] - ground) / legs)

    return height


def _add_com(
    out: _Channels,
    seq: PoseSequence,
    frame: BodyFrame,
    legs: float,
    times: FloatArray,
    sagittal_ok: bool,
    has_trunk: bool,
    vertical_ok: bool = False,
) -> None:
    """Segment-weighted centre-of-mass proxy over whatever segments are present (heights
    in a front view too; speeds and the take-off angle need a side view)."""
    if not has_trunk:
        out.skip(
            [
                "com_height",
                "com_forward_velocity",
                "com_vertical_velocity",
                "pelvis_height",
                "com_velocity_angle",
            ],
            "the centre-of-mass proxy needs both shoulders and hips",
        )
        return
    pts = _com_points(seq, frame)
    total = np.zeros((seq.n_frames, 2))
    raw = np.zeros((seq.n_frames, seq.dims))
    weight = np.zeros(seq.n_frames)
    for p, d, mass, at in _COM_SEGMENTS:
        if p not in pts or d not in pts:
            continue
        sag = pts[p][0] + at * (pts[d][0] - pts[p][0])
        xyz = pts[p][1] + at * (pts[d][1] - pts[p][1])
        ok = np.isfinite(sag).all(axis=1) & np.isfinite(xyz).all(axis=1)
        total[ok] += mass * sag[ok]
        raw[ok] += mass * xyz[ok]
        weight[ok] += mass
    with np.errstate(invalid="ignore", divide="ignore"):
        com_sag = total / weight[:, None]
        com_raw = raw / weight[:, None]
    com_sag[weight < 0.6] = np.nan  # too few segments seen: not a COM estimate
    com_raw[weight < 0.6] = np.nan
    unit = seq.units
    for k, axis in enumerate("xyz"[: seq.dims]):
        out.values[f"com_{axis}"] = com_raw[:, k]
        out.units[f"com_{axis}"] = unit
    if not vertical_ok:
        out.skip(
            [
                "com_height",
                "com_forward_velocity",
                "com_vertical_velocity",
                "pelvis_height",
                "com_velocity_angle",
            ],
            f"centre-of-mass height and speed need a side view, not {frame.view}",
        )
        return
    ground = ground_level(seq, frame)
    out.add("com_height", "leg", (), lambda: (com_sag[:, 1] - ground) / legs)
    hips_mid = (frame.sagittal("left_hip") + frame.sagittal("right_hip")) / 2
    out.add("pelvis_height", "leg", (), lambda: (hips_mid[:, 1] - ground) / legs)
    out.add("com_vertical_velocity", "leg/s", (), lambda: _gradient(com_sag[:, 1], times) / legs)
    if not sagittal_ok:
        out.skip(["com_forward_velocity", "com_velocity_angle"],
                 f"centre-of-mass speed forward needs a side view, not {frame.view}")  # fmt: skip
        return
    out.add("com_forward_velocity", "leg/s", (), lambda: _gradient(com_sag[:, 0], times) / legs)
    out.add(
        "com_velocity_angle",
        "deg",
        (),
        lambda: np.degrees(
            np.arctan2(_gradient(com_sag[:, 1], times), np.abs(_gradient(com_sag[:, 0], times)))
        ),
    )


def ground_level(seq: PoseSequence, frame: BodyFrame) -> float:
    """The floor's height: the feet's 5th-percentile height (sagittal up coordinate)."""
    feet = [j for j in ("left_ankle", "right_ankle", "left_toe", "right_toe", "left_heel",
                        "right_heel") if j in seq.joints]  # fmt: skip
    if not feet:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanpercentile(np.concatenate([frame.sagittal(j)[:, 1] for j in feet]), 5))


def _add_heights(
    out: _Channels, seq: PoseSequence, frame: BodyFrame, legs: float, vertical_ok: bool
) -> None:
    """Wrist and heel heights above the floor (leg lengths): a serve's toss and impact, a
    heel strike. Heights need no depth, so a front view has them too."""
    names = [f"{s}_{j}_height" for s in ("left", "right") for j in ("wrist", "heel")]
    if not vertical_ok:
        out.skip(names, f"heights above the floor need a side or front view, not {frame.view}")
        return
    ground = ground_level(seq, frame)
    for side in ("left", "right"):
        for part in ("wrist", "heel"):
            joint = f"{side}_{part}"
            out.add(f"{joint}_height", "leg", (joint,), _height_above(frame, joint, ground, legs))


GROUND_WINDOW_S = 1.2
"""The ground line under the feet is the low end of their lowest points over this long a
stretch: long enough to hold a stance of each foot, short enough to follow a camera that
tilts or an athlete who walks towards it (the ground then moves in the picture)."""
GROUND_PERCENTILE = 10.0


def local_ground(low: FloatArray, times: FloatArray) -> FloatArray:
    """The ground's up coordinate at each frame from the feet's lowest points ``low`` (gaps
    bridged): a rolling low percentile over GROUND_WINDOW_S."""
    from scipy.ndimage import percentile_filter

    ok = np.isfinite(low)
    if ok.sum() < 2:
        return np.full_like(low, np.nan)
    idx = np.arange(len(low))
    filled = np.interp(idx, idx[ok], low[ok])
    span = float(times[-1] - times[0]) if len(times) > 1 else 0.0
    fps = (len(times) - 1) / span if span > 0 else 30.0
    size = max(3, round(GROUND_WINDOW_S * fps) | 1)
    return np.asarray(percentile_filter(filled, GROUND_PERCENTILE, size=size, mode="nearest"))


def _add_clearance(
    out: _Channels, seq: PoseSequence, frame: BodyFrame, legs: float, times: FloatArray
) -> None:
    """Each foot's lowest point (heel or toe) and its toe above the local ground line, in
    leg lengths: near zero in stance, whatever the view (a picture's vertical needs no
    depth), under a camera that pans or tilts. Foot contacts are read from them."""
    parts = {side: [j for j in (f"{side}_heel", f"{side}_toe", f"{side}_ankle")
                    if j in seq.joints] for side in ("left", "right")}  # fmt: skip
    if not all(parts.values()) or not np.isfinite(legs) or legs <= 0:
        out.skip([f"{s}_{k}_clearance" for s in ("left", "right") for k in ("foot", "toe")],
                 "foot clearance needs both feet")  # fmt: skip
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        feet = {side: np.stack([frame.u[:, seq.joints.index(j)] for j in joints[:2]], axis=1)
                for side, joints in parts.items()}  # fmt: skip
        low = {side: np.nanmin(v, axis=1) for side, v in feet.items()}
        # each foot its own ground line: in a picture the far foot stands higher than the
        # near one (the camera looks down on the ground), by more than a stance's noise
        ground = {side: local_ground(v, times) for side, v in low.items()}

    def above(values: FloatArray, base: FloatArray) -> Callable[[], FloatArray]:
        return lambda: np.asarray((values - base) / legs)

    for side, joints in parts.items():
        toe = f"{side}_toe" if f"{side}_toe" in seq.joints else joints[0]
        out.add(f"{side}_foot_clearance", "leg", (joints[0],), above(low[side], ground[side]))
        out.add(f"{side}_toe_clearance", "leg", (toe,),
                above(frame.sagittal(toe)[:, 1], ground[side]))  # fmt: skip


def _gradient(values: FloatArray, times: FloatArray) -> FloatArray:
    out = np.full_like(values, np.nan)
    ok = np.isfinite(values)
    if ok.sum() >= 2:
        from .filtering import runs

        for start, stop in runs(ok):
            if stop - start >= 2:
                out[start:stop] = np.gradient(values[start:stop], times[start:stop])
    return out


def _add_velocities(out: _Channels, times: FloatArray) -> None:
    """Angular velocity (deg/s) of every angle channel."""
    for name in [n for n, u in out.units.items() if u == "deg"]:
        out.values[f"{name}_velocity"] = _gradient(out.values[name], times)
        out.units[f"{name}_velocity"] = "deg/s"
