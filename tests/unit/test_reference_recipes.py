"""Each motion's references are made by a recipe (references/<motion>/build.json), data
that names the mocap, its event rule and every template setting: nothing per motion in
code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sportsgpt.references.recipe import load_recipe, motion_events, recipes
from sportsgpt.tools.errors import MotionInputError
from sportsgpt.tools.motiondtw.events import EVENT_RULES
from sportsgpt.tools.motiondtw.library import known_motions


def test_every_shipped_motion_has_a_valid_recipe() -> None:
    found = {r.motion: r for r in recipes()}
    assert set(found) == set(known_motions())
    for recipe in found.values():
        if recipe.templates:
            assert recipe.events in EVENT_RULES and motion_events(recipe.motion)
            assert recipe.calibration, f"{recipe.motion}: its threshold is calibrated on what?"
        else:
            assert recipe.key_positions is not None  # provisional, from the literature


def test_a_recipe_with_an_unknown_event_rule_is_a_one_line_error(tmp_path: Path) -> None:
    doc = json.loads((Path(load_recipe.__code__.co_filename).parent / "tennis_serve" /
                      "build.json").read_text())  # fmt: skip
    doc["events"] = "backflips"
    folder = tmp_path / "tennis_serve"
    folder.mkdir()
    (folder / "build.json").write_text(json.dumps(doc))
    with pytest.raises(MotionInputError, match="unknown event rule 'backflips'") as err:
        load_recipe("tennis_serve", tmp_path)
    assert "\n" not in str(err.value)


def test_a_provisional_motion_has_no_mocap_events() -> None:
    with pytest.raises(ValueError, match="no mocap event rule"):
        motion_events("sprint_start")
