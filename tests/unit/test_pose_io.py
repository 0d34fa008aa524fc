from pathlib import Path

import numpy as np
import pytest
from helpers import make_pose

from sportsgpt.tools.errors import MotionInputError
from sportsgpt.tools.readers import read_motion, write_motion


def _assert_same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.joints == b.joints and a.units == b.units and a.skeleton == b.skeleton
    assert a.fps == b.fps
    np.testing.assert_array_equal(a.positions, b.positions)  # exact, NaN-aware
    np.testing.assert_array_equal(a.confidence, b.confidence)
    np.testing.assert_array_equal(a.frame_times, b.frame_times)


@pytest.mark.parametrize("suffix", [".json", ".npz", ".csv"])
@pytest.mark.parametrize("dims", [2, 3])
def test_round_trip_is_lossless(tmp_path: Path, suffix: str, dims: int) -> None:
    seq = make_pose(
        t=15,
        joints=("nose", "left_hip", "right_knee"),
        dims=dims,
        units="px" if dims == 2 else "m",
        view="side" if dims == 2 else None,
    )
    pos = np.array(seq.positions)
    pos[3, 1] = np.nan
    seq = seq.replace(
        positions=pos, times=np.linspace(0.0, 0.7, 15) ** 1.1, person_id=np.arange(15) % 2
    )
    out = write_motion(seq, tmp_path / f"pose{suffix}")
    back = read_motion(out)
    _assert_same(seq, back)
    if suffix != ".csv":  # CSV keeps no person ids
        np.testing.assert_array_equal(back.person_id, seq.person_id)


def test_unknown_output_extension(tmp_path: Path) -> None:
    with pytest.raises(MotionInputError, match=r"\.json, \.npz, \.csv, \.trc or \.c3d"):
        write_motion(make_pose(), tmp_path / "x.txt")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("time,left_hip_x\n0,1\n", "needs both _x and _y"),
        ("frame,left_hip_x,left_hip_y\n0,1,2\n", "first column must be 'time'"),
        ("time,lefthip_x,lefthip_y\n0,1,2\n", "unknown joint name 'lefthip'"),
        ("time,left_hip_x,left_hip_y,left_hip_q\n0,1,2,3\n", "is not '<joint>_x"),
        ("time,left_hip_x [px],left_hip_y [m]\n0,1,2\n", "mixed units"),
        ("# units: m\ntime,left_hip_x [px],left_hip_y [px]\n0,1,2\n", "mixed units"),
        ("# fps: 0\ntime,left_hip_x,left_hip_y\n0,1,2\n", "frame rate of 0 fps is outside 1-2000"),
        ("time,left_hip_x,left_hip_y\n0,,\n0.1,,\n", "every joint is missing"),
        ("time,left_hip_x,left_hip_y\n0,1,abc\n", "not a number"),
        ("time,left_hip_x,left_hip_y\n", "no data rows"),
    ],
)
def test_bad_csv_gives_one_line_error_naming_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(MotionInputError) as info:
        read_motion(path)
    text = str(info.value)
    assert message in text and str(path) in text and "\n" not in text


def test_csv_fps_from_time_column(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("time,left_hip_x,left_hip_y,left_hip_c\n0,1,2,0.9\n0.04,1,2,\n0.08,1,2,1\n")
    seq = read_motion(path)
    assert seq.fps == pytest.approx(25.0) and seq.units == "px"
    assert seq.confidence[1, 0] == 0.0  # empty confidence cell = not seen


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.json", "{not json", "not valid JSON"),
        ("x.json", '{"hello": 1}', "JSON is none of"),
        ("x.npz", "PK garbage", "not a readable sportsgpt.pose NPZ"),
        ("x.xyz", "\x00\x01binary", "unrecognised file format"),
        ("clip.mp4", "fake", "this is a video"),
    ],
)
def test_wrong_formats(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(MotionInputError, match=message):
        read_motion(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MotionInputError, match="file not found"):
        read_motion(tmp_path / "nope.bvh")
