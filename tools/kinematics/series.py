"""KinematicSeries: named channels over time (angles, velocities, distances) with units."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import InvalidPoseError
from ..pose_sequence import FloatArray
from .anatomy import anatomy

Side = Literal["left", "right"]


class KinematicSeries(BaseModel):
    """Channels in degrees (angles), deg/s, leg lengths (distances) or source units."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    source: str
    fps: float = Field(gt=0)
    times: FloatArray
    channels: dict[str, FloatArray]
    units: dict[str, str]
    primary_side: Side
    view: str = Field(description="side, front, oblique (2D) or 3d")
    dims: int
    leg_length: float = Field(description="median hip-knee-ankle length, source units")
    source_units: str
    facing: float = Field(0.0, description="2D: +1 faces image-right, -1 left; 3D: 0")
    cutoff_hz: float | None = None
    unmeasurable: dict[str, str] = Field(
        default_factory=dict, description="channel -> why it could not be computed"
    )
    implausible: dict[str, FloatArray] = Field(
        default_factory=dict, description="channel -> the values that left the humanly "
        "possible range (kinematics/anatomy.json), NaN at every other frame; they are "
        "blanked (NaN) in ``channels``",
    )  # fmt: skip

    def as_measured(self, channel: str) -> FloatArray:
        """``channel`` with its implausible values put back: the picture of the motion,
        projection artefacts included, for alignment only (a template projected to the
        same camera has the same artefacts). Nothing judges or quotes these values."""
        values = self.channels[channel]
        rejected = self.implausible.get(channel)
        if rejected is None:
            return values
        return np.where(np.isfinite(rejected), rejected, values)

    def missing_reason(self, channel: str, frame: int, at: str) -> str:
        """Why ``channel`` has no value at ``frame`` (the keyframe ``at``)."""
        rejected = self.implausible.get(channel)
        if rejected is not None and 0 <= frame < len(rejected) and np.isfinite(rejected[frame]):
            return (f"{channel} at {at} was measured {anatomy().words(channel)}: a "
                    "measurement failure (the limb out of the camera's plane, or a joint "
                    "mis-tracked), so it is not judged")  # fmt: skip
        return f"{channel} is missing (occluded or low confidence) at {at}"

    @model_validator(mode="after")
    def _check(self) -> KinematicSeries:
        n = self.times.shape[0]
        for name, values in self.channels.items():
            if values.shape != (n,):
                raise InvalidPoseError(f"channel {name} has shape {values.shape}, expected ({n},)")
            if name not in self.units:
                raise InvalidPoseError(f"channel {name} has no unit")
        return self

    @property
    def n_frames(self) -> int:
        return int(self.times.shape[0])

    def channel(self, name: str) -> FloatArray:
        try:
            return self.channels[name]
        except KeyError:
            why = self.unmeasurable.get(name, "not a channel this series computes")
            raise KeyError(f"{name}: {why}") from None

    def side_channel(self, base: str, side: Side | None = None) -> FloatArray:
        """``left_knee_flexion`` etc. for the primary (or given) side."""
        return self.channel(f"{side or self.primary_side}_{base}")

    def summary(self) -> dict[str, Any]:
        """Per-channel min/max/mean and the series' metadata, JSON-ready."""
        stats: dict[str, dict[str, float | str | None]] = {}
        for name, values in self.channels.items():
            ok = values[np.isfinite(values)]
            stats[name] = {
                "unit": self.units[name],
                "min": round(float(ok.min()), 3) if ok.size else None,
                "max": round(float(ok.max()), 3) if ok.size else None,
                "mean": round(float(ok.mean()), 3) if ok.size else None,
                "valid_fraction": round(float(ok.size / max(len(values), 1)), 4),
            }
        return {
            "source": self.source,
            "frames": self.n_frames,
            "fps": round(self.fps, 6),
            "view": self.view,
            "dims": self.dims,
            "primary_side": self.primary_side,
            "facing": self.facing,
            "leg_length": round(self.leg_length, 4),
            "source_units": self.source_units,
            "cutoff_hz": self.cutoff_hz,
            "channels": stats,
            "unmeasurable": self.unmeasurable,
        }

    def to_csv(self, path: Path) -> None:
        """``time`` then one column per channel (unit in brackets); empty = not measured."""
        names = list(self.channels)
        out = io.StringIO()
        out.write(f"# source: {self.source}\n# fps: {self.fps!r}\n# view: {self.view}\n")
        out.write(f"# primary_side: {self.primary_side}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["time", *[f"{n} [{self.units[n]}]" for n in names]])
        for t in range(self.n_frames):
            row = [repr(float(self.times[t]))]
            for n in names:
                v = self.channels[n][t]
                row.append("" if not np.isfinite(v) else f"{v:.6g}")
            writer.writerow(row)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out.getvalue(), encoding="utf-8")
