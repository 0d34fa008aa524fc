"""`sportsgpt assess` on real mocap: the Assessment, its evidence, what is not judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sportsgpt.cli.main import main
from sportsgpt.samples import sample_path


def test_assess_jump_json(capsys: pytest.CaptureFixture[str]) -> None:
    sample = sample_path("standing_long_jump_side.csv")
    assert main(["assess", str(sample), "--motion", "standing_long_jump", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["motion", "score", "problems", "occurrences", "unmeasurable"]
    assert 0 <= doc["score"] <= 100 and len(doc["occurrences"]) == 1
    occ = doc["occurrences"][0]
    assert (
        abs(occ["keyframes"]["take_off"] - 44) <= 1 and abs(occ["keyframes"]["landing"] - 74) <= 1
    )
    ids = {p["id"] for p in doc["problems"]}
    assert "take_off_too_steep" in ids  # this mocap jump leaves at about 56 degrees
    for problem in doc["problems"]:
        assert 0.5 <= problem["probability"] <= 1 and problem["evidence"]
        for ev in problem["evidence"]:
            assert set(ev) == {"keyframe", "frame", "metric", "measured", "band", "deviation"}
    # a side camera cannot judge knee valgus: said, not guessed
    assert "valgus_landing" in doc["unmeasurable"] and "valgus_landing" not in ids


def test_assess_unknown_motion(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = sample_path("standing_long_jump_side.csv")
    assert main(["assess", str(sample), "--motion", "backflip"]) == 1
    assert "no assessment for motion 'backflip'" in capsys.readouterr().err


def test_jogger_against_sprint_bands(shared: Path) -> None:
    """An SIE jog (not a sprint) judged by max-velocity bands: low heel recovery shows,
    with evidence from every stride, and the bands carry their sources."""
    from sportsgpt.tools.kismam import assess_motion, load_motion_spec
    from sportsgpt.tools.projection import project
    from sportsgpt.tools.readers import read_motion

    jog = project(
        read_motion(shared / "data/deepmimic_sie/sie_humanoid3d_run_forward08.txt"), "side"
    )
    result = assess_motion(jog, "max_velocity")
    assert len(result.occurrences) >= 6
    problems = {p.id: p for p in result.problems}
    heel = problems["low_heel_recovery"]
    assert heel.probability > 0.9 and len(heel.evidence) >= 5
    assert all(e.measured < 117.5 and e.keyframe == "left_toe_off" for e in heel.evidence)
    spec = load_motion_spec("max_velocity")
    stats = [m for m in spec.metrics if m.band.source.kind == "statistics"]
    assert stats and all(m.band.source.population == 54 for m in stats)
