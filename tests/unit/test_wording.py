"""Plain language: names from the spec, rounding per unit, open bands with ≥ / ≤, the
leg-length unit explained once, "not judged" merged, no snake_case ids in what a coach
reads."""

from __future__ import annotations

import re

import pytest

from sportsgpt.tools.kismam import load_motion_spec
from sportsgpt.tools.kismam.models import Evidence
from sportsgpt.tools.kismam.wording import (
    band_words,
    channel_words,
    evidence_words,
    measured_words,
    not_judged,
    quantity,
    unit_notes,
)
from sportsgpt.tools.motiondtw.library import known_motions

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def test_the_issue_s_example_reads_as_a_coach_says_it() -> None:
    assert measured_words("Arm swing at take-off", 45.67, (80.0, None), "deg") == (
        "Arm swing at take-off: 46° (elite ≥ 80°)"
    )


@pytest.mark.parametrize(
    ("low", "high", "unit", "said"),
    [
        (80.0, None, "deg", "≥ 80°"),
        (None, 25.0, "deg", "≤ 25°"),
        (20.0, 40.0, "deg", "20–40°"),
        (-7.591, 8.739, "deg", "-8° to 9°"),  # a dash between negatives reads as a minus
        (2.213, 2.599, "leg", "2.21–2.60 leg lengths"),
        (-0.05, 0.15, "leg", "-0.05 to 0.15 leg lengths"),
    ],
)
def test_bands_open_or_closed_with_the_unit_s_rounding(
    low: float | None, high: float | None, unit: str, said: str
) -> None:
    assert band_words(low, high, unit) == said


def test_rounding_suits_the_unit_and_never_prints_minus_zero() -> None:
    assert quantity(16.285, "deg") == "16°"
    assert quantity(1.6949, "leg") == "1.69 leg lengths"
    assert quantity(-0.2, "deg") == "0°"
    assert quantity(0.123, "s") == "0.12 s"
    with pytest.raises(ValueError, match="at least one bound"):
        band_words(None, None, "deg")


def test_evidence_names_where_only_when_the_name_does_not_say_it() -> None:
    arm = Evidence(keyframe="take_off", frame=44, metric="arm_swing_take_off", measured=45.67,
                   band=(80.0, None), deviation=-3.4, label="Arm swing at take-off", unit="deg",
                   at="take-off")  # fmt: skip
    assert evidence_words(arm) == "Arm swing at take-off: 46° (elite ≥ 80°), frame 44"
    knee = Evidence(keyframe="toss_peak", frame=77, metric="back_knee_bend", measured=65.9,
                    band=(16.285, 33.175), deviation=2.0, label="Back knee bend", unit="deg",
                    at="toss peak")  # fmt: skip
    assert evidence_words(knee) == "Back knee bend at toss peak: 66° (elite 16–33°), frame 77"
    old = Evidence(
        keyframe="take_off",
        frame=3,
        metric="take_off_angle",
        measured=56.5,
        band=(20.0, 40.0),
        deviation=1.6,
    )  # stored before names were kept
    assert not SNAKE.search(evidence_words(old))


def test_the_leg_length_unit_is_explained_once() -> None:
    notes = unit_notes(["leg", "deg", "leg", "leg"])
    assert len(notes) == 1 and "leg length" in notes[0] and "hip" in notes[0]
    assert unit_notes(["deg"]) == []


def test_a_metric_and_the_problem_that_needs_it_are_not_judged_in_one_line() -> None:
    why = "needs a front view or 3D capture (mocap); this recording is filmed from the side"
    lines = not_judged("standing_long_jump", {"landing_knee_valgus": why, "valgus_landing": why})
    assert lines == [f"Knees cave in on landing (knee valgus on landing): {why}"]
    other = "none of its metrics could be measured"
    two = not_judged("standing_long_jump", {"landing_knee_valgus": why, "stiff_landing": other})
    assert len(two) == 2


@pytest.mark.parametrize("motion", known_motions())
def test_every_shipped_metric_and_keyframe_has_a_plain_name(motion: str) -> None:
    spec = load_motion_spec(motion)
    for metric in spec.metrics:
        assert metric.short and not SNAKE.search(metric.short), metric.id
        assert len(metric.short) <= 48
    for key, keyframe in spec.keyframes.items():
        assert keyframe.label and not SNAKE.search(keyframe.label), key
    assert spec.capture.min_fps <= spec.capture.good_fps


def test_live_readouts_are_named_in_words() -> None:
    assert channel_words("right_knee_flexion") == "Right knee bend"
    assert channel_words("com_velocity_angle") == "Travel direction (centre of mass)"
    assert channel_words("trunk_lean") == "Trunk lean"
    assert not SNAKE.search(channel_words("left_some_new_channel"))
