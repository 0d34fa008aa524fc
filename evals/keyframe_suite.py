"""Untrimmed keyframe-alignment queries built from the real mocap in ../shared.

Each query embeds a target motion (several running strides, a standing broad jump, a
tennis serve recording) among other real motions (walks, standing, a kick...), time-warps
the target by a random factor (0.7x-1.4x), resamples everything to 30 fps, projects it
to a 2D side or oblique camera, possibly facing left, and adds pose-estimator-like
jitter and dropouts. Ground truth comes from the 3D data of the query itself
(tools/motiondtw/events.py): foot contacts from ankle heights, flight phases, wrist peaks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..references.recipe import motion_events
from ..tools.motiondtw.events import MotionEvent, on_the_foot, serve_events
from ..tools.motiondtw.features import interp_frames
from ..tools.motiondtw.library import is_cyclic
from ..tools.pose_sequence import PoseSequence
from ..tools.projection import facing_direction, project
from ..tools.readers import read_motion

RATE = 30.0


class KeyframeQuery(BaseModel):
    """A 2D query with its ground truth (frames at 30 fps)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    motion: str
    pose: PoseSequence
    truth: list[MotionEvent]
    foot_truth: list[MotionEvent] = Field(
        default_factory=list, description="a cyclic motion's truth with its contacts by "
        "the foot's lowest point (events.on_the_foot), where ``truth`` times them by the ankle",
    )  # fmt: skip
    shares_recording: bool
    warp: float
    view: str
    target: tuple[int, int] = Field(description="frames of the embedded target recording")


def load_3d(path: Path | PoseSequence, rate: float = RATE) -> PoseSequence:
    """A mocap clip resampled to ``rate`` and turned to travel (or face) along +x."""
    seq = path if isinstance(path, PoseSequence) else read_motion(path)
    times = seq.frame_times
    pos = interp_frames(seq.positions, times, np.arange(0.0, times[-1] + 1e-9, 1.0 / rate))
    fwd = facing_direction(seq)
    angle = np.arctan2(fwd[2], fwd[0])  # rotate about y so fwd -> +x
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    pos = pos @ rot.T
    return seq.replace(
        positions=pos, confidence=np.ones(pos.shape[:2]), fps=rate, times=None, person_id=None
    )


def time_warp(seq: PoseSequence, factor: float) -> PoseSequence:
    """Play ``seq`` ``factor`` times as long (factor 1.4 = slower)."""
    n = seq.n_frames
    src = np.arange(0, n - 1 + 1e-9, 1.0 / factor)
    pos = interp_frames(seq.positions, np.arange(n, dtype=np.float64), src)
    return seq.replace(positions=pos, confidence=np.ones(pos.shape[:2]), times=None)


def concatenate(parts: list[PoseSequence], blend: int = 6) -> tuple[PoseSequence, list[int]]:
    """Clips one after another, each moved to start where the last ended (horizontally),
    with a short cross-fade. Returns the sequence and each part's first frame."""
    out = parts[0].positions.copy()
    starts = [0]
    pelvis = parts[0].joints.index("pelvis")
    for part in parts[1:]:
        pos = part.positions.copy()
        shift = out[-1, pelvis] - pos[0, pelvis]
        shift[1] = 0.0
        pos += shift
        k = min(blend, len(pos) - 1, len(out) - 1)
        w = np.linspace(0, 1, k + 2)[1:-1][:, None, None]
        out[-k:] = (1 - w) * out[-k:] + w * pos[:k]
        starts.append(len(out))
        out = np.concatenate([out, pos[k:]])
    seq = parts[0].replace(positions=out, confidence=np.ones(out.shape[:2]), source="query")
    return seq, starts


def to_2d(seq3d: PoseSequence, view: str, flip: bool, rng: np.random.Generator) -> PoseSequence:
    """Camera projection plus keypoint jitter (0.4% of the frame height) and dropouts."""
    seq = project(seq3d, view)  # type: ignore[arg-type]
    pos = seq.positions.copy()
    t, j = seq.n_frames, len(seq.joints)
    conf = np.full((t, j), 0.9)
    width, height = seq.image_size or (1920, 1080)
    pos += rng.normal(0.0, 0.004 * height, pos.shape)
    if flip:
        pos[..., 0] = width - pos[..., 0]
    for _ in range(int(0.02 * t * j / 3)):
        joint, start, length = rng.integers(j), rng.integers(t), rng.integers(1, 6)
        pos[start : start + length, joint] = np.nan
        conf[start : start + length, joint] = 0.0
    return seq.replace(positions=pos, confidence=conf)


NOT_WALKING = ("humanoid3d_kick.txt", "humanoid3d_punch.txt", "humanoid3d_spin.txt")
"""Fillers for walking targets: no gait in them, so every true cycle is in the truth."""

FILLERS = (
    "humanoid3d_walk.txt",
    "humanoid3d_ready_to_walk_mirror.txt",
    "humanoid3d_walk_to_ready_mirror.txt",
    "humanoid3d_kick.txt",
    "humanoid3d_stealthy_walk.txt",
    "humanoid3d_punch.txt",
)


def embedded_query(
    shared: Path,
    motion: str,
    target: Path | PoseSequence,
    rng: np.random.Generator,
    *,
    shares_recording: bool,
    name: str,
    fillers: tuple[str, ...] = (),
    view: str | None = None,
) -> KeyframeQuery:
    """``target`` time-warped and embedded between two random fillers, then made 2D
    (from ``view``, or a side or oblique camera at random)."""
    motions = shared / "data" / "deepmimic" / "motions"
    fillers = fillers or FILLERS
    before, after = rng.choice(len(fillers), size=2, replace=False)
    warp = float(rng.uniform(0.7, 1.4))
    parts = [
        load_3d(motions / fillers[before]),
        time_warp(load_3d(target), warp),
        load_3d(motions / fillers[after]),
    ]
    seq3d, starts = concatenate(parts)
    lo, hi = starts[1], starts[2] - 1
    truth = motion_events(motion)(seq3d, lo, hi)
    foot_truth = on_the_foot(seq3d, truth, lo, hi) if is_cyclic(motion) else []
    view = view or ("side" if rng.random() < 0.5 else "oblique")
    pose = to_2d(seq3d, view, flip=bool(rng.random() < 0.5), rng=rng)
    return KeyframeQuery(
        name=name, motion=motion, pose=pose, truth=truth, foot_truth=foot_truth,
        shares_recording=shares_recording,
        warp=round(warp, 3), view=view, target=(lo, hi),
    )  # fmt: skip


def recording_query(path: Path, rng: np.random.Generator, *, name: str) -> KeyframeQuery:
    """A whole untrimmed serve recording (serves with walking and waiting between)."""
    seq3d = load_3d(path)
    warp = float(rng.uniform(0.7, 1.4))
    seq3d = time_warp(seq3d, warp)
    view = "side" if rng.random() < 0.5 else "oblique"
    pose = to_2d(seq3d, view, flip=bool(rng.random() < 0.5), rng=rng)
    return KeyframeQuery(
        name=name, motion="tennis_serve", pose=pose, truth=serve_events(seq3d),
        shares_recording=False, warp=round(warp, 3), view=view, target=(0, pose.n_frames - 1),
    )  # fmt: skip
