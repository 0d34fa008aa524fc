"""Keep one identity per person across frames, then pick the athlete.

Pose models return everyone in frame, in no stable order. The tracker links each
frame's people to the tracks of the previous frames (Hungarian matching on how far each
body is from where its track was heading, in body heights, gated by elapsed time and
size). The athlete is, by
default, the track with the most *moving body-mass over time*: each observation counts
its body height (share of the frame) times (0.25 + its speed in body heights per second),
so a large person who moves beats a still bystander or a small passer-by. A point or a
box on the athlete overrides the choice. Fragments of the athlete's track broken by a
short occlusion are stitched back when they continue where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field
from scipy.optimize import linear_sum_assignment

from ..errors import SportsGPTError

FloatArray = npt.NDArray[np.float64]

BOX_CONFIDENCE = 0.3
"""Joints below this score do not shape a person's box."""


@dataclass(frozen=True)
class Observation:
    """One person in one frame: canonical-joint keypoints (J, 2) in original pixels.

    Box, size and anchor are computed once here: the tracker and the athlete choice ask
    for them many times per frame.
    """

    frame: int
    time_s: float
    keypoints: FloatArray
    scores: FloatArray
    box: FloatArray = field(init=False, repr=False)
    """(x0, y0, x1, y1) of the confidently seen joints (all finite joints if too few)."""
    anchor: FloatArray = field(init=False, repr=False)
    """Median of those joints: a body point near the hips that ignores waving arms."""

    def __post_init__(self) -> None:
        finite = np.isfinite(self.keypoints).all(axis=1)
        if not finite.any():
            raise ValueError("an observation needs at least one located joint")
        ok = finite & (self.scores >= BOX_CONFIDENCE)
        pts = self.keypoints[ok] if ok.sum() >= 3 else self.keypoints[finite]
        box = np.array([*pts.min(axis=0), *pts.max(axis=0)], dtype=np.float64)
        object.__setattr__(self, "box", box)
        object.__setattr__(self, "anchor", np.median(pts, axis=0))

    @property
    def height(self) -> float:
        """Body size in pixels: box height, but never below half its width (lying, arms out)."""
        x0, y0, x1, y1 = self.box
        return float(max(y1 - y0, 0.5 * (x1 - x0), 1.0))

    @property
    def centre(self) -> FloatArray:
        x0, y0, x1, y1 = self.box
        return np.array([(x0 + x1) / 2, (y0 + y1) / 2])

    @property
    def quality(self) -> float:
        return float(np.mean(self.scores))


def box_iou(a: FloatArray, b: FloatArray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def _inside_share(inner: FloatArray, outer: FloatArray) -> float:
    """Share of ``inner``'s area that lies inside ``outer``."""
    ix = max(0.0, min(inner[2], outer[2]) - max(inner[0], outer[0]))
    iy = max(0.0, min(inner[3], outer[3]) - max(inner[1], outer[1]))
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    return float(ix * iy / area) if area > 0 else 0.0


@dataclass
class Track:
    """One person's observations in frame order."""

    id: int
    observations: list[Observation] = field(default_factory=list)

    @property
    def last(self) -> Observation:
        return self.observations[-1]

    @property
    def first(self) -> Observation:
        return self.observations[0]

    @property
    def frames(self) -> set[int]:
        return {o.frame for o in self.observations}


class TrackSummary(BaseModel):
    """Why a track was (or was not) taken for the athlete."""

    id: int
    first_frame: int
    last_frame: int
    frames: int
    median_height_px: float
    span_body_heights: float = Field(description="extent of the body's path / body height")
    mean_speed_bh_s: float = Field(description="mean body speed, body heights per second")
    score: float = Field(description="sum over frames of height share x (0.25 + speed)")
    athlete: bool = False


class TrackerSettings(BaseModel):
    max_gap_s: float = Field(default=0.5, gt=0, description="a track survives this long unseen")
    link_gap_s: float = Field(default=1.0, ge=0, description="stitch fragments up to this gap")
    duplicate_iou: float = Field(default=0.6, gt=0, le=1)
    speed_window_s: float = Field(default=0.5, gt=0)


class PersonTracker:
    """Frame-by-frame association of detections into tracks."""

    def __init__(self, settings: TrackerSettings | None = None) -> None:
        self.settings = settings or TrackerSettings()
        self.tracks: list[Track] = []

    def _deduplicate(self, people: list[Observation]) -> list[Observation]:
        kept: list[Observation] = []
        for obs in sorted(people, key=lambda o: -o.quality):
            if all(box_iou(obs.box, k.box) < self.settings.duplicate_iou for k in kept):
                kept.append(obs)
        return kept

    def update(self, people: list[Observation]) -> None:
        """Add one frame's people (all with the same ``frame`` and ``time_s``)."""
        people = self._deduplicate(people)
        if not people:
            return
        now = people[0].time_s
        live = [t for t in self.tracks if now - t.last.time_s <= self.settings.max_gap_s]
        cost = np.full((len(live), len(people)), np.inf)
        for i, track in enumerate(live):
            last = track.last
            gap = max(now - last.time_s, 1e-3)
            # where this person should be now, at their recent velocity
            predicted = last.anchor + _velocity(track.observations[-12:], at_end=True) * gap
            for j, obs in enumerate(people):
                size = max(last.height, obs.height)
                ratio = obs.height / last.height
                miss = float(np.linalg.norm(obs.anchor - predicted)) / size
                if miss <= 0.35 + 1.0 * gap and 0.5 <= ratio <= 2.0:
                    cost[i, j] = miss + 0.5 * (1.0 - box_iou(last.box, obs.box))
        matched: set[int] = set()
        if live:
            finite = np.where(np.isfinite(cost), cost, 1e6)
            for row, col in zip(*linear_sum_assignment(finite), strict=True):
                if np.isfinite(cost[row, col]):
                    live[int(row)].observations.append(people[int(col)])
                    matched.add(int(col))
        for j, obs in enumerate(people):
            if j not in matched:
                self.tracks.append(Track(id=len(self.tracks), observations=[obs]))


def _speeds(track: Track, window_s: float) -> FloatArray:
    """Per observation: how fast the body's median point moves, in body heights per second.

    The median of the confident joints sits near the hips, so waving arms barely move it
    while walking, running, jumping or squatting do; measuring the net displacement over
    ``window_s`` (not frame to frame) keeps keypoint jitter out.
    """
    obs = track.observations
    times = np.array([o.time_s for o in obs])
    anchors = np.array([o.anchor for o in obs])
    out = np.zeros(len(obs))
    for i, o in enumerate(obs):
        j = min(int(np.searchsorted(times, o.time_s + window_s)), len(obs) - 1)
        i0 = i if j > i else max(0, int(np.searchsorted(times, o.time_s - window_s)))
        j = max(j, i)
        dt = times[j] - times[i0]
        if dt <= 0 or dt > 2 * window_s + 0.5:  # a lone frame, or across a long gap
            continue
        out[i] = float(np.linalg.norm(anchors[j] - anchors[i0])) / max(o.height, 1.0) / dt
    return out


def summarise_track(track: Track, image_height: int, settings: TrackerSettings) -> TrackSummary:
    heights = np.array([o.height for o in track.observations])
    speeds = _speeds(track, settings.speed_window_s)
    anchors = np.array([o.anchor for o in track.observations])
    span = float(np.linalg.norm(np.ptp(anchors, axis=0)))
    median_h = float(np.median(heights))
    score = float(np.sum(heights / image_height * (0.25 + np.minimum(speeds, 3.0))))
    return TrackSummary(
        id=track.id,
        first_frame=track.first.frame,
        last_frame=track.last.frame,
        frames=len(track.observations),
        median_height_px=round(median_h, 1),
        span_body_heights=round(span / median_h, 2),
        mean_speed_bh_s=round(float(np.mean(speeds)), 3),
        score=round(score, 3),
    )


class AthleteHint(BaseModel):
    """A user's pointer to the athlete: a point on them, or a box around them (pixels)."""

    point: tuple[float, float] | None = None
    box: tuple[float, float, float, float] | None = Field(default=None, description="x, y, w, h")
    time_s: float | None = Field(
        default=None, ge=0, description="when the point or box is on the athlete (default: "
        "the first frame it touches anyone)",
    )  # fmt: skip


def _hinted_track(tracks: list[Track], hint: AthleteHint) -> Track:
    """The track under the hint in the first frame where the hint touches anyone (or the
    frame nearest the hint's time)."""
    by_frame: dict[int, list[tuple[float, Track]]] = {}
    times: dict[int, float] = {}
    for track in tracks:
        for obs in track.observations:
            times[obs.frame] = obs.time_s
            if hint.point is not None:
                x0, y0, x1, y1 = obs.box
                pad = 0.1 * obs.height
                px, py = hint.point
                if x0 - pad <= px <= x1 + pad and y0 - pad <= py <= y1 + pad:
                    d = float(np.linalg.norm(obs.centre - np.array(hint.point)))
                    by_frame.setdefault(obs.frame, []).append((d, track))
            elif hint.box is not None:
                x, y, w, h = hint.box
                drawn = np.array([x, y, x + w, y + h])
                # a drawn box is looser than a keypoint box: ask that the person be inside it
                if _inside_share(obs.box, drawn) >= 0.6:
                    iou = box_iou(obs.box, drawn)
                    by_frame.setdefault(obs.frame, []).append((-iou, track))
    if not by_frame:
        where = f"point {hint.point}" if hint.point is not None else f"box {hint.box}"
        raise SportsGPTError(f"no detected person at the athlete {where} in any frame")
    at = hint.time_s
    first = min(by_frame) if at is None else min(by_frame, key=lambda f: abs(times[f] - at))
    return min(by_frame[first], key=lambda c: c[0])[1]


def _velocity(observations: list[Observation], at_end: bool, window_s: float = 0.3) -> FloatArray:
    """Body (anchor) velocity (px/s) over the last (or first) ``window_s`` of observations."""
    if len(observations) < 2:
        return np.zeros(2)
    if at_end:
        ref = observations[-1]
        near = [o for o in observations if ref.time_s - o.time_s <= window_s]
        a, b = near[0], ref
    else:
        ref = observations[0]
        near = [o for o in observations if o.time_s - ref.time_s <= window_s]
        a, b = ref, near[-1]
    dt = b.time_s - a.time_s
    return (b.anchor - a.anchor) / dt if dt > 0 else np.zeros(2)


def _continues(
    a: Observation, b: Observation, velocity: FloatArray, settings: TrackerSettings
) -> float | None:
    """Normalised miss between ``b`` and where ``a`` was heading (None: not the same person)."""
    gap = b.time_s - a.time_s
    if gap > settings.link_gap_s or gap <= 0:
        return None
    size = max(a.height, b.height)
    predicted = a.anchor + velocity * gap
    miss = float(np.linalg.norm(b.anchor - predicted)) / size
    ratio = b.height / a.height
    if miss <= 0.3 + 1.0 * gap and 0.7 <= ratio <= 1.43:
        return miss
    return None


def _link_cost(chain: list[Observation], cand: Track, settings: TrackerSettings) -> float | None:
    """How well ``cand`` continues the chain (lower is better), or None if it cannot.

    A candidate may share a few frames with the chain (a person detected twice while
    leaving the frame) only where the two observations are the same body.
    """
    by_frame = {o.frame: o for o in chain}
    shared = [o for o in cand.observations if o.frame in by_frame]
    if shared:
        limit = max(3, int(0.2 * len(cand.observations)))
        if len(shared) > limit:
            return None
        jumps = [
            float(np.linalg.norm(o.centre - by_frame[o.frame].centre))
            / max(o.height, by_frame[o.frame].height)
            for o in shared
        ]
        return max(jumps) if max(jumps) < 0.5 else None
    before = [o for o in chain if o.frame < cand.first.frame]
    after = [o for o in chain if o.frame > cand.last.frame]
    costs = []
    if before:
        costs.append(_continues(before[-1], cand.first, _velocity(before, at_end=True), settings))
    if after:
        # backwards in time: where the later part came from
        v = _velocity(cand.observations, at_end=True)
        costs.append(_continues(cand.last, after[0], v, settings))
    if not costs or any(c is None for c in costs):
        return None
    return max(c for c in costs if c is not None)


def _stitch(seed: Track, pool: list[Track], settings: TrackerSettings) -> list[Track]:
    """The seed plus fragments (from ``pool``) that continue it across short gaps."""
    chain = [seed]
    free = [t for t in pool if t.id != seed.id]
    while free:
        observations = sorted((o for t in chain for o in t.observations), key=lambda o: o.frame)
        costs = [(_link_cost(observations, cand, settings), cand) for cand in free]
        linkable = [(c, t) for c, t in costs if c is not None]
        if not linkable:
            break
        best = min(linkable, key=lambda ct: ct[0])[1]
        chain.append(best)
        free.remove(best)
    return sorted(chain, key=lambda t: t.first.frame)


CONTENDER_SHARE = 0.35
"""Who may be the athlete: a person whose moving body-mass (the summed track score) is at
least this share of the largest mover's, and who was seen for at least CONTENDER_S. A
bystander standing still scores about a fifth of an athlete of their size walking past
(0.25 against 0.25 + speed per frame), so bystanders stay out and a second performer of
about the athlete's size and movement stays in (two walkers side by side: 0.78)."""
CONTENDER_S = 1.0


class PersonFound(BaseModel):
    """One person followed through the clip (fragments joined), where to point at them,
    and, when it was checked, which motion they perform."""

    id: int = Field(description="the person's number (their strongest track's id)")
    track_ids: list[int]
    first_frame: int
    last_frame: int
    frames: int
    median_height_px: float
    score: float = Field(description="summed track score (moving body-mass over time)")
    first_s: float
    last_s: float
    frame: int = Field(description="the frame where they are seen most clearly")
    time_s: float = Field(description="that frame's time")
    box: tuple[float, float, float, float] = Field(description="x0, y0, x1, y1 there, px")
    point: tuple[float, float] = Field(description="a point on them there: pick them by it")
    performs: str | None = Field(default=None, description="the motion found in their "
                                 "movement, when that was checked")  # fmt: skip
    performs_s: float = Field(default=0.0, description="for how long: its occurrences' "
                              "summed duration, seconds")  # fmt: skip
    checked: bool = False
    athlete: bool = False


class AthleteSelection(BaseModel):
    """The athlete's track ids, how they were chosen, and every track's summary."""

    track_ids: list[int]
    method: str
    tracks: list[TrackSummary]
    people: list[PersonFound] = Field(
        default_factory=list, description="the people who may be the athlete, strongest first"
    )


def person_found(chain: list[Track], summaries: dict[int, TrackSummary]) -> PersonFound:
    """The summary of one person (a chain of tracks)."""
    observations = [o for t in chain for o in t.observations]
    clearest = max(observations, key=lambda o: o.quality * o.height)
    x0, y0, x1, y1 = (round(float(v), 1) for v in clearest.box)
    strongest = max(chain, key=lambda t: summaries[t.id].score)
    return PersonFound(
        id=strongest.id,
        track_ids=sorted(t.id for t in chain),
        first_frame=min(o.frame for o in observations),
        last_frame=max(o.frame for o in observations),
        frames=len({o.frame for o in observations}),
        first_s=round(min(o.time_s for o in observations), 3),
        last_s=round(max(o.time_s for o in observations), 3),
        median_height_px=round(float(np.median([o.height for o in observations])), 1),
        score=round(sum(summaries[t.id].score for t in chain), 3),
        frame=clearest.frame,
        time_s=round(clearest.time_s, 3),
        box=(x0, y0, x1, y1),
        point=(round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1)),
    )


def contenders(people: list[PersonFound], fps: float) -> list[PersonFound]:
    """The people who may be the athlete (CONTENDER_SHARE, CONTENDER_S), strongest first."""
    if not people:
        return []
    best = max(p.score for p in people)
    return sorted(
        (p for p in people if p.score >= CONTENDER_SHARE * best and p.frames >= CONTENDER_S * fps),
        key=lambda p: -p.score,
    ) or [max(people, key=lambda p: p.score)]


def select_athlete(
    tracks: list[Track],
    image_height: int,
    hint: AthleteHint | None = None,
    settings: TrackerSettings | None = None,
    fps: float = 30.0,
) -> tuple[list[Track], AthleteSelection, dict[int, list[Track]]]:
    """The athlete's tracks (a chosen one plus stitched fragments), why, and every person
    who may be the athlete (person id -> their tracks)."""
    settings = settings or TrackerSettings()
    if not tracks:
        raise SportsGPTError("no tracks to choose the athlete from")
    summaries = {t.id: summarise_track(t, image_height, settings) for t in tracks}
    # Each person may be split into fragments: stitch them into chains first (strongest
    # tracks seed first), then choose among whole chains.
    chains: list[list[Track]] = []
    free = sorted(tracks, key=lambda t: -summaries[t.id].score)
    while free:
        chain = _stitch(free[0], free, settings)
        chains.append(chain)
        free = [t for t in free if t not in chain]
    if hint is not None and (hint.point is not None or hint.box is not None):
        hinted = _hinted_track(tracks, hint)
        chain = next(c for c in chains if hinted in c)
        method = f"the person at the {'point' if hint.point is not None else 'box'} given"
    else:
        chain = max(chains, key=lambda c: sum(summaries[t.id].score for t in c))
        method = "largest moving person (sum over frames of height share x (0.25 + speed))"
    ids = [t.id for t in chain]
    for i in ids:
        summaries[i].athlete = True
    ordered = sorted(summaries.values(), key=lambda s: -s.score)
    found = {p.id: (p, c) for c in chains for p in [person_found(c, summaries)]}
    people = contenders([p for p, _ in found.values()], fps)
    athlete_id = next(p.id for p, c in found.values() if c is chain)
    if all(p.id != athlete_id for p in people):  # a hinted person always counts
        people.append(found[athlete_id][0])
    for p in people:
        p.athlete = p.id == athlete_id
    selection = AthleteSelection(track_ids=ids, method=method, tracks=ordered, people=people)
    return chain, selection, {p.id: found[p.id][1] for p in people}


CLEARLY_MORE = 2.0
"""Of several people who perform the motion, one is the athlete when they perform it for
at least this many times as long as anyone else (a walker crossing the whole clip beside
someone who takes a few steps on a roof before a jump); two people doing the same thing
side by side are not told apart."""


def performer(people: list[PersonFound], default: int, what: str) -> tuple[int | None, str]:
    """Among people whose motion was checked (``performs``), the athlete and why: the one
    person who performs ``what`` was looked for, or performs it clearly longest
    (CLEARLY_MORE); None when nobody does or that does not tell (then the user has to
    point at the athlete). ``default``: the largest mover."""
    doing = sorted((p for p in people if p.performs), key=lambda p: -p.performs_s)
    n = len(people)
    lead = "the largest moving person, " if doing and doing[0].id == default else ""
    if len(doing) == 1:
        one = doing[0]
        return (
            one.id,
            f"{lead}the only one of the {n} people found who performs {a_motion(one.performs)}",
        )
    if not doing:
        return None, f"none of the {n} people found performs {what}"
    first, second = doing[0], doing[1]
    if first.performs_s > 0 and first.performs_s >= CLEARLY_MORE * second.performs_s:
        return first.id, (f"{lead}the one who performs {a_motion(first.performs)} for "
                          f"{first.performs_s:.1f} s, the longest of the {n} people found "
                          f"(next: {second.performs_s:.1f} s)")  # fmt: skip
    motions = " or ".join(sorted({a_motion(p.performs) for p in doing}))
    who = ("both" if n == 2 else f"all {n}") if len(doing) == n else f"{len(doing)} of the {n}"
    return None, f"{who} people found perform {motions}, for about as long"


def _words(motion: str | None) -> str:
    return (motion or "").replace("_", " ")


def a_motion(motion: str | None) -> str:
    """'a walking gait', 'an acceleration'."""
    words = _words(motion)
    return f"{'an' if words[:1] in tuple('aeiou') else 'a'} {words}"


@dataclass(frozen=True)
class MotionCheck:
    """Which motion one person's movement shows: ``find`` takes their PoseSequence and
    returns the motion found and for how long (its occurrences' seconds), or None;
    ``what`` says in words what is looked for ("a walking gait", "one of the motions I
    know"). Built by ``kismam.motion_check``."""

    what: str
    find: Callable[[Any], tuple[str, float] | None]


LISTED = 4
"""People a message lists (the app shows them all, as thumbnails)."""


class AthleteChoiceError(SportsGPTError):
    """More than one person may be the athlete and their movement does not tell which:
    the message lists them (where to point at each), in words that name no command-line
    option; ``people`` feeds the app's thumbnails."""

    def __init__(self, reason: str, people: list[PersonFound]) -> None:
        listed = "; ".join(person_words(p, i) for i, p in enumerate(people[:LISTED], 1))
        if len(people) > LISTED:
            listed += f"; and {len(people) - LISTED} more"
        super().__init__(f"{reason}, so I cannot tell who the athlete is ({listed}). Point "
                         "at the athlete to analyse them.")  # fmt: skip
        self.reason = reason
        self.people = people

    @property
    def nobody_performs(self) -> bool:
        """Nobody's movement shows the motion (else: several people's do, about as long)."""
        return not any(p.performs for p in self.people)


def person_words(person: PersonFound, number: int) -> str:
    """'person 2: about 412 px tall, seen 0.0-4.5 s, at x 420, y 300 px at 1.3 s; performs
    a walking gait' (``number``: their place in the list, from 1)."""
    x, y = person.point
    if person.performs:
        does = f"; performs {a_motion(person.performs)} for {person.performs_s:.1f} s"
    else:
        does = "; performs none of the motions looked for" if person.checked else ""
    return (f"person {number}: about {person.median_height_px:.0f} px tall, seen "
            f"{person.first_s:.1f}-{person.last_s:.1f} s, at x {x:.0f}, y {y:.0f} px at "
            f"{person.time_s:.1f} s{does}")  # fmt: skip
