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
