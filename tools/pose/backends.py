"""One interface over the pose models: an image in, every person's keypoints out.

A backend reports keypoints in the pixels of the image it was given, in its own
skeleton's order (``skeleton`` names an entry of ``INDEXED_SKELETONS``); the extractor
maps them to canonical joints and back to the original frame's pixels.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PersonDetection:
    """One person in one image: (K, 2) keypoints in image pixels, (K,) scores in [0, 1]."""

    keypoints: FloatArray
    scores: FloatArray


class PoseBackend(Protocol):
    """What the extractor needs from a pose model."""

    name: str
    skeleton: str
    model_path: str

    def prepare(self, image: npt.NDArray[np.uint8]) -> Any:
        """The model's input for a BGR frame; runs on the decoder thread, ahead of detect."""
        ...

    def detect(self, prepared: Any, time_ms: int) -> list[PersonDetection]:
        """Every person in a prepared frame, in its pixels; ``time_ms`` increases strictly."""
        ...

    def close(self) -> None: ...


@contextlib.contextmanager
def native_stderr_silenced(enabled: bool = True) -> Iterator[None]:
    """Mute C++ log lines (TFLite, XNNPACK, absl) written straight to file descriptor 2.

    Used only around model loading, before any progress bar runs; Python exceptions are
    unaffected, so real failures still surface.
    """
    if not enabled:
        yield
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced (pytest capture, IDE)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    try:
        with Path(os.devnull).open("w") as devnull:
            os.dup2(devnull.fileno(), fd)
            try:
                yield
            finally:
                os.dup2(saved, fd)
    finally:
        os.close(saved)
