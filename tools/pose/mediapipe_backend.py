"""MediaPipe Tasks PoseLandmarker (BlazePose, 33 landmarks incl. heels and toes)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ModelLoadError
from .backends import PersonDetection, native_stderr_silenced
from .models import check_task_bundle

log = logging.getLogger(__name__)


class MediaPipeBackend:
    """PoseLandmarker in VIDEO mode: it tracks between frames, so calls must be in time order
    (``still=True``: IMAGE mode, every call on its own, e.g. crops around the athlete).

    ``num_poses`` >= 2 matters: with one pose, MediaPipe's own tracker may lock onto a
    bystander; we take everyone and choose the athlete ourselves.
    """

    name = "mediapipe"
    skeleton = "mediapipe33"

    def __init__(
        self,
        model_path: str | Path,
        *,
        num_poses: int = 2,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        still: bool = False,
    ) -> None:
        path = Path(model_path)
        check_task_bundle(path)
        self.model_path = str(path)
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.IMAGE if still else vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=False,
        )
        try:
            with native_stderr_silenced():
                self._landmarker: Any = vision.PoseLandmarker.create_from_options(options)
        except Exception as exc:  # mediapipe raises RuntimeError/ValueError with C++ text
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelLoadError(f"{path}: MediaPipe cannot load this model ({first})") from exc
        self._quiet = True
        self._still = still
        log.debug("loaded MediaPipe PoseLandmarker %s (num_poses=%d)", path, num_poses)

    def prepare(self, image: npt.NDArray[np.uint8]) -> Any:
        """BGR frame -> mp.Image (RGB); building it copies the pixels, so do it early."""
        import cv2
        import mediapipe as mp

        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))

    def detect(self, prepared: Any, time_ms: int) -> list[PersonDetection]:
        frame = prepared
        h, w = frame.height, frame.width
        # MediaPipe's graph logs set-up notes (delegates, ROI projection) on the first call
        # and on the first call that finds a person; mute fd 2 until both have happened.
        with native_stderr_silenced(self._quiet):
            if self._still:
                result = self._landmarker.detect(frame)
            else:
                result = self._landmarker.detect_for_video(frame, int(time_ms))
        if result.pose_landmarks:
            self._quiet = False
        people = []
        for landmarks in result.pose_landmarks:
            kp = np.array([(lm.x * w, lm.y * h) for lm in landmarks], dtype=np.float64)
            vis = np.array([lm.visibility or 0.0 for lm in landmarks], dtype=np.float64)
            people.append(PersonDetection(keypoints=kp, scores=np.clip(vis, 0.0, 1.0)))
        return people

    def close(self) -> None:
        landmarker, self._landmarker = self._landmarker, None
        if landmarker is not None:
            with native_stderr_silenced():
                landmarker.close()
