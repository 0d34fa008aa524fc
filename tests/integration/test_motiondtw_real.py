"""MotionDTW on real mocap: shipped references, an untrimmed run, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sportsgpt.cli.main import main
from sportsgpt.evals.keyframe_scoring import score_query
from sportsgpt.evals.keyframe_suite import embedded_query
from sportsgpt.references.build import build_all
from sportsgpt.tools.motiondtw.align import AlignSettings, align
from sportsgpt.tools.motiondtw.library import (
    REFERENCES_DIR,
    known_motions,
    load_motion_references,
    template_path,
)
from sportsgpt.tools.motiondtw.reference import DEFAULT_COST_THRESHOLD, load_reference
from sportsgpt.tools.readers import read_motion


def test_shipped_references_are_what_our_builder_makes(shared: Path, tmp_path: Path) -> None:
    assert set(known_motions()) == {
        "acceleration", "max_velocity", "sprint_start", "standing_long_jump", "tennis_serve",
        "walking_gait",
    }  # fmt: skip
    for path in build_all(shared, tmp_path):
        fresh = load_reference(path)
        shipped = load_reference(REFERENCES_DIR / path.relative_to(tmp_path))
        assert fresh.keyframes == shipped.keyframes and fresh.segment == shipped.segment
        assert fresh.source == shipped.source and fresh.attribution
        assert "deepmimic_sie" not in fresh.source  # non-commercial data never shipped
        # calibrated on real queries, or provisional (literature key positions, no real data)
        assert shipped.provisional or shipped.cost_threshold != DEFAULT_COST_THRESHOLD
        assert fresh.refine == shipped.refine
        for name, values in fresh.channels.items():
            np.testing.assert_allclose(values, shipped.channels[name], atol=1e-3)
    run = load_reference(template_path("max_velocity", "deepmimic_run"))
    assert list(run.keyframes) == [
        "left_touchdown",
        "left_toe_off",
        "right_touchdown",
        "right_toe_off",
    ]


def test_serve_recording_of_another_player(shared: Path) -> None:
    """A regular player's whole recording, filmed obliquely from the left, against the
    high-performance templates (two references vote)."""
    from sportsgpt.evals.keyframe_suite import load_3d, time_warp, to_2d
    from sportsgpt.tools.motiondtw.events import serve_events

    mocap = time_warp(load_3d(shared / "data/tennis/adorozco_Servicio.bvh"), 0.9)
    truth = serve_events(mocap, 0, mocap.n_frames - 1)
    video_like = to_2d(mocap, "oblique", flip=True, rng=np.random.default_rng(0))
    result = align(video_like, load_motion_references("tennis_serve"))
    score = score_query(result.occurrences, truth)
    assert score.truths == 5 and score.matched >= 4
    assert np.mean(score.keyframe_errors) <= 1.5
    assert any(o.disagreement for o in result.occurrences)  # fused from both references
    assert all(o.amplitude_cost > 0 for o in result.occurrences)  # carried through the vote


def test_untrimmed_2d_run_two_stage_vs_one_stage(shared: Path) -> None:
    """An SIE run (another recording than the template) between two other motions."""
    rng = np.random.default_rng(0)
    sie = shared / "data/deepmimic_sie/sie_humanoid3d_run_forward08.txt"
    query = embedded_query(shared, "max_velocity", sie, rng, shares_recording=False, name="q")
    refs = load_motion_references("max_velocity")
    found = align(query.pose, refs).occurrences
    two = score_query(found, query.truth)
    assert two.truths >= 5 and two.matched >= 0.6 * two.truths and np.mean(two.ious) >= 0.8
    # contacts are snapped to the feet's clearance, so they agree with the foot's lowest
    # point (the force plates' rule) better than with the ankle rule of ``truth``
    on_foot = score_query(found, query.foot_truth)
    assert np.mean(on_foot.keyframe_errors) <= 1.0 < np.mean(two.keyframe_errors) <= 2.0
    one = align(query.pose, refs, AlignSettings(method="one_stage"))
    one_score = score_query(one.occurrences, query.truth, one_stage=True)
    assert np.mean(one_score.keyframe_errors) > 10 * np.mean(two.keyframe_errors)


def test_3d_query_is_projected_to_a_2d_reference(shared: Path, tmp_path: Path) -> None:
    jump = shared / "data/deepmimic/motions/humanoid3d_jump.txt"
    side = tmp_path / "jump_side.csv"
    assert main(["convert", str(jump), "--project", "side", "-o", str(side)]) == 0
    ref = tmp_path / "my_jump.json"
    keyframes = "take_off=44,landing=74"
    assert main(["reference", "build", "--from", str(side), "--keyframes", keyframes,
                 "--motion", "my_jump", "-o", str(ref), "--pad", "0.3"]) == 0  # fmt: skip
    built = load_reference(ref)
    assert built.dims == 2 and built.view == "side" and built.source.startswith("built from")
    result = align(read_motion(jump), [built])  # 3D query, 2D reference
    (occ,) = result.occurrences
    assert abs(occ.keyframes["take_off"] - 44) <= 1 and abs(occ.keyframes["landing"] - 74) <= 1


def test_cli_align_json(shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sie = shared / "data/deepmimic_sie/sie_humanoid3d_run_forward14.txt"
    side = tmp_path / "run.csv"
    assert main(["convert", str(sie), "--project", "side", "-o", str(side)]) == 0
    capsys.readouterr()
    assert main(["align", str(side), "--motion", "max_velocity", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    occurrences = payload["occurrences"]
    assert len(occurrences) >= 4
    for occ in occurrences:
        assert set(occ) >= {"start", "end", "cost", "keyframes", "confidence"}
        kf = occ["keyframes"]
        assert occ["start"] <= kf["left_touchdown"] < kf["left_toe_off"] < kf["right_touchdown"]
    assert main(["align", str(side), "--motion", "max_velocity", "--one-stage", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["occurrences"]) == 1


def test_cli_errors(shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jump = shared / "data/deepmimic/motions/humanoid3d_jump.txt"
    assert main(["align", str(jump), "--motion", "backflip"]) == 1
    err = capsys.readouterr().err
    assert "no reference for motion 'backflip'" in err and "max_velocity" in err
    assert main(["reference", "build", "--from", str(jump), "--keyframes", "take_off=500",
                 "--motion", "jump", "-o", str(tmp_path / "r.json")]) == 1  # fmt: skip
    assert "outside the sequence" in capsys.readouterr().err
    assert main(["reference", "build", "--from", str(jump), "--keyframes", "take_off",
                 "--motion", "jump", "-o", str(tmp_path / "r.json")]) == 1  # fmt: skip
    assert "name=frame" in capsys.readouterr().err
    short = tmp_path / "short.csv"
    assert main(["convert", str(jump), "--project", "side", "-o", str(short)]) == 0
    lines = short.read_text().splitlines()
    short.write_text("\n".join(lines[:14]) + "\n")  # comment lines + a few frames
    capsys.readouterr()
    assert main(["align", str(short), "--motion", "standing_long_jump"]) == 1
    assert "shorter than half" in capsys.readouterr().err


def test_shipped_thresholds_are_current_calibration(shared: Path) -> None:
    """A change to features or alignment must come with recalibrated thresholds."""
    from sportsgpt.evals.calibrate_references import calibrate, calibration_queries

    for motion in known_motions():
        refs = [r for r in load_motion_references(motion) if not r.provisional]
        queries = calibration_queries(shared, motion) if refs else []
        for ref in refs:
            assert calibrate(ref, queries) == pytest.approx(ref.cost_threshold, abs=0.002), (
                f"{motion}/{ref.name}: run python -m sportsgpt.evals.calibrate_references"
            )
