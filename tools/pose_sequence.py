"""PoseSequence: the one typed representation of motion that every stage consumes.

Coordinate conventions (docs/formats.md):
- ``units="px"``: 2D image coordinates of the original frame, x right, y *down*.
- ``units="m"``: metres; 3D sequences are right-handed with y *up*.
A missing joint in a frame is NaN in every coordinate with confidence 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .data_files import SNAKE_CASE
from .errors import InvalidPoseError
from .skeleton import JOINT_INDEX, order_joints

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Units = Literal["px", "m"]
View = Literal["side", "front", "oblique", "unknown"]


class PoseSequence(BaseModel):
    """T frames x J named joints x D coordinates (D = 2 or 3) with confidences."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    joints: tuple[str, ...] = Field(description="canonical joint names, vocabulary order")
    positions: FloatArray = Field(description="(T, J, D) coordinates; NaN = missing")
    confidence: FloatArray = Field(description="(T, J) in [0, 1]; 0 where missing")
    fps: float = Field(gt=0, description="nominal frame rate (frames per second)")
    units: Units
    skeleton: str = Field(description="source skeleton, e.g. mediapipe33, bvh, deepmimic")
    source: str = Field(description="where the data came from (file path or description)")
    times: FloatArray | None = Field(
        default=None, description="(T,) seconds per frame; None means i / fps"
    )
    person_id: IntArray | None = Field(default=None, description="(T,) tracked person id")
    view: View | None = Field(default=None, description="camera view for 2D data")
    image_size: tuple[int, int] | None = Field(
        default=None, description="(width, height) of the frame for pixel data"
    )
    extra_points: dict[str, FloatArray] = Field(
        default_factory=dict,
        description="named points outside the joint vocabulary (a skier's ski tips and "
        "tails): name -> (T, D) in the joints' units, NaN = missing",
    )

    # -- validation ---------------------------------------------------------
    @field_validator("joints", mode="before")
    @classmethod
    def _check_joints(cls, value: Sequence[str]) -> tuple[str, ...]:
        names = list(value)
        unknown = [n for n in names if n not in JOINT_INDEX]
        if unknown:
            raise InvalidPoseError(f"unknown joint name(s): {', '.join(map(repr, unknown))}")
        if len(set(names)) != len(names):
            raise InvalidPoseError("duplicate joint names")
        if not names:
            raise InvalidPoseError("a pose sequence needs at least one joint")
        return tuple(names)

    @field_validator("positions", "confidence", "times", mode="before")
    @classmethod
    def _as_float(cls, value: Any) -> Any:
        return None if value is None else np.array(value, dtype=np.float64)

    @field_validator("person_id", mode="before")
    @classmethod
    def _as_int(cls, value: Any) -> Any:
        return None if value is None else np.asarray(value, dtype=np.int64)

    @field_validator("fps", mode="before")
    @classmethod
    def _check_fps(cls, value: Any) -> Any:
        try:
            fps = float(value)
        except (TypeError, ValueError) as exc:
            raise InvalidPoseError(f"fps must be a number, got {value!r}") from exc
        if not np.isfinite(fps) or fps <= 0:
            raise InvalidPoseError(f"fps must be a positive number, got {value!r}")
        return fps

    @model_validator(mode="after")
    def _check_shapes(self) -> PoseSequence:
        pos, conf = self.positions, self.confidence
        if pos.ndim != 3 or pos.shape[2] not in (2, 3):
            raise InvalidPoseError(f"positions must be (T, J, 2|3), got shape {pos.shape}")
        t, j, _ = pos.shape
        if t == 0:
            raise InvalidPoseError("a pose sequence needs at least one frame")
        if j != len(self.joints):
            raise InvalidPoseError(f"positions have {j} joints but {len(self.joints)} names")
        if conf.shape != (t, j):
            raise InvalidPoseError(f"confidence must be {(t, j)}, got {conf.shape}")
        if np.isinf(pos).any():
            raise InvalidPoseError("positions contain infinite values (use NaN for missing)")
        if not np.isfinite(conf).all() or (conf < 0).any() or (conf > 1).any():
            raise InvalidPoseError("confidence must be finite and within [0, 1]")
        missing = np.isnan(pos).any(axis=2)
        if missing.all():
            raise InvalidPoseError("every joint is missing (NaN) in every frame")
        # Normalise: a joint-frame is missing in all coordinates, with confidence 0.
        if np.isnan(pos[missing]).sum() != pos[missing].size or conf[missing].any():
            pos, conf = pos.copy(), conf.copy()
            pos[missing] = np.nan
            conf[missing] = 0.0
            object.__setattr__(self, "positions", pos)
            object.__setattr__(self, "confidence", conf)
        if self.units == "px" and pos.shape[2] != 2:
            raise InvalidPoseError("pixel coordinates must be 2D")
        if list(self.joints) != order_joints(list(self.joints)):
            raise InvalidPoseError("joints must be in the canonical vocabulary order")
        for name, arr in (("times", self.times), ("person_id", self.person_id)):
            if arr is not None and arr.shape != (t,):
                raise InvalidPoseError(f"{name} must have shape ({t},), got {arr.shape}")
        extras = {}
        for name, arr in self.extra_points.items():
            arr = np.array(arr, dtype=np.float64)
            if not SNAKE_CASE.match(name) or name in JOINT_INDEX:
                raise InvalidPoseError(f"extra point {name!r}: a snake_case name, not a joint's")
            if arr.shape != (t, pos.shape[2]) or np.isinf(arr).any():
                raise InvalidPoseError(
                    f"extra point {name} must be finite or NaN, {(t, pos.shape[2])}"
                )
            arr.setflags(write=False)
            extras[name] = arr
        object.__setattr__(self, "extra_points", extras)
        if self.times is not None:
            if not np.isfinite(self.times).all():
                raise InvalidPoseError("times must be finite")
            if t > 1 and (np.diff(self.times) <= 0).any():
                raise InvalidPoseError("times must increase strictly")
        pos.setflags(write=False)
        conf.setflags(write=False)
        return self

    # -- construction helpers -----------------------------------------------
    @classmethod
    def from_joint_dict(
        cls,
        coords: dict[str, FloatArray],
        *,
        confidence: dict[str, FloatArray] | None = None,
        **meta: Any,
    ) -> PoseSequence:
        """Build from {canonical joint: (T, D) array}, ordering joints canonically."""
        names = order_joints(list(coords))
        pos = np.stack([np.asarray(coords[n], dtype=np.float64) for n in names], axis=1)
        if confidence is None:
            conf = np.where(np.isnan(pos).any(axis=2), 0.0, 1.0)
        else:
            conf = np.stack([np.asarray(confidence[n], dtype=np.float64) for n in names], axis=1)
        return cls(joints=tuple(names), positions=pos, confidence=conf, **meta)

    # -- accessors ----------------------------------------------------------
    @property
    def n_frames(self) -> int:
        return int(self.positions.shape[0])

    @property
    def dims(self) -> int:
        return int(self.positions.shape[2])

    @property
    def frame_times(self) -> FloatArray:
        """Seconds of each frame (explicit times, else i / fps)."""
        if self.times is not None:
            return self.times
        return np.arange(self.n_frames, dtype=np.float64) / self.fps

    def has(self, *joints: str) -> bool:
        return all(j in self.joints for j in joints)

    def joint(self, name: str) -> FloatArray:
        """(T, D) coordinates of one joint (read-only view)."""
        try:
            return self.positions[:, self.joints.index(name), :]
        except ValueError:
            raise KeyError(f"joint {name!r} is not in this sequence") from None

    def joint_confidence(self, name: str) -> FloatArray:
        return self.confidence[:, self.joints.index(name)]

    def valid_fraction(self) -> dict[str, float]:
        """Share of frames in which each joint is present."""
        present = np.asarray(~np.isnan(self.positions).any(axis=2))
        return {n: float(present[:, i].mean()) for i, n in enumerate(self.joints)}

    def replace(self, **changes: Any) -> PoseSequence:
        """A validated copy with some fields changed (arrays are copied)."""
        data: dict[str, Any] = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        for key in ("positions", "confidence"):
            data[key] = np.array(data[key], dtype=np.float64)
        return type(self)(**data)

    def select_frames(self, start: int, stop: int) -> PoseSequence:
        """Frames [start, stop) with their true times kept."""
        sl = slice(start, stop)
        return self.replace(
            positions=self.positions[sl],
            confidence=self.confidence[sl],
            times=self.frame_times[sl].copy(),
            person_id=None if self.person_id is None else self.person_id[sl].copy(),
            extra_points={k: v[sl] for k, v in self.extra_points.items()},
        )

    def summary(self) -> dict[str, Any]:
        """JSON-ready description (frames, joints, fps, units...) for CLIs and logs."""
        return {
            "source": self.source,
            "skeleton": self.skeleton,
            "frames": self.n_frames,
            "fps": round(self.fps, 6),
            "duration_s": round(float(self.frame_times[-1] - self.frame_times[0]), 6),
            "dims": self.dims,
            "units": self.units,
            "view": self.view,
            "joints": list(self.joints),
            "extra_points": list(self.extra_points),
            "valid_fraction": {k: round(v, 4) for k, v in self.valid_fraction().items()},
        }


def check_same_units(sequences: Sequence[PoseSequence]) -> Units:
    """The common units of several sequences; mixing px and m is an error."""
    units = {s.units for s in sequences}
    if len(units) != 1:
        details = ", ".join(f"{s.source} ({s.units})" for s in sequences)
        raise InvalidPoseError(f"mixed units: {details}")
    return sequences[0].units


def real_time(seq: PoseSequence, slow_motion: float) -> PoseSequence:
    """``seq`` played ``slow_motion`` times faster: the real time of a slow-motion clip
    (frame indices unchanged, every time and the frame rate scaled)."""
    if slow_motion == 1.0:
        return seq
    return seq.replace(times=seq.frame_times / slow_motion, fps=seq.fps * slow_motion)


def with_view(seq: PoseSequence, view: str | None) -> PoseSequence:
    """``seq`` with the camera view a person stated (``--view``, the app's choice); 3D
    motion has no camera view, so it is left as it is."""
    if view is None or seq.dims == 3 or seq.view == view:
        return seq
    if view not in ("side", "front", "oblique"):
        raise InvalidPoseError(f"view {view!r} is not side, front or oblique")
    return seq.replace(view=view)
