"""Find the athlete again in the frames where the first pass lost them.

The landmarker's person detector looks at the whole frame shrunk to a few hundred
pixels, so an athlete under about a seventh of the frame's height (a sprinter crouched in
the blocks, a runner on the far lane, a server filmed from the stands, a body half out of
the light) is often not detected at all, although the landmark model tracks them well
once it is told where to look. From each stretch where the athlete was seen, this pass
steps frame by frame into the unseen frames beside it, crops a square around where the
athlete is expected (where they last were, carried on at the velocity they moved with;
``crop_scale`` times their height), runs the landmarker on that crop
alone (the athlete now fills it), and keeps a person found where the athlete was, at
their size, and not where the first pass saw someone else in that frame (the athlete
hidden behind a passer-by is not the passer-by); it stops after ``misses_s`` without
one. Frames are decoded a second time and only the unseen ones near a seen stretch are
kept (JPEG in memory, at most ``max_frames``), so time and memory stay bounded whatever
the clip's length.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from ..errors import StoppedError
from .backends import PersonDetection, PoseBackend
from .tracking import Observation, box_iou
from .video import FrameWindow, Image, VideoFrames, VideoInfo, resize_for_inference

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]


class RecoverySettings(BaseModel):
    """How the athlete is looked for again where the first pass did not see them."""

    enabled: bool = True
    max_frames: int = Field(
        default=900, ge=0, description="unseen frames looked at again, at most, per video"
    )
    crop_scale: float = Field(
        default=2.5, gt=1, description="the crop's side in the athlete's last height"
    )
    min_crop_px: int = Field(
        default=192, ge=64, description="the smallest crop side, in inference pixels"
    )
    upscale_to_px: int = Field(
        default=384, ge=64, description="a smaller crop is enlarged to this side"
    )
    misses_s: float = Field(
        default=0.25, ge=0, description="stop stepping after this long without the athlete"
    )
    max_jump: float = Field(
        default=0.6, gt=0, description="the farthest a person found may sit from where the "
        "athlete was, in the athlete's heights",
    )  # fmt: skip
    max_growth: float = Field(
        default=1.5, gt=1, description="a person found may be at most this much larger or "
        "smaller than the athlete was",
    )  # fmt: skip
    seed_quality: float = Field(
        default=0.5, ge=0, le=1, description="a sighting with a lower mean joint score is "
        "weak: no walk starts from it, and it is looked at again",
    )  # fmt: skip
    rounds: int = Field(
        default=3, ge=1, description="rounds of walks, each from what the one before found"
    )
    max_overlap: float = Field(
        default=0.3, ge=0, le=1, description="a person found overlapping someone else the "
        "first pass saw in that frame by more than this (intersection over union) is them",
    )  # fmt: skip


class Sighting(BaseModel):
    """Where the athlete was seen in one frame (original pixels), measured as the tracker
    measures a person (``Observation``: the box of the confident joints, the body point
    near the hips, the height)."""

    anchor: tuple[float, float]
    size: float = Field(gt=0)
    velocity: tuple[float, float] = Field(
        default=(0.0, 0.0), description="pixels per frame of the walk's direction"
    )

    @classmethod
    def of(cls, obs: Observation, before: Observation | None = None, step: int = 1) -> Sighting:
        """The sighting ``obs``; ``before``: the one ``step`` frames earlier in the walk's
        direction, which gives the velocity the athlete is carried on with."""
        velocity = (0.0, 0.0)
        if before is not None and step > 0:
            vx, vy = (obs.anchor - before.anchor) / step
            velocity = (float(vx), float(vy))
        return cls(anchor=(float(obs.anchor[0]), float(obs.anchor[1])),
                   size=max(obs.height, 1.0), velocity=velocity)  # fmt: skip

    def ahead(self, frames: int) -> Sighting:
        """Where the athlete is expected ``frames`` steps on (constant velocity)."""
        x, y = self.anchor
        vx, vy = self.velocity
        return self.model_copy(update={"anchor": (x + vx * frames, y + vy * frames)})


SEED_SPAN = 3
"""Frames inside a seen stretch the seed's velocity is measured over."""

SIZE_WINDOW_S = 0.5
"""A sighting's size is judged against the athlete's median height this long either side."""


def weak(seen: dict[int, Observation], fps: float, settings: RecoverySettings) -> set[int]:
    """Frames whose sighting is weak: a mean joint score under ``seed_quality``, or not the
    athlete's size (under or over the median height of the sightings within
    ``SIZE_WINDOW_S`` either side by more than ``max_growth``: a half body, or limbs of
    the background taken for the athlete). A walk that started from one would look for
    someone of the wrong size in the wrong place; they are looked at again instead, and
    keep what the first pass saw unless the athlete is found there."""
    out = {f for f, obs in seen.items() if obs.quality < settings.seed_quality}
    frames = sorted(seen)
    if len(frames) < 3:
        return out
    heights = np.array([max(seen[f].height, 1.0) for f in frames])
    at = np.array(frames)
    half = max(1, round(SIZE_WINDOW_S * fps))
    for i, f in enumerate(frames):
        lo, hi = np.searchsorted(at, f - half), np.searchsorted(at, f + half, side="right")
        if hi - lo < 3:
            continue
        typical = float(np.median(heights[lo:hi]))
        if not 1 / settings.max_growth <= heights[i] / typical <= settings.max_growth:
            out.add(f)
    return out


def _gaps(seen: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, last) of each run of unseen frames."""
    out, start = [], None
    for i, s in enumerate(seen):
        if not s and start is None:
            start = i
        elif s and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(seen) - 1))
    return out


def frames_to_revisit(seen: npt.NDArray[np.bool_], limit: int) -> set[int]:
    """The unseen frames next to a seen stretch, nearest first, ``limit`` at most."""
    ranked: list[tuple[int, int]] = []
    for first, last in _gaps(seen):
        before = first > 0
        after = last < len(seen) - 1
        if not before and not after:
            continue
        for f in range(first, last + 1):
            distance = min(f - first + 1 if before else np.inf, last - f + 1 if after else np.inf)
            ranked.append((int(distance), f))
    ranked.sort()
    return {f for _, f in ranked[:limit]}


def _crop(
    image: Image, centre: tuple[float, float], side: float, upscale_to: int
) -> tuple[Image, float, float, float]:
    """A square crop around ``centre`` (clipped to the image), enlarged to ``upscale_to``
    when smaller; returns it with its left, top and enlargement."""
    h, w = image.shape[:2]
    side = min(side, float(max(h, w)))
    x0 = round(min(max(centre[0] - side / 2, 0.0), max(w - side, 0.0)))
    y0 = round(min(max(centre[1] - side / 2, 0.0), max(h - side, 0.0)))
    crop = image[y0 : y0 + int(side), x0 : x0 + int(side)]
    up = max(1.0, upscale_to / max(crop.shape[:2]))
    if up > 1.0:
        size = (round(crop.shape[1] * up), round(crop.shape[0] * up))
        crop = np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    return np.ascontiguousarray(crop), float(x0), float(y0), up


class Recovery:
    """Step into unseen frames from the seen ones and look for the athlete in a crop."""

    def __init__(
        self,
        backend: PoseBackend,
        to_observation: Callable[[PersonDetection, int, float], Observation | None],
        scale: float,
        fps: float,
        settings: RecoverySettings,
        others: dict[int, list[FloatArray]] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.others = others or {}
        self.stop = stop
        self.backend = backend
        self.to_observation = to_observation
        self.scale = scale
        self.fps = fps
        self.settings = settings

    def look(self, image: Image, frame: int, time_s: float, last: Sighting) -> Observation | None:
        """The athlete in ``image`` (inference pixels) near ``last`` (original pixels)."""
        s = self.settings
        centre = (last.anchor[0] * self.scale, last.anchor[1] * self.scale)
        side = max(s.crop_scale * last.size * self.scale, float(s.min_crop_px))
        crop, x0, y0, up = _crop(image, centre, side, s.upscale_to_px)
        found = []
        for det in self.backend.detect(self.backend.prepare(crop), 0):
            moved = PersonDetection(
                keypoints=det.keypoints / up + np.array([x0, y0]), scores=det.scores
            )
            obs = self.to_observation(moved, frame, time_s)
            if obs is None:
                continue
            jump = float(np.hypot(*(obs.anchor - np.asarray(last.anchor))))
            grown = max(obs.height, 1.0) / last.size
            someone_else = any(
                box_iou(obs.box, other) > s.max_overlap for other in self.others.get(frame, [])
            )
            if (
                jump <= s.max_jump * max(last.size, obs.height)
                and 1 / s.max_growth <= grown <= s.max_growth
                and not someone_else
            ):
                found.append((jump, obs))
        return min(found, key=lambda jo: jo[0])[1] if found else None

    def walk(
        self,
        order: list[int],
        start: Sighting,
        images: dict[int, tuple[float, bytes]],
        done: dict[int, Observation],
    ) -> None:
        """Step through ``order`` from ``start`` until the athlete is missed too long; the
        crop follows the athlete's velocity across the frames they are missed in."""
        misses, last = 0, start
        previous: Observation | None = None
        allowed = max(1, round(self.settings.misses_s * self.fps))
        for f in order:
            if self.stop is not None and self.stop.is_set():
                raise StoppedError("looking again for the athlete stopped")
            if f in done:
                return  # met the walk from the other side
            if f not in images:
                return
            time_s, jpeg = images[f]
            image = np.asarray(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR))
            obs = self.look(image, f, time_s, last.ahead(misses + 1))
            if obs is None:
                misses += 1
                if misses > allowed:
                    return
                continue
            done[f] = obs
            if previous is None:  # carry the seed's velocity until the walk has its own
                last = Sighting.of(obs).model_copy(update={"velocity": start.velocity})
            else:
                last = Sighting.of(obs, previous, misses + 1)
            previous, misses = obs, 0


def _seed(seen: dict[int, Observation], frame: int, inward: int) -> Sighting:
    """The sighting a walk starts from, moving the way the athlete moved into it: its
    velocity from up to SEED_SPAN frames further inside the seen stretch (``inward``: +1
    when the stretch lies after ``frame``)."""
    here = seen[frame]
    for span in range(SEED_SPAN, 0, -1):
        inside = seen.get(frame + inward * span)
        if inside is not None:
            return Sighting.of(here, inside, span)
    return Sighting.of(here)


def collect_frames(
    info: VideoInfo,
    window: FrameWindow,
    wanted: set[int],
    scale: float,
    stop: threading.Event | None = None,
) -> dict[int, tuple[float, bytes]]:
    """The ``wanted`` positions of the frame sequence, at inference size, as JPEG."""
    out: dict[int, tuple[float, bytes]] = {}
    if not wanted:
        return out
    last = max(wanted)
    for position, frame in enumerate(VideoFrames(info, window)):
        if stop is not None and stop.is_set():
            raise StoppedError("looking again for the athlete stopped")
        if position in wanted:
            image = resize_for_inference(frame.image, scale)
            ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
            if ok:
                out[position] = (frame.time_s, buf.tobytes())
        if position >= last:
            break
    return out


def recover_athlete(
    info: VideoInfo,
    window: FrameWindow,
    scale: float,
    seen: dict[int, Observation],
    n_frames: int,
    make_backend: Callable[[], tuple[PoseBackend, bool]],
    to_observation: Callable[[PersonDetection, int, float], Observation | None],
    settings: RecoverySettings,
    others: dict[int, list[FloatArray]] | None = None,
    stop: threading.Event | None = None,
) -> dict[int, Observation]:
    """Observations of the athlete in frames the first pass missed or saw poorly, by
    frame position.

    ``seen``: the athlete in every frame they were seen;
    ``others``: the boxes (x0, y0, x1, y1) of everyone else the first pass saw, by frame;
    ``make_backend``: a backend that takes each image on its own, and whether it is ours
    to close; once ``stop`` is set, the next frame raises ``StoppedError``.

    Walks start from sure sightings only (``weak``: a low joint score or not the
    athlete's size); weak sightings are looked at again. When the first pass saw the
    athlete only weakly, the first round walks from those, and each later round walks on
    from what the one before found (at most ``rounds``), so one poor sighting does not
    end the athlete's track."""
    if not settings.enabled or not seen or settings.max_frames == 0:
        return {}
    fps = info.fps / window.stride
    unsure = weak(seen, fps, settings)
    wanted = frames_to_revisit(_mask({f: o for f, o in seen.items() if f not in unsure} or seen,
                                     n_frames), settings.max_frames)  # fmt: skip
    wanted |= unsure
    if not wanted:
        return {}
    log.info("%s: looking again for the athlete in %d frames where they were not seen "
             "clearly", info.path, len(wanted))  # fmt: skip
    images = collect_frames(info, window, wanted, scale, stop)
    backend, owned = make_backend()
    done: dict[int, Observation] = {}
    walked: set[tuple[int, int]] = set()
    try:
        finder = Recovery(backend, to_observation, scale, fps, settings, others, stop)
        for _ in range(settings.rounds):
            known = {**seen, **done}
            doubt = weak(known, fps, settings)
            sure = {f: o for f, o in known.items() if f not in doubt} or known
            before = len(done)
            mask = _mask(sure, n_frames)
            for first, last in _gaps(mask):
                if last + 1 < n_frames and (last + 1, -1) not in walked:  # back in time
                    walked.add((last + 1, -1))
                    order = list(range(last, first - 1, -1))
                    finder.walk(order, _seed(sure, last + 1, +1), images, done)
                if first > 0 and (first - 1, +1) not in walked:  # on in time
                    walked.add((first - 1, +1))
                    order = list(range(first, last + 1))
                    finder.walk(order, _seed(sure, first - 1, -1), images, done)
            if len(done) == before:
                break
    finally:
        if owned:
            backend.close()
    return done


def _mask(seen: dict[int, Observation], n_frames: int) -> npt.NDArray[np.bool_]:
    mask = np.zeros(n_frames, dtype=bool)
    mask[list(seen)] = True
    return mask
