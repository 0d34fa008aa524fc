"""Video -> the athlete's PoseSequence: decode, detect everyone, track, pick the athlete.

Frames where the athlete is not seen stay in the sequence as NaN with confidence 0, so
the sequence keeps video time. Coordinates are pixels of the original (upright) frame
whatever size inference ran at.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from tqdm import tqdm

from ..errors import MissingJointError, MotionInputError, NoPersonError, StoppedError
from ..kinematics.body_frame import estimate_view
from ..pose_sequence import FloatArray, PoseSequence, View
from ..skeleton import INDEXED_SKELETONS, order_joints
from .backends import PersonDetection, PoseBackend
from .models import DEFAULT_RTMLIB_MODEL, resolve_mediapipe_model
from .recover import RecoverySettings, recover_athlete
from .tracking import (
    AthleteChoiceError,
    AthleteHint,
    AthleteSelection,
    MotionCheck,
    Observation,
    PersonTracker,
    Track,
    TrackerSettings,
    performer,
    select_athlete,
)
from .video import (
    FrameWindow,
    Image,
    VideoFrames,
    VideoInfo,
    held_frames,
    inference_scale,
    probe_video,
    resize_for_inference,
)

log = logging.getLogger(__name__)

DEFAULT_MAX_SIDE = 1920
"""Frames larger than this (4K phone video) are halved before inference: the models crop
the person and resize to 256 px anyway, and resizing 1080p would cost more than it saves."""


class PoseSettings(BaseModel):
    """Everything that decides how a video becomes a pose sequence."""

    backend: Literal["mediapipe", "rtmlib"] = "mediapipe"
    model: str | None = Field(
        default=None, description="lite|full|heavy, an rtmlib name, or a path"
    )
    detector: str | None = Field(default=None, description="rtmlib RTMPose only: person detector")
    num_poses: int = Field(default=2, ge=1, le=10, description="people MediaPipe looks for")
    min_detection_confidence: float = Field(default=0.5, ge=0, le=1)
    min_person_score: float = Field(
        default=0.3, ge=0, le=1, description="drop people whose median joint score is lower"
    )
    window: FrameWindow = Field(default_factory=lambda: FrameWindow(max_side=DEFAULT_MAX_SIDE))
    athlete: AthleteHint | None = None
    tracker: TrackerSettings = Field(default_factory=TrackerSettings)
    recovery: RecoverySettings = Field(default_factory=RecoverySettings)
    held_max_s: float = Field(
        default=0.25, ge=0, description="a picture repeated over frames (slow motion made by "
        "repeating each picture, a frame-rate pulldown, a screen recording) says where the "
        "athlete was when it first appears; its repeats, up to this long, take the pose "
        "between it and the next new picture instead of a staircase of copies (0: off)",
    )  # fmt: skip
    allow_download: bool = False


class PoseReport(BaseModel):
    """What happened: the video, the model, how often the athlete was seen, and why them."""

    video: VideoInfo
    backend: str
    model: str
    skeleton: str
    window: FrameWindow
    frames: int = Field(description="frames processed (after window and stride)")
    frames_with_anyone: int
    frames_with_athlete: int
    frames_held: int = Field(
        default=0, description="frames that repeat the picture before them (a held "
        "picture's repeats take the pose between it and the next new one)",
    )  # fmt: skip
    frames_recovered: int = Field(
        default=0, description="of those, frames found by looking again in a crop around "
        "where the athlete was (the first pass had missed them)",
    )  # fmt: skip
    detection_rate: float = Field(description="frames with the athlete / frames processed")
    inference_size: tuple[int, int]
    view: str
    selection: AthleteSelection
    elapsed_s: float
    processing_fps: float
    ended_early: bool = Field(description="the file ended well before its declared length")


class PoseExtraction(BaseModel):
    """The athlete's pose plus the report; ``tracks`` (everyone seen) feeds overlays."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    pose: PoseSequence
    report: PoseReport
    tracks: list[Track] = Field(default_factory=list, exclude=True)


def create_backend(settings: PoseSettings, still: bool = False) -> PoseBackend:
    """The configured backend, with its model resolved locally (or a clear error);
    ``still``: one that takes each image on its own (no tracking between calls)."""
    if settings.backend == "mediapipe":
        from .mediapipe_backend import MediaPipeBackend

        return MediaPipeBackend(
            resolve_mediapipe_model(settings.model or "full"),
            num_poses=settings.num_poses,
            min_detection_confidence=settings.min_detection_confidence,
            still=still,
        )
    from .rtmlib_backend import RtmlibBackend

    return RtmlibBackend(
        settings.model or DEFAULT_RTMLIB_MODEL,
        detector=settings.detector,
        allow_download=settings.allow_download,
        min_person_score=settings.min_person_score,
    )


class _CanonicalMap:
    """Source keypoint indices -> canonical joints, in vocabulary order."""

    def __init__(self, skeleton: str) -> None:
        names = INDEXED_SKELETONS[skeleton]
        self.joints = tuple(order_joints([n for n in names if n is not None]))
        self.source_index = np.array([names.index(j) for j in self.joints])

    def observation(
        self, det: PersonDetection, frame: int, time_s: float, scale: float
    ) -> Observation:
        kp = det.keypoints[self.source_index] / scale
        return Observation(
            frame=frame, time_s=time_s, keypoints=kp, scores=det.scores[self.source_index]
        )

    def usable(self, det: PersonDetection, min_person_score: float) -> bool:
        """A person clear enough to keep: median joint score and at least 3 located joints."""
        return (
            float(np.median(det.scores[self.source_index])) >= min_person_score
            and np.isfinite(det.keypoints[self.source_index]).all(axis=1).sum() >= 3
        )


def _preparer(backend: PoseBackend, scale: float) -> Callable[[Image], Any]:
    def prepare(image: Image) -> Any:
        return backend.prepare(resize_for_inference(image, scale))

    return prepare


def _expected_frames(info: VideoInfo, window: FrameWindow) -> int | None:
    if info.declared_frames is None:
        return None
    end = window.end_s if window.end_s is not None else info.declared_frames / info.fps
    span = max(0.0, min(end, info.declared_frames / info.fps) - window.start_s)
    return max(1, math.ceil(span * info.fps / window.stride))


def extract_pose(
    video: str | Path,
    settings: PoseSettings | None = None,
    *,
    backend: PoseBackend | None = None,
    progress: bool = True,
    stop: threading.Event | None = None,
    performs: MotionCheck | None = None,
) -> PoseExtraction:
    """Run pose estimation over ``video`` and return the athlete's skeleton; once ``stop``
    is set, the next frame raises ``StoppedError`` (decoding and inference end at once).

    With ``performs`` and no hint, when more than one person may be the athlete, the
    athlete is the one whose movement shows the motion; when nobody's or more than one
    person's does, ``AthleteChoiceError`` lists them so the user can point at one."""
    settings = settings or PoseSettings()
    video = Path(video)
    info = probe_video(video)
    own_backend = backend is None
    model = backend or create_backend(settings)
    try:
        return _run(video, info, settings, model, progress, stop, performs)
    finally:
        if own_backend:
            model.close()


def _run(
    video: Path, info: VideoInfo, settings: PoseSettings, backend: PoseBackend, progress: bool,
    stop: threading.Event | None, performs: MotionCheck | None,
) -> PoseExtraction:  # fmt: skip
    window = settings.window
    scale = inference_scale(info, window.max_side)
    mapping = _CanonicalMap(backend.skeleton)
    tracker = PersonTracker(settings.tracker)
    frames = VideoFrames(info, window, prepare=_preparer(backend, scale), measure_change=True)
    times: list[float] = []
    changes: list[tuple[float, float]] = []
    with_anyone = 0
    last_ms = -1
    started = time.perf_counter()
    bar: Any = tqdm(
        total=_expected_frames(info, window),
        desc=f"pose {video.name}",
        unit="frame",
        disable=not progress,
        leave=False,
    )
    log.info("%s: estimating the pose (%s frames declared, %s)", video.name,
             info.declared_frames or "no", backend.name)  # fmt: skip
    with bar:
        for frame in frames:  # the decoder stops at the length limit, whatever the header says
            if stop is not None and stop.is_set():
                raise StoppedError(f"pose extraction of {video.name} stopped")
            ms = max(round(frame.time_s * 1000), last_ms + 1)  # strictly increasing for VIDEO mode
            last_ms = ms
            detections = backend.detect(frame.prepared, ms)
            position = len(times)
            times.append(frame.time_s)
            changes.append(frame.change)
            people = [
                mapping.observation(d, position, frame.time_s, scale)
                for d in detections
                if mapping.usable(d, settings.min_person_score)
            ]
            with_anyone += bool(people)
            tracker.update(people)
            bar.update(1)
    elapsed = time.perf_counter() - started
    if not times:
        raise MotionInputError(video, f"no frames between {window.start_s} s and {window.end_s} s")
    if not tracker.tracks:
        raise NoPersonError(video, f"no person detected in any of its {len(times)} frames")
    fps = info.fps / window.stride
    held = held_frames(changes)
    chain, selection, chains = select_athlete(
        tracker.tracks, info.height, settings.athlete, settings.tracker, fps
    )

    def first_pass(chain: list[Track]) -> PoseSequence:
        pose = _athlete_sequence(video, info, settings, backend, mapping, times, chain)
        return _with_view(through_held(pose, held, settings.held_max_s))

    def athlete(chain: list[Track]) -> tuple[PoseSequence, int]:
        pose = _athlete_sequence(video, info, settings, backend, mapping, times, chain)
        others = [t for t in tracker.tracks if t.id not in {c.id for c in chain}]
        pose, found = _recover(info, settings, backend, mapping, scale, pose, chain, others, stop)
        return _with_view(through_held(pose, held, settings.held_max_s)), found

    pose, recovered = athlete(chain)
    if performs is not None and settings.athlete is None and len(selection.people) >= 2:
        chosen, selection, looked = _performer(
            video.name, selection, chains, pose, first_pass, athlete, performs
        )
        if chains[chosen] is not chain:  # not the largest mover: their pose, looked at again
            chain = chains[chosen]
            pose, recovered = looked if looked is not None else athlete(chain)
    view = pose.view or "unknown"
    seen = int(np.count_nonzero(pose.confidence.max(axis=1) > 0))
    report = PoseReport(
        video=info,
        backend=backend.name,
        model=backend.model_path,
        skeleton=backend.skeleton,
        window=window,
        frames=len(times),
        frames_with_anyone=with_anyone,
        frames_with_athlete=seen,
        frames_held=int(sum(held)),
        frames_recovered=recovered,
        detection_rate=round(seen / len(times), 4),
        inference_size=(round(info.width * scale), round(info.height * scale)),
        view=view,
        selection=selection,
        elapsed_s=round(elapsed, 3),
        processing_fps=round(len(times) / elapsed, 2) if elapsed > 0 else 0.0,
        ended_early=frames.ended_early,
    )
    log.info(
        "%s: athlete in %d/%d frames (tracks %s), %s view, %.1f frames/s",
        video.name, seen, len(times), selection.track_ids, view, report.processing_fps,
    )  # fmt: skip
    return PoseExtraction(pose=pose, report=report, tracks=tracker.tracks)


def _performer(
    name: str, selection: AthleteSelection, chains: dict[int, list[Track]],
    athlete: PoseSequence, first_pass: Callable[[list[Track]], PoseSequence],
    looked_again: Callable[[list[Track]], tuple[PoseSequence, int]], performs: MotionCheck,
) -> tuple[int, AthleteSelection, tuple[PoseSequence, int] | None]:  # fmt: skip
    """Which of the people who may be the athlete performs the motion, the selection that
    says so, and the chosen one's pose looked at again when it was made here (else None).
    The largest mover's whole pose is searched, the others' first-pass poses; where a
    first pass shows no motion, that person is looked at again (``looked_again``, as the
    athlete would be) and searched once more: a small person's first-pass landmarks are
    poorer than the ones the crops give. AthleteChoiceError when that does not tell."""
    default = next(p.id for p in selection.people if p.athlete)
    looked: dict[int, tuple[PoseSequence, int]] = {}
    for person in selection.people:
        if person.id == default:
            found = performs.find(athlete)
        else:
            found = performs.find(first_pass(chains[person.id]))
            if found is None:
                looked[person.id] = looked_again(chains[person.id])
                found = performs.find(looked[person.id][0])
        person.performs, person.performs_s = found or (None, 0.0)
        person.checked = True
        log.info("%s: person %d performs %s (%.1f s)", name, person.id, person.performs,
                 person.performs_s)  # fmt: skip
    chosen, why = performer(selection.people, default, performs.what)
    if chosen is None:
        raise AthleteChoiceError(why, selection.people)
    ids = {t.id for t in chains[chosen]}
    for track in selection.tracks:
        track.athlete = track.id in ids
    for person in selection.people:
        person.athlete = person.id == chosen
    update = {"track_ids": sorted(ids), "method": why}
    return chosen, selection.model_copy(update=update), looked.get(chosen)


def _with_view(pose: PoseSequence) -> PoseSequence:
    """``pose`` with the camera view its skeleton shows ("unknown" when it cannot tell)."""
    view: View
    try:
        view = estimate_view(pose)
    except MissingJointError:
        view = "unknown"
    return pose.replace(view=view)


def _recover(
    info: VideoInfo, settings: PoseSettings, backend: PoseBackend, mapping: _CanonicalMap,
    scale: float, pose: PoseSequence, chain: list[Track], others: list[Track],
    stop: threading.Event | None = None,
) -> tuple[PoseSequence, int]:  # fmt: skip
    """The athlete's sequence with the frames ``recover_athlete`` found them in filled
    (never where the first pass saw one of ``others``, everyone else)."""
    seen_others: dict[int, list[FloatArray]] = {}
    for track in others:
        for obs in track.observations:
            seen_others.setdefault(obs.frame, []).append(obs.box)
    times = pose.frame_times
    seen = {
        f: Observation(frame=f, time_s=float(times[f]), keypoints=pose.positions[f],
                       scores=pose.confidence[f])
        for f in range(pose.n_frames)
        if np.isfinite(pose.positions[f]).all(axis=1).sum() >= 3 and pose.confidence[f].max() > 0
    }  # fmt: skip

    def to_observation(det: PersonDetection, frame: int, time_s: float) -> Observation | None:
        if not mapping.usable(det, settings.min_person_score):
            return None
        return mapping.observation(det, frame, time_s, scale)

    def still_backend() -> tuple[PoseBackend, bool]:
        # MediaPipe's VIDEO mode tracks between calls: crops need an IMAGE-mode twin;
        # rtmlib takes every image on its own already
        if backend.name == "mediapipe":
            return create_backend(settings, still=True), True
        return backend, False

    found = recover_athlete(
        info, settings.window, scale, seen, pose.n_frames, still_backend, to_observation,
        settings.recovery, seen_others, stop,
    )  # fmt: skip
    if not found:
        return pose, 0
    positions, confidence = pose.positions.copy(), pose.confidence.copy()
    person = pose.person_id.copy() if pose.person_id is not None else None
    athlete_id = chain[0].id if chain else -1
    for f, obs in found.items():
        positions[f], confidence[f] = obs.keypoints, obs.scores
        if person is not None:
            person[f] = athlete_id
    log.info("%s: the athlete found again in %d frames", info.path, len(found))
    return pose.replace(positions=positions, confidence=confidence, person_id=person), len(found)


def through_held(pose: PoseSequence, held: list[bool], max_s: float) -> PoseSequence:
    """``pose`` with held pictures re-timed (``held[i]``: frame i repeats the picture of
    frame i - 1). A picture shown over several frames was taken somewhere in that time,
    so it stands for the middle of its frames, and each frame takes the pose between the
    pictures before and after it, by time: the athlete moves through the hold instead of
    in a staircase of copies, and a contact shown in one picture spans its frames half
    before, half after. A picture held longer than ``max_s`` (a title card, a freeze
    frame) keeps its copies."""
    flags = np.asarray(held[: pose.n_frames], dtype=bool)
    if max_s <= 0 or not flags.any():
        return pose
    times = np.asarray(pose.frame_times, dtype=np.float64)
    first = np.flatnonzero(~flags)  # where each picture first appears
    if not len(first) or first[0] != 0:
        first = np.concatenate([[0], first])
    last = np.append(first[1:], pose.n_frames) - 1
    keep = times[last] - times[first] > max_s  # frozen: its copies stay
    points: list[tuple[int, float]] = []  # (frame whose pose it is, the time it stands for)
    for a, b, frozen in zip(first.tolist(), last.tolist(), keep.tolist(), strict=True):
        points += [(a, times[a]), (b, times[b])] if frozen else [(a, (times[a] + times[b]) / 2)]
    samples = np.asarray([f for f, _ in points], dtype=np.intp)
    instants = np.asarray([t for _, t in points], dtype=np.float64)
    right = np.clip(np.searchsorted(instants, times, side="right"), 1, len(instants) - 1)
    left = right - 1
    span = instants[right] - instants[left]
    w = np.clip((times - instants[left]) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    if len(instants) == 1:
        left = right = np.zeros(len(times), dtype=np.intp)
    a_pos, b_pos = pose.positions[samples[left]], pose.positions[samples[right]]
    positions = (1 - w)[:, None, None] * a_pos + w[:, None, None] * b_pos
    confidence = np.minimum(pose.confidence[samples[left]], pose.confidence[samples[right]])
    frozen = np.repeat(keep, last - first + 1)  # each frame: is its picture frozen?
    positions[frozen], confidence[frozen] = pose.positions[frozen], pose.confidence[frozen]
    confidence[~np.isfinite(positions).all(axis=2)] = 0.0
    return pose.replace(positions=positions, confidence=confidence)


def _athlete_sequence(
    video: Path,
    info: VideoInfo,
    settings: PoseSettings,
    backend: PoseBackend,
    mapping: _CanonicalMap,
    times: list[float],
    chain: list[Track],
) -> PoseSequence:
    n, j = len(times), len(mapping.joints)
    positions = np.full((n, j, 2), np.nan)
    confidence = np.zeros((n, j))
    person = np.full(n, -1, dtype=np.int64)
    quality = np.full(n, -1.0)
    for track in chain:
        for obs in track.observations:
            if obs.quality <= quality[obs.frame]:
                continue  # a frame two stitched fragments share: keep the clearer one
            quality[obs.frame] = obs.quality
            positions[obs.frame] = obs.keypoints
            confidence[obs.frame] = obs.scores
            person[obs.frame] = track.id
    return PoseSequence(
        joints=mapping.joints,
        positions=positions,
        confidence=confidence,
        fps=info.fps / settings.window.stride,
        units="px",
        skeleton=backend.skeleton,
        source=str(video),
        times=np.asarray(times),
        person_id=person,
        image_size=(info.width, info.height),
    )
