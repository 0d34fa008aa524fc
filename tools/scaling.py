"""2D video in metres: pixel keypoints scaled by the athlete's height or a known length.

Angles need no scale; distances, heights and speeds in metres do. The scale is metres per
pixel of the athlete's plane (one camera, the athlete roughly side-on at a steady
distance): from a known length between two joints (``known``: the median distance over
frames), or from the athlete's standing height through Winter's segment proportions
(thigh 0.245 and shank 0.246 of height: Winter, Biomechanics and Motor Control of Human
Movement, 4th ed., 2009, fig. 4.1), using the median hip-knee-ankle length in pixels,
which does not depend on the posture. The result is in metres with y up.
"""

from __future__ import annotations

import numpy as np

from .errors import InvalidPoseError
from .kinematics import leg_length
from .pose_sequence import PoseSequence

LEG_OF_HEIGHT = 0.245 + 0.246
"""Hip-to-ankle length (thigh + shank) as a fraction of standing height (Winter 2009)."""


def _median_distance(seq: PoseSequence, a: str, b: str) -> float:
    if not seq.has(a, b):
        missing = [j for j in (a, b) if j not in seq.joints]
        raise InvalidPoseError(f"scaling needs {', '.join(missing)}, which the input lacks")
    d = np.linalg.norm(seq.joint(a) - seq.joint(b), axis=1)
    value = float(np.nanmedian(d)) if np.isfinite(d).any() else float("nan")
    if not np.isfinite(value) or value <= 0:
        raise InvalidPoseError(f"{a} and {b} are never seen together: no scale")
    return value


def to_metres(
    seq: PoseSequence,
    *,
    height_m: float | None = None,
    known: tuple[str, str, float] | None = None,
) -> PoseSequence:
    """``seq`` (2D pixels) in metres, y up, by a known length or the athlete's height."""
    if seq.units != "px" or seq.dims != 2:
        raise InvalidPoseError("only 2D pixel keypoints are scaled (this input is already "
                               f"{seq.dims}D {seq.units})")  # fmt: skip
    if (height_m is None) == (known is None):
        raise InvalidPoseError("give the athlete's height or one known length, not both")
    if known is not None:
        a, b, metres = known
        if metres <= 0:
            raise InvalidPoseError(f"a known length must be positive, got {metres:g} m")
        per_px = metres / _median_distance(seq, a, b)
    else:
        assert height_m is not None
        if not 0.5 <= height_m <= 2.6:
            raise InvalidPoseError(f"a height of {height_m:g} m is not a person's (0.5-2.6 m)")
        per_px = LEG_OF_HEIGHT * height_m / leg_length(seq)  # pixels
    flip = np.array([per_px, -per_px])  # image y points down; metres point up
    pos = seq.positions * flip
    extras = {k: v * flip for k, v in seq.extra_points.items()}
    return seq.replace(positions=pos, units="m", image_size=None, extra_points=extras)
