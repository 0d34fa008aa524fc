"""Keyframes snap to their event (extremum or crossing) near the DTW frame, and only there."""

from __future__ import annotations

import numpy as np

from sportsgpt.tools.motiondtw.refine import KeyframeRule, refine_keyframes

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
