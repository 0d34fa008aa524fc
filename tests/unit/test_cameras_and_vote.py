"""The template's cameras round the athlete, the references' vote, the walk that explains
a sport template's match, and the frames the pose pass looks at again."""

from __future__ import annotations

import numpy as np

from sportsgpt.tools.kismam.recognise import own_ratio
from sportsgpt.tools.motiondtw.align import AlignmentResult, Occurrence, consensus, vote
from sportsgpt.tools.motiondtw.library import load_motion_references
from sportsgpt.tools.motiondtw.reference import TEMPLATE_CAMERAS, camera_variants
from sportsgpt.tools.pose.recover import frames_to_revisit


def _occ(start: int, end: int, cost: float, ref: str, **keyframes: int) -> Occurrence:
    return Occurrence(start=start, end=end, cost=cost, keyframes=keyframes,
                      confidence=dict.fromkeys(keyframes, 1.0), mirrored=False,
                      references=[ref])  # fmt: skip


def _result(threshold: float, *occs: Occurrence) -> AlignmentResult:
    return AlignmentResult(motion="tennis_serve", method="two_stage", query="q", fps=60.0,
                           frames=300, channels=["a"], cost_threshold=threshold,
                           occurrences=list(occs))  # fmt: skip


def test_every_shipped_3d_template_is_seen_from_four_cameras() -> None:
    """Side, front and both obliques (each also stands for the camera opposite it); a
    query seen obliquely tries the near and the far oblique, the front only the front."""
    serve = load_motion_references("tennis_serve")[0]
    assert set(serve.projected) == set(TEMPLATE_CAMERAS)
    assert camera_variants(serve, "oblique") == ["oblique", "oblique_far"]
    assert camera_variants(serve, "front") == ["front"]
    assert camera_variants(serve, "side") == ["side"]
    assert 3 <= len(serve.projected["front"]) < len(serve.projected["side"])


def test_two_references_that_disagree_keep_the_clearer_ones_keyframe() -> None:
    clear = _occ(100, 160, 0.6, "tennis_serve/a", impact=142)  # ratio 0.5
    poor = _occ(100, 150, 1.2, "tennis_serve/b", impact=116)  # ratio 0.8
    fused = vote([_result(1.2, clear), _result(1.5, poor)]).occurrences[0]
    assert fused.keyframes["impact"] == 142
    assert fused.disagreement["impact"] == 26
    # the cost is the median ratio (both fits count) at the median threshold
    assert np.isclose(fused.cost, 0.65 * 1.35, atol=1e-3)


def test_references_that_agree_are_averaged() -> None:
    assert consensus(np.array([100.0, 103.0]), np.array([1.0, 1.0]), 6.0) == 101.5
    assert consensus(np.array([100.0, 103.0, 140.0]), np.ones(3), 6.0) == 101.5


def test_a_sport_match_over_a_walk_is_the_walk() -> None:
    serve = _result(1.0, _occ(76, 96, 0.65, "s"), _occ(200, 240, 0.68, "s"))
    walks = [(61, 85), (90, 114)]
    assert own_ratio(serve, walks) == 0.68  # the first lies in the walks, the second not
    assert own_ratio(_result(1.0, _occ(76, 96, 0.65, "s")), walks) is None


def test_the_frames_looked_at_again_are_the_unseen_ones_next_to_the_athlete() -> None:
    seen = np.array([False] * 5 + [True] * 3 + [False] * 4 + [True] * 2 + [False] * 3)
    assert frames_to_revisit(seen, 100) == {0, 1, 2, 3, 4, 8, 9, 10, 11, 14, 15, 16}
    assert frames_to_revisit(seen, 4) == {4, 8, 11, 14}  # nearest first
    assert frames_to_revisit(np.zeros(6, dtype=bool), 10) == set()  # no seed: nothing


def test_a_start_gate_reads_the_rise_between_two_keyframes() -> None:
    """An athlete still in the blocks matches a start's shape but does not rise."""
    from sportsgpt.tools.motiondtw.refine import OccurrenceGate, passes_gates

    rise = OccurrenceGate(channel="com_height", keyframe="first_touchdown",
                          change_from="set", min=0.08)  # fmt: skip
    com = {"com_height": np.array([0.8, 0.8, 0.95, 1.1, 0.81])}
    assert passes_gates({"set": 0, "first_touchdown": 3}, [rise], com, mirrored=False)
    assert not passes_gates({"set": 0, "first_touchdown": 4}, [rise], com, mirrored=False)


def test_a_start_before_a_recognised_acceleration_is_the_start() -> None:
    from sportsgpt.tools.kismam.recognise import pick_motion

    ratios = {"acceleration": 0.54, "sprint_start": 0.77}
    assert pick_motion(ratios) == "acceleration"
    leads = {"sprint_start": ["acceleration"]}
    assert pick_motion(ratios, {"sprint_start": 0.8}, leads) == "sprint_start"
    assert pick_motion({"acceleration": 0.54, "sprint_start": 0.85}, {"sprint_start": 0.8},
                       leads) == "acceleration"  # fmt: skip


def test_the_crop_follows_the_athletes_velocity() -> None:
    """A runner seen at x 100, 110, 120 and then lost is looked for further along."""
    from sportsgpt.tools.pose.recover import _seed
    from sportsgpt.tools.pose.tracking import Observation

    def seen_at(frame: int, x: float) -> Observation:
        keypoints = np.array([[x, 100.0], [x + 10, 200.0], [x - 10, 300.0]])
        return Observation(frame=frame, time_s=frame / 30, keypoints=keypoints,
                           scores=np.ones(3))  # fmt: skip

    seen = {f: seen_at(f, 100.0 + 10 * (f - 10)) for f in (10, 11, 12)}
    seed = _seed(seen, 12, -1)  # walking on in time from the last sighting
    assert seed.velocity == (10.0, 0.0)
    assert seed.ahead(3).anchor == (seed.anchor[0] + 30, seed.anchor[1])
    assert _seed(seen, 10, +1).velocity == (-10.0, 0.0)  # back in time: the other way


def test_a_weak_or_misshapen_sighting_is_looked_at_again_not_walked_from() -> None:
    """A runner about 140 px tall; at frame 14 the first pass took a 60 px fragment for
    them and at 15 a faint one: neither may seed a walk, both are looked at again."""
    from sportsgpt.tools.pose.recover import RecoverySettings, weak
    from sportsgpt.tools.pose.tracking import Observation

    def seen_at(frame: int, height: float, score: float) -> Observation:
        keypoints = np.array([[100.0, 100.0], [110.0, 100 + height / 2], [90.0, 100 + height]])
        return Observation(frame=frame, time_s=frame / 30, keypoints=keypoints,
                           scores=np.full(3, score))  # fmt: skip

    seen = {f: seen_at(f, 140.0 + (f % 3), 0.9) for f in range(10)}
    seen[14] = seen_at(14, 60.0, 0.9)
    seen[15] = seen_at(15, 140.0, 0.4)
    assert weak(seen, 30.0, RecoverySettings()) == {14, 15}
