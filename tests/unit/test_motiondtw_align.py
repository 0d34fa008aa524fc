"""MotionDTW on synthetic angle channels with known answers, and its input checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from sportsgpt.tools.errors import MotionInputError
from sportsgpt.tools.motiondtw.align import AlignSettings, align_features
from sportsgpt.tools.motiondtw.features import AlignmentInputError, FeatureSet, channel_stats
from sportsgpt.tools.motiondtw.reference import MotionReference, load_reference, save_reference

FPS = 30.0
CHANNELS = ("left_hip_flexion", "left_knee_flexion", "right_hip_flexion", "right_knee_flexion",
            "trunk_lean")  # fmt: skip


def kick(n: int = 60) -> dict[str, np.ndarray]:
    """A left-leg movement (hip and knee swing, trunk leans) with the right leg still."""
    t = np.linspace(0, 1, n)
    bump = np.exp(-(((t - 0.5) / 0.15) ** 2))
    return {
        "left_hip_flexion": 10 + 70 * bump,
        "left_knee_flexion": 15 + 60 * np.exp(-(((t - 0.4) / 0.12) ** 2)),
        "right_hip_flexion": 10 + 3 * np.sin(6 * t),
        "right_knee_flexion": 15 + 3 * np.cos(5 * t),
        "trunk_lean": 5 + 10 * np.exp(-(((t - 0.6) / 0.2) ** 2)),
    }


def reference(**changes: object) -> MotionReference:
    channels = kick()
    feats = FeatureSet(angles=channels, fps=FPS, frames=60, dims=2, view="side", source="t")
    doc = {
        "motion": "test_kick", "name": "synthetic", "source": "synthetic", "dims": 2,
        "view": "side", "fps": FPS, "channels": {k: v.tolist() for k, v in channels.items()},
        "stats": channel_stats(feats, sorted(channels)), "keyframes": {"knee_peak": 24,
        "hip_peak": 30}, "segment": (10, 50), "cost_threshold": 0.5,
    }  # fmt: skip
    doc.update(changes)
    return MotionReference.model_validate(doc)


def query_with(
    copies: list[tuple[int, float]], n: int = 700, mirror: bool = False, seed: int = 0
) -> FeatureSet:
    rng = np.random.default_rng(seed)
    base = kick()
    angles = {k: np.full(n, v[0]) + rng.normal(0, 1.0, n) for k, v in base.items()}
    for start, warp in copies:
        length = round(60 * warp)
        src = np.linspace(0, 59, length)
        for k, v in base.items():
            angles[k][start : start + length] = np.interp(src, np.arange(60), v) + rng.normal(
                0, 1.0, length
            )
    if mirror:
        angles = {
            k.replace("left", "@").replace("right", "left").replace("@", "right"): v
            for k, v in angles.items()
        }
    return FeatureSet(angles=angles, fps=FPS, frames=n, dims=2, view="side", source="query")


def expected(copies: list[tuple[int, float]], frame: int) -> list[int]:
    return sorted(round(start + frame * (round(60 * warp) - 1) / 59) for start, warp in copies)


def test_two_stage_finds_every_occurrence_and_its_keyframes() -> None:
    copies = [(80, 1.0), (300, 0.5), (480, 2.0)]  # tempo 1x, twice as fast, half as fast
    result = align_features(query_with(copies), reference())
    found = sorted(result.occurrences, key=lambda o: o.start)
    assert len(found) == 3
    for name, frame in (("knee_peak", 24), ("hip_peak", 30)):
        got = [o.keyframes[name] for o in found]
        errors = np.abs(np.subtract(got, expected(copies, frame)))
        assert errors[0] <= 1 and errors.max() <= 2  # 2 frames at twice/half the tempo
    for occ, (start, warp) in zip(found, copies, strict=True):
        # the motion lies inside the planted copy and around its keyframes (the template's
        # flat edges leave DTW free to map the segment bounds anywhere on the flat part)
        assert start <= occ.start <= occ.keyframes["knee_peak"] < occ.keyframes["hip_peak"]
        assert occ.keyframes["hip_peak"] <= occ.end <= start + round(60 * warp)
        assert (
            occ.cost < 0.5 and not occ.mirrored and set(occ.confidence) == {"knee_peak", "hip_peak"}
        )


def test_one_stage_baseline_collapses_on_untrimmed_input() -> None:
    copies = [(80, 1.0), (300, 0.6), (480, 1.6)]
    result = align_features(query_with(copies), reference(), AlignSettings(method="one_stage"))
    (only,) = result.occurrences
    assert (only.start, only.end) == (0, 699)
    errors = [min(abs(only.keyframes["hip_peak"] - e) for e in expected(copies, 30))]
    assert errors[0] > 5 or only.cost > 0.5  # pinned ends drag the path off the motion


def test_mirrored_athlete_is_found_with_sides_swapped() -> None:
    result = align_features(query_with([(200, 1.0)], mirror=True), reference())
    (occ,) = result.occurrences
    assert occ.mirrored
    assert abs(occ.keyframes["knee_peak"] - 224) <= 1  # names have no side here
    no_mirror = align_features(
        query_with([(200, 1.0)], mirror=True), reference(), AlignSettings(mirror=False)
    )
    assert no_mirror.occurrences == []


def test_look_alikes_above_the_threshold_are_rejected() -> None:
    query = query_with([(100, 1.0)])
    weak = {k: (v - v.mean()) * 0.15 + v.mean() for k, v in kick().items()}  # a tiny wiggle
    for k, v in weak.items():
        query.angles[k][400:460] = v
    found = align_features(query, reference()).occurrences
    assert [o.start for o in found] == [110]


def test_bad_inputs_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AlignmentInputError, match="shorter than half"):
        align_features(query_with([], n=20), reference())
    few = FeatureSet(angles={"left_hip_flexion": np.zeros(200), "right_hip_flexion": np.zeros(200)},
                     fps=FPS, frames=200, dims=2, view="side", source="q")  # fmt: skip
    with pytest.raises(AlignmentInputError, match="share only 2 angle channels"):
        align_features(few, reference())
    with pytest.raises(ValidationError, match="at least one keyframe"):
        reference(keyframes={})
    with pytest.raises(ValidationError, match="outside the template"):
        reference(keyframes={"knee_peak": 24, "hip_peak": 60})
    with pytest.raises(ValidationError, match="time order"):
        reference(keyframes={"hip_peak": 30, "knee_peak": 24})
    with pytest.raises(ValidationError, match="snake_case"):
        reference(motion="Max Velocity")
    with pytest.raises(ValidationError, match="one common length"):
        reference(channels={**{k: v.tolist() for k, v in kick().items()}, "trunk_lean": [1.0] * 10})
    path = save_reference(reference(), tmp_path / "ref.json")
    assert load_reference(path).keyframes == {"knee_peak": 24, "hip_peak": 30}
    doc = json.loads(path.read_text())
    doc["keyframes"] = {}
    path.write_text(json.dumps(doc))
    with pytest.raises(MotionInputError, match=r"invalid reference: .*at least one keyframe"):
        load_reference(path)
    path.write_text("{not json")
    with pytest.raises(MotionInputError, match="not JSON"):
        load_reference(path)


def test_a_runs_bout_goes_on_from_its_contacts_past_the_cycles_found() -> None:
    """Past the last cycle found, a run's touchdowns and toe-offs are read from the feet
    while they go on, one keyframe after another in the cycle's order; they stop where the
    contacts stop (the runner has left) and never reach across a pause."""
    from sportsgpt.tools.motiondtw.align import (
        Occurrence,
        PreparedPair,
        _chain,
        _keyframe_events,
    )
    from sportsgpt.tools.motiondtw.refine import KeyframeRule

    n = 200
    up = np.full(n, 0.3)  # leg lengths above the ground: a foot in the air
    feet = {"left": up.copy(), "right": up.copy()}
    # a stride of 24 frames: left down 0-5, right down 12-17, and so on, until frame 130
    for start in range(0, 130, 24):
        feet["left"][start : start + 6] = 0.0
        feet["right"][start + 12 : start + 18] = 0.0
    raw = {f"{side}_{part}_clearance": v for side, v in feet.items() for part in ("foot", "toe")}
    rules = {
        f"{side}_{kind}": KeyframeRule(
            channel=f"{side}_{'foot' if kind == 'touchdown' else 'toe'}_clearance",
            event="falls_below" if kind == "touchdown" else "last_below",
            level=0.04, until=0.08, window_s=0.25)
        for side in ("left", "right") for kind in ("touchdown", "toe_off")
    }  # fmt: skip
    zero = np.zeros((1, 1))
    prep = PreparedPair(
        template=zero, template_mirror=zero, query=np.zeros((n, 1)), template_abs=zero,
        template_abs_mirror=zero, query_abs=zero, template_trust=zero,
        template_trust_mirror=zero, query_trust=np.ones((n, 1)), neutral=np.zeros(1),
        keyframes={}, segment=(0, 0), channels=["x"], weight_sum=1.0, raw=raw, rules=rules,
    )  # fmt: skip
    stride = {"left_touchdown": 24, "left_toe_off": 29, "right_touchdown": 36,
              "right_toe_off": 41}  # fmt: skip
    near = Occurrence(start=24, end=47, cost=0.5, confidence={}, mirrored=False,
                      references=["run"], keyframes=stride)  # fmt: skip
    tracked = np.ones(n, dtype=bool)
    events = _keyframe_events(prep, FPS, mirrored=False)
    after = _chain(near, 1, events, tracked, (24, 47))
    assert after is not None and all(o.bout == "events" for o in after)
    got = sorted(f for o in after for f in o.keyframes.values())
    want = [f for s in range(48, 130, 24) for f in (s, s + 5, s + 12, s + 17)]
    assert got == want  # every contact to the last, none past it
    assert after[0].keyframes == {"left_touchdown": 48, "left_toe_off": 53,
                                  "right_touchdown": 60, "right_toe_off": 65}  # fmt: skip
    before = _chain(near, -1, events, tracked, (24, 47))
    assert before is not None
    # the left foot is down from the clip's first frame: its toe-off (5) is seen, its
    # touchdown is not
    assert sorted(f for o in before for f in o.keyframes.values()) == [5, 12, 17]
    tracked[100:] = False  # the runner leaves the tracking: the bout ends there
    cut = _chain(near, 1, events, tracked, (24, 47))
    assert cut is not None and max(f for o in cut for f in o.keyframes.values()) < 100
