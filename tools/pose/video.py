"""Stream frames from a video file with their true timestamps.

Frames are decoded one at a time (never the whole clip in memory) on a background
thread, so decoding and resizing overlap with pose inference. OpenCV applies the
container's rotation, so frames arrive upright; ``VideoInfo`` reports the rotation it
applied and the upright size. Timestamps come from the container (presentation times),
so variable-frame-rate and slow-motion phone videos keep true time.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field, model_validator

from ...settings import current_settings, quiet_decoder_logs
from ..errors import MotionInputError
from ..readers import check_input_size

log = logging.getLogger(__name__)

quiet_decoder_logs()  # before the first capture (every capture opens here)

Image = npt.NDArray[np.uint8]


class VideoInfo(BaseModel):
    """What the container says about a video, plus the upright frame size."""

    path: str
    width: int = Field(gt=0, description="upright frame width in pixels")
    height: int = Field(gt=0, description="upright frame height in pixels")
    fps: float = Field(gt=0, description="nominal frame rate from the container")
    declared_frames: int | None = Field(description="frame count the container declares")
    rotation_deg: int = Field(description="rotation from container metadata (applied)")

    @property
    def declared_duration_s(self) -> float | None:
        return None if self.declared_frames is None else self.declared_frames / self.fps


class FrameWindow(BaseModel):
    """Which frames to read: a time window, every ``stride``-th frame, inference size."""

    start_s: float = Field(default=0.0, ge=0)
    end_s: float | None = Field(default=None, gt=0)
    stride: int = Field(default=1, ge=1)
    max_side: int | None = Field(default=None, ge=64, description="longest side for inference")

    @model_validator(mode="after")
    def _check_window(self) -> FrameWindow:
        if self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError(f"end ({self.end_s} s) must be after start ({self.start_s} s)")
        return self


@dataclass(frozen=True)
class Frame:
    """One decoded frame: its index among all decoded frames, its time and pixels."""

    index: int
    time_s: float
    image: Image  # BGR, upright, original resolution
    prepared: Any = None  # what the consumer's ``prepare`` made of it (e.g. RGB, resized)
    change: tuple[float, float] = (1.0, 1.0)  # from the frame before, when measured


CHANGE_LEVEL = 12
"""Grey levels by which a colour value must differ to count as changed (well above a
re-encoded picture's noise)."""
NOISE_LEVEL = 2
"""Grey levels by which a colour value differs in a new picture of a still scene (sensor
noise, re-encoding), and hardly ever in a repeated one."""
HELD_RATIO = 0.1
"""A frame repeats the picture before it when it changed less than this share of how much
the frames round it change: on ../shared/data/video, a picture repeated three times by a
slow-motion edit changes 0-0.00003 of its values where its new pictures change
0.003-0.008, and a 24 -> 30 fps pulldown's repeats 0.00001-0.003 where its new pictures
change 0.04-0.07."""
NOISE_RATIO = 0.3
"""... and its values that differ by NOISE_LEVEL are under this share of those round it:
repeats 0.1-0.15 of their neighbours', where a new picture in which the athlete hardly
moves (a sprinter settling into the blocks) keeps its noise, about 0.7 of theirs."""
MOVING_SHARE = 0.0005
"""Round a repeat, the new pictures change at least this share of their values: an
athlete holding still before a static camera changes 0.00004-0.0001 a frame, so no frame
of such a stretch is a repeat, however little it changed."""
HELD_AROUND = 5
"""Frames either side that say how much the pictures change there."""
CHANGE_STEP = 3
"""One pixel in three along each side is compared (a ninth of the work, the same share;
under a millisecond for a 1080p frame, on the decoder's thread)."""


def picture_change(a: Image, b: Image) -> tuple[float, float]:
    """Shares of the colour values of ``b`` that differ from ``a`` by more than
    CHANGE_LEVEL and by more than NOISE_LEVEL, on a grid of every CHANGE_STEP-th pixel
    ((1.0, 1.0) when their sizes differ)."""
    if a.shape != b.shape:
        return 1.0, 1.0
    size = (max(1, a.shape[1] // CHANGE_STEP), max(1, a.shape[0] // CHANGE_STEP))
    grid_a = cv2.resize(a, size, interpolation=cv2.INTER_NEAREST)  # a grid, not a blur
    grid_b = cv2.resize(b, size, interpolation=cv2.INTER_NEAREST)
    diff = cv2.absdiff(grid_a, grid_b)
    n = float(diff.size)
    return np.count_nonzero(diff > CHANGE_LEVEL) / n, np.count_nonzero(diff > NOISE_LEVEL) / n


def held_frames(changes: list[tuple[float, float]]) -> list[bool]:
    """Which frames repeat the picture of the frame before them (slow motion made by
    repeating pictures, a frame-rate pulldown, a screen recording), from each frame's
    ``picture_change``: one that changed far less than the frames round it, inside
    movement (new pictures that change at least MOVING_SHARE both before and after it,
    within HELD_AROUND frames), and without the noise a new picture has. The start or
    end of a stretch where nothing moves is no repeat."""
    c = np.asarray(changes, dtype=np.float64).reshape(-1, 2)
    out = np.zeros(len(c), dtype=bool)
    for i in range(1, len(c)):
        before = c[max(1, i - HELD_AROUND) : i]
        after = c[i + 1 : i + 1 + HELD_AROUND]
        before, after = before[before[:, 0] >= MOVING_SHARE], after[after[:, 0] >= MOVING_SHARE]
        if len(before) and len(after):
            typical = np.median(np.concatenate([before, after]), axis=0)
            out[i] = bool(c[i, 0] < HELD_RATIO * typical[0] and c[i, 1] < NOISE_RATIO * typical[1])
    return out.tolist()


def _open(path: Path) -> cv2.VideoCapture:
    if not path.exists():
        raise MotionInputError(path, "no such file")
    if path.is_dir():
        raise MotionInputError(path, "is a folder, not a video file")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise MotionInputError(
            path,
            "cannot be opened as a video (not a video, an unsupported codec, or a "
            "truncated/corrupt file)",
        )
    return cap


def too_long(path: Path, how: str, limit: float) -> MotionInputError:
    return MotionInputError(
        path, f"{how}, over the limit of {limit:g} s (the input_max_video_s setting, "
        "$SPORTSGPT_INPUT_MAX_VIDEO_S): trim it to the motion",
    )  # fmt: skip


def _frame_past(cap: cv2.VideoCapture, limit_s: float) -> bool:
    """Whether a frame can be decoded past ``limit_s`` (one seek and one decode): a header
    that declares no length, or too short a one, is not believed. Backends that cannot
    seek say nothing here; decoding stops at the limit anyway (``VideoFrames``)."""
    if not cap.set(cv2.CAP_PROP_POS_MSEC, (limit_s + 0.5) * 1000.0):
        return False
    if not cap.grab():
        return False
    return float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0 > limit_s


def probe_video(path: str | Path, max_duration_s: float | None = None) -> VideoInfo:
    """Open the video, decode its first frame, and describe it; clear errors otherwise,
    among them a video longer than ``max_duration_s`` (default: the input_max_video_s
    setting) by its header or by a frame found past that time."""
    path = Path(path)
    check_input_size(path)  # before a decoder touches a file over the limit
    cap = _open(path)
    try:
        ok, frame = cap.read()
        if not ok or frame is None:
            raise MotionInputError(path, "contains no decodable frames (empty or corrupt video)")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not np.isfinite(fps) or fps <= 0 or fps > 10000:
            log.warning("%s: the container declares no usable frame rate; assuming 30 fps", path)
            fps = 30.0
        declared = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0) % 360
        height, width = frame.shape[:2]
        limit = max_duration_s or current_settings().input_max_video_s
        if declared > 0 and declared / fps > limit:
            raise too_long(path, f"lasts {declared / fps:.0f} s", limit)
        if _frame_past(cap, limit):  # the header may be silent or lie: look past the limit
            raise too_long(path, "has frames past that time (found by seeking)", limit)
        return VideoInfo(
            path=str(path),
            width=width,
            height=height,
            fps=fps,
            declared_frames=declared if declared > 0 else None,
            rotation_deg=rotation,
        )
    finally:
        cap.release()


def inference_scale(info: VideoInfo, max_side: int | None) -> float:
    """Factor from original pixels to inference pixels (<= 1; never upscales)."""
    if max_side is None:
        return 1.0
    return min(1.0, max_side / max(info.width, info.height))


def resize_for_inference(image: Image, scale: float) -> Image:
    if scale >= 1.0:
        return image
    h, w = image.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


class _Done:
    """Sentinel closing the frame queue; carries the decoder thread's error, if any."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class VideoFrames:
    """Iterate the frames of ``window`` in order, decoding ahead on a thread.

    After iteration, ``frames_decoded`` counts every frame the decoder went through and
    ``ended_early`` says whether the file ended well before its declared length (a
    truncated download, for instance): what was decoded is kept, with a warning.
    """

    def __init__(
        self,
        info: VideoInfo,
        window: FrameWindow | None = None,
        prepare: Callable[[Image], Any] | None = None,
        prefetch: int = 8,
        measure_change: bool = False,
    ) -> None:
        self.info = info
        self.window = window or FrameWindow()
        self.prepare = prepare
        self.prefetch = prefetch
        self.measure_change = measure_change  # Frame.change, for the pose pass alone
        self.frames_decoded = 0
        self.ended_early = False
        self.max_duration_s = current_settings().input_max_video_s

    def _times(self, cap: cv2.VideoCapture, index: int, previous: float | None) -> float:
        """Container presentation time of the frame just read (seconds)."""
        t = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
        nominal = index / self.info.fps
        if not np.isfinite(t) or (index > 0 and t <= 0.0):
            t = nominal  # backend without timestamps
        if previous is not None and t <= previous:
            t = previous + 1.0 / self.info.fps  # duplicate or out-of-order pts
        return t

    def _decode(self, out: queue.Queue[Frame | _Done], stop: threading.Event) -> None:
        win = self.window
        cap: cv2.VideoCapture | None = None
        error: BaseException | None = None
        try:
            cap = _open(Path(self.info.path))
            index, previous, in_window = 0, None, 0
            last: Image | None = None
            while not stop.is_set():
                if not cap.grab():
                    break
                t = self._times(cap, index, previous)
                if t > self.max_duration_s:  # measured, whatever the header said
                    raise too_long(Path(self.info.path), "runs past that time (found while "
                                   "decoding)", self.max_duration_s)  # fmt: skip
                previous = t
                index += 1
                if win.end_s is not None and t >= win.end_s:
                    break
                if t < win.start_s - 1e-6:
                    continue
                take = in_window % win.stride == 0
                in_window += 1
                if not take:
                    continue
                ok, decoded = cap.retrieve()
                if not ok or decoded is None:
                    break
                image: Image = np.asarray(decoded, dtype=np.uint8)
                prepared = self.prepare(image) if self.prepare else None
                change = (1.0, 1.0)
                if self.measure_change and last is not None:
                    change = picture_change(last, image)
                last = image
                frame = Frame(index=index - 1, time_s=t, image=image, prepared=prepared,
                              change=change)  # fmt: skip
                while not stop.is_set():
                    try:
                        out.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
            self.frames_decoded = index
        except BaseException as exc:  # handed to the consumer, re-raised there
            error = exc
        finally:
            if cap is not None:
                cap.release()
            out.put(_Done(error))

    def __iter__(self) -> Iterator[Frame]:
        frames: queue.Queue[Frame | _Done] = queue.Queue(maxsize=self.prefetch)
        stop = threading.Event()
        worker = threading.Thread(target=self._decode, args=(frames, stop), daemon=True)
        worker.start()
        try:
            while True:
                item = frames.get()
                if isinstance(item, _Done):
                    if item.error is not None:
                        raise item.error
                    break
                yield item
        finally:
            stop.set()
            while worker.is_alive():  # unblock a producer waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    frames.get(timeout=0.05)
            worker.join()
        self._check_length()

    def _check_length(self) -> None:
        declared = self.info.declared_frames
        if self.window.end_s is not None or declared is None:
            return
        if self.frames_decoded < 0.9 * declared - 1:
            self.ended_early = True
            log.warning(
                "%s: decoding stopped after %d of %d declared frames (truncated or corrupt "
                "file?); keeping the %d frames decoded",
                self.info.path,
                self.frames_decoded,
                declared,
                self.frames_decoded,
            )


def frames_at(path: str | Path, times: list[float]) -> list[Image]:
    """The frames shown nearest to each of ``times`` (seconds), e.g. an athlete's keyframes.

    Decodes only the stretch of video the times span."""
    if not times:
        return []
    info = probe_video(path)
    slack = 2.0 / info.fps
    window = FrameWindow(start_s=max(0.0, min(times) - slack), end_s=max(times) + slack)
    best: list[tuple[float, Image | None]] = [(np.inf, None) for _ in times]
    for frame in VideoFrames(info, window):
        for i, wanted in enumerate(times):
            gap = abs(frame.time_s - wanted)
            if gap < best[i][0]:
                best[i] = (gap, frame.image)
    missing = [t for t, (_, image) in zip(times, best, strict=True) if image is None]
    if missing:
        raise MotionInputError(Path(path), f"has no frames at {missing} s")
    return [image for _, image in best if image is not None]
