"""Find pose model files on disk, never on the network unless the user asks.

Search order for a model given by name (``lite``, ``rtmo-m``...), first hit wins:

1. an explicit path (``--model path/to/file``);
2. the ``model_dir`` setting (``$SPORTSGPT_MODEL_DIR``);
3. the project's ``models/`` folder (ships the MediaPipe lite and full bundles);
4. the user cache, ``<cache_dir>/models`` (default ``~/.cache/sportsgpt/models``);
5. the shared data folder's ``models/`` (development checkouts);
6. for rtmlib models only, rtmlib's own cache (``~/.cache/rtmlib/hub/checkpoints``).
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel

from ...settings import current_settings, rtmlib_cache_dir
from ..errors import ModelLoadError, ModelNotFoundError, SharedDataNotFoundError
from ..shared_data import PACKAGE_ROOT, shared_dir

MODEL_DIR_ENV: Final = "SPORTSGPT_MODEL_DIR"

MEDIAPIPE_MODELS: Final[dict[str, tuple[str, ...]]] = {
    # ours (built offline, NOTICE in models/) first, then Google's official file names
    "lite": ("pose_landmarker_lite_offline.task", "pose_landmarker_lite.task"),
    "full": ("pose_landmarker_full_offline.task", "pose_landmarker_full.task"),
    "heavy": ("pose_landmarker_heavy_offline.task", "pose_landmarker_heavy.task"),
}

_MMPOSE = "https://download.openmmlab.com/mmpose/v1/projects/"


class RtmlibModelSpec(BaseModel):
    """One rtmlib ONNX model: the file name in rtmlib's cache and where it comes from."""

    name: str
    kind: Literal["rtmo", "rtmpose", "yolox"]
    onnx_name: str
    url: str
    input_size: tuple[int, int]  # (width, height)


def _spec(
    name: str, kind: Literal["rtmo", "rtmpose", "yolox"], path: str, size: int
) -> RtmlibModelSpec:
    stem = path.rsplit("/", 1)[-1]
    w, h = (size, size) if kind != "rtmpose" else (192, 256) if size == 256 else (288, 384)
    return RtmlibModelSpec(
        name=name,
        kind=kind,
        onnx_name=f"{stem}.onnx",
        url=f"{_MMPOSE}{path}.zip",
        input_size=(w, h),
    )


_RTMO = "rtmo/onnx_sdk/"
_V1 = "rtmposev1/onnx_sdk/"
RTMLIB_MODELS: Final[dict[str, RtmlibModelSpec]] = {
    s.name: s
    for s in (
        _spec("rtmo-s", "rtmo", _RTMO + "rtmo-s_8xb32-600e_body7-640x640-dac2bf74_20231211", 640),
        _spec("rtmo-m", "rtmo", _RTMO + "rtmo-m_16xb16-600e_body7-640x640-39e78cc4_20231211", 640),
        _spec("rtmo-l", "rtmo", _RTMO + "rtmo-l_16xb16-600e_body7-640x640-b37118ce_20231211", 640),
        _spec("rtmpose-s", "rtmpose", _V1 + "rtmpose-s_simcc-body7_pt-body7_420e-256x192-acd4a1ef_20230504", 256),  # noqa: E501
        _spec("rtmpose-m", "rtmpose", _V1 + "rtmpose-m_simcc-body7_pt-body7_420e-256x192-e48f03d0_20230504", 256),  # noqa: E501
        _spec("rtmpose-x", "rtmpose", _V1 + "rtmpose-x_simcc-body7_pt-body7_700e-384x288-71d7b7e9_20230629", 384),  # noqa: E501
        _spec("yolox-tiny", "yolox", _V1 + "yolox_tiny_8xb8-300e_humanart-6f3252f9", 416),
        _spec("yolox-m", "yolox", _V1 + "yolox_m_8xb8-300e_humanart-c2c7a14a", 640),
        _spec("yolox-x", "yolox", _V1 + "yolox_x_8xb8-300e_humanart-a39d44ed", 640),
    )
}  # fmt: skip
"""The body models rtmlib's ``Body`` solution would download, by short name."""

DEFAULT_RTMLIB_MODEL: Final = "rtmo-m"
DEFAULT_RTMLIB_DETECTOR: Final = "yolox-m"


def user_cache_dir() -> Path:
    return current_settings().user_model_dir


def model_search_dirs(*, include_rtmlib_cache: bool = False) -> list[Path]:
    """The folders searched for a model given by name, in order."""
    dirs: list[Path] = []
    own = current_settings().model_dir
    if own is not None:
        dirs.append(own.expanduser())
    dirs += [PACKAGE_ROOT / "models", user_cache_dir()]
    with contextlib.suppress(SharedDataNotFoundError):
        dirs.append(shared_dir() / "models")
    if include_rtmlib_cache:
        dirs.append(rtmlib_cache_dir())
    return dirs


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or "/" in spec or Path(spec).suffix.lower() in (".task", ".onnx")


def _explicit_path(spec: str, backend: str, names: list[str], or_path: str) -> Path:
    """``spec`` as a model file path that exists, or an error listing the known names."""
    if not _looks_like_path(spec):
        raise ModelNotFoundError(
            f"unknown {backend} model {spec!r}: use {', '.join(names)} or {or_path}"
        )
    path = Path(spec).expanduser()
    if not path.is_file():
        raise ModelNotFoundError(f"model file {path} does not exist")
    return path


def _find(file_names: tuple[str, ...], dirs: list[Path]) -> Path | None:
    for folder in dirs:
        for name in file_names:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def _not_found(what: str, file_name: str, dirs: list[Path], hint: str = "") -> ModelNotFoundError:
    looked = ", ".join(str(d) for d in dirs)
    return ModelNotFoundError(
        f"{what}: file {file_name} not found; put it in {user_cache_dir()} "
        f"(or a folder named by ${MODEL_DIR_ENV}, or pass its path with --model){hint}. "
        f"Looked in: {looked}"
    )


def resolve_mediapipe_model(spec: str = "full") -> Path:
    """The ``.task`` bundle for ``lite``/``full``/``heavy`` or an explicit path."""
    if spec in MEDIAPIPE_MODELS:
        dirs = model_search_dirs()
        found = _find(MEDIAPIPE_MODELS[spec], dirs)
        if found is None:
            raise _not_found(f"MediaPipe '{spec}' pose model", MEDIAPIPE_MODELS[spec][0], dirs)
        return found
    path = _explicit_path(spec, "MediaPipe", list(MEDIAPIPE_MODELS), "a .task path")
    check_task_bundle(path)
    return path


def check_task_bundle(path: Path) -> None:
    """A PoseLandmarker ``.task`` file is a zip holding the detector and landmark models."""
    if not zipfile.is_zipfile(path):
        raise ModelLoadError(
            f"{path} is not a MediaPipe .task bundle (not a zip archive); "
            "the file is corrupt or of another kind"
        )
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        bad = bundle.testzip()
    needed = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
    if bad is not None:
        raise ModelLoadError(f"{path} is corrupt: member {bad} fails its CRC check")
    if not needed <= names:
        raise ModelLoadError(
            f"{path} is not a PoseLandmarker bundle: it lacks {', '.join(sorted(needed - names))}"
        )


def resolve_rtmlib_model(spec: str, *, allow_download: bool = False) -> str:
    """A local ONNX path for ``spec`` (a short name or a path); with ``allow_download``
    an unknown-locally short name resolves to its URL, which rtmlib then downloads."""
    if spec in RTMLIB_MODELS:
        model = RTMLIB_MODELS[spec]
        dirs = model_search_dirs(include_rtmlib_cache=True)
        found = _find((model.onnx_name, f"{spec}.onnx"), dirs)
        if found is not None:
            return str(found)
        if allow_download:
            return model.url
        raise _not_found(
            f"rtmlib model '{spec}'",
            model.onnx_name,
            dirs,
            hint=f" (end2end.onnx inside {model.url}, renamed), or use --allow-download once",
        )
    return str(_explicit_path(spec, "rtmlib", list(RTMLIB_MODELS), "an .onnx path"))


def rtmlib_kind(spec: str, resolved: str) -> Literal["rtmo", "rtmpose", "yolox"]:
    """One-stage RTMO or two-stage RTMPose, from the short name or the file name."""
    if spec in RTMLIB_MODELS:
        return RTMLIB_MODELS[spec].kind
    name = Path(resolved).name.lower()
    if "rtmo" in name:
        return "rtmo"
    if "yolox" in name or "rtmdet" in name:
        return "yolox"
    return "rtmpose"
