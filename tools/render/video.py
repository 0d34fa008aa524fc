"""Videos a coach plays: written with the ffmpeg that the ``imageio-ffmpeg`` package ships
(H.264 in MP4 for browsers, VP8 in WebM), read back to check what was written.

``VideoSink`` writes frames to a part file and moves it into place when done, so a
failed or stopped render leaves no half video behind.
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path
from types import TracebackType

import numpy as np
from pydantic import BaseModel, Field

from ..errors import SportsGPTError
from .draw import Image

log = logging.getLogger(__name__)

CODECS = {".mp4": "libx264", ".m4v": "libx264", ".mov": "libx264", ".mkv": "libx264",
          ".webm": "libvpx"}  # fmt: skip
"""What each container is written with: H.264 plays in every browser in MP4."""
ENCODER_OPTIONS = {
    "libx264": ["-preset", "veryfast", "-crf", "23", "-profile:v", "high",
                "-movflags", "+faststart"],
    "libvpx": ["-b:v", "2M", "-deadline", "realtime", "-cpu-used", "8"],
}  # fmt: skip


def ffmpeg_exe() -> str:
    """The ffmpeg binary inside the imageio-ffmpeg package (never a download)."""
    import imageio_ffmpeg

    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:  # the package's binary is missing (a broken install)
        raise SportsGPTError(f"cannot write video: {exc}") from None


def video_codec(path: Path) -> str:
    codec = CODECS.get(path.suffix.lower())
    if codec is None:
        raise SportsGPTError(f"a video must end in {', '.join(CODECS)}, got {path.name}")
    return codec


class VideoSink:
    """Frames (BGR, all one even size) in, a video file out."""

    def __init__(self, path: str | Path, fps: float, size: tuple[int, int]) -> None:
        import imageio_ffmpeg

        self.path = Path(path)
        self.codec = video_codec(self.path)
        width, height = size
        if width % 2 or height % 2 or width <= 0 or height <= 0:
            raise SportsGPTError(f"video frames must have an even size, got {width}x{height}")
        self.size, self.frames = size, 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._part = self.path.with_name(f".{self.path.stem}.part{self.path.suffix}")
        ffmpeg_exe()
        self._gen = imageio_ffmpeg.write_frames(
            str(self._part), size, pix_fmt_in="bgr24", pix_fmt_out="yuv420p", fps=float(fps),
            quality=None, codec=self.codec, macro_block_size=1, ffmpeg_log_level="error",
            output_params=ENCODER_OPTIONS[self.codec],
        )  # fmt: skip
        self._gen.send(None)

    def write(self, image: Image) -> None:
        if image.shape[:2] != (self.size[1], self.size[0]):
            raise SportsGPTError(f"frame {self.frames} is {image.shape[1]}x{image.shape[0]}, "
                                 f"not {self.size[0]}x{self.size[1]}")  # fmt: skip
        self._gen.send(np.ascontiguousarray(image, dtype=np.uint8))
        self.frames += 1

    def __enter__(self) -> VideoSink:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        try:
            self._gen.close()
        except (OSError, RuntimeError) as failed:
            self._part.unlink(missing_ok=True)
            if kind is None:
                raise SportsGPTError(f"ffmpeg could not write {self.path.name}: {failed}") from None
            return
        if kind is not None or self.frames == 0:
            self._part.unlink(missing_ok=True)
            if kind is None:
                raise SportsGPTError(f"no frame to write into {self.path.name}")
            return
        self._part.replace(self.path)
        log.info("wrote %s (%d frames, %s)", self.path, self.frames, self.codec)


class VideoFacts(BaseModel):
    """What a written video holds, read back from the file by ffmpeg."""

    path: str
    frames: int = Field(ge=0)
    codec: str = Field(description="e.g. h264")
    width: int
    height: int
    fps: float
    seconds: float


_STREAM = re.compile(r"Video: (\w+).*?, (\d+)x(\d+)")
_FPS = re.compile(r"([\d.]+) fps")


def video_facts(path: str | Path) -> VideoFacts:
    """Frame count (every frame decoded), codec, size and rate of a video file."""
    import imageio_ffmpeg

    path = Path(path)
    if not path.is_file():
        raise SportsGPTError(f"{path.name}: no such video")
    run = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                         text=True, timeout=60, check=False)  # fmt: skip
    stream = _STREAM.search(run.stderr)
    if stream is None:
        raise SportsGPTError(f"{path.name}: ffmpeg finds no video stream in it")
    fps = _FPS.search(run.stderr[stream.start() :])
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    return VideoFacts(path=str(path), frames=frames, codec=stream.group(1),
                      width=int(stream.group(2)), height=int(stream.group(3)),
                      fps=float(fps.group(1)) if fps else 0.0, seconds=float(seconds))  # fmt: skip
