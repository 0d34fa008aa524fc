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

from dataclasses import dataclass, field

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


def _hinted_track(tracks: list[Track], hint: AthleteHint) -> Track:
    """The track under the hint in the first frame where the hint touches anyone."""
    by_frame: dict[int, list[tuple[float, Track]]] = {}
    for track in tracks:
        for obs in track.observations:
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
    first = min(by_frame)
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


class AthleteSelection(BaseModel):
    """The athlete's track ids, how they were chosen, and every track's summary."""

    track_ids: list[int]
    method: str
    tracks: list[TrackSummary]


def select_athlete(
    tracks: list[Track],
    image_height: int,
    hint: AthleteHint | None = None,
    settings: TrackerSettings | None = None,
) -> tuple[list[Track], AthleteSelection]:
    """The athlete's tracks (a chosen one plus stitched fragments) and why."""
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
        method = f"user hint ({'point' if hint.point is not None else 'box'})"
    else:
        chain = max(chains, key=lambda c: sum(summaries[t.id].score for t in c))
        method = "largest moving person (sum over frames of height share x (0.25 + speed))"
    ids = [t.id for t in chain]
    for i in ids:
        summaries[i].athlete = True
    ordered = sorted(summaries.values(), key=lambda s: -s.score)
    return chain, AthleteSelection(track_ids=ids, method=method, tracks=ordered)
