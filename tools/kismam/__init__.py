"""KISMAM: interpretable assessment of aligned keyframes against elite bands.

``assess_motion`` runs the whole arrow: kinematics, MotionDTW alignment against the
motion's references, then metrics -> deviations -> problems (docs/kismam.md).
"""

from __future__ import annotations

import logging

from ..errors import SportsGPTError
from ..kinematics import FilterSettings, compute_kinematics
from ..kinematics.angles import channel_vocabulary
from ..kinematics.series import KinematicSeries
from ..motiondtw.align import AlignmentResult, AlignSettings, align
from ..motiondtw.library import REFERENCES_DIR, known_motions, load_motion_references
from ..pose_sequence import PoseSequence
from .assess import assess
from .capture import check_capture
from .models import Assessment
from .recognise import MotionGuess, recognise_motion
from .spec import AssessmentSpec, check_channels, load_assessment_spec

__all__ = [
    "AUTO",
    "Assessment",
    "AssessmentSpec",
    "MotionGuess",
    "align_motion",
    "assess",
    "assess_motion",
    "check_motion",
    "load_motion_spec",
    "recognise_motion",
]

AUTO = "auto"


def check_motion(motion: str, allow_auto: bool = False) -> None:
    """A motion we know (or ``auto`` where recognising it is allowed), else a clear error."""
    known = known_motions()
    if motion not in known and not (allow_auto and motion == AUTO):
        also = f", or {AUTO}" if allow_auto else ""
        raise SportsGPTError(f"unknown motion {motion!r}; known: {', '.join(known)}{also}")


log = logging.getLogger(__name__)


def load_motion_spec(motion: str) -> AssessmentSpec:
    """The shipped assessment spec of ``motion`` (validated, channels checked)."""
    path = REFERENCES_DIR / motion / "assessment.json"
    if not path.is_file():
        have = sorted(p.parent.name for p in REFERENCES_DIR.glob("*/assessment.json"))
        raise SportsGPTError(
            f"no assessment for motion {motion!r}; assessable motions: {', '.join(have) or 'none'}"
        )
    spec = load_assessment_spec(path)
    check_channels(spec, channel_vocabulary())
    return spec


def align_motion(
    pose: PoseSequence,
    motion: str,
    settings: AlignSettings | None = None,
    filters: FilterSettings | None = None,
) -> tuple[str, KinematicSeries, AlignmentResult]:
    """Kinematics and MotionDTW alignment of one recording of ``motion`` (``"auto"``: the
    motion is recognised first; none recognised is an error, never a guess)."""
    series = compute_kinematics(pose, settings=filters)
    if motion == AUTO:
        guess, alignments = recognise_motion(pose, settings, filters, series)
        if guess.motion is None:
            raise SportsGPTError(
                "none of the motions I know was found in this recording "
                f"(known: {', '.join(known_motions())}); name one with --motion"
            )
        log.info("recognised %s (cost/threshold per motion: %s)", guess.motion, guess.ratios)
        return guess.motion, series, alignments[guess.motion]
    alignment = align(pose, load_motion_references(motion), settings, filters, series)
    return motion, series, alignment


def assess_motion(
    pose: PoseSequence,
    motion: str,
    settings: AlignSettings | None = None,
    filters: FilterSettings | None = None,
) -> Assessment:
    """Kinematics, alignment and KISMAM for one recording of ``motion`` (or ``"auto"``)."""
    spec = None if motion == AUTO else load_motion_spec(motion)  # fails before alignment
    found, series, alignment = align_motion(pose, motion, settings, filters)
    spec = spec or load_motion_spec(found)
    result = assess(spec, series, alignment)
    return result.model_copy(update={"capture": check_capture(pose, spec, series, result)})
