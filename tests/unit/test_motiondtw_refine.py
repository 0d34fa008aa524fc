"""Keyframes snap to their event (extremum or crossing) near the DTW frame, and only there."""

from __future__ import annotations

import numpy as np

from sportsgpt.tools.motiondtw.refine import KeyframeRule, refine_keyframes, swing_crossings

FPS = 30.0


def test_extrema_and_crossings_within_the_window() -> None:
    t = np.arange(120)
    channels = {
        "right_wrist_height": 1.0 - ((t - 50) / 20.0) ** 2,  # peak at 50
        "pelvis_height": 0.9 + ((t - 80) / 30.0) ** 2,  # lowest at 80
        "right_wrist_above_shoulder": 0.5 - (t - 60) / 10.0,  # reaches 0 at 65
    }
    rules = {
        "impact": KeyframeRule(channel="right_wrist_height", event="max"),
        "bend": KeyframeRule(channel="pelvis_height", event="min", window_s=0.3),
        "follow": KeyframeRule(channel="right_wrist_above_shoulder", event="falls_below"),
    }
    found = refine_keyframes(
        {"impact": 47, "bend": 74, "follow": 68, "other": 10}, rules, channels, FPS, mirrored=False
    )
    assert found == {"impact": 50, "bend": 80, "follow": 65, "other": 10}  # 65: value 0, not above


def test_no_event_in_the_window_keeps_the_dtw_frame() -> None:
    channels = {"right_wrist_height": np.linspace(0.0, 1.0, 100)}  # rising: no local max
    rules = {"impact": KeyframeRule(channel="right_wrist_height", event="max")}
    assert refine_keyframes({"impact": 40}, rules, channels, FPS, mirrored=False) == {"impact": 40}
    assert refine_keyframes({"impact": 40}, rules, {}, FPS, mirrored=False) == {"impact": 40}


def test_mirrored_match_reads_the_other_side() -> None:
    t = np.arange(100)
    channels = {
        "left_wrist_height": -(((t - 30) / 10.0) ** 2),  # the athlete's left hand peaks at 30
        "right_wrist_height": -(((t - 36) / 10.0) ** 2),
    }
    rules = {"right_impact": KeyframeRule(channel="right_wrist_height", event="max")}
    # mirrored: the template's right-hand keyframe is reported as left_impact
    got = refine_keyframes({"left_impact": 33}, rules, channels, FPS, mirrored=True)
    assert got == {"left_impact": 30}


def test_rules_between_keyframes_run_in_order() -> None:
    """Impact is found first; the toss peak is then searched in the 1.2 s before it."""
    t = np.arange(200)
    channels = {
        "right_wrist_height": np.exp(-(((t - 120) / 5.0) ** 2)),  # impact at 120
        "left_wrist_height": np.exp(-(((t - 95) / 6.0) ** 2)),  # toss peak at 95
    }
    rules = {
        "impact": KeyframeRule(channel="right_wrist_height", event="max"),
        "toss_peak": KeyframeRule(channel="left_wrist_height", event="max",
                                  after="impact", after_s=-1.2, before="impact", before_s=-0.1),
    }  # fmt: skip
    # DTW put the toss 20 frames late (outside any small window) and impact 2 early
    got = refine_keyframes({"toss_peak": 115, "impact": 118}, rules, channels, FPS, mirrored=False)
    assert got == {"toss_peak": 95, "impact": 120}


def test_between_rule_needs_both_anchors() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="both 'after' and 'before'"):
        KeyframeRule(channel="x", event="max", after="impact")


def test_last_below_is_the_last_frame_on_the_ground() -> None:
    """A toe-off: the toe's clearance stays under the level until frame 40, then rises."""
    t = np.arange(100)
    toe = np.where(t <= 40, 0.01, 0.01 + 0.02 * (t - 40))
    rules = {"left_toe_off": KeyframeRule(channel="left_toe_clearance", event="last_below",
                                          level=0.04, window_s=0.3)}  # fmt: skip
    found = refine_keyframes({"left_toe_off": 36}, rules, {"left_toe_clearance": toe}, FPS, False)
    assert found == {"left_toe_off": 41}  # 0.03 at 41 is still below 0.04; 0.05 at 42 is not


def test_otherwise_stands_in_for_a_channel_the_view_lacks() -> None:
    """A front view has no 'ahead of the hip': the foot's clearance times the touchdown."""
    t = np.arange(100)
    clearance = np.where(t < 52, 0.2, 0.0)
    fallback = KeyframeRule(channel="left_foot_clearance", event="falls_below", level=0.04,
                            window_s=0.3)  # fmt: skip
    rule = KeyframeRule(channel="left_heel_ahead_of_hip", event="max", window_s=0.3,
                        otherwise=fallback)  # fmt: skip
    channels = {"left_foot_clearance": clearance}
    assert refine_keyframes({"left_touchdown": 48}, {"left_touchdown": rule}, channels, FPS,
                            False) == {"left_touchdown": 52}  # fmt: skip
    ahead = {"left_heel_ahead_of_hip": -(((t - 45) / 10.0) ** 2), **channels}
    assert refine_keyframes({"left_touchdown": 48}, {"left_touchdown": rule}, ahead, FPS,
                            False) == {"left_touchdown": 45}  # fmt: skip


def test_a_swing_not_a_flicker_times_the_contact() -> None:
    """A toe on the ground flickers over the level (noise) before the real toe-off at 40;
    with ``until`` only the crossing followed by a swing counts, and the touchdown is
    where the swing comes back down (70), not a dip in mid-swing that stays above it."""
    toe = np.full(100, 0.01)
    toe[[30, 33]] = 0.05  # noise on the ground, never past 0.08
    toe[41:70] = 0.3
    toe[55] = 0.03  # a dropout-like dip in mid-swing ...
    toe[56] = 0.3
    plain = KeyframeRule(channel="left_toe_clearance", event="last_below", level=0.04,
                         window_s=0.4)  # fmt: skip
    swing = plain.model_copy(update={"until": 0.08})
    channels = {"left_toe_clearance": toe}
    assert refine_keyframes({"left_toe_off": 33}, {"left_toe_off": plain}, channels, FPS,
                            False) == {"left_toe_off": 32}  # fmt: skip
    assert refine_keyframes({"left_toe_off": 33}, {"left_toe_off": swing}, channels, FPS,
                            False) == {"left_toe_off": 40}  # fmt: skip
    down = KeyframeRule(channel="left_toe_clearance", event="falls_below", level=0.04,
                        until=0.08, window_s=0.6)  # fmt: skip
    # the dip at 55 goes below the level: the swing ends there and starts again at 56
    assert swing_crossings(toe, 0.04, 0.08, "falls_below").tolist() == [55, 70]
    assert refine_keyframes({"left_touchdown": 66}, {"left_touchdown": down}, channels, FPS,
                            False) == {"left_touchdown": 70}  # fmt: skip


def test_until_is_for_a_crossing_above_its_level() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="'until' must be above"):
        KeyframeRule(channel="x", event="last_below", level=0.04, until=0.02)
    with pytest.raises(ValidationError, match="'until' is for"):
        KeyframeRule(channel="x", event="max", until=0.1)


def test_a_walks_contacts_are_where_both_feet_keep_still_relative_to_each_other() -> None:
    """Double support: from a heel strike to the other foot's toe-off both feet are on the
    ground, so the heel ahead of the other foot's toe keeps still, however the camera pans
    (a pan adds the same to every point). The rule reads that difference's speed."""
    t = np.arange(90, dtype=np.float64)
    pan = 0.05 * t  # the camera follows: every point drifts alike
    # the left foot swings at 2 leg lengths a second until 30, is down 30-60, swings again;
    # the right foot is down until 40 and from 55 on: both down 30-40 and 55-60
    left = np.interp(t, [0, 30, 60, 90], [0.0, 2.0, 2.0, 4.0]) + pan
    right = np.interp(t, [0, 40, 55, 90], [1.0, 1.0, 3.0, 3.0]) + pan
    channels = {
        "left_heel_ahead_of_hip": left, "left_toe_ahead_of_hip": left + 0.2,
        "right_heel_ahead_of_hip": right, "right_toe_ahead_of_hip": right + 0.2,
    }  # fmt: skip
    strike = KeyframeRule(channel="left_heel_ahead_of_hip", minus="right_toe_ahead_of_hip",
                          speed=True, event="falls_below", level=0.6, until=1.5,
                          window_s=0.3)  # fmt: skip
    toe_off = strike.model_copy(update={"event": "last_below", "channel": "right_toe_ahead_of_hip",
                                        "minus": "left_heel_ahead_of_hip"})  # fmt: skip
    rules = {"left_heel_strike": strike, "right_toe_off": toe_off}
    found: set[str] = set()
    got = refine_keyframes({"left_heel_strike": 27, "right_toe_off": 43}, rules, channels, FPS,
                           mirrored=False, found=found)  # fmt: skip
    assert got["left_heel_strike"] in (30, 31) and got["right_toe_off"] in (39, 40)
    assert found == {"left_heel_strike", "right_toe_off"}
    # the panning alone, without the other foot, never keeps still: nothing found
    alone = {"left_heel_strike": strike.model_copy(update={"minus": None})}
    found = set()
    assert refine_keyframes({"left_heel_strike": 27}, alone, channels, FPS, False, found) == {
        "left_heel_strike": 27
    }
    assert not found


def test_either_side_reads_the_event_of_whichever_foot() -> None:
    """2D keypoints swap which foot is which: with ``either_side`` a touchdown is the first
    frame either foot is back on the ground."""
    t = np.arange(60, dtype=np.float64)
    channels = {"left_foot_clearance": np.full(60, 0.3),  # never down (a swapped label)
                "right_foot_clearance": np.where(t < 40, 0.3, 0.0)}  # fmt: skip
    rule = KeyframeRule(channel="left_foot_clearance", event="falls_below", level=0.04,
                        until=0.08, window_s=0.25)  # fmt: skip
    assert refine_keyframes({"left_touchdown": 37}, {"left_touchdown": rule}, channels, FPS,
                            False) == {"left_touchdown": 37}  # fmt: skip
    either = {"left_touchdown": rule.model_copy(update={"either_side": True})}
    assert refine_keyframes({"left_touchdown": 37}, either, channels, FPS, False) == {
        "left_touchdown": 40
    }


def test_two_estimates_with_opposite_biases_give_their_middle() -> None:
    """A video toe-off: the toe farthest behind the hip comes early (frame 40), its
    clearance crossing late (frame 48, searched after the first): the keyframe is 44. Where
    the second finds nothing, the first stands; where the first finds nothing, the second."""
    t = np.arange(100)
    behind = ((t - 40) / 10.0) ** 2  # toe ahead of the hip: lowest at 40
    toe = np.where(t <= 48, 0.01, 0.01 + 0.03 * (t - 48))
    second = KeyframeRule(channel="left_toe_clearance", event="last_below", level=0.02,
                          until=0.06, direction="after", window_s=0.4)  # fmt: skip
    rule = KeyframeRule(channel="left_toe_ahead_of_hip", event="min", window_s=0.4,
                        mean_with=second)  # fmt: skip
    rules = {"left_toe_off": rule}
    both = {"left_toe_ahead_of_hip": behind, "left_toe_clearance": toe}
    found: set[str] = set()
    assert refine_keyframes({"left_toe_off": 37}, rules, both, FPS, False, found) == {
        "left_toe_off": 44}  # fmt: skip
    assert found == {"left_toe_off"}
    flat = {"left_toe_ahead_of_hip": behind, "left_toe_clearance": np.full(100, 0.01)}
    assert refine_keyframes({"left_toe_off": 37}, rules, flat, FPS, False) == {
        "left_toe_off": 40}  # fmt: skip
    only_toe = {"left_toe_ahead_of_hip": np.zeros(100), "left_toe_clearance": toe}
    assert refine_keyframes({"left_toe_off": 44}, rules, only_toe, FPS, False) == {
        "left_toe_off": 48}  # fmt: skip
