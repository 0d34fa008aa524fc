"""Check (and with --repair, mend) the SportsGPT install of the Python running this.

Run by scripts/setup.sh after every install, with the environment's own Python:

1. Files under ``site-packages/sportsgpt`` that no installed distribution owns (no
   RECORD lists them) are leftovers of an earlier install: caches a previous version
   wrote beside its code, a half-removed copy. Such a folder turns into a namespace
   package that shadows the editable install, so ``--repair`` removes exactly those
   files (and the folders they leave empty), never a file some distribution owns.
2. A fresh interpreter, started outside the checkout, must import ``sportsgpt`` from
   this checkout, with its version and its CLI.

Exit 0 when the install is sound (after repair), 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "sportsgpt"


def site_dirs() -> list[Path]:
    paths = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    return sorted(Path(p) for p in paths if p)


def owned_files(site: Path) -> set[Path]:
    """Every file the distributions installed in ``site`` list in their RECORD."""
    owned: set[Path] = set()
    for dist in md.distributions(path=[str(site)]):
        for entry in dist.files or []:
            owned.add((site / entry).resolve())
    return owned


def stale_files(site: Path) -> list[Path]:
    """Files under ``site/sportsgpt`` that no distribution owns."""
    root = site / PACKAGE
    if not root.is_dir():
        return []
    owned = owned_files(site)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.resolve() not in owned)


def remove_stale(site: Path, files: list[Path]) -> None:
    root = site / PACKAGE
    for file in files:
        file.unlink()
    # folders left empty, deepest first; the package folder too if nothing is left
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()


def import_problem(python: str = sys.executable) -> str | None:
    """None if a fresh interpreter imports this checkout's sportsgpt, else why not."""
    code = (
        "import sportsgpt, sportsgpt.cli.main, sportsgpt.settings;"
        "print(sportsgpt.__file__); print(sportsgpt.__version__)"
    )
    with tempfile.TemporaryDirectory() as neutral:  # not the checkout: no '' on sys.path
        done = subprocess.run(
            [python, "-c", code], cwd=neutral, capture_output=True, text=True, timeout=300
        )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"`import {PACKAGE}` fails: {last}"
    where = Path(done.stdout.splitlines()[0]).resolve().parent
    if where != REPO:
        return f"`import {PACKAGE}` finds {where}, not this checkout ({REPO})"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repair", action="store_true", help="remove unowned leftovers")
    args = parser.parse_args(argv)
    problems = []
    for site in site_dirs():
        stale = stale_files(site)
        if not stale:
            continue
        if args.repair:
            remove_stale(site, stale)
            sys.stderr.write(
                f"setup: removed {len(stale)} file(s) no installed package owns from "
                f"{site / PACKAGE} (leftovers of an earlier install)\n"
            )
        else:
            problems.append(f"{len(stale)} unowned file(s) in {site / PACKAGE}, e.g. {stale[0]}")
    why = import_problem()
    if why:
        problems.append(why)
    for problem in problems:
        sys.stderr.write(f"setup: {problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
