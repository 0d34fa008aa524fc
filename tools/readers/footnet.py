"""FootNet treadmill running strides (Rivadulla et al. 2021, LGPL-3.0 data, read by path).

Each of the 27 right + 27 left stride windows (200 Hz) holds joint angles computed by
the authors, tibia/foot segment end positions, and force-plate foot-strike / toe-off
truth. We expose the segment ends as a PoseSequence (knee = proximal tibia, ankle =
distal tibia, toe = distal foot), rotated to our y-up frame, so our kinematics can be
checked against their angles and our foot contacts against their force plates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..errors import MotionInputError
from ..pose_sequence import FloatArray, PoseSequence

FOOTNET_FPS = 200.0


class FootNetStride(BaseModel):
    """One stride window of one leg."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    side: str
    index: int
    pose: PoseSequence
    ankle_angle: FloatArray  # (T, 3) FootNet's own ankle angles, degrees
    knee_angle: FloatArray
    contact: FloatArray  # (T,) 1 = foot on the ground (force-plate labels)


def _y_up(xyz: np.ndarray) -> np.ndarray:
    """FootNet's lab frame has z vertical (y along the belt); ours has y up: a rotation
    about x, (x, y, z) -> (x, z, -y), so heights and foot contacts read as elsewhere."""
    if xyz.ndim != 2 or xyz.shape[1] != 3:
        return xyz
    return np.stack([xyz[:, 0], xyz[:, 2], -xyz[:, 1]], axis=1)


def read_footnet(path: Path) -> list[FootNetStride]:
    try:
        from scipy.io import loadmat

        mat = loadmat(str(path))
    except (OSError, ValueError, NotImplementedError) as exc:
        raise MotionInputError(path, f"not a readable MATLAB file ({exc})") from None
    strides: list[FootNetStride] = []
    for side, p in (("right", "r"), ("left", "l")):
        try:
            n = mat[f"{p}ank"].shape[1]
        except KeyError:
            raise MotionInputError(path, f"not a FootNet file (no '{p}ank')") from None
        for i in range(n):

            def cell(key: str, i: int = i, p: str = p) -> np.ndarray:
                return np.asarray(mat[f"{p}{key}"][0, i], dtype=np.float64)

            coords = {
                f"{side}_knee": _y_up(cell("tib_prox")),
                f"{side}_ankle": _y_up(cell("tib_dist")),
                f"{side}_toe": _y_up(cell("foot_dist")),
            }
            pose = PoseSequence.from_joint_dict(
                coords,
                fps=FOOTNET_FPS,
                units="m",
                skeleton="footnet",
                source=f"{path}#{side}{i}",
            )
            strides.append(
                FootNetStride(
                    side=side,
                    index=i,
                    pose=pose,
                    ankle_angle=cell("ank"),
                    knee_angle=cell("knee"),
                    contact=cell("labels").ravel(),
                )
            )
    return strides
