"""The pose stage's pictures: the skeleton drawn on the video (``pose --overlay``), and
thumbnails round the athlete; the video frames behind a pose, matched by time."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from ..errors import SportsGPTError
from ..pose.extract import PoseExtraction
from ..pose.tracking import Observation, PersonFound
from ..pose.video import Frame, FrameWindow, Image, VideoFrames, probe_video, resize_for_inference
from ..pose_sequence import PoseSequence
from .draw import MID_BGR, OTHER_BGR, draw_skeleton, even
from .video import VideoSink

log = logging.getLogger(__name__)


def frames_at(video: str | Path, times: Sequence[float]) -> Iterator[tuple[int, Frame]]:
    """The decoded frames at ``times`` (seconds, within half a frame), as (index into
    ``times``, frame) in time order; equal times share their frame, and a time no frame
    matches is logged and skipped."""
    info = probe_video(video)
    order = sorted(range(len(times)), key=lambda i: times[i])
    if not order:
        return
    tolerance = 0.5 / info.fps
    window = FrameWindow(
        start_s=max(0.0, times[order[0]] - tolerance), end_s=times[order[-1]] + tolerance
    )
    pending = iter(order)
    target = next(pending, None)
    for frame in VideoFrames(info, window):
        while target is not None and times[target] < frame.time_s - tolerance:
            log.warning("%s: no video frame at t=%.3f s", video, times[target])
            target = next(pending, None)
        if target is None:
            break
        if abs(frame.time_s - times[target]) <= tolerance:
            matched = times[target]
            while target is not None and times[target] == matched:
                yield target, frame
                target = next(pending, None)


def frames_of(pose: PoseSequence, indices: list[int] | None = None) -> Iterator[tuple[int, Frame]]:
    """The video frames behind ``pose`` frames (all, or ``indices``), matched by time.

    Matching on the frames' true times, not on counts, makes this independent of the
    start, end and stride the pose was extracted with.
    """
    wanted = sorted(set(range(pose.n_frames) if indices is None else indices))
    times = pose.frame_times
    for k, frame in frames_at(pose.source, [float(times[i]) for i in wanted]):
        yield wanted[k], frame


def write_overlay(
    extraction: PoseExtraction,
    path: str | Path,
    *,
    show_others: bool = True,
    max_side: int = 960,
    progress: bool = True,
) -> Path:
    """The video with the athlete's skeleton (and, thin, everyone else's) drawn on it.

    Written at most ``max_side`` pixels wide or high: VP8 encoding at full phone
    resolution is slower than pose estimation, and a coach watches it in a chat window.
    """
    path = Path(path)
    pose = extraction.pose
    info = probe_video(pose.source)
    others: dict[int, list[Observation]] = {}
    if show_others:
        chosen = set(extraction.report.selection.track_ids)
        for track in extraction.tracks:
            if track.id not in chosen:
                for obs in track.observations:
                    others.setdefault(obs.frame, []).append(obs)
    shrink = min(1.0, max_side / max(info.width, info.height))
    out_size = (even(info.width * shrink), even(info.height * shrink))
    scale = max(out_size) / 1000
    with VideoSink(path, pose.fps, out_size) as writer:
        frames = frames_of(pose)
        bar = tqdm(
            frames,
            total=pose.n_frames,
            desc="overlay",
            unit="frame",
            disable=not progress,
            leave=False,
        )
        for i, frame in bar:
            image = cv2.resize(resize_for_inference(frame.image, shrink), out_size)
            for obs in others.get(i, []):
                draw_skeleton(
                    image,
                    pose.joints,
                    obs.keypoints * shrink,
                    obs.scores,
                    colour=OTHER_BGR,
                    scale=scale / 2,
                )
            draw_skeleton(
                image, pose.joints, pose.positions[i] * shrink, pose.confidence[i], scale=scale
            )
            label = f"t={pose.frame_times[i]:.2f}s" + (
                "" if pose.confidence[i].any() else "  athlete not seen"
            )
            cv2.putText(
                image,
                label,
                (int(20 * scale), int(40 * scale)),
                cv2.FONT_HERSHEY_SIMPLEX,
                scale,
                MID_BGR,
                max(1, round(2 * scale)),
                cv2.LINE_AA,
            )
            writer.write(image)
    log.info("wrote overlay %s", path)
    return path


def thumbnail_frames(pose: PoseSequence, count: int) -> list[int]:
    """``count`` frames spread evenly over the frames where the athlete is seen."""
    seen = np.flatnonzero(pose.confidence.max(axis=1) > 0)
    if len(seen) == 0 or count <= 0:
        return []
    picks = np.linspace(0, len(seen) - 1, min(count, len(seen)))
    return sorted({int(seen[round(p)]) for p in picks})


def save_thumbnails(
    pose: PoseSequence,
    out_dir: str | Path,
    frames: list[int] | None = None,
    *,
    count: int = 6,
    height: int = 360,
) -> list[Path]:
    """PNG crops around the athlete with the skeleton drawn, one per frame in ``frames``.

    ``frames`` are indices into ``pose`` (e.g. keyframes found later by MotionDTW).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wanted = sorted(set(frames if frames is not None else thumbnail_frames(pose, count)))
    bad = [f for f in wanted if not 0 <= f < pose.n_frames]
    if bad:
        raise SportsGPTError(f"thumbnail frames {bad} are outside 0..{pose.n_frames - 1}")
    return [_thumbnail(pose, i, frame.image, out, height) for i, frame in frames_of(pose, wanted)]


def _square_round(box: tuple[float, float, float, float], image: Image) -> tuple[int, ...]:
    """left, top, right, bottom of a square 1.3 times the box's larger side (+20 px)
    round its centre, inside the image."""
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * 1.3 + 20
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    h_img, w_img = image.shape[:2]
    left, top = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
    right, bottom = int(min(w_img, cx + side / 2)), int(min(h_img, cy + side / 2))
    return left, top, right, bottom


def _to_height(crop: Image, height: int) -> Image:
    factor = height / max(crop.shape[0], 1)
    size = (max(1, round(crop.shape[1] * factor)), height)
    return np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _thumbnail(pose: PoseSequence, i: int, image: Image, out: Path, height: int) -> Path:
    kp, conf = pose.positions[i], pose.confidence[i]
    ok = np.isfinite(kp).all(axis=1) & (conf > 0)
    if ok.any():
        (x0, y0), (x1, y1) = kp[ok].min(axis=0), kp[ok].max(axis=0)
        left, top, right, bottom = _square_round((x0, y0, x1, y1), image)
    else:
        left, top, right, bottom = 0, 0, image.shape[1], image.shape[0]
    canvas = image.copy()
    draw_skeleton(canvas, pose.joints, kp, conf, scale=max(1.0, (bottom - top) / 600))
    crop = _to_height(canvas[top:bottom, left:right], height)
    cv2.putText(
        crop,
        f"frame {i}  t={pose.frame_times[i]:.2f}s",
        (8, 22),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.6,
        MID_BGR,
        2,
        cv2.LINE_AA,
    )
    path = out / f"frame_{i:05d}.png"
    cv2.imwrite(str(path), crop)
    return path


def people_thumbnails(
    video: str | Path, people: list[PersonFound], out_dir: str | Path, height: int = 240
) -> list[Path]:
    """One PNG per person, in their order: the frame where they are seen most clearly,
    cropped round them, their number in the corner (to choose the athlete from)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {i: _person_crop(frame.image, people[i], i + 1, out, height)
             for i, frame in frames_at(video, [p.time_s for p in people])}  # fmt: skip
    missing = [i + 1 for i in range(len(people)) if i not in paths]
    if missing:
        raise SportsGPTError(f"no video frame for person {missing[0]} of {Path(video).name}")
    return [paths[i] for i in range(len(people))]


def _person_crop(image: Image, person: PersonFound, number: int, out: Path, height: int) -> Path:
    left, top, right, bottom = _square_round(person.box, image)
    crop = _to_height(image[top:bottom, left:right], height)
    cv2.putText(crop, str(number), (10, 36), cv2.FONT_HERSHEY_SIMPLEX, 1.2, MID_BGR, 3,
                cv2.LINE_AA)  # fmt: skip
    path = out / f"person_{number}.png"
    cv2.imwrite(str(path), crop)
    return path
