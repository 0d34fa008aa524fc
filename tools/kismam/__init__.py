"""KISMAM: interpretable assessment of aligned keyframes against elite bands.

``assess_motion`` runs the whole arrow: kinematics, MotionDTW alignment against the
motion's references, then metrics -> deviations -> problems (docs/kismam.md).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..errors import SportsGPTError
from ..kinematics import FilterSettings, compute_kinematics
from ..kinematics.series import KinematicSeries
from ..motiondtw.align import AlignmentResult, AlignSettings, align
from ..motiondtw.library import known_motions, load_motion_references
from ..pose_sequence import PoseSequence, real_time
from .assess import assess
from .capture import check_capture
from .models import Assessment, CaptureIssue
from .not_found import MotionNotFoundError, explain_not_found, not_found_words
from .quality import measurement_quality
from .recognise import MotionGuess, recognise_motion
from .spec import AssessmentSpec, load_motion_spec

__all__ = [
    "AUTO",
    "Assessment",
    "AssessmentSpec",
    "MotionGuess",
    "MotionNotFoundError",
    "align_motion",
    "assess",
    "assess_alignment",
    "assess_motion",
    "check_motion",
    "load_motion_spec",
    "motion_check",
    "recognise_motion",
]

if TYPE_CHECKING:
    from ..pose.tracking import MotionCheck

AUTO = "auto"


def check_motion(motion: str, allow_auto: bool = False) -> None:
    """A motion we know (or ``auto`` where recognising it is allowed), else a clear error."""
    known = known_motions()
    if motion not in known and not (allow_auto and motion == AUTO):
        also = f", or {AUTO}" if allow_auto else ""
        raise SportsGPTError(f"unknown motion {motion!r}; known: {', '.join(known)}{also}")


log = logging.getLogger(__name__)


def align_motion(
    pose: PoseSequence,
    motion: str,
    settings: AlignSettings | None = None,
    filters: FilterSettings | None = None,
    slow_motion: bool = True,
) -> tuple[str, KinematicSeries, AlignmentResult]:
    """Kinematics and MotionDTW alignment of one recording of ``motion`` (``"auto"``: the
    motion is recognised first; none recognised is an error, never a guess); a motion
    recognised only as slow motion (SLOW_MOTION) is aligned in real time, unless
    ``slow_motion`` is False."""
    series = compute_kinematics(pose, settings=filters)
    if motion == AUTO:
        guess, alignments = recognise_motion(pose, settings, filters, series, slow_motion)
        if guess.motion is None:
            raise MotionNotFoundError(explain_not_found(pose, series, None, guess))
        log.info("recognised %s (cost/threshold per motion: %s)", guess.motion, guess.ratios)
        if guess.slow_motion != 1.0:
            series = compute_kinematics(real_time(pose, guess.slow_motion), settings=filters)
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
    result = assess_alignment(pose, spec or load_motion_spec(found), series, alignment)
    if not alignment.occurrences:  # the motion named is not in it: say what was tried
        report = explain_not_found(pose, series, found)
        result.unmeasurable["motion"] = not_found_words(report)
    return result


def assess_alignment(
    pose: PoseSequence, spec: AssessmentSpec, series: KinematicSeries, alignment: AlignmentResult
) -> Assessment:
    """KISMAM on an alignment already made: the capture check first, then every value
    judged as well as it was measured (kismam/quality.py)."""
    alignment = alignment.searched()  # a bout's cycles are timed, not judged
    slowed: list[CaptureIssue] = []
    if alignment.slow_motion != 1.0:  # judged in real time, and the user told so
        k, stated = alignment.slow_motion, pose.fps
        pose = real_time(pose, k)
        if abs(series.fps - pose.fps) > 1e-6 * pose.fps:
            series = compute_kinematics(pose)
        slowed.append(CaptureIssue(
            aspect="frame_rate", measured=f"{stated:.0f} fps, found as {k:g}x slow motion",
            limits=f"the motion was found only with the clip played {k:g} times faster, as "
            f"a slow-motion replay plays; times and speeds are of that real time, and "
            f"{k:g} times off if the clip is not slow motion",
            advice="film the motion at normal speed, or say the clip is slow motion",
        ))  # fmt: skip
    capture = check_capture(pose, spec, series, alignment)
    capture = capture.model_copy(
        update={"slow_motion": alignment.slow_motion, "issues": slowed + capture.issues}
    )
    quality = measurement_quality(pose, spec, alignment, capture)
    return assess(spec, series, alignment, quality).model_copy(update={"capture": capture})


def motion_check(
    motion: str, settings: AlignSettings | None = None, filters: FilterSettings | None = None
) -> MotionCheck:
    """How pose extraction tells which of several people performs ``motion`` (``"auto"``:
    any motion we know): the one in whose movement it is found, as ``align_motion`` would
    find it."""
    from ..pose.tracking import MotionCheck, a_motion  # the pose package: the video stack

    check_motion(motion, allow_auto=True)

    def find(pose: PoseSequence) -> tuple[str, float] | None:
        try:
            # who performs it is told at the stated rate: a bystander's movement played
            # faster is no evidence against the athlete's (a start beside a walker)
            found, _, alignment = align_motion(pose, motion, settings, filters, False)
        except SportsGPTError as exc:  # not found, too short, joints missing: not them
            log.debug("%s: no %s (%s)", pose.source, motion, exc)
            return None
        searched = alignment.searched().occurrences  # what the search found: a bout's
        if not searched:  # further cycles say nothing of who performs it
            return None
        times = pose.frame_times
        last = len(times) - 1
        seconds = sum(float(times[min(o.end, last)] - times[min(o.start, last)])
                      for o in searched)  # fmt: skip
        return found, round(seconds, 2)

    what = "one of the motions I know" if motion == AUTO else a_motion(motion)
    return MotionCheck(what=what, find=find)
