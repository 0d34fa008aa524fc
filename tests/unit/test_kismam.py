"""KISMAM: spec validation, deviations, problem probabilities, evidence, unmeasurable."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from sportsgpt.tools.kinematics.angles import channel_vocabulary
from sportsgpt.tools.kinematics.series import KinematicSeries
from sportsgpt.tools.kismam.assess import assess
from sportsgpt.tools.kismam.spec import AssessmentSpec, check_channels
from sportsgpt.tools.motiondtw.align import AlignmentResult, Occurrence

LIT = {"kind": "literature", "citation": "Somebody 2020, J Sport", "url": "https://example.org/a"}


def spec(**changes: Any) -> AssessmentSpec:
    doc: dict[str, Any] = {
        "motion": "test_jump",
        "title": "Test jump",
        "keyframes": {
            "take_off": {"description": "last contact", "rule": "last frame with a foot down"},
            "landing": {"description": "first contact", "rule": "first frame with a foot down"},
        },
        "metrics": [
            {"id": "angle", "label": "Take-off angle", "channel": "com_velocity_angle",
             "at": ["take_off"], "unit": "deg", "band": {"min": 20, "max": 40, "source": LIT}},
            {"id": "knee", "label": "Knee at take-off", "channel": "{side}_knee_flexion",
             "at": ["take_off"], "unit": "deg", "band": {"max": 25, "source": LIT}},
            {"id": "valgus", "label": "Valgus", "channel": "{side}_knee_valgus",
             "at": ["landing"], "unit": "deg", "band": {"max": 10, "source": LIT},
             "views": ["front", "3d"]},
        ],
        "problems": [
            {"id": "too_steep", "label": "Too steep", "weights": {"angle:excessive": 1.0},
             "bias": -2.0, "coach_text": "Jump out, not up: lower the take-off line."},
            {"id": "bent_knee", "label": "Bent knee", "weights": {"knee:excessive": 1.0},
             "bias": -2.0, "coach_text": "Straighten the knee fully before the feet leave."},
            {"id": "valgus_landing", "label": "Valgus", "weights": {"valgus:excessive": 1.0},
             "bias": -2.0, "views": ["front", "3d"],
             "coach_text": "Keep the knees over the toes when you land."},
        ],
    }  # fmt: skip
    doc.update(changes)
    return AssessmentSpec.model_validate(doc)


def series(angle: float, knee: float, view: str = "side") -> KinematicSeries:
    n = 30
    channels = {
        "com_velocity_angle": np.full(n, angle),
        "right_knee_flexion": np.full(n, knee),
        "left_knee_flexion": np.full(n, 5.0),
    }
    return KinematicSeries(
        source="synthetic", fps=30.0, times=np.arange(n) / 30.0, channels=channels,
        units={k: "deg" for k in channels}, primary_side="right", view=view, dims=2,
        leg_length=1.0, source_units="px",
        unmeasurable={"right_knee_valgus": "frontal angles need a front view"},
    )  # fmt: skip


def alignment(take_off: int = 10, landing: int = 20) -> AlignmentResult:
    keyframes = {"take_off": take_off, "landing": landing}
    occ = Occurrence(start=5, end=25, cost=0.2, keyframes=keyframes, confidence={},
                     mirrored=False, references=["t/a"])  # fmt: skip
    return AlignmentResult(motion="test_jump", method="two_stage", query="q", fps=30.0, frames=30,
                           channels=[], cost_threshold=1.0, occurrences=[occ])  # fmt: skip


def test_in_band_motion_has_no_problem_and_full_score() -> None:
    result = assess(spec(), series(angle=30.0, knee=10.0), alignment())
    assert result.problems == [] and result.score == 100.0
    assert {m.id for m in result.occurrences[0].metrics} == {"angle", "knee"}
    assert (
        "valgus_landing" in result.unmeasurable
        and "filmed from the side" in result.unmeasurable["valgus_landing"]
    )
    assert "valgus" in result.unmeasurable


def test_deviation_probability_severity_and_evidence() -> None:
    result = assess(spec(), series(angle=50.0, knee=30.0), alignment())
    by_id = {p.id: p for p in result.problems}
    # angle: 10 deg above a 20-deg-wide band = 0.5 band widths -> sigmoid(4 * 0.5 - 2) = 0.5
    assert math.isclose(by_id["too_steep"].probability, 0.5, abs_tol=1e-3)
    # knee: one-sided band, 5 deg over at a 10-deg scale = 0.5 -> 0.5 too
    assert by_id["bent_knee"].severity == "minor"
    (ev,) = by_id["too_steep"].evidence
    assert (ev.keyframe, ev.frame, ev.metric, ev.measured, ev.band) == (
        "take_off",
        10,
        "angle",
        50.0,
        (20.0, 40.0),
    )
    assert ev.deviation == 0.5
    worse = assess(spec(), series(angle=70.0, knee=60.0), alignment())
    assert {p.id: p.severity for p in worse.problems} == {
        "too_steep": "major",
        "bent_knee": "major",
    }
    assert worse.score < result.score < 100


def test_a_metric_missing_in_one_occurrence_is_still_judged() -> None:
    data = series(angle=30.0, knee=10.0)
    data.channels["right_knee_flexion"][18:22] = np.nan  # occluded at the second take-off
    two = alignment()
    second = two.occurrences[0].model_copy(
        update={"start": 15, "end": 28, "keyframes": {"take_off": 20, "landing": 27}}
    )
    result = assess(spec(), data, two.model_copy(update={"occurrences": [*two.occurrences,
                                                                          second]}))  # fmt: skip
    assert [len(o.metrics) for o in result.occurrences] == [2, 1]
    assert "knee" not in result.unmeasurable  # measured in the first occurrence
    data.channels["right_knee_flexion"][:] = np.nan
    assert "knee" in assess(spec(), data, alignment()).unmeasurable


def test_no_occurrence_is_reported_not_guessed() -> None:
    empty = alignment().model_copy(update={"occurrences": []})
    result = assess(spec(), series(angle=30.0, knee=10.0), empty)
    assert result.problems == [] and result.score is None and "motion" in result.unmeasurable


def test_nothing_judged_gives_no_score_and_says_why() -> None:
    """Every metric needs a side view and the recording is filmed from the front: no
    problem, no score (not 0/100 and not 'every metric inside its band'), each reason."""
    side_only = spec(metrics=[{**m.model_dump(), "views": ["side", "3d"]}
                              for m in spec().metrics[:2]],
                     problems=[p.model_dump() for p in spec().problems[:2]])  # fmt: skip
    result = assess(side_only, series(angle=50.0, knee=30.0, view="front"), alignment())
    assert result.score is None and result.problems == []
    assert {"angle", "knee", "too_steep", "bent_knee"} <= set(result.unmeasurable)
    assert "filmed from the front" in result.unmeasurable["too_steep"]
    assert result.model_dump(mode="json")["score"] is None


def test_spec_rejects_bad_data() -> None:
    with pytest.raises(ValidationError, match="inverted band"):
        spec(
            metrics=[
                {**spec().metrics[0].model_dump(), "band": {"min": 40, "max": 20, "source": LIT}}
            ]
        )
    with pytest.raises(ValidationError, match="url"):
        spec(
            metrics=[
                {
                    **spec().metrics[0].model_dump(),
                    "band": {
                        "min": 1,
                        "source": {"kind": "literature", "citation": "No url given here"},
                    },
                }
            ]
        )
    few = {"kind": "statistics", "citation": "our clips", "population": 3}
    with pytest.raises(ValidationError, match="at least 5"):
        spec(metrics=[{**spec().metrics[0].model_dump(), "band": {"min": 1, "source": few}}])
    sie = {"kind": "statistics", "citation": "deepmimic_sie runs", "population": 50}
    with pytest.raises(ValidationError, match="non-commercial"):
        spec(metrics=[{**spec().metrics[0].model_dump(), "band": {"min": 1, "source": sie}}])
    with pytest.raises(ValidationError, match="unknown keyframe"):
        spec(metrics=[{**spec().metrics[0].model_dump(), "at": ["apex"]}])
    with pytest.raises(ValidationError, match="unknown metric"):
        spec(problems=[{**spec().problems[0].model_dump(), "weights": {"speed:excessive": 1.0}}])
    with pytest.raises(ValidationError, match="insufficient\\|excessive"):
        spec(problems=[{**spec().problems[0].model_dump(), "weights": {"angle:high": 1.0}}])
    bad_channel = spec(metrics=[{**spec().metrics[0].model_dump(), "channel": "knee_wobble"}],
                       problems=[])  # fmt: skip
    with pytest.raises(ValueError, match="unknown channel"):
        check_channels(bad_channel, channel_vocabulary())


def test_mirrored_recording_reads_the_other_side_and_phase_offsets() -> None:
    """A metric on an explicit side reads the other side when most occurrences are
    mirrored (a right-foot-front sprinter, a left-handed server); after_s widens a phase."""
    metric = {"id": "right_knee", "label": "Right knee", "channel": "right_knee_flexion",
              "at": ["take_off"], "unit": "deg", "band": {"max": 25, "source": LIT}}  # fmt: skip
    sided = spec(metrics=[metric], problems=[])
    mirrored = alignment().model_copy(
        update={"occurrences": [alignment().occurrences[0].model_copy(update={"mirrored": True})]}
    )
    plain = assess(sided, series(angle=30.0, knee=60.0), alignment())
    other = assess(sided, series(angle=30.0, knee=60.0), mirrored)
    assert plain.occurrences[0].metrics[0].measured == 60.0  # right knee
    assert other.occurrences[0].metrics[0].measured == 5.0  # the left knee, read as "right"
    peak = {**metric, "reduce": "max", "after_s": 0.2, "channel": "com_velocity_angle"}
    s = series(angle=30.0, knee=10.0)
    s.channels["com_velocity_angle"][15] = 80.0  # 5 frames after take-off (10)
    (measured,) = assess(spec(metrics=[peak], problems=[]), s, alignment()).occurrences[0].metrics
    assert measured.measured == 80.0
    with pytest.raises(ValidationError, match="after_s"):
        spec(metrics=[{**metric, "after_s": 0.2}], problems=[])


def test_a_sport_motion_wins_over_the_walking_around_it() -> None:
    from sportsgpt.tools.kismam.recognise import pick_motion

    assert pick_motion({"walking_gait": 0.39, "max_velocity": 0.46}) == "max_velocity"
    assert pick_motion({"walking_gait": 0.15, "acceleration": 0.84}) == "walking_gait"
    assert pick_motion({"tennis_serve": 0.5, "standing_long_jump": 0.2}) == "standing_long_jump"
    assert pick_motion({"walking_gait": 0.72, "tennis_serve": 0.83}) is None
    assert pick_motion({}) is None


def test_a_walk_that_fits_far_better_stays_a_walk() -> None:
    """A sport motion wins over a walk when clearly found or within FOREGROUND_MARGIN of
    the walk's ratio; a gait-confirmed motion is accepted up to its own limit."""
    from sportsgpt.tools.kismam.recognise import pick_motion

    assert pick_motion({"walking_gait": 0.37, "tennis_serve": 0.65}) == "walking_gait"
    assert pick_motion({"walking_gait": 0.28, "standing_long_jump": 0.57}) == "standing_long_jump"
    assert pick_motion({"walking_gait": 0.48, "max_velocity": 0.55}) == "max_velocity"
    assert pick_motion({"acceleration": 0.77}) is None
    assert pick_motion({"acceleration": 0.77}, {"acceleration": 0.8}) == "acceleration"


def test_a_serve_shows_its_signature_and_a_walk_or_jump_does_not() -> None:
    """The serve's signature (toss arm up, then the hitting hand over the head and above
    the toss hand at impact) accepts its occurrences up to its own ratio, and a walk found
    elsewhere does not outweigh it; both hands up together (a jump) or a toss arm that
    never rises (a walk) do not show it. A toss hand not seen at impact leaves the
    hitting hand's height alone to judge."""
    from sportsgpt.tools.kinematics.series import KinematicSeries
    from sportsgpt.tools.kismam.recognise import pick_motion, signed_ratio
    from sportsgpt.tools.kismam.spec import load_motion_spec
    from sportsgpt.tools.motiondtw.align import AlignmentResult, Occurrence

    signature = load_motion_spec("tennis_serve").signature
    assert signature is not None and signature.accept_ratio > 0.7
    kf = {"toss_peak": 10, "knee_bend": 12, "impact": 20, "follow_through": 25}

    def ratio(toss: tuple[float, float], hit: tuple[float, float], mirrored: bool = False):
        left, right = np.full(40, -0.7), np.full(40, -0.7)
        left[10], left[20] = toss
        right[10], right[20] = hit
        if mirrored:
            left, right = right, left
        names = ("left_wrist_above_shoulder", "right_wrist_above_shoulder")
        series = KinematicSeries(
            source="q", fps=30.0, times=np.arange(40) / 30.0, units=dict.fromkeys(names, "leg"),
            channels=dict(zip(names, (left, right), strict=True)), primary_side="left",
            view="side", dims=2, leg_length=1.0, source_units="px",
        )  # fmt: skip
        occ = Occurrence(start=5, end=30, cost=0.9, keyframes=kf, confidence={},
                         mirrored=mirrored, references=["x"])  # fmt: skip
        result = AlignmentResult(motion="tennis_serve", method="two_stage", query="q",
                                 fps=30.0, frames=40, channels=[], cost_threshold=1.0,
                                 occurrences=[occ])  # fmt: skip
        return signed_ratio(result, series, signature, background=[])

    assert ratio(toss=(0.7, 0.0), hit=(0.1, 0.65)) == 0.9  # a serve
    assert ratio(toss=(0.7, 0.0), hit=(0.1, 0.65), mirrored=True) == 0.9  # a left-hander
    assert ratio(toss=(0.7, np.nan), hit=(-0.3, 0.55)) == 0.9  # toss hand hidden at impact
    assert ratio(toss=(0.55, 0.56), hit=(0.52, 0.51)) is None  # both hands up: a jump
    assert ratio(toss=(-0.6, -0.6), hit=(0.1, 0.45)) is None  # the toss arm never rises
    assert ratio(toss=(0.6, -0.6), hit=(-0.67, 0.62)) is None  # an arm hanging at the toss
    limits = {"walking_gait": 0.7, "tennis_serve": 0.95}
    assert pick_motion({"walking_gait": 0.5, "tennis_serve": 0.75}, limits) == "walking_gait"
    assert pick_motion({"walking_gait": 0.5, "tennis_serve": 0.75}, limits,
                       signed={"tennis_serve"}) == "tennis_serve"  # fmt: skip
    assert pick_motion({"tennis_serve": 0.96}, limits, signed={"tennis_serve"}) is None


def test_double_support_tells_a_walk_from_a_run() -> None:
    """Both feet down in a share of the occurrence's frames: a walk has some, a run none."""
    from sportsgpt.tools.kinematics.series import KinematicSeries
    from sportsgpt.tools.kismam.recognise import double_support_share
    from sportsgpt.tools.motiondtw.align import AlignmentResult, Occurrence

    t = np.arange(60)
    walk_l = np.where(t % 30 < 18, 0.0, 0.2)  # each foot down 60% of the cycle: overlaps
    walk_r = np.where((t + 15) % 30 < 18, 0.0, 0.2)
    run_l = np.where(t % 30 < 10, 0.0, 0.2)  # 33% each: a flight between contacts
    run_r = np.where((t + 15) % 30 < 10, 0.0, 0.2)
    occ = Occurrence(start=0, end=59, cost=0.1, keyframes={}, confidence={}, mirrored=False,
                     references=["x"])  # fmt: skip
    result = AlignmentResult(motion="m", method="two_stage", query="q", fps=30.0, frames=60,
                             channels=[], cost_threshold=1.0, occurrences=[occ])  # fmt: skip

    def share(left: np.ndarray, right: np.ndarray) -> float | None:
        series = KinematicSeries(
            source="q", fps=30.0, times=t / 30.0,
            units={"left_foot_clearance": "leg", "right_foot_clearance": "leg"},
            channels={"left_foot_clearance": left, "right_foot_clearance": right},
            primary_side="left", view="side", dims=2, leg_length=1.0, source_units="px",
        )  # fmt: skip
        return double_support_share(series, result, 0.05)

    assert share(walk_l, walk_r) == 0.2 and share(run_l, run_r) == 0.0


def test_a_verdict_is_never_surer_than_its_measurement() -> None:
    """The same deviation read from a small athlete is drawn towards 'cannot say'; read
    from a smaller one, or at a keyframe the alignment barely placed, it is not judged."""
    from sportsgpt.tools.kismam.quality import Factor, MeasurementQuality

    sure = assess(spec(), series(angle=70.0, knee=60.0), alignment())
    assert {p.id: p.severity for p in sure.problems}["too_steep"] == "major"
    small = MeasurementQuality(recording=[Factor(name="athlete_size", value=0.6,
                                                 words="the athlete 96 px tall")])  # fmt: skip
    unsure = assess(spec(), series(angle=70.0, knee=60.0), alignment(), small)
    steep = next(p for p in unsure.problems if p.id == "too_steep")
    first = next(p for p in sure.problems if p.id == "too_steep")
    assert steep.quality == 0.6
    assert steep.probability == round(0.5 + (first.probability - 0.5) * 0.6, 3)
    assert steep.severity != "major"
    tiny = MeasurementQuality(recording=[Factor(name="athlete_size", value=0.4,
                                                words="the athlete 64 px tall")])  # fmt: skip
    nothing = assess(spec(), series(angle=70.0, knee=60.0), alignment(), tiny)
    assert nothing.problems == [] and nothing.score is None
    assert "the athlete 64 px tall" in nothing.unmeasurable["angle"]
    blurred = MeasurementQuality(confidence={0: {"take_off": 0.1, "landing": 0.9}})
    late = assess(spec(), series(angle=70.0, knee=60.0), alignment(), blurred)
    assert "take off placed with confidence 0.10" in late.unmeasurable["angle"]
