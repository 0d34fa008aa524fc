"""Locate the shared data folder (exercise database, mocap, models).

Order: an explicit argument, then the ``shared_dir`` setting (``$SPORTSGPT_SHARED`` or the
config file), then ``../shared`` beside the repository (the source checkout this package
runs from, or the current directory's checkout).
"""

from __future__ import annotations

from pathlib import Path

from ..settings import current_settings
from .errors import SharedDataNotFoundError

ENV_VAR = "SPORTSGPT_SHARED"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _repo_roots() -> list[Path]:
    roots = []
    if (PACKAGE_ROOT / "pyproject.toml").is_file():  # running from a checkout
        roots.append(PACKAGE_ROOT)
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if (candidate / "pyproject.toml").is_file():
            roots.append(candidate)
            break
    return roots


def shared_dir(explicit: str | Path | None = None) -> Path:
    """The shared data folder, or a clear error naming the three places looked at."""
    tried: list[str] = []
    if explicit is not None:
        path = Path(explicit).expanduser()
        if path.is_dir():
            return path.resolve()
        tried.append(f"the argument ({path})")
    else:
        tried.append("the argument (not given)")
    setting = current_settings().shared_dir
    if setting is not None:
        path = setting.expanduser()
        if path.is_dir():
            return path.resolve()
        tried.append(f"the shared_dir setting, ${ENV_VAR} ({path})")
    else:
        tried.append(f"the shared_dir setting, ${ENV_VAR} (not set)")
    for root in _repo_roots():
        path = root.parent / "shared"
        if path.is_dir():
            return path.resolve()
        tried.append(f"../shared beside the repository ({path})")
    if len(tried) == 2:
        tried.append("../shared beside the repository (no checkout found)")
    raise SharedDataNotFoundError("shared data folder not found; looked at " + "; ".join(tried))


def shared_path(*parts: str, explicit: str | Path | None = None) -> Path:
    """A path inside the shared folder (which must exist)."""
    return shared_dir(explicit).joinpath(*parts)
