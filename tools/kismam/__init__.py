"""KISMAM: interpretable assessment of aligned keyframes against elite bands.

``assess_motion`` runs the whole arrow: kinematics, MotionDTW alignment against the
motion's references, then metrics -> deviations -> problems (docs/kismam.md).
"""

from __future__ import annotations

from ..errors import SportsGPTError
from ..kinematics import FilterSettings, compute_kinematics
from ..kinematics.angles import channel_vocabulary
from ..motiondtw.align import AlignSettings, align
from ..motiondtw.library import REFERENCES_DIR, load_motion_references
from ..pose_sequence import PoseSequence
from .assess import assess
from .models import Assessment
from .spec import AssessmentSpec, check_channels, load_assessment_spec

__all__ = ["Assessment", "AssessmentSpec", "assess", "assess_motion", "load_motion_spec"]


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


def assess_motion(
    pose: PoseSequence,
    motion: str,
    settings: AlignSettings | None = None,
    filters: FilterSettings | None = None,
) -> Assessment:
    """Kinematics, alignment and KISMAM for one recording of ``motion``."""
    spec = load_motion_spec(motion)
    series = compute_kinematics(pose, settings=filters)
    alignment = align(pose, load_motion_references(motion), settings, filters, series)
    return assess(spec, series, alignment)
