"""KISMAM on real mocap: injected faults are named, motions are recognised or refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sportsgpt.cli.main import main
from sportsgpt.evals.fault_injection import (
    clean_view,
    load_catalogue,
    load_clip,
    oracle_assessment,
    run_case,
)
from sportsgpt.evals.keyframe_suite import load_3d, to_2d
from sportsgpt.tools.errors import SportsGPTError
from sportsgpt.tools.kismam import assess_motion
from sportsgpt.tools.kismam.recognise import recognise_motion
from sportsgpt.tools.pose_io import save_json


def test_injected_jump_faults_are_detected_without_new_false_problems(shared: Path) -> None:
    (clip,) = [c for c in load_catalogue().clips if c.motion == "standing_long_jump"]
    seq3d = load_clip(shared, clip)
    truth = {p.id for p in oracle_assessment(seq3d, clip.motion).problems}
    baseline = clean_view(seq3d, clip.motion, seed=0)
    assert set(baseline) <= truth  # no false alarm on the unperturbed jump
    for fault in clip.faults:
        if fault.problem in ("incomplete_extension", "no_arm_backswing"):
            case = run_case(seq3d, clip, fault, seed=0, baseline=baseline)
            assert case.detected and case.oracle_detected, fault.problem
            assert case.false_positives == []


def test_motion_is_recognised_or_refused(shared: Path, tmp_path: Path) -> None:
    motions = shared / "data/deepmimic/motions"
    rng = np.random.default_rng(0)
    jump = to_2d(load_3d(motions / "humanoid3d_jump.txt"), "side", flip=True, rng=rng)
    guess, _ = recognise_motion(jump)
    assert guess.motion == "standing_long_jump"
    kick = to_2d(load_3d(motions / "humanoid3d_kick.txt"), "side", flip=False, rng=rng)
    assert recognise_motion(kick)[0].motion is None
    with pytest.raises(SportsGPTError, match="none of the motions I know"):
        assess_motion(kick, "auto")


def test_assess_auto_json_is_exactly_an_assessment(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(1)
    jump = to_2d(load_3d(shared / "data/deepmimic/motions/humanoid3d_jump.txt"), "side", False, rng)
    path = tmp_path / "jump.json"
    save_json(jump, path)
    capsys.readouterr()
    assert main(["assess", str(path), "--motion", "auto", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"motion", "score", "problems", "occurrences", "unmeasurable", "capture"}
    assert doc["motion"] == "standing_long_jump"
