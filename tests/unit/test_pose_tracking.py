"""The tracker keeps identities and picks the moving athlete over a still bystander."""

from __future__ import annotations

import numpy as np
import pytest

from sportsgpt.tools.errors import SportsGPTError
from sportsgpt.tools.pose.tracking import (
    AthleteChoiceError,
    AthleteHint,
    Observation,
    PersonFound,
    PersonTracker,
    performer,
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
    chain, selection, _ = select_athlete(tracker.tracks, H)
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
    chain, selection, _ = select_athlete(tracker.tracks, H)
    assert len(selection.track_ids) == 2
    assert min(o.frame for o in chain[0].observations) == 30


def test_someone_elsewhere_after_the_athlete_leaves_is_not_stitched() -> None:
    frames = scene()
    for f in range(125, 150):  # a passer-by appears far from where the walker left
        frames[f] = [*frames[f], body(f, 1500, 700, 380, seed=3)]
    tracker = run(frames, 150)
    chain, _, _ = select_athlete(tracker.tracks, H)
    assert max(o.frame for t in chain for o in t.observations) == 119


def test_hints_choose_the_person_under_them() -> None:
    tracker = run(scene(), 150)
    chain, selection, _ = select_athlete(tracker.tracks, H, AthleteHint(point=(300, 300)))
    assert selection.method == "the person at the point given"
    assert all(abs(o.centre[0] - 300) < 10 for t in chain for o in t.observations)
    chain, _, _ = select_athlete(tracker.tracks, H, AthleteHint(box=(1500, 500, 400, 400)))
    assert min(o.frame for t in chain for o in t.observations) == 30
    with pytest.raises(SportsGPTError, match="no detected person at the athlete point"):
        select_athlete(tracker.tracks, H, AthleteHint(point=(5, 990)))


def test_duplicate_detections_of_one_person_are_merged() -> None:
    frames = {f: [body(f, 500, 500, 400), body(f, 503, 502, 396, seed=5)] for f in range(10)}
    tracker = run(frames, 10)
    assert len(tracker.tracks) == 1 and len(tracker.tracks[0].observations) == 10


def two_walkers(n: int = 120) -> dict[int, list[Observation]]:
    """Two people of about one size crossing in opposite directions, rows apart; the
    first is a little faster (the largest mover)."""
    return {
        f: [body(f, 200 + f * 16, 300, 380, seed=1), body(f, 1800 - f * 12, 750, 380, seed=2)]
        for f in range(n)
    }


def test_the_people_who_may_be_the_athlete_leave_a_still_bystander_out() -> None:
    _, selection, chains = select_athlete(run(scene(), 150).tracks, H, fps=FPS)
    assert len(selection.people) == 1 and selection.people[0].athlete  # the bystander: 0.25/1.4
    _, selection, chains = select_athlete(run(two_walkers(), 120).tracks, H, fps=FPS)
    assert [p.athlete for p in selection.people] == [True, False]
    assert set(chains) == {p.id for p in selection.people}
    first, second = selection.people
    assert first.score > second.score > 0.35 * first.score
    x0, y0, x1, y1 = second.box  # the point to pick them by lies on them, at their time
    assert (
        x0 < second.point[0] < x1 and y0 < second.point[1] < y1 and abs(second.point[1] - 750) < 20
    )
    assert second.time_s == pytest.approx(second.frame / FPS, abs=1e-3)


def test_a_point_at_a_time_picks_who_is_there_then() -> None:
    tracker = run(two_walkers(), 120)
    # at x 1000, y 300 the first walker passes at 1.67 s; the point names them only then
    hint = AthleteHint(point=(1000, 300), time_s=1.67)
    chain, _, _ = select_athlete(tracker.tracks, H, hint)
    assert all(abs(o.centre[1] - 300) < 20 for t in chain for o in t.observations)
    chain, _, _ = select_athlete(tracker.tracks, H, AthleteHint(point=(1000, 750), time_s=2.2))
    assert all(abs(o.centre[1] - 750) < 20 for t in chain for o in t.observations)


def _person(pid: int, performs: str | None, seconds: float = 3.0) -> PersonFound:
    return PersonFound(id=pid, track_ids=[pid], first_frame=0, last_frame=99, frames=100,
                       median_height_px=400, score=10.0 - pid, first_s=0.0, last_s=3.3,
                       frame=50, time_s=1.67, box=(0, 0, 100, 400), point=(50, 200),
                       performs=performs, performs_s=seconds if performs else 0.0,
                       checked=True)  # fmt: skip


def test_the_one_who_performs_the_motion_is_the_athlete_and_the_reason_says_so() -> None:
    people = [_person(1, None), _person(2, "walking_gait")]
    chosen, why = performer(people, default=1, what="one of the motions I know")
    assert chosen == 2 and why == "the only one of the 2 people found who performs a walking gait"
    chosen, why = performer(people[::-1], default=2, what="a walking gait")
    assert chosen == 2 and why.startswith("the largest moving person, the only one")
    chosen, why = performer([_person(1, None), _person(2, None)], 1, "a walking gait")
    assert chosen is None and why == "none of the 2 people found performs a walking gait"
    both = [_person(1, "walking_gait"), _person(2, "walking_gait", 2.0), _person(3, None)]
    chosen, why = performer(both, 1, "one of the motions I know")
    assert chosen is None
    assert why == "2 of the 3 people found perform a walking gait, for about as long"
    # someone who walks a few steps beside a walker crossing the whole clip: the walker
    longer = [_person(1, "walking_gait", 1.2), _person(2, "walking_gait", 4.1)]
    chosen, why = performer(longer, 1, "one of the motions I know")
    assert chosen == 2 and why == ("the one who performs a walking gait for 4.1 s, the "
                                   "longest of the 2 people found (next: 1.2 s)")  # fmt: skip
    mixed = [_person(1, "tennis_serve", 1.5), _person(2, "acceleration", 2.5)]
    assert performer(mixed, 1, "one of the motions I know") == (
        None,
        "both people found perform a tennis serve or an acceleration, for about as long",
    )


def test_what_is_looked_for_is_said_with_its_article() -> None:
    from sportsgpt.tools.kismam import motion_check

    assert motion_check("acceleration").what == "an acceleration"
    assert motion_check("walking_gait").what == "a walking gait"
    assert motion_check("auto").what == "one of the motions I know"


def test_when_it_cannot_tell_it_lists_the_people_and_where_to_point() -> None:
    exc = AthleteChoiceError("both people found perform a walking gait",
                             [_person(4, "walking_gait"), _person(7, "walking_gait")])  # fmt: skip
    said = str(exc)
    assert said.startswith("both people found perform a walking gait, so I cannot tell")
    assert (
        "person 1: about 400 px tall, seen 0.0-3.3 s, at x 50, y 200 px at 1.7 s; "
        "performs a walking gait for 3.0 s"
    ) in said
    assert "person 2:" in said and said.endswith("Point at the athlete to analyse them.")
    assert "--" not in said  # no command-line option: the app shows the same words
    assert not exc.nobody_performs
    assert AthleteChoiceError("none", [_person(1, None), _person(2, None)]).nobody_performs
