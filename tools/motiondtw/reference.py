"""A motion reference: a template of angle channels with named keyframes.

References are data (JSON under references/<motion>/, or anywhere a coach saves one),
validated on load. A reference is an alignment template only; elite bands are separate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator, model_validator

from ..body_view import FlatPose, key_poses, trajectory
from ..data_files import SNAKE_CASE, load_json_model
from ..kinematics import FilterSettings
from ..pose_sequence import PoseSequence
from ..projection import project
from .features import (
    DEFAULT_ARM_WEIGHT,
    EVENT_CHANNELS,
    AlignmentInputError,
    ChannelStats,
    FeatureSet,
    angle_features,
    channel_stats,
)
from .refine import KeyframeRule, OccurrenceGate

WEAK_WINDOW_S = 1.0
WEAK_SUPPORT = 0.5
"""A keyframe with less than half real data within 1 s of it (the rest filled over gaps)
has little to pin it to in alignment: ``reference build`` warns. On the broadcast ski
jumps it flags jump11's landing (39 % real data), the source whose reference aligns the
others worst (benchmarks/skijump.py); the take-off gaps of other jumps lie mostly before
the template's padded start, so they are not counted."""

TEMPLATE_CAMERAS: dict[str, tuple[str, float]] = {
    "side": ("side", 0.0),
    "oblique": ("oblique", 45.0),
    "oblique_far": ("oblique", 135.0),
    "front": ("front", 90.0),
}
"""The 2D cameras a 3D template is projected for: variant -> (the view a query is
estimated in to use it, the camera's azimuth round the athlete, degrees from their right
side towards their front). The angle channels are measured facing one way, so a camera on
the opposite side (azimuth + 180: behind for the front, behind on the right for the far
oblique) sees the same channels, and a mirrored match (left and right swapped) covers the
athlete's other side: four cameras stand for eight. A view that shows fewer channels (the
front) keeps the ones it shows."""

DEFAULT_COST_THRESHOLD = 1.0
"""Normalised cost (mean squared z-deviation per frame and channel) above which a match is
rejected; references may carry a calibrated value."""


class MotionReference(BaseModel):
    """Template angle channels (degrees, at ``fps``) plus keyframes (template frames)."""

    format: Literal["sportsgpt.reference"] = "sportsgpt.reference"
    version: Literal[1] = 1
    motion: str = Field(description="snake_case motion name, e.g. max_velocity")
    name: str = Field(description="this reference's id among the motion's references")
    source: str = Field(description="what it was built from ('built from FILE ...')")
    attribution: str | None = None
    dims: Literal[2, 3]
    view: str = Field(description="camera view of 2D sources; '3d' for mocap")
    fps: float = Field(gt=0)
    channels: dict[str, list[float]] = Field(description="angle channel -> degrees per frame")
    projected: dict[str, dict[str, list[float]]] = Field(
        default_factory=dict,
        description="3D references: the same channels as a 2D camera sees them, per view",
    )
    reliability: dict[str, list[float]] = Field(
        default_factory=dict,
        description="channel -> per-frame trust 0..1 where the source had gaps (filled "
        "frames are not aligned on); a channel not listed is trusted everywhere",
    )
    stats: ChannelStats
    keyframes: dict[str, int] = Field(description="name -> template frame, in time order")
    key_poses: dict[str, FlatPose] = Field(
        default_factory=dict,
        description="keyframe -> the elite's body at it, side view (joint -> x, y with the "
        "hip centre at 0, y up, facing +x, trunk length 1): drawn beside the athlete",
    )
    trajectory: list[FlatPose] = Field(
        default_factory=list,
        description="the elite's body at every template frame, side view, in one frame of "
        "reference (hip centre of the first frame at 0, y up, facing +x, median trunk "
        "length 1): the side-by-side video draws it beside the athlete",
    )
    segment: tuple[int, int] = Field(
        description="template frames of the motion itself (an occurrence's start and end); "
        "first to last keyframe, or the whole template for a cycle"
    )
    refine: dict[str, KeyframeRule] = Field(
        default_factory=dict, description="keyframe -> the event rule it snaps to"
    )
    gates: list[OccurrenceGate] = Field(
        default_factory=list, description="conditions every true occurrence meets"
    )
    cost_threshold: float = Field(default=DEFAULT_COST_THRESHOLD, gt=0)
    mirror: bool = Field(
        default=True,
        description="also match with left and right swapped (leading leg, hitting hand); "
        "off for a symmetric cycle, whose mirror is itself half a cycle later",
    )
    provisional: bool = False

    @field_validator("motion", "name")
    @classmethod
    def _snake(cls, value: str) -> str:
        if not SNAKE_CASE.match(value):
            raise ValueError(f"{value!r} is not snake_case (e.g. max_velocity)")
        return value

    @model_validator(mode="after")
    def _check(self) -> MotionReference:
        lengths = {len(v) for v in self.channels.values()}
        if len(self.channels) < 3 or len(lengths) != 1:
            raise ValueError("a reference needs >= 3 angle channels of one common length")
        frames = lengths.pop()
        if frames < 4:
            raise ValueError(f"a template of {frames} frames is too short")
        if not self.keyframes:
            raise ValueError("a reference needs at least one keyframe")
        for kf, frame in self.keyframes.items():
            if not SNAKE_CASE.match(kf):
                raise ValueError(f"keyframe name {kf!r} is not snake_case")
            if not 0 <= frame < frames:
                raise ValueError(
                    f"keyframe {kf} = {frame} is outside the template (0..{frames - 1})"
                )
        order = list(self.keyframes.values())
        if order != sorted(order):
            raise ValueError("keyframes must be listed in time order")
        unknown = sorted(
            (set(self.refine) | {g.keyframe for g in self.gates}) - set(self.keyframes)
        )
        if unknown:
            raise ValueError(f"rules or gates for keyframes the reference lacks: {unknown}")
        if set(self.key_poses) - set(self.keyframes):
            raise ValueError(
                f"key poses for keyframes the reference lacks: "
                f"{sorted(set(self.key_poses) - set(self.keyframes))}"
            )
        if not 0 <= self.segment[0] < self.segment[1] < frames:
            raise ValueError(f"segment {self.segment} is not inside the template")
        bases = {n.removesuffix("_velocity") for n in self.stats.names}
        if not bases <= set(self.channels):
            raise ValueError(
                f"stats name channels the template lacks: {sorted(bases - set(self.channels))}"
            )
        for values in self.channels.values():
            if not np.isfinite(values).all():
                raise ValueError("template channels must be finite")
        for name, trust in self.reliability.items():
            if name not in self.channels or len(trust) != frames:
                raise ValueError(f"reliability of {name} must cover a channel's {frames} frames")
            if not all(0.0 <= t <= 1.0 for t in trust):
                raise ValueError(f"reliability of {name} must lie in 0..1")
        for view, channels in self.projected.items():
            if {len(v) for v in channels.values()} != {frames}:
                raise ValueError(f"projected channels for view {view} must have {frames} frames")
        return self

    @property
    def cyclic(self) -> bool:
        """A cycle (a stride, a gait cycle): its segment is the whole template, and a bout
        of the motion is one cycle after another."""
        return self.segment == (0, self.frames - 1)

    @property
    def frames(self) -> int:
        return len(next(iter(self.channels.values())))

    def keyframe_support(self, window_s: float = WEAK_WINDOW_S) -> dict[str, float]:
        """Per keyframe: the share of the template's channel-frames within +/- ``window_s``
        that are real data, not filled over a gap (1.0 where the source had none)."""
        frames = self.frames
        trust = np.ones((frames, len(self.channels)))
        for i, name in enumerate(self.channels):
            if name in self.reliability:
                trust[:, i] = self.reliability[name]
        w = max(1, round(window_s * self.fps))
        return {
            k: round(float(trust[max(0, f - w) : f + w + 1].mean()), 3)
            for k, f in self.keyframes.items()
        }

    def features(self, view: str | None = None) -> FeatureSet:
        """The template as seen from ``view`` (a 2D query's camera), when it was projected."""
        channels = self.projected.get(view or "", self.channels)
        return FeatureSet(
            angles={k: np.asarray(v, dtype=np.float64) for k, v in channels.items()},
            fps=self.fps,
            frames=self.frames,
            dims=2 if channels is not self.channels else self.dims,
            view=view if channels is not self.channels else self.view,
            source=f"reference {self.motion}/{self.name}",
            reliability={k: np.asarray(v, dtype=np.float64) for k, v in self.reliability.items()},
        )


MIN_CAMERA_CHANNELS = 3


def camera_variants(ref: MotionReference, view: str) -> list[str]:
    """The projected variants of ``ref`` a 2D query seen from ``view`` is aligned with."""
    return [
        name
        for name, (seen_as, _) in TEMPLATE_CAMERAS.items()
        if seen_as == view and name in ref.projected
    ]


def load_reference(path: str | Path) -> MotionReference:
    return load_json_model(path, MotionReference, "reference")


def save_reference(ref: MotionReference, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = ref.model_dump(mode="json")
    doc["channels"] = {k: [round(v, 4) for v in vals] for k, vals in doc["channels"].items()}
    doc["reliability"] = {k: [round(v, 3) for v in vals] for k, vals in doc["reliability"].items()}
    doc["projected"] = {
        view: {k: [round(v, 4) for v in vals] for k, vals in chans.items()}
        for view, chans in doc["projected"].items()
    }
    path.write_text(json.dumps(doc, indent=1) + "\n")
    return path


def build_reference(
    seq: PoseSequence,
    keyframes: dict[str, int],
    motion: str,
    *,
    name: str | None = None,
    pad_s: float = 0.5,
    span: tuple[int, int] | None = None,
    attribution: str | None = None,
    cost_threshold: float = DEFAULT_COST_THRESHOLD,
    provisional: bool = False,
    arm_weight: float = DEFAULT_ARM_WEIGHT,
    weights: dict[str, float] | None = None,
    refine: dict[str, KeyframeRule] | None = None,
    gates: list[OccurrenceGate] | None = None,
    mirror: bool = True,
    whole_template_is_motion: bool = False,
    settings: FilterSettings | None = None,
) -> MotionReference:
    """A reference from any pose sequence and keyframe frames (in that sequence's frames).

    The template spans the first keyframe minus ``pad_s`` to the last plus ``pad_s``
    (clipped to the sequence), or ``span`` = (start, end) frames inclusive.
    """
    if not keyframes:
        raise AlignmentInputError("a reference needs at least one keyframe")
    bad = {k: f for k, f in keyframes.items() if not 0 <= f < seq.n_frames}
    if bad:
        raise AlignmentInputError(f"keyframes outside the sequence (0..{seq.n_frames - 1}): {bad}")
    ordered = dict(sorted(keyframes.items(), key=lambda kv: kv[1]))
    feats = angle_features(seq, settings)
    if span is None:
        pad = round(pad_s * feats.fps)
        start = max(0, min(ordered.values()) - pad)
        end = min(seq.n_frames - 1, max(ordered.values()) + pad)
    else:
        start, end = span
        if not 0 <= start < end < seq.n_frames:
            raise AlignmentInputError(f"span {start}:{end} is not inside 0..{seq.n_frames - 1}")
        outside = [k for k, f in ordered.items() if not start <= f <= end]
        if outside:
            raise AlignmentInputError(f"keyframes {outside} fall outside the span {start}:{end}")
    names = sorted(set(feats.angles) - set(EVENT_CHANNELS))
    crop = {n: feats.angles[n][start : end + 1] for n in names}
    cropped = feats.model_copy(update={"angles": crop, "frames": end - start + 1})
    projected: dict[str, dict[str, list[float]]] = {}
    if seq.dims == 3:  # how 2D cameras would see this template, for 2D queries
        for camera, (view, azimuth) in TEMPLATE_CAMERAS.items():
            flat = project(seq, view, azimuth_deg=azimuth)  # type: ignore[arg-type]
            seen = angle_features(flat, settings).angles
            shown = [n for n in names if n in seen]
            if len(shown) >= MIN_CAMERA_CHANNELS:
                projected[camera] = {n: [float(v) for v in seen[n][start : end + 1]] for n in shown}
    return MotionReference(
        motion=motion,
        name=name or motion,
        source=f"built from {seq.source} frames {start}..{end}",
        attribution=attribution,
        dims=2 if seq.dims == 2 else 3,
        view=feats.view,
        fps=feats.fps,
        channels={n: [float(v) for v in crop[n]] for n in names},
        reliability={
            n: [float(v) for v in feats.reliability[n][start : end + 1]]
            for n in names
            if n in feats.reliability and feats.reliability[n][start : end + 1].min() < 1.0
        },
        projected=projected,
        stats=channel_stats(cropped, names, arm_weight, weights),
        keyframes={k: f - start for k, f in ordered.items()},
        key_poses=key_poses(seq, ordered),
        trajectory=trajectory(seq, start, end),
        segment=(0, end - start)
        if whole_template_is_motion
        else (min(ordered.values()) - start, max(ordered.values()) - start),
        refine=refine or {},
        gates=gates or [],
        cost_threshold=cost_threshold,
        mirror=mirror,
        provisional=provisional,
    )
