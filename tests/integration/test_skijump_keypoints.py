"""Broadcast ski-jump keypoints (../shared/data/skijump): COCO files read by their own
keypoint labels through a keypoint map, frames in video order, and a view that follows
the recording (behind the in-run, beside the flight) instead of one vote per clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sportsgpt.tools.errors import MotionInputError
from sportsgpt.tools.kinematics import compute_kinematics
from sportsgpt.tools.kinematics.body_frame import estimate_view, view_segments
from sportsgpt.tools.pose_sequence import with_view
from sportsgpt.tools.readers import read_motion

SKI = Path(__file__).resolve().parents[3] / "shared" / "data" / "skijump"
JUMPS = sorted(SKI.glob("jump*.coco.json")) if SKI.is_dir() else []


@pytest.mark.parametrize("path", JUMPS, ids=[p.name for p in JUMPS])
def test_every_ski_jump_reads_with_its_labels_and_gets_sagittal_channels(path: Path) -> None:
    seq = read_motion(path, fps=30)
    assert seq.skeleton == "coco:ski_tb_23" and len(seq.joints) == 15
    doc = json.loads(path.read_text())
    assert seq.n_frames >= len(doc["images"])  # video order, missing frames as gaps
    segments = view_segments(seq)
    assert len({s.view for s in segments}) >= 2  # the camera moves: more than one view
    assert estimate_view(seq) == "oblique"  # so both channel families are computed
    series = compute_kinematics(seq)
    assert "left_knee_flexion" in series.channels and "trunk_lean" in series.channels


def test_the_view_can_be_stated(tmp_path: Path) -> None:
    seq = with_view(read_motion(JUMPS[0], fps=30), "side")
    assert estimate_view(seq) == "side"
    assert "left_knee_valgus" not in compute_kinematics(seq).channels


def test_numbered_labels_without_a_map_are_a_clear_error(tmp_path: Path) -> None:
    doc = json.loads(JUMPS[0].read_text())
    doc["categories"][-1]["keypoints"] = [f"p{i}" for i in range(23)]
    path = tmp_path / "other.coco.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(MotionInputError, match="keypoint map") as err:
        read_motion(path, fps=30)
    assert "\n" not in str(err.value)
