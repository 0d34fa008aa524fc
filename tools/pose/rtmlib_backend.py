"""rtmlib (RTMO one-stage, or YOLOX + RTMPose two-stage) on onnxruntime, local files only.

rtmlib downloads missing checkpoints on first use; we hand it only local paths (or a
URL when the user passed ``--allow-download``), so nothing is fetched silently.
"""

from __future__ import annotations

import contextlib
import io
import logging
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ModelLoadError
from .backends import PersonDetection, native_stderr_silenced
from .models import (
    DEFAULT_RTMLIB_DETECTOR,
    RTMLIB_MODELS,
    resolve_rtmlib_model,
    rtmlib_kind,
)

log = logging.getLogger(__name__)

SKELETON_BY_KEYPOINTS = {17: "coco17", 26: "halpe26", 133: "coco_wholebody133"}


def _load(cls: Any, path: str, what: str, **kwargs: Any) -> Any:
    """Build an rtmlib tool; its stdout chatter goes to the debug log, errors get a name."""
    chatter = io.StringIO()
    try:
        with contextlib.redirect_stdout(chatter), native_stderr_silenced():
            tool = cls(onnx_model=path, backend="onnxruntime", device="cpu", **kwargs)
    except Exception as exc:
        raise ModelLoadError(f"{path}: cannot load the {what} model ({exc})") from exc
    if chatter.getvalue().strip():
        log.debug("rtmlib: %s", chatter.getvalue().strip())
    _fit_input_size(tool)
    return tool


def _fit_input_size(tool: Any) -> None:
    """Use the ONNX file's own input size (a custom export may differ from the default)."""
    shape = tool.session.get_inputs()[0].shape
    if len(shape) == 4 and all(isinstance(v, int) and v > 0 for v in shape[2:]):
        h, w = int(shape[2]), int(shape[3])
        is_rtmpose = type(tool).__name__ == "RTMPose"  # rtmlib: (w, h) here, (h, w) elsewhere
        tool.model_input_size = (w, h) if is_rtmpose else (h, w)


class RtmlibBackend:
    """Multi-person 2D pose from RTMO, or from a YOLOX detector plus RTMPose."""

    name = "rtmlib"

    def __init__(
        self,
        model: str = "rtmo-m",
        *,
        detector: str | None = None,
        allow_download: bool = False,
        min_person_score: float = 0.3,
    ) -> None:
        from rtmlib import RTMO, YOLOX, RTMPose

        path = resolve_rtmlib_model(model, allow_download=allow_download)
        kind = rtmlib_kind(model, path)
        if kind == "yolox":
            raise ModelLoadError(f"{model} is a person detector, not a pose model")
        self.model_path = path
        self.min_person_score = min_person_score
        self._detector: Any = None
        if kind == "rtmo":
            self._pose: Any = _load(RTMO, path, "RTMO pose", score_thr=0.3)
        else:
            det_spec = detector or DEFAULT_RTMLIB_DETECTOR
            det_path = resolve_rtmlib_model(det_spec, allow_download=allow_download)
            size = RTMLIB_MODELS[det_spec].input_size if det_spec in RTMLIB_MODELS else (640, 640)
            self._detector = _load(YOLOX, det_path, "YOLOX person detector", model_input_size=size)
            self._pose = _load(RTMPose, path, "RTMPose")
        self.skeleton = self._skeleton_from_outputs()
        log.debug("loaded rtmlib %s model %s (%s)", kind, path, self.skeleton)

    def _skeleton_from_outputs(self) -> str:
        """Keypoint count from the model's output shape: 17 COCO, 26 Halpe, 133 wholebody."""
        outputs = self._pose.session.get_outputs()
        for out in outputs:
            shape = out.shape
            for dim in shape:
                if isinstance(dim, int) and dim in SKELETON_BY_KEYPOINTS:
                    return SKELETON_BY_KEYPOINTS[dim]
        raise ModelLoadError(
            f"{self.model_path}: cannot tell the keypoint layout from its outputs "
            f"{[o.shape for o in outputs]} (expected 17, 26 or 133 keypoints)"
        )

    def prepare(self, image: npt.NDArray[np.uint8]) -> Any:
        return image  # rtmlib takes OpenCV's BGR frames as they are

    def detect(self, prepared: Any, time_ms: int) -> list[PersonDetection]:
        image = prepared
        if self._detector is not None:
            boxes = self._detector(image)
            if len(boxes) == 0:
                return []
            keypoints, scores = self._pose(image, bboxes=boxes)
        else:
            keypoints, scores = self._pose(image)
        people = []
        for kp, sc in zip(np.asarray(keypoints), np.asarray(scores), strict=True):
            sc = np.clip(np.asarray(sc, dtype=np.float64), 0.0, 1.0)
            if float(np.median(sc)) < self.min_person_score:
                continue  # rtmlib's "nobody" placeholder, or a faint false positive
            people.append(PersonDetection(keypoints=np.asarray(kp, dtype=np.float64), scores=sc))
        return people

    def close(self) -> None:
        self._pose = self._detector = None
