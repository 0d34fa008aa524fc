"""The alignment templates shipped in references/<motion>/templates/*.json, by motion."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..errors import SportsGPTError
from ..shared_data import PACKAGE_ROOT
from .reference import MotionReference, load_reference

REFERENCES_DIR = PACKAGE_ROOT / "references"


def template_path(motion: str, name: str, folder: Path = REFERENCES_DIR) -> Path:
    """Where the template ``name`` of ``motion`` lives."""
    return folder / motion / "templates" / f"{name}.json"


def known_motions(folder: Path = REFERENCES_DIR) -> list[str]:
    """Motions with at least one alignment template."""
    return sorted({p.parent.parent.name for p in folder.glob("*/templates/*.json")})


def load_motion_references(motion: str, folder: Path = REFERENCES_DIR) -> list[MotionReference]:
    """Every reference of ``motion``, or an error listing the motions we know."""
    files = sorted((folder / motion / "templates").glob("*.json"))
    if not files:
        known = ", ".join(known_motions(folder)) or "none"
        raise SportsGPTError(
            f"no reference for motion {motion!r}; known motions: {known} "
            "(add your own with 'sportsgpt reference build')"
        )
    return [load_reference(f) for f in files]


@cache
def is_cyclic(motion: str, folder: Path = REFERENCES_DIR) -> bool:
    """Whether ``motion`` repeats cycle after cycle (a run, a walk): every one of its
    templates is a cycle (``MotionReference.cyclic``)."""
    return all(r.cyclic for r in load_motion_references(motion, folder))
