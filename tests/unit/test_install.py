"""The installed package: one consistent cv2, one sportsgpt namespace, every room listed."""

import importlib.metadata as md
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def test_opencv_distributions_agree_with_cv2() -> None:
    import cv2

    versions = {}
    for dist in ("opencv-python", "opencv-contrib-python", "opencv-python-headless"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            continue
    assert versions, "no OpenCV distribution installed"
    for dist, version in versions.items():
        assert version.startswith(cv2.__version__), f"{dist} {version} vs cv2 {cv2.__version__}"
    # the binary works for what pose extraction needs
    import numpy as np

    ok, buf = cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))
    assert ok and buf.size > 0


def test_pose_backends_import() -> None:
    code = "import mediapipe, rtmlib, onnxruntime; from mediapipe.tasks.python import vision"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)


def test_no_generic_top_level_modules(tmp_path: Path) -> None:
    code = (
        "import importlib.util as u, sportsgpt.tools, sportsgpt.agent;"
        "print([n for n in ('tools','agent','kb','evals','prompts','references','cli') "
        "if u.find_spec(n) is not None])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "[]"


def test_every_package_folder_is_declared() -> None:
    declared = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {"sportsgpt"}
    skip = {"tests", "benchmarks", "docs", "scripts", "build", "dist", ".venv", "out"}
    for init in REPO.rglob("__init__.py"):
        rel = init.parent.relative_to(REPO)
        if rel.parts and (rel.parts[0] in skip or rel.parts[0].startswith(".")):
            continue
        if rel.parts:
            found.add("sportsgpt." + ".".join(rel.parts))
    assert found == declared


def test_vendored_models_are_package_data() -> None:
    """A wheel must carry the MediaPipe bundles, the embedding tokenizer and their NOTICE,
    or offline pose and the knowledge base break."""
    from fnmatch import fnmatch

    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["sportsgpt"]
    shipped = sorted(
        p.relative_to(REPO).as_posix() for p in (REPO / "models").rglob("*") if p.is_file()
    )
    assert "models/NOTICE" in shipped and "models/pose_landmarker_lite_offline.task" in shipped
    assert "models/all-MiniLM-L6-v2/tokenizer.json" in shipped
    for path in shipped:
        assert any(fnmatch(path, g) for g in globs), f"{path} is not in package-data"


def _check_install() -> Any:
    spec = importlib.util.spec_from_file_location("check_install", REPO / "scripts" /
                                                  "check_install.py")  # fmt: skip
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_setup_repairs_leftovers_of_an_earlier_install(tmp_path: Path) -> None:
    """What broke the README's second command: an earlier plain install left files no
    distribution owns in site-packages/sportsgpt (kernel caches), a namespace package
    that shadowed the editable install. Setup removes exactly those files."""
    check = _check_install()
    site = tmp_path / "site-packages"
    left = site / "sportsgpt" / "tools" / "motiondtw" / "__pycache__"
    left.mkdir(parents=True)
    (left / "kernels._sq-18.py311.nbi").write_bytes(b"x")
    (left / "kernels._sq-18.py311.1.nbc").write_bytes(b"x")
    assert len(check.stale_files(site)) == 2
    check.remove_stale(site, check.stale_files(site))
    assert not (site / "sportsgpt").exists()  # nothing left, nothing to shadow the install

    # files a distribution owns (its RECORD lists them) are never touched
    owned = site / "sportsgpt" / "__init__.py"
    owned.parent.mkdir(parents=True)
    owned.write_text("")
    (left / "stale.nbi").parent.mkdir(parents=True)
    (left / "stale.nbi").write_bytes(b"x")
    info = site / "sportsgpt-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sportsgpt\nVersion: 0.1.0\n")
    (info / "RECORD").write_text("sportsgpt/__init__.py,,\nsportsgpt-0.1.0.dist-info/RECORD,,\n")
    assert check.stale_files(site) == [left / "stale.nbi"]
    check.remove_stale(site, check.stale_files(site))
    assert owned.is_file() and not (site / "sportsgpt" / "tools").exists()


def test_this_environment_imports_the_checkout() -> None:
    assert _check_install().import_problem(sys.executable) is None
