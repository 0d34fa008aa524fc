"""The references shipped in references/<motion>/*.json, found by motion name."""

from __future__ import annotations

from pathlib import Path

from ..errors import SportsGPTError
from ..shared_data import PACKAGE_ROOT
from .reference import MotionReference, load_reference

REFERENCES_DIR = PACKAGE_ROOT / "references"


def known_motions(folder: Path = REFERENCES_DIR) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.json")))


def load_motion_references(motion: str, folder: Path = REFERENCES_DIR) -> list[MotionReference]:
    """Every reference of ``motion``, or an error listing the motions we know."""
    files = sorted((folder / motion).glob("*.json")) if (folder / motion).is_dir() else []
    if not files:
        known = ", ".join(known_motions(folder)) or "none"
        raise SportsGPTError(
            f"no reference for motion {motion!r}; known motions: {known} "
            "(add your own with 'sportsgpt reference build')"
        )
    return [load_reference(f) for f in files]
