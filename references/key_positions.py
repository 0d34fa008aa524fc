"""Provisional templates from literature key positions, where no elite clip exists.

A key-positions file (references/<motion>/key_positions.json) lists body positions at
given times as sagittal segment angles, taken from coaching and biomechanics sources
(cited in the file). ``synthesize`` interpolates them smoothly and draws a side-view 2D
stick figure with standard segment proportions, which ``references.build`` turns into a
MotionReference marked provisional: replace it with ``sportsgpt reference build`` from a
real elite recording when one is available.

Angles, in degrees, athlete facing +x: limbs from the vertical pointing down, + forward
(a thigh at 90 is horizontal in front); trunk from the vertical pointing up, + forward
lean; foot below the forward horizontal (0 flat, + toes down).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator
from scipy.interpolate import PchipInterpolator

from ..tools.data_files import load_json_model
from ..tools.pose_sequence import PoseSequence

SEGMENTS = (
    "trunk",
    "left_thigh", "left_shin", "left_foot", "right_thigh", "right_shin", "right_foot",
    "left_upper_arm", "left_forearm", "right_upper_arm", "right_forearm",
)  # fmt: skip

# Segment lengths as fractions of standing height (Winter, Biomechanics and Motor Control
# of Human Movement, 4th ed., fig. 4.1 proportions).
PROPORTIONS = {
    "trunk": 0.288,  # hip centre to shoulder centre
    "neck": 0.052,
    "head": 0.078,
    "thigh": 0.245,
    "shin": 0.246,
    "foot": 0.152,
    "ankle_height": 0.039,
    "upper_arm": 0.186,
    "forearm": 0.146,
    "hip_width": 0.191,
    "shoulder_width": 0.259,
}
HEIGHT_M = 1.80
PIXELS_PER_M = 400.0
IMAGE = (1920, 1080)


class KeyPose(BaseModel):
    time_s: float = Field(ge=0)
    stance: Literal["left", "right", "both", "none"] = Field(
        description="feet on the ground (set the pelvis height); none: give pelvis_height"
    )
    pelvis_x_m: float = Field(description="distance travelled")
    pelvis_height_m: float | None = Field(default=None, gt=0)
    angles: dict[str, float]

    @model_validator(mode="after")
    def _check(self) -> KeyPose:
        missing = sorted(set(SEGMENTS) - set(self.angles))
        unknown = sorted(set(self.angles) - set(SEGMENTS))
        if missing or unknown:
            raise ValueError(f"segments missing {missing}, unknown {unknown}")
        if self.stance == "none" and self.pelvis_height_m is None:
            raise ValueError("a pose with no foot on the ground needs pelvis_height_m")
        return self


class Citation(BaseModel):
    what: str = Field(min_length=10)
    url: str = Field(min_length=8)


class KeyPositions(BaseModel):
    format: Literal["sportsgpt.key_positions"] = "sportsgpt.key_positions"
    version: Literal[1] = 1
    motion: str
    sources: list[Citation] = Field(min_length=1)
    keyframes: dict[str, float] = Field(description="keyframe -> time in seconds")
    poses: list[KeyPose] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> KeyPositions:
        times = [p.time_s for p in self.poses]
        if any(b <= a for a, b in itertools.pairwise(times)):
            raise ValueError("pose times must increase")
        outside = {k: t for k, t in self.keyframes.items() if not times[0] <= t <= times[-1]}
        if outside:
            raise ValueError(f"keyframes outside the poses' time span: {outside}")
        return self


def load_key_positions(path: str | Path) -> KeyPositions:
    return load_json_model(path, KeyPositions, "key positions")


def _down(angle_deg: np.ndarray) -> np.ndarray:
    """Unit vectors (x forward, y up) of segments at ``angle`` from the downward vertical."""
    a = np.radians(angle_deg)
    return np.stack([np.sin(a), -np.cos(a)], axis=-1)


def synthesize(kp: KeyPositions, fps: float = 60.0) -> tuple[PoseSequence, dict[str, int]]:
    """The key positions as a side-view 2D pose sequence (pixels) and keyframe frames."""
    times = np.array([p.time_s for p in kp.poses])
    t = np.arange(times[0], times[-1] + 1e-9, 1.0 / fps)
    length = {k: v * HEIGHT_M for k, v in PROPORTIONS.items()}
    angles = {s: PchipInterpolator(times, [p.angles[s] for p in kp.poses])(t) for s in SEGMENTS}
    heights = []
    for pose in kp.poses:
        if pose.pelvis_height_m is not None:
            heights.append(pose.pelvis_height_m)
            continue
        legs = ("left", "right") if pose.stance == "both" else (pose.stance,)
        drop = [
            length["thigh"] * np.cos(np.radians(pose.angles[f"{leg}_thigh"]))
            + length["shin"] * np.cos(np.radians(pose.angles[f"{leg}_shin"]))
            for leg in legs
        ]
        heights.append(max(drop) + length["ankle_height"])
    pelvis = np.stack(
        [
            PchipInterpolator(times, [p.pelvis_x_m for p in kp.poses])(t),
            PchipInterpolator(times, heights)(t),
        ],
        axis=-1,
    )
    coords: dict[str, np.ndarray] = {"pelvis": pelvis}
    lean = np.radians(angles["trunk"])
    trunk_up = np.stack([np.sin(lean), np.cos(lean)], axis=-1)
    neck = pelvis + length["trunk"] * trunk_up
    coords["neck"] = neck
    coords["head"] = neck + (length["neck"] + length["head"] / 2) * trunk_up
    for side in ("left", "right"):
        hip = pelvis.copy()
        knee = hip + length["thigh"] * _down(angles[f"{side}_thigh"])
        ankle = knee + length["shin"] * _down(angles[f"{side}_shin"])
        foot = np.radians(angles[f"{side}_foot"])
        toe_dir = np.stack([np.cos(foot), -np.sin(foot)], axis=-1)
        heel = ankle - 0.25 * length["foot"] * toe_dir + [0.0, -length["ankle_height"]]
        toe = ankle + 0.75 * length["foot"] * toe_dir + [0.0, -length["ankle_height"]]
        shoulder = neck.copy()
        elbow = shoulder + length["upper_arm"] * _down(angles[f"{side}_upper_arm"])
        wrist = elbow + length["forearm"] * _down(angles[f"{side}_forearm"])
        for name, value in (("hip", hip), ("knee", knee), ("ankle", ankle), ("heel", heel),
                            ("toe", toe), ("shoulder", shoulder), ("elbow", elbow),
                            ("wrist", wrist)):  # fmt: skip
            coords[f"{side}_{name}"] = value
    # metres (x forward, y up) -> pixels of a side camera (y down), athlete facing right
    origin = np.array([200.0, IMAGE[1] - 80.0])
    pixels = {
        k: np.stack([origin[0] + v[:, 0] * PIXELS_PER_M, origin[1] - v[:, 1] * PIXELS_PER_M], -1)
        for k, v in coords.items()
    }
    seq = PoseSequence.from_joint_dict(
        pixels, fps=fps, units="px", skeleton="key_positions",
        source=f"key positions of {kp.motion}", image_size=IMAGE, view="side",
    )  # fmt: skip
    keyframes = {k: round((v - times[0]) * fps) for k, v in kp.keyframes.items()}
    return seq, keyframes
