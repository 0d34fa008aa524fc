"""Model files are found in the documented order, and missing/corrupt ones say so."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sportsgpt.tools.errors import ModelLoadError, ModelNotFoundError
from sportsgpt.tools.pose import models
from sportsgpt.tools.shared_data import PACKAGE_ROOT


@pytest.fixture
def no_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """User and rtmlib caches in an empty temp folder; no model dir from the env."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.delenv(models.MODEL_DIR_ENV, raising=False)
    return tmp_path


def test_vendored_lite_and_full_ship_with_notice(no_caches: Path) -> None:
    for name in ("lite", "full"):
        path = models.resolve_mediapipe_model(name)
        assert path.parent == PACKAGE_ROOT / "models"
        models.check_task_bundle(path)
    notice = (PACKAGE_ROOT / "models" / "NOTICE").read_text()
    assert "Apache License" in notice and "mediapipe==0.10.21" in notice


def test_env_dir_wins_over_project_dir(no_caches: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = no_caches / "mine"
    own.mkdir()
    (own / "pose_landmarker_lite.task").write_bytes(b"x")  # Google's official file name
    monkeypatch.setenv(models.MODEL_DIR_ENV, str(own))
    assert models.resolve_mediapipe_model("lite") == own / "pose_landmarker_lite.task"


def test_user_cache_is_searched(no_caches: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "PACKAGE_ROOT", no_caches / "nowhere")
    monkeypatch.setattr(models, "shared_dir", lambda: no_caches / "noshared")
    with pytest.raises(ModelNotFoundError) as err:
        models.resolve_mediapipe_model("heavy")
    message = str(err.value)
    assert "pose_landmarker_heavy_offline.task" in message
    assert str(models.user_cache_dir()) in message
    cache = models.user_cache_dir()
    cache.mkdir(parents=True)
    (cache / "pose_landmarker_heavy_offline.task").write_bytes(b"x")
    assert models.resolve_mediapipe_model("heavy") == cache / "pose_landmarker_heavy_offline.task"


def test_explicit_paths_and_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        models.resolve_mediapipe_model(str(tmp_path / "gone.task"))
    with pytest.raises(ModelNotFoundError, match="unknown MediaPipe model 'medium'"):
        models.resolve_mediapipe_model("medium")
    with pytest.raises(ModelNotFoundError, match="unknown rtmlib model"):
        models.resolve_rtmlib_model("rtmo-xxl")


def test_corrupt_task_bundles_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "broken.task"
    garbage.write_bytes(b"\x00not a zip" * 100)
    with pytest.raises(ModelLoadError, match=r"not a MediaPipe \.task bundle"):
        models.resolve_mediapipe_model(str(garbage))
    wrong = tmp_path / "wrong.task"
    with zipfile.ZipFile(wrong, "w") as z:
        z.writestr("hand_detector.tflite", b"x")
    with pytest.raises(ModelLoadError, match=r"lacks pose_detector\.tflite"):
        models.resolve_mediapipe_model(str(wrong))
    good = models.resolve_mediapipe_model("lite")
    truncated = tmp_path / "truncated.task"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ModelLoadError):
        models.check_task_bundle(truncated)


def test_rtmlib_missing_file_names_file_and_folder(no_caches: Path) -> None:
    with pytest.raises(ModelNotFoundError) as err:
        models.resolve_rtmlib_model("rtmo-m")
    message = str(err.value)
    assert "rtmo-m_16xb16-600e_body7-640x640-39e78cc4_20231211.onnx" in message
    assert str(models.user_cache_dir()) in message and "--allow-download" in message
    # Only with the user's consent does a name resolve to its download URL.
    url = models.resolve_rtmlib_model("rtmo-m", allow_download=True)
    assert url.startswith("https://download.openmmlab.com/") and url.endswith(".zip")


def test_rtmlib_cache_is_searched(no_caches: Path) -> None:
    cache = models.rtmlib_cache_dir()
    assert cache == no_caches / "cache" / "rtmlib" / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    onnx = cache / models.RTMLIB_MODELS["rtmo-s"].onnx_name
    onnx.write_bytes(b"x")
    assert models.resolve_rtmlib_model("rtmo-s") == str(onnx)
    assert models.rtmlib_kind("rtmo-s", str(onnx)) == "rtmo"
    assert models.rtmlib_kind("custom", "/m/rtmpose-l_body.onnx") == "rtmpose"
