"""Inject one known technical fault into real 3D motion capture, then assess it in 2D.

A fault is a change of joint rotations: the segments below a joint turn about the body's
mediolateral axis (through that joint) by an angle that rises and falls smoothly over a
window around the clip's own mocap events (e.g. the knees stay 20 deg more bent around
take-off). Segment lengths are kept, so the result is still a rigid-body motion. The
catalogue of faults, their sizes and windows is data (evals/fault_catalogue.json).

Scoring (benchmarks/assessment.py, docs/kismam.md): a case detects its fault when the
injected problem is reported on the perturbed clip; problems reported there that the
unperturbed clip (same noise, same camera) did not have, other than the injected one,
are false positives. On unperturbed clips, a false alarm is a problem the 2D pipeline
reports that the oracle does not: the same spec on a clean side view (no noise, no
warp) at the mocap's true events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field, model_validator

from ..references.build import tile_loop
from ..references.recipe import motion_events
from ..tools.data_files import load_json_model
from ..tools.kinematics import compute_kinematics
from ..tools.kismam import Assessment, assess, assess_motion, load_motion_spec
from ..tools.motiondtw.align import AlignmentResult, Occurrence
from ..tools.motiondtw.events import MotionEvent, foot_contact, runs
from ..tools.motiondtw.library import is_cyclic
from ..tools.pose_sequence import PoseSequence
from ..tools.projection import project
from .keyframe_suite import load_3d, time_warp, to_2d

FloatArray = npt.NDArray[np.float64]
CATALOGUE = Path(__file__).resolve().parent / "fault_catalogue.json"

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
Rotatable = Literal["trunk", "hip", "knee", "ankle", "shoulder", "elbow"]

# The joint a rotation pivots on, and the joints carried with it, per rotatable joint.
_CARRIED: dict[str, tuple[str, ...]] = {
    "trunk": ("neck", "head", "nose", "shoulder", "elbow", "wrist"),
    "hip": ("knee", "ankle", "heel", "toe"),
    "knee": ("ankle", "heel", "toe"),
    "ankle": ("heel", "toe"),
    "shoulder": ("elbow", "wrist"),
    "elbow": ("wrist",),
}
# +1: flexion swings the distal segment forward about the right-pointing axis; -1: back.
_FLEXION_SIGN = {"trunk": -1, "hip": 1, "knee": -1, "ankle": 1, "shoulder": 1, "elbow": 1}


class FaultRotation(BaseModel):
    """One joint turned by a size drawn from ``degrees`` (flexion > 0, extension < 0)."""

    joint: Rotatable
    sides: list[Side] = Field(default_factory=lambda: list(SIDES), description="not for the trunk")
    degrees: tuple[float, float] = Field(description="size range, signed: + = more flexion")
    at: str | None = Field(
        default=None, description="keyframe the window is around ({side} = the joint's side)"
    )
    until: str | None = Field(default=None, description="window end keyframe (default: 'at')")
    window_s: tuple[float, float] = Field(
        default=(-0.1, 0.1), description="seconds before 'at' and after 'until'"
    )
    ramp_s: float = Field(default=0.08, ge=0, description="smooth rise and fall")

    @model_validator(mode="after")
    def _check(self) -> FaultRotation:
        lo, hi = self.degrees
        if lo * hi <= 0 or abs(lo) > abs(hi):
            raise ValueError(f"degrees {self.degrees}: one sign, smaller size first")
        if self.until is None and self.window_s[0] >= self.window_s[1]:
            raise ValueError(f"empty window {self.window_s}")
        if self.until is not None and self.at is None:
            raise ValueError("'until' needs 'at'")
        return self


class Fault(BaseModel):
    problem: str = Field(description="the problem id this fault should produce")
    description: str = Field(min_length=10)
    rotations: list[FaultRotation] = Field(min_length=1)
    plant: Literal["full", "vertical"] = Field(
        default="full",
        description="full: a grounded foot stays where it was (the body moves); vertical: "
        "it stays on the ground but may land elsewhere (a reaching step)",
    )


class FaultClip(BaseModel):
    motion: str
    clip: str = Field(description="path under ../shared")
    loops: int = Field(default=1, ge=1, description="a looping clip is played this many times")
    used_for: str = Field(description="what else the clip serves (never the bands it is scored on)")
    faults: list[Fault]


class FaultCatalogue(BaseModel):
    format: Literal["sportsgpt.fault_catalogue"] = "sportsgpt.fault_catalogue"
    version: Literal[1] = 1
    clips: list[FaultClip]


def load_catalogue(path: Path = CATALOGUE) -> FaultCatalogue:
    catalogue = load_json_model(path, FaultCatalogue, "fault catalogue")
    for clip in catalogue.clips:
        known = {p.id for p in load_motion_spec(clip.motion).problems}
        for fault in clip.faults:
            if fault.problem not in known:
                raise ValueError(f"{clip.clip}: fault for unknown problem {fault.problem!r}")
    return catalogue


def mediolateral_axis(seq: PoseSequence) -> FloatArray:
    """Per frame, the horizontal unit axis from the left hip to the right (y up)."""
    right = seq.joint("right_hip") - seq.joint("left_hip")
    right[:, 1] = 0.0
    return np.asarray(right / np.linalg.norm(right, axis=1, keepdims=True))


def elbow_axis(seq: PoseSequence, side: str) -> FloatArray:
    """Per frame, the elbow's own flexion axis (upper arm x forearm), so that a bent arm
    overhead bends in its own plane; the mediolateral axis where the arm is straight."""
    upper = seq.joint(f"{side}_elbow") - seq.joint(f"{side}_shoulder")
    fore = seq.joint(f"{side}_wrist") - seq.joint(f"{side}_elbow")
    normal = np.cross(upper, fore)
    size = np.linalg.norm(normal, axis=1, keepdims=True)
    lengths = np.linalg.norm(upper, axis=1, keepdims=True) * np.linalg.norm(
        fore, axis=1, keepdims=True
    )
    bent = size > 0.1 * lengths  # more than about 6 deg of flexion
    return np.where(bent, normal / np.maximum(size, 1e-12), mediolateral_axis(seq))


def rotate_segments(
    seq: PoseSequence,
    pivot: str,
    carried: list[str],
    angle: FloatArray,
    axis: FloatArray | None = None,
) -> PoseSequence:
    """``carried`` joints turned about ``axis`` (default: the mediolateral axis) through
    ``pivot`` by ``angle`` (radians per frame; + swings a hanging segment forward)."""
    pos = seq.positions.copy()
    axis = mediolateral_axis(seq) if axis is None else axis
    centre = seq.joint(pivot)
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    for name in carried:
        if not seq.has(name):
            continue
        k = seq.joints.index(name)
        v = pos[:, k] - centre
        along = np.sum(axis * v, axis=1, keepdims=True)
        pos[:, k] = centre + v * cos + np.cross(axis, v) * sin + axis * along * (1 - cos)
    return seq.replace(positions=pos)


def _envelope(n: int, fps: float, windows: list[tuple[float, float]], ramp_s: float) -> FloatArray:
    """1 inside the windows (frames), easing to 0 over ``ramp_s`` outside them."""
    t = np.arange(n, dtype=np.float64)
    ramp = max(ramp_s * fps, 1e-9)
    env = np.zeros(n)
    for a, b in windows:
        dist = np.maximum(np.maximum(a - t, t - b), 0.0)
        env = np.maximum(env, np.where(dist < ramp, 0.5 * (1 + np.cos(np.pi * dist / ramp)), 0.0))
    return env


def inject(seq: PoseSequence, fault: Fault, events: list[MotionEvent], size: float) -> PoseSequence:
    """``seq`` with ``fault`` at ``size`` (0..1 of each rotation's range) in every event."""
    out = seq
    for rot in fault.rotations:
        lo, hi = rot.degrees
        degrees = lo + size * (hi - lo)
        sides = [""] if rot.joint == "trunk" else [f"{s}_" for s in rot.sides]
        for side in sides:
            if rot.at is None:
                env = np.ones(seq.n_frames)
            else:
                sided = side.rstrip("_")
                start_key = rot.at.replace("{side}", sided)
                end_key = (rot.until or rot.at).replace("{side}", sided)
                windows = [
                    (e.keyframes[start_key] + rot.window_s[0] * seq.fps,
                     e.keyframes[end_key] + rot.window_s[1] * seq.fps)
                    for e in events
                    if start_key in e.keyframes and end_key in e.keyframes
                ]  # fmt: skip
                env = _envelope(seq.n_frames, seq.fps, windows, rot.ramp_s)
            pivot = "pelvis" if rot.joint == "trunk" else f"{side}{rot.joint}"
            carried = [
                f"{s}_{j}" if j not in ("neck", "head", "nose") else j
                for j in _CARRIED[rot.joint]
                for s in (("left", "right") if rot.joint == "trunk" else (side.rstrip("_"),))
            ]
            angle = np.radians(degrees * _FLEXION_SIGN[rot.joint]) * env
            axis = elbow_axis(out, side.rstrip("_")) if rot.joint == "elbow" else None
            out = rotate_segments(out, pivot, sorted(set(carried)), angle, axis)
    return keep_feet_planted(seq, out, vertical_only=fault.plant == "vertical")


def keep_feet_planted(
    before: PoseSequence, after: PoseSequence, vertical_only: bool = False
) -> PoseSequence:
    """``after`` moved as a whole so that every foot on the ground in ``before`` stays
    where it was (a more bent knee lowers the body, it does not lift the foot), or with
    ``vertical_only`` stays at its height only; in flight the shift blends linearly
    between the contacts around it."""
    feet = [f"{s}_ankle" for s in ("left", "right") if before.has(f"{s}_ankle")]
    contact = np.stack([foot_contact(before, f.split("_")[0]) for f in feet])
    drift = np.stack([after.joint(f) - before.joint(f) for f in feet])  # (feet, t, 3)
    grounded = contact.any(axis=0)
    if not grounded.any():
        return after
    weights = contact / np.maximum(contact.sum(axis=0), 1)
    shift = np.einsum("ft,ftc->tc", weights, drift)
    if vertical_only:
        shift[:, [0, 2]] = 0.0
    frames = np.arange(before.n_frames)
    for c in range(3):
        shift[:, c] = np.interp(frames, frames[grounded], shift[grounded, c])
    return after.replace(positions=after.positions - shift[:, None, :])


def fault_events(seq: PoseSequence, motion: str) -> list[MotionEvent]:
    """Where faults go: the motion's events, plus every foot contact of a cyclic motion
    (the cycle rules keep only complete cycles; a fault belongs in every step)."""
    events = motion_events(motion)(seq, 0, seq.n_frames - 1)
    if is_cyclic(motion):
        for side in ("left", "right"):
            contacts = runs(foot_contact(seq, side))  # those cut by the clip's ends too
            for k, (on, off) in enumerate(contacts):
                # the swing ends at the next contact (or the clip's end)
                nxt = contacts[k + 1][0] if k + 1 < len(contacts) else seq.n_frames - 1
                keyframes = {f"{side}_touchdown": on, f"{side}_heel_strike": on,
                             f"{side}_toe_off": off, f"{side}_next_touchdown": nxt,
                             f"{side}_next_heel_strike": nxt}  # fmt: skip
                events.append(MotionEvent(start=on, end=off, keyframes=keyframes))
    return events


def load_clip(shared: Path, clip: FaultClip) -> PoseSequence:
    """The clip at 30 fps travelling along +x (looping clips played ``loops`` times)."""
    from ..tools.readers import read_motion

    seq = read_motion(shared / clip.clip)
    if clip.loops > 1:
        seq = tile_loop(seq, clip.loops)
    return load_3d(seq)


def oracle_assessment(seq3d: PoseSequence, motion: str) -> Assessment:
    """The spec applied to a clean side view (no noise, no warp) at the mocap's true
    events: what the clip really shows, measured the way the bands were."""
    events = motion_events(motion)(seq3d, 0, seq3d.n_frames - 1)
    series = compute_kinematics(project(seq3d, "side"))
    alignment = AlignmentResult(
        motion=motion, method="two_stage", query=seq3d.source, fps=seq3d.fps,
        frames=seq3d.n_frames, channels=[], cost_threshold=0.0,
        occurrences=[
            Occurrence(
                start=e.start, end=e.end, cost=0.0, amplitude_cost=0.0, keyframes=e.keyframes,
                confidence={}, mirrored=False, references=["mocap events"], disagreement={},
            )
            for e in events
        ],
    )  # fmt: skip
    return assess(load_motion_spec(motion), series, alignment)


class CaseResult(BaseModel):
    motion: str
    clip: str
    problem: str | None = Field(description="the injected problem (None: unperturbed)")
    size_deg: list[float]
    seed: int
    reported: list[str]
    baseline: list[str] = Field(description="what the unperturbed clip showed in the same camera")
    detected: bool
    oracle_detected: bool = Field(description="the fault shows at the true events (clean view)")
    false_positives: list[str]


def video_like(seq3d: PoseSequence, rng: np.random.Generator) -> tuple[PoseSequence, float]:
    """A side camera's 2D view (random tempo 0.8-1.25x, random facing, keypoint noise)."""
    warp = float(rng.uniform(0.8, 1.25))
    flip = bool(rng.random() < 0.5)
    return to_2d(time_warp(seq3d, warp), "side", flip=flip, rng=rng), warp


def run_case(
    seq3d: PoseSequence, clip: FaultClip, fault: Fault | None, seed: int, baseline: list[str]
) -> CaseResult:
    """Assess ``seq3d`` with ``fault`` injected (drawn with ``seed``) in a 2D side view."""
    rng = np.random.default_rng(seed)
    size = float(rng.uniform())
    perturbed = seq3d
    degrees: list[float] = []
    if fault is not None:
        perturbed = inject(seq3d, fault, fault_events(seq3d, clip.motion), size)
        degrees = [
            round(r.degrees[0] + size * (r.degrees[1] - r.degrees[0]), 1) for r in fault.rotations
        ]
    pose, _ = video_like(perturbed, np.random.default_rng(seed + 1000))
    reported = [p.id for p in assess_motion(pose, clip.motion).problems]
    injected = fault.problem if fault else None
    return CaseResult(
        motion=clip.motion, clip=clip.clip, problem=injected, size_deg=degrees, seed=seed,
        reported=reported, baseline=baseline,
        detected=injected in reported if injected else False,
        oracle_detected=injected in _problem_ids(oracle_assessment(perturbed, clip.motion)),
        false_positives=[p for p in reported if p != injected and p not in baseline],
    )  # fmt: skip


def _problem_ids(assessment: Assessment) -> list[str]:
    return [p.id for p in assessment.problems]


def clean_view(seq3d: PoseSequence, motion: str, seed: int) -> list[str]:
    """Problems the 2D pipeline reports on the unperturbed clip in case ``seed``'s camera."""
    pose, _ = video_like(seq3d, np.random.default_rng(seed + 1000))
    return [p.id for p in assess_motion(pose, motion).problems]
