"""Every way to start the app serves its page: ``python app.py`` (also from a Python that
lacks the install), ``sportsgpt app``, ``python -m sportsgpt.app`` and ``gradio app.py``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import free_port, serving

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VENV = REPO / ".venv"


def _bare_python() -> str | None:
    """An interpreter that cannot import sportsgpt (the venv's base Python), if any."""
    base = getattr(sys, "_base_executable", None)
    if not base or sys.prefix == sys.base_prefix:  # not in a virtual environment
        return None
    probe = subprocess.run([base, "-I", "-c", "import sportsgpt"], capture_output=True,
                           timeout=60)  # fmt: skip
    return base if probe.returncode != 0 else None


def _serves(command: list[str], cwd: Path, env: dict[str, str], port: int) -> str:
    """Start ``command``, wait for its page at 127.0.0.1:port, stop it; the page's HTML."""
    log = Path(env["SPORTSGPT_DATA_DIR"]).parent / "entry.log"
    with serving(command, cwd, env, port, log) as page:
        return page


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "SPORTSGPT_"))}
    return {**env, "SPORTSGPT_DATA_DIR": str(tmp_path / "data"), **extra}


ENTRIES: dict[str, Callable[[int], tuple[list[str], Path]]] = {
    "python app.py": lambda p: ([sys.executable, "app.py", "--port", str(p)], REPO),
    "sportsgpt app": lambda p: ([str(BIN / "sportsgpt"), "app", "--port", str(p)], Path("/")),
    "python -m sportsgpt.app": lambda p: (
        [sys.executable, "-m", "sportsgpt.app", "--port", str(p)],
        Path("/"),
    ),
}


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_entry_point_serves_the_page(entry: str, tmp_path: Path) -> None:
    port = free_port()
    command, cwd = ENTRIES[entry](port)
    page = _serves(command, cwd, _env(tmp_path), port)
    assert "<title>SportsGPT" in page or "SportsGPT" in page


def test_python_app_py_from_a_python_without_the_install(tmp_path: Path) -> None:
    """A newcomer's plain ``python app.py``: handed over to the checkout's .venv."""
    bare = _bare_python()
    if bare is None or not (VENV / "bin" / "python").is_file():
        pytest.skip("no interpreter without sportsgpt, or no .venv in the checkout")
    port = free_port()
    page = _serves([bare, "app.py", "--port", str(port)], REPO, _env(tmp_path), port)
    assert "SportsGPT" in page


def test_gradio_reload_mode_finds_the_demo(tmp_path: Path) -> None:
    port = free_port()
    env = _env(tmp_path, GRADIO_SERVER_PORT=str(port))
    page = _serves([str(BIN / "gradio"), "app.py"], REPO, env, port)
    assert "SportsGPT" in page


def test_the_port_setting_reaches_the_app(tmp_path: Path) -> None:
    port = free_port()
    page = _serves([sys.executable, "-m", "sportsgpt.app"], Path("/"),
                   _env(tmp_path, GRADIO_SERVER_PORT=str(port)), port)  # fmt: skip
    assert "SportsGPT" in page


def test_a_bad_setting_stops_the_app_with_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "app.py"], cwd=REPO, capture_output=True, text=True,
                          env=_env(tmp_path, GRADIO_SERVER_PORT="eighty"), timeout=120)  # fmt: skip
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "app_port ($GRADIO_SERVER_PORT)" in lines[0], done.stderr
