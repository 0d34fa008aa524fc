"""Lab files as labs write them (../shared/data/lab): every TRC and C3D is read into the
canonical skeleton by its marker set, with joint centres by documented methods, y up;
a set that cannot place a leg joint is refused naming the joint and the markers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sportsgpt.tools.errors import MotionInputError
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.readers.c3d_file import read_c3d_with_events
from sportsgpt.tools.readers.markers import (
    _Markers,
    choose_set,
    harrington_hip,
    marker_set,
    marker_sets,
    pelvis_frame,
)

LAB = Path(__file__).resolve().parents[3] / "shared" / "data" / "lab"
LEGS = {f"{s}_{j}" for s in ("left", "right") for j in ("hip", "knee", "ankle")}
FILES = {
    "opencap/DJ1.trc": ("opencap", LEGS | {"left_wrist", "right_elbow", "neck"}),
    "opencap/walking2.trc": ("opencap", LEGS | {"left_shoulder", "right_wrist"}),
    "camargo/levelground_ccw_fast.trc": ("camargo", LEGS | {"left_heel", "right_toe"}),
    "kineticstoolkit/walk.c3d": ("plug_in_gait", LEGS | {"left_heel", "right_toe"}),
    "kineticstoolkit/tennis_serve.c3d": ("plug_in_gait", LEGS | {"head", "right_wrist"}),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_lab_file_gives_a_plausible_skeleton(name: str) -> None:
    path = LAB / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    seq = read_motion(path)
    expected_set, joints = FILES[name]
    labels = _labels(path)
    assert choose_set(labels)[0].name == expected_set
    assert joints <= set(seq.joints), sorted(joints - set(seq.joints))
    assert seq.units == "m" and seq.dims == 3
    pelvis, ankles = seq.joint("pelvis"), (seq.joint("left_ankle") + seq.joint("right_ankle")) / 2
    height = np.nanmedian(pelvis[:, 1] - ankles[:, 1])
    assert 0.6 < height < 1.2, height  # y is up, whatever the lab's axes were
    for side in ("left", "right"):
        thigh = np.nanmedian(np.linalg.norm(seq.joint(f"{side}_hip") - seq.joint(f"{side}_knee"),
                                            axis=1))  # fmt: skip
        shank = np.nanmedian(np.linalg.norm(seq.joint(f"{side}_knee") - seq.joint(f"{side}_ankle"),
                                            axis=1))  # fmt: skip
        assert 0.3 < thigh < 0.55 and 0.3 < shank < 0.55, (side, thigh, shank)
    width = np.nanmedian(np.linalg.norm(seq.joint("left_hip") - seq.joint("right_hip"), axis=1))
    assert 0.12 < width < 0.3, width


def _labels(path: Path) -> list[str]:
    if path.suffix == ".trc":
        line = path.read_text().splitlines()[3]
        return [m.strip() for m in line.split("\t")[2:] if m.strip()]
    import c3d

    with path.open("rb") as handle:
        return [str(label).strip() for label in c3d.Reader(handle).point_labels]


def test_harrington_hip_centre_agrees_with_the_labs_own() -> None:
    """DJ1 holds OpenCap's hip joint centres and the ASIS/PSIS markers: the regression we
    use when a file lacks them lands within 30 mm of them (Harrington 2007 reports ~14 mm)."""
    path = LAB / "opencap" / "DJ1.trc"
    lines = path.read_text().splitlines()
    names = [n.strip() for n in lines[3].split("\t")[2:] if n.strip()]
    width = 2 + 3 * len(names)
    rows = np.array([[float(c) if c.strip() else np.nan for c in ln.split("\t")[:width]]
                     for ln in lines[5:] if ln.strip()])  # fmt: skip
    xyz = rows[:, 2:].reshape(len(rows), len(names), 3)
    markers = _Markers({n: xyz[:, i] for i, n in enumerate(names)}, marker_set("opencap"))
    frame = pelvis_frame(markers)
    assert frame is not None
    for s in "LR":
        lab = markers.side("hip_centre", s)
        assert lab is not None
        error = np.nanmedian(np.linalg.norm(harrington_hip(frame, s) - lab, axis=1))
        assert error < 0.03, (s, error)


def test_c3d_events_become_labelled_frames() -> None:
    seq, events = read_c3d_with_events(LAB / "kineticstoolkit" / "walk.c3d")
    assert set(events) == {"left_foot_strike", "left_foot_off", "right_foot_strike",
                           "right_foot_off"}  # fmt: skip
    assert all(0 <= f < seq.n_frames for frames in events.values() for f in frames)
    assert seq.fps == 100 and seq.n_frames == 221


def _trc(path: Path, names: list[str], frames: int = 5) -> Path:
    lines = [
        "PathFileType\t4\t(X/Y/Z)\tx.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate",
        f"100\t100\t{frames}\t{len(names)}\tmm\t100",
        "Frame#\tTime\t" + "\t\t\t".join(names),
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(names) + 1)),
    ]
    rng = np.random.default_rng(0)
    base = {n: rng.normal(0, 50, 3) for n in names}
    for n in names:  # a standing body, y up, in mm: pelvis 900, knees 500, ankles 80
        y = (
            950
            if "ASI" in n or "PSI" in n or "Sacral" in n
            else 500
            if "EPI" in n or "Thigh" in n
            else 80
        )
        base[n][1] = y
        base[n][2] = 0 if "Sacral" in n else 100 if n.startswith(("R", "r")) else -100
        if "PSI" in n or "Sacral" in n:
            base[n][0] = -120
        if "MEPI" in n or "MMAL" in n:
            base[n][2] *= 0.2
    for t in range(frames):
        cells = [str(t + 1), f"{t / 100:.2f}"]
        for n in names:
            cells += [f"{v:.2f}" for v in base[n]]
        lines.append("\t".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_anatomical_vicon_style_set_is_read(tmp_path: Path) -> None:
    """LASI RASI LPSI RPSI, epicondyles and malleoli (LLEPI/LMEPI, LLMAL/LMMAL), heel, toe."""
    names = [f"{s}{m}" for s in "LR" for m in ("ASI", "PSI", "LEPI", "MEPI", "LMAL", "MMAL",
                                                "HEEL", "TOE")]  # fmt: skip
    seq = read_motion(_trc(tmp_path / "sprint.trc", names))
    assert LEGS | {"left_heel", "right_toe", "pelvis"} <= set(seq.joints)
    knee = seq.joint("left_knee")[0]
    assert knee[1] == pytest.approx(0.5, abs=1e-6)  # the epicondyle midpoint, metres


def test_vicon_style_short_shoulder_and_wrist_names_are_read(tmp_path: Path) -> None:
    """LSH RSH (shoulders) and LWR RWR (one marker per wrist) beside anatomical legs."""
    names = [f"{s}{m}" for s in "LR" for m in ("ASI", "PSI", "LEPI", "MEPI", "LMAL", "MMAL",
                                                "HEEL", "TOE", "SH", "ELB", "WR")]  # fmt: skip
    seq = read_motion(_trc(tmp_path / "sprint.trc", names))
    assert {"left_shoulder", "right_shoulder", "left_wrist", "right_wrist"} <= set(seq.joints)
    assert np.isfinite(seq.joint("right_wrist")).all()


def test_clusters_without_knee_markers_are_refused_naming_the_joint(tmp_path: Path) -> None:
    """An OpenSim example walking trial: thigh and shank clusters, no knee or ankle markers."""
    names = ["R.ASIS", "L.ASIS", "V.Sacral", "R.Thigh.Upper", "R.Thigh.Front", "R.Thigh.Rear",
             "L.Thigh.Upper", "L.Thigh.Front", "L.Thigh.Rear", "R.Heel", "L.Heel", "R.Toe.Tip",
             "L.Toe.Tip"]  # fmt: skip
    with pytest.raises(MotionInputError) as err:
        read_motion(_trc(tmp_path / "walk.trc", names))
    text = str(err.value)
    assert "knee" in text and "Knee.Lat" in text and "static trial" in text and "\n" not in text


def test_every_shipped_set_names_its_source() -> None:
    sets = marker_sets()
    assert {s.name for s in sets} >= {"plug_in_gait", "opencap", "camargo", "opensim_gait",
                                      "anatomical", "keypoints"}  # fmt: skip
    assert all(len(s.source) > 20 for s in sets)


def test_opensim_storage_files_give_angles_and_plate_contacts() -> None:
    from sportsgpt.tools.readers.mot import ik_angles, plate_contacts, read_mot

    ik = read_mot(LAB / "opencap" / "walking2_ik.mot")
    angles = ik_angles(ik)
    assert ik.in_degrees is False and ik.rate == pytest.approx(100)
    knee = angles["knee_angle_r"]
    assert 40 < np.nanmax(np.abs(knee)) < 90  # degrees in swing, converted from radians
    contacts = plate_contacts(read_mot(LAB / "opencap" / "walking2_grf.mot"))
    assert contacts and all(c.off_s - c.on_s >= 0.08 for c in contacts
                            if np.isfinite([c.on_s, c.off_s]).all())  # fmt: skip
    with pytest.raises(MotionInputError, match="not positions"):
        read_motion(LAB / "opencap" / "walking2_ik.mot")


@pytest.mark.parametrize("suffix", [".trc", ".c3d"])
def test_what_we_write_for_lab_software_reads_back(tmp_path: Path, suffix: str) -> None:
    """`sportsgpt convert --to trc|c3d`: the joints as keypoint markers (RHip, LKnee, ...),
    y up, mm; read back (our own readers) to the same skeleton."""
    from sportsgpt.tools.readers import write_motion

    seq = read_motion(LAB / "opencap" / "walking2.trc")
    out = write_motion(seq, tmp_path / f"walk{suffix}")
    back = read_motion(out)
    assert set(back.joints) >= set(seq.joints) - {"neck"}
    np.testing.assert_allclose(back.joint("left_knee"), seq.joint("left_knee"), atol=1e-4)
    assert back.fps == pytest.approx(seq.fps)


def test_kinematics_as_an_opensim_table(tmp_path: Path) -> None:
    from sportsgpt.cli.main import main
    from sportsgpt.tools.readers.mot import read_mot

    out = tmp_path / "angles.mot"
    assert main(["kinematics", str(LAB / "opencap" / "walking2.trc"), "-o", str(out),
                 "--no-plot"]) == 0  # fmt: skip
    table = read_mot(out)
    assert table.in_degrees and "left_knee_flexion" in table.columns
    assert 40 < np.nanmax(table.column("left_knee_flexion")) < 90


@pytest.mark.parametrize("trial", ["DJ1", "walking2"])
def test_our_angles_against_opencaps_inverse_kinematics(
    tmp_path: Path, trial: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sportsgpt kinematics TRIAL.trc --compare-ik TRIAL_ik.mot`: our angles from the
    markers against OpenSim's IK of the same trial. Knees agree to within 2 deg RMS,
    hips and ankles track (r >= 0.98) with a constant offset (the models' neutral poses
    differ): docs/kinematics.md has the table."""
    import json

    from sportsgpt.cli.main import main

    code = main(["kinematics", str(LAB / "opencap" / f"{trial}.trc"), "-o",
                 str(tmp_path / "a.csv"), "--no-plot", "--json",
                 "--compare-ik", str(LAB / "opencap" / f"{trial}_ik.mot")])  # fmt: skip
    assert code == 0
    rows = {r["coordinate"]: r for r in json.loads(capsys.readouterr().out)["ik_agreement"]}
    for knee in ("knee_angle_r", "knee_angle_l"):
        assert rows[knee]["r"] >= 0.99 and rows[knee]["rms_deg"] <= 2.5
    for coordinate in ("hip_flexion_r", "hip_flexion_l", "ankle_angle_r"):
        assert rows[coordinate]["r"] >= 0.98


def test_info_describes_opensim_storage_files(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from sportsgpt.cli.main import main

    assert main(["info", str(LAB / "opencap" / "DJ1_ik.mot"), "--json"]) == 0
    ik = json.loads(capsys.readouterr().out)
    assert ik["kind"].startswith("joint angles") and "knee_angle_r" in ik["coordinates"]
    assert main(["info", str(LAB / "opencap" / "DJ1_grf.mot")]) == 0
    text = capsys.readouterr().out
    assert "force plates: 2" in text and "1.21-1.74 s" in text
