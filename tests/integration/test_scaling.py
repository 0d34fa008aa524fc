"""2D keypoints in metres (tools/scaling.py): a tennis player's mocap seen by a side
camera, scaled by a known length or by a height, gives back the mocap's own lengths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sportsgpt.tools.errors import InvalidPoseError
from sportsgpt.tools.projection import project
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.scaling import LEG_OF_HEIGHT, to_metres


def _length(seq, a: str, b: str) -> float:  # type: ignore[no-untyped-def]
    return float(np.nanmedian(np.linalg.norm(seq.joint(a) - seq.joint(b), axis=1)))


def test_a_known_length_or_a_height_gives_metres(shared: Path) -> None:
    mocap = read_motion(shared / "data/tennis/jduribe_Servicio.bvh").select_frames(0, 600)
    video = project(mocap, "side")
    thigh = _length(mocap, "right_hip", "right_knee")
    by_length = to_metres(video, known=("right_hip", "right_knee", thigh))
    assert by_length.units == "m" and by_length.dims == 2
    shank_true = _length(mocap, "right_knee", "right_ankle")
    assert _length(by_length, "right_knee", "right_ankle") == pytest.approx(shank_true, rel=0.1)
    # y up: the head is above the ankles
    assert np.nanmedian(by_length.joint("head")[:, 1] - by_length.joint("right_ankle")[:, 1]) > 1
    legs = np.mean([_length(mocap, f"{s}_hip", f"{s}_knee") + _length(mocap, f"{s}_knee",
                    f"{s}_ankle") for s in ("left", "right")])  # fmt: skip
    height = legs / LEG_OF_HEIGHT  # the height Winter's proportions give this player
    by_height = to_metres(video, height_m=height)
    assert _length(by_height, "right_knee", "right_ankle") == pytest.approx(shank_true, rel=0.1)


def test_scaling_refuses_what_it_cannot_scale(shared: Path) -> None:
    mocap = read_motion(shared / "data/tennis/jduribe_Servicio.bvh").select_frames(0, 50)
    with pytest.raises(InvalidPoseError, match="only 2D pixel"):
        to_metres(mocap, height_m=1.8)
    video = project(mocap, "side")
    with pytest.raises(InvalidPoseError, match="not a person"):
        to_metres(video, height_m=18)
    with pytest.raises(InvalidPoseError, match="not both"):
        to_metres(video, height_m=1.8, known=("left_hip", "left_knee", 0.4))
