"""Which known motion a recording shows: the best calibrated alignment across references.

Every motion's references are aligned; an occurrence only exists below its reference's
calibrated cost threshold, so each motion's evidence is its best occurrence cost divided
by that threshold. The motion with the lowest ratio wins if that ratio is at most
ACCEPT_RATIO (a sport motion before walking, the background of most recordings);
otherwise the answer is "none of the motions I know". Alignment keeps
marginal matches (ratio up to 1) so that no occurrence of a named motion is lost, but
naming the motion needs a clearer match: 0.7 rejected every unknown motion of
benchmarks/motion_recognition.py (kick, punch, spin, dance, cartwheel: 0.76-0.88).
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field

from ..kinematics import FilterSettings, compute_kinematics
from ..kinematics.series import KinematicSeries
from ..motiondtw.align import AlignmentResult, AlignSettings, align
from ..motiondtw.features import AlignmentInputError
from ..motiondtw.library import known_motions, load_motion_references
from ..pose_sequence import PoseSequence

log = logging.getLogger(__name__)

ACCEPT_RATIO = 0.7

BACKGROUND_MOTIONS = ("walking_gait",)
"""Athletes walk to the line, back to the start, between serves: walking is the
background of most sport recordings. When a sport motion is also clearly found (ratio at
most ACCEPT_RATIO), it is what the recording is about, even if a walk fits better."""


class MotionGuess(BaseModel):
    motion: str | None = Field(description="None: none of the motions we know")
    ratios: dict[str, float] = Field(
        description="best occurrence cost / its threshold per motion (absent: no occurrence)"
    )
    occurrences: dict[str, int] = Field(description="occurrences found per motion")


def pick_motion(ratios: dict[str, float]) -> str | None:
    """The clearest accepted motion, a sport motion before a background walk."""
    accepted = sorted((r, m) for m, r in ratios.items() if r <= ACCEPT_RATIO)
    foreground = [m for _, m in accepted if m not in BACKGROUND_MOTIONS]
    return foreground[0] if foreground else (accepted[0][1] if accepted else None)


def recognise_motion(
    pose: PoseSequence,
    settings: AlignSettings | None = None,
    filters: FilterSettings | None = None,
    series: KinematicSeries | None = None,
) -> tuple[MotionGuess, dict[str, AlignmentResult]]:
    """The guess, and every motion's alignment (the winner's is reused for assessment)."""
    series = series or compute_kinematics(pose, settings=filters)
    refs_by_motion = {m: load_motion_references(m) for m in known_motions()}
    thresholds = {
        f"{r.motion}/{r.name}": r.cost_threshold for refs in refs_by_motion.values() for r in refs
    }
    results: dict[str, AlignmentResult] = {}
    ratios: dict[str, float] = {}
    for motion, refs in refs_by_motion.items():
        try:
            result = align(pose, refs, settings, filters, series)
        except AlignmentInputError as exc:  # e.g. the recording is shorter than the motion
            log.debug("%s cannot be %s: %s", pose.source, motion, exc)
            continue
        results[motion] = result
        costs = [
            o.cost / min(thresholds[name] for name in o.references) for o in result.occurrences
        ]
        if costs:
            ratios[motion] = round(min(costs), 3)
    best = pick_motion(ratios)
    return (
        MotionGuess(
            motion=best,
            ratios=ratios,
            occurrences={m: len(r.occurrences) for m, r in results.items()},
        ),
        results,
    )
