"""The tracker keeps identities and picks the moving athlete over a still bystander."""

from __future__ import annotations

import numpy as np
import pytest

from sportsgpt.tools.errors import SportsGPTError
from sportsgpt.tools.pose.tracking import (
    AthleteHint,
    Observation,
    PersonTracker,
    select_athlete,
)

FPS = 30.0
H = 1000


def body(frame: int, cx: float, cy: float, height: float, seed: int = 0) -> Observation:
    """A 12-joint stick figure of ``height`` px centred at (cx, cy), with 1 px jitter."""
    rng = np.random.default_rng(seed * 100_000 + frame)
    ys = np.linspace(-height / 2, height / 2, 12)
    xs = np.tile([-0.1, 0.1], 6) * height
    kp = np.stack([cx + xs, cy + ys], axis=1) + rng.normal(0, 1.0, (12, 2))
    return Observation(frame=frame, time_s=frame / FPS, keypoints=kp, scores=np.full(12, 0.9))


def run(frames: dict[int, list[Observation]], n: int) -> PersonTracker:
    tracker = PersonTracker()
    for f in range(n):
        tracker.update(frames.get(f, []))
    return tracker


def scene(n: int = 150, walker_frames: range = range(30, 120)) -> dict[int, list[Observation]]:
    """A still bystander (taller, in the background) all along; a walker crossing."""
    frames: dict[int, list[Observation]] = {}
    for f in range(n):
        people = [body(f, 300, 300, 420, seed=1)]
        if f in walker_frames:
            x = 1700 - (f - walker_frames.start) * 15  # 450 px/s, ~1.2 body heights/s
            people.append(body(f, x, 700, 380, seed=2))
        frames[f] = people[::-1] if f % 2 else people  # detection order must not matter
    return frames


def test_identities_survive_shuffled_detection_order() -> None:
    tracker = run(scene(), 150)
    assert len(tracker.tracks) == 2
    for track in tracker.tracks:
        ys = [o.centre[1] for o in track.observations]
        assert np.ptp(ys) < 20  # never jumps between the two people


def test_moving_person_is_the_athlete_not_the_larger_still_one() -> None:
    tracker = run(scene(), 150)
    chain, selection = select_athlete(tracker.tracks, H)
    frames = sorted(o.frame for t in chain for o in t.observations)
    assert frames == list(range(30, 120))
    athlete = next(s for s in selection.tracks if s.athlete)
    bystander = next(s for s in selection.tracks if not s.athlete)
    assert athlete.mean_speed_bh_s > 1.0 > 0.2 > bystander.mean_speed_bh_s
    assert athlete.score > bystander.score


def test_fragments_across_a_short_occlusion_are_stitched() -> None:
    frames = scene()
    for f in range(70, 79):  # walker hidden for 0.3 s
        frames[f] = [o for o in frames[f] if o.centre[1] < 500]
    tracker = run(frames, 150)
    assert len(tracker.tracks) == 2  # the gap is shorter than max_gap_s: same track
    long_gap = scene()
    for f in range(60, 80):  # 0.67 s: the tracker gives up, stitching joins them
        long_gap[f] = [o for o in long_gap[f] if o.centre[1] < 500]
    tracker = run(long_gap, 150)
    assert len(tracker.tracks) == 3
    chain, selection = select_athlete(tracker.tracks, H)
    assert len(selection.track_ids) == 2
    assert min(o.frame for o in chain[0].observations) == 30


def test_someone_elsewhere_after_the_athlete_leaves_is_not_stitched() -> None:
    frames = scene()
    for f in range(125, 150):  # a passer-by appears far from where the walker left
        frames[f] = [*frames[f], body(f, 1500, 700, 380, seed=3)]
    tracker = run(frames, 150)
    chain, _ = select_athlete(tracker.tracks, H)
    assert max(o.frame for t in chain for o in t.observations) == 119


def test_hints_choose_the_person_under_them() -> None:
    tracker = run(scene(), 150)
    chain, selection = select_athlete(tracker.tracks, H, AthleteHint(point=(300, 300)))
    assert selection.method.startswith("user hint")
    assert all(abs(o.centre[0] - 300) < 10 for t in chain for o in t.observations)
    chain, _ = select_athlete(tracker.tracks, H, AthleteHint(box=(1500, 500, 400, 400)))
    assert min(o.frame for t in chain for o in t.observations) == 30
    with pytest.raises(SportsGPTError, match="no detected person at the athlete point"):
        select_athlete(tracker.tracks, H, AthleteHint(point=(5, 990)))


def test_duplicate_detections_of_one_person_are_merged() -> None:
    frames = {f: [body(f, 500, 500, 400), body(f, 503, 502, 396, seed=5)] for f in range(10)}
    tracker = run(frames, 10)
    assert len(tracker.tracks) == 1 and len(tracker.tracks[0].observations) == 10
