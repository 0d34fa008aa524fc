"""A plain (wheel) install in a read-only, system-wide style location: it works, and
running it writes nothing beside its code (compiled-kernel caches go to the user cache)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

KERNELS = """
import numpy as np, sportsgpt
from sportsgpt.tools.motiondtw import kernels
rng = np.random.default_rng(0)
t, q = rng.normal(size=(30, 4)), rng.normal(size=(200, 4))
costs, starts, lengths = kernels.subsequence_end_costs(t, q)
assert np.isfinite(costs[-1]) and kernels.CACHE
from sportsgpt.tools.kinematics.anatomy import anatomy  # data files ship in the wheel
from sportsgpt.tools.kinematics.validation import OPENSIM_COORDINATES
assert anatomy().ranges and OPENSIM_COORDINATES.is_file()
print(sportsgpt.__file__)
"""


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture(scope="module")
def wheel_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project as a wheel, installed (without dependencies: the test environment has
    them) into a folder of its own, then made read-only."""
    source = tmp_path_factory.mktemp("source")  # the checkout's files, as a clone has them
    listing = ["git", "ls-files", "-co", "--exclude-standard"]
    listed = subprocess.run(listing, cwd=REPO, check=True, capture_output=True, text=True)
    for rel in filter(None, listed.stdout.split("\n")):
        if (REPO / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, source / rel)
    wheels = tmp_path_factory.mktemp("wheels")
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels)]
    subprocess.run([*build, str(source)], check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("sportsgpt-*.whl")
    target = tmp_path_factory.mktemp("system") / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True,
                   timeout=600)  # fmt: skip
    _read_only(target)
    return target


def _run(target: Path, cache: Path, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_CACHE_HOME": str(cache)}
    env.pop("NUMBA_CACHE_DIR", None)
    env.pop("SPORTSGPT_CACHE_DIR", None)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def test_a_read_only_install_runs_and_writes_nothing_beside_its_code(
    wheel_install: Path, tmp_path: Path
) -> None:
    before = _files(wheel_install)
    cache = tmp_path / "cache"
    for _ in range(2):  # compile and store, then load from the cache
        done = _run(wheel_install, cache, KERNELS, tmp_path)
        assert done.returncode == 0, done.stderr
        assert Path(done.stdout.strip()).parent == wheel_install / "sportsgpt"
    assert _files(wheel_install) == before
    cached = list((cache / "sportsgpt" / "numba").rglob("*.nbi"))
    assert cached, "the kernels' cache index is not in the user cache folder"
    # the command line works from there too
    env = {**os.environ, "PYTHONPATH": str(wheel_install), "XDG_CACHE_HOME": str(cache)}
    helped = subprocess.run([sys.executable, "-m", "sportsgpt.cli.main", "--help"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert helped.returncode == 0 and "sportsgpt" in helped.stdout
    assert _files(wheel_install) == before


def test_the_kernel_cache_follows_the_cache_dir_setting(
    wheel_install: Path, tmp_path: Path
) -> None:
    own = tmp_path / "own-cache"
    env = {**os.environ, "PYTHONPATH": str(wheel_install), "SPORTSGPT_CACHE_DIR": str(own)}
    env.pop("NUMBA_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", KERNELS], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list((own / "numba").rglob("*.nbi"))
