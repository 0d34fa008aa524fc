from pathlib import Path

import pytest

from sportsgpt.tools import shared_data
from sportsgpt.tools.errors import SharedDataNotFoundError


def test_explicit_then_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    monkeypatch.setenv(shared_data.ENV_VAR, str(b))
    assert shared_data.shared_dir(a) == a.resolve()
    assert shared_data.shared_dir() == b.resolve()


def test_missing_names_all_three_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(shared_data.ENV_VAR, raising=False)
    monkeypatch.setattr(shared_data, "_repo_roots", lambda: [tmp_path / "repo"])
    with pytest.raises(SharedDataNotFoundError) as info:
        shared_data.shared_dir(tmp_path / "nowhere")
    msg = str(info.value)
    assert "the argument" in msg and "$SPORTSGPT_SHARED" in msg and "../shared beside" in msg
