"""The installed ``sportsgpt`` command, run as a user would."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from sportsgpt.tools.shared_data import shared_dir

SHARED = shared_dir()
EXE = shutil.which("sportsgpt") or str(Path(sys.executable).parent / "sportsgpt")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300)


def test_convert_info_kinematics_chain(tmp_path: Path) -> None:
    bvh = SHARED / "data/tennis/jduribe_Servicio.bvh"
    out = run("convert", str(bvh), "-o", str(tmp_path / "serve.npz"), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["frames"] == 2999
    out = run(
        "convert",
        str(tmp_path / "serve.npz"),
        "--project",
        "oblique",
        "-o",
        str(tmp_path / "serve2d.json"),
    )
    assert out.returncode == 0 and "2D px" in out.stdout
    out = run("info", str(tmp_path / "serve2d.json"), "--json")
    info = json.loads(out.stdout)
    assert info["view"] == "oblique" and info["units"] == "px"
    out = run("kinematics", str(bvh), "-o", str(tmp_path / "k.csv"), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["view"] == "3d" and "right_knee_flexion_3d" in summary["channels"]
    header = (tmp_path / "k.csv").read_text().splitlines()[4]
    assert header.startswith("time,") and "right_knee_flexion [deg]" in header
    assert (tmp_path / "k.png").exists()


def test_bad_inputs_give_one_line_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bvh"
    empty.write_text("")
    not_motion = tmp_path / "notes.json"
    not_motion.write_text('{"a": 1}')
    for args in (
        ["info", str(empty)],
        ["kinematics", str(not_motion), "-o", "x.csv"],
        ["convert", str(SHARED / "data/footnet/Data_example.mat"), "-o", "x.json"],
    ):
        out = run(*args)
        assert out.returncode == 1 and out.stdout == ""
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sportsgpt: error:"), out.stderr
