"""Every reader on the real files in ../shared (or on files written from them)."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sportsgpt.tools.errors import MotionInputError
from sportsgpt.tools.projection import project
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.shared_data import shared_dir
from sportsgpt.tools.skeleton import COCO_17, OPENPOSE_BODY_25

SHARED = shared_dir()
DEEPMIMIC = sorted((SHARED / "data/deepmimic/motions").glob("*.txt"))
TENNIS = sorted((SHARED / "data/tennis").glob("*.bvh"))


@pytest.mark.parametrize("path", DEEPMIMIC, ids=lambda p: p.name)
def test_every_deepmimic_clip_loads(path: Path) -> None:
    seq = read_motion(path)
    frames = len(json.loads(path.read_text())["Frames"])
    assert seq.n_frames == frames and seq.dims == 3 and seq.units == "m"
    assert len(seq.joints) == 19 and seq.has("left_toe", "right_heel", "head")
    # feet reach the ground, the head stays above the hips on upright clips
    feet = np.concatenate([seq.joint("left_toe")[:, 1], seq.joint("right_toe")[:, 1]])
    assert -0.1 < np.percentile(feet, 5) < 0.1


@pytest.mark.parametrize("path", TENNIS, ids=lambda p: p.name)
def test_every_tennis_bvh_loads(path: Path) -> None:
    seq = read_motion(path)
    assert seq.fps == pytest.approx(100.0) and seq.n_frames > 2000 and len(seq.joints) == 17
    height = np.median(
        seq.joint("head")[:, 1]
        - np.minimum(seq.joint("left_toe")[:, 1], seq.joint("right_toe")[:, 1])
    )
    assert 1.3 < height < 2.0  # centimetres converted to metres


def test_truncated_bvh(tmp_path: Path) -> None:
    lines = TENNIS[0].read_text().splitlines()
    cut = tmp_path / "cut.bvh"
    cut.write_text("\n".join(lines[:500]) + "\n")
    with pytest.raises(MotionInputError, match="truncated BVH: header declares"):
        read_motion(cut)
    head_only = tmp_path / "head.bvh"
    head_only.write_text("\n".join(lines[:40]))
    with pytest.raises(MotionInputError, match="truncated"):
        read_motion(head_only)


def test_deepmimic_character_lookup(tmp_path: Path) -> None:
    clip = tmp_path / "humanoid3d_run.txt"
    shutil.copy(SHARED / "data/deepmimic/motions/humanoid3d_run.txt", clip)
    from_shared = read_motion(clip)  # nothing beside it: falls back to the shared data
    char = tmp_path / "elsewhere" / "my_character.txt"
    char.parent.mkdir()
    shutil.copy(SHARED / "data/deepmimic/humanoid3d_character.txt", char)
    explicit = read_motion(clip, character=char)
    np.testing.assert_allclose(from_shared.positions, explicit.positions)
    with pytest.raises(MotionInputError, match="character file not found"):
        read_motion(clip, character=tmp_path / "nope.txt")
    broken = tmp_path / "broken.txt"
    broken.write_text(json.dumps({"Frames": [[0.1, 0, 0, 0, 1, 0, 0, 0]]}))
    with pytest.raises(MotionInputError, match=r"character humanoid3d_character\.txt needs 44"):
        read_motion(broken)


@pytest.fixture(scope="module")
def jump_side():  # type: ignore[no-untyped-def]
    return project(read_motion(SHARED / "data/deepmimic/motions/humanoid3d_jump.txt"), "side")


def test_coco_json_written_from_real_motion(tmp_path: Path, jump_side) -> None:  # type: ignore[no-untyped-def]
    images, anns = [], []
    for t in range(jump_side.n_frames):
        images.append(
            {
                "id": 1000 + t,
                "frame_id": t,
                "file_name": f"{t:05d}.jpg",
                "width": 1920,
                "height": 1080,
            }
        )
        for track, offset in ((7, 0.0), (9, 300.0)):  # the athlete and a smaller bystander
            kp = []
            for name in COCO_17:
                if name is not None and name in jump_side.joints:
                    x, y = jump_side.joint(name)[t]
                    if track == 9:
                        x, y = 100 + (x - 900) * 0.3, 100 + y * 0.3
                    kp += [x + offset * 0, y, 2]
                else:
                    kp += [0, 0, 0]
            anns.append(
                {"image_id": 1000 + t, "category_id": 1, "keypoints": kp, "track_id": track}
            )
    path = tmp_path / "coco.json"
    path.write_text(
        json.dumps(
            {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "person"}]}
        )
    )
    seq = read_motion(path, fps=60)
    assert seq.skeleton == "coco17" and seq.n_frames == jump_side.n_frames
    assert (seq.person_id == 7).all()  # the largest person is kept
    np.testing.assert_allclose(seq.joint("left_knee"), jump_side.joint("left_knee"))
    other = read_motion(path, fps=60, person=9)
    assert (other.person_id == 9).all()


def test_openpose_folder_written_from_real_motion(tmp_path: Path, jump_side) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "op"
    folder.mkdir()
    for t in range(jump_side.n_frames):
        kp = []
        for name in OPENPOSE_BODY_25:
            if name is not None and name in jump_side.joints and not (t == 5 and name == "nose"):
                x, y = jump_side.joint(name)[t]
                kp += [x, y, 0.9]
            else:
                kp += [0, 0, 0]
        doc = {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": kp}]}
        (folder / f"clip_{t:012d}_keypoints.json").write_text(json.dumps(doc))
    seq = read_motion(folder, fps=60)
    assert seq.skeleton == "openpose_body25" and seq.n_frames == jump_side.n_frames
    np.testing.assert_allclose(seq.joint("right_heel"), jump_side.joint("right_heel"))
    assert seq.joint_confidence("left_toe")[0] == pytest.approx(0.9)


def test_trc_written_from_real_motion(tmp_path: Path) -> None:
    seq3d = read_motion(TENNIS[0]).select_frames(0, 200)
    markers = {
        "RHip": "right_hip",
        "RKnee": "right_knee",
        "RAnkle": "right_ankle",
        "LHip": "left_hip",
        "LKnee": "left_knee",
        "LAnkle": "left_ankle",
        "RShoulder": "right_shoulder",
        "LShoulder": "left_shoulder",
    }
    lines = [
        "PathFileType\t4\t(X/Y/Z)\ttest.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate",
        f"100\t100\t{seq3d.n_frames}\t{len(markers)}\tmm\t100",
        "Frame#\tTime\t" + "\t\t\t".join(markers) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(markers) + 1)),
    ]
    for t in range(seq3d.n_frames):
        vals = [str(t + 1), f"{t / 100:.3f}"]
        for canon in markers.values():
            vals += [f"{v * 1000:.4f}" for v in seq3d.joint(canon)[t]]
        lines.append("\t".join(vals))
    path = tmp_path / "test.trc"
    path.write_text("\n".join(lines) + "\n")
    seq = read_motion(path)
    assert seq.skeleton == "trc" and seq.units == "m" and seq.fps == 100
    np.testing.assert_allclose(seq.joint("left_knee"), seq3d.joint("left_knee"), atol=1e-6)
