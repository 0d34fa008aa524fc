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

import numpy as np
from pydantic import BaseModel, Field

from ..kinematics import FilterSettings, compute_kinematics
from ..kinematics.series import KinematicSeries
from ..motiondtw.align import AlignmentResult, AlignSettings, Occurrence, align
from ..motiondtw.features import AlignmentInputError
from ..motiondtw.library import known_motions, load_motion_references
from ..motiondtw.refine import passes_gates
from ..pose_sequence import PoseSequence, real_time
from .spec import SignatureCheck, load_motion_spec

log = logging.getLogger(__name__)

ACCEPT_RATIO = 0.7
MIN_GAIT_FRAMES = 15
"""A gait check needs both feet seen in this many of the occurrences' frames."""
CLEAR_FLIGHT = 0.05
SURE_WALK = 0.15
"""When a run's occurrences show a clear flight phase (both feet down in at most
CLEAR_FLIGHT of their frames) and a walk's show little double support (under SURE_WALK,
which a fast or overstriding walk can have), the feet say run: the walk is ruled out."""

BACKGROUND_MOTIONS = ("walking_gait",)
"""Athletes walk to the line, back to the start, between serves: walking is the
background of most sport recordings. When a sport motion is also clearly found (ratio at
most ACCEPT_RATIO, and at most CLEAR_RATIO or within FOREGROUND_MARGIN of the walk's), it
is what the recording is about, even if a walk fits better."""

BACKGROUND_SHARE = 0.5

FOREGROUND_MARGIN = 0.2
CLEAR_RATIO = 0.6
"""A sport motion is what a recording with walking in it is about when it is clearly found
(ratio at most CLEAR_RATIO) or within FOREGROUND_MARGIN of the walk's ratio. A recording
of a walk matches some sport motion a little too: on real walks (../shared/data/video)
the best sport motion sat 0.27-0.28 above the walk's ratio at 0.57-0.65 (a run's there is
also ruled out by the gait check), while a jog's run sat 0.07 above its walk-like match,
and a jump among walking (the eval suites) at 0.54-0.57, 0.28 above the walk's."""


class MotionGuess(BaseModel):
    motion: str | None = Field(description="None: none of the motions we know")
    ratios: dict[str, float] = Field(
        description="best occurrence cost / its threshold per motion (absent: no occurrence)"
    )
    occurrences: dict[str, int] = Field(description="occurrences found per motion")
    double_support: dict[str, float] = Field(
        default_factory=dict,
        description="share of each gait motion's occurrence frames with both feet down",
    )
    ruled_out: dict[str, str] = Field(
        default_factory=dict, description="motion -> why its matches do not count"
    )
    confirmed: dict[str, float] = Field(
        default_factory=dict, description="motions whose feet share the ground as theirs "
        "do, whose signature was shown or that lead into a motion found after them -> the "
        "cost ratio they are recognised up to (GaitCheck, SignatureCheck, LeadsInto)",
    )  # fmt: skip
    signed: list[str] = Field(
        default_factory=list, description="motions an occurrence of which showed their "
        "signature (a serve's toss arm up, then the hitting hand over the head)",
    )  # fmt: skip
    slow_motion: float = Field(
        default=1.0, ge=1.0, description="how many times slower than real time the clip "
        "plays, as the motion was found: 1 at the rate the file states; more when none was "
        "recognised at that rate and one matched there fits clearly better played faster "
        "(SLOW_MOTION, SLOW_GAIN)",
    )  # fmt: skip


def double_support_share(
    series: KinematicSeries, result: AlignmentResult, level: float
) -> float | None:
    """The share of the occurrences' frames in which both feet are down (each foot's
    clearance below ``level``), over frames where both feet were seen; None when too few."""
    left = series.channels.get("left_foot_clearance")
    right = series.channels.get("right_foot_clearance")
    if left is None or right is None or not result.occurrences:
        return None
    frames = np.zeros(len(left), dtype=bool)
    for occ in result.occurrences:
        frames[occ.start : occ.end + 1] = True
    seen = frames & np.isfinite(left) & np.isfinite(right)
    if seen.sum() < MIN_GAIT_FRAMES:
        return None
    both = (left[seen] < level) & (right[seen] < level)
    return round(float(both.mean()), 3)


def background_frames(
    results: dict[str, AlignmentResult], ratios: dict[str, float], limits: dict[str, float]
) -> list[tuple[int, int]]:
    """(start, end) of every accepted occurrence of a background motion (a walk)."""
    return [
        (o.start, o.end)
        for m in BACKGROUND_MOTIONS
        if m in ratios and ratios[m] <= limits.get(m, ACCEPT_RATIO)
        for o in results[m].occurrences
        if o.cost / results[m].cost_threshold <= limits.get(m, ACCEPT_RATIO)
    ]


def unexplained(result: AlignmentResult, background: list[tuple[int, int]]) -> list[Occurrence]:
    """A motion's occurrences that the background (a walk found there) does not explain:
    at most BACKGROUND_SHARE of an occurrence's frames may lie in walks. A walk matches
    some sport template a little too; where a walk is found over the same frames, the
    athlete is walking, not serving."""
    kept = []
    for occ in result.occurrences:
        frames = np.zeros(occ.end - occ.start + 1, dtype=bool)
        for start, end in background:
            frames[max(start, occ.start) - occ.start : min(end, occ.end) - occ.start + 1] = True
        if frames.mean() <= BACKGROUND_SHARE:
            kept.append(occ)
    return kept


def own_ratio(result: AlignmentResult, background: list[tuple[int, int]]) -> float | None:
    """The best cost ratio among a motion's occurrences the background does not explain."""
    kept = unexplained(result, background)
    if not kept:
        return None
    return round(float(min(o.cost for o in kept) / result.cost_threshold), 3)


def signed_ratio(
    result: AlignmentResult,
    series: KinematicSeries,
    signature: SignatureCheck,
    background: list[tuple[int, int]],
) -> float | None:
    """The best cost ratio among the occurrences the background does not explain that
    show the motion's signature (None: none does)."""
    signed = [
        o.cost / result.cost_threshold
        for o in unexplained(result, background)
        if passes_gates(o.keyframes, signature.gates, series.channels, o.mirrored)
    ]
    return round(float(min(signed)), 3) if signed else None


def pick_motion(
    ratios: dict[str, float],
    confirmed: dict[str, float] | None = None,
    leads: dict[str, list[str]] | None = None,
    signed: set[str] | None = None,
) -> str | None:
    """The clearest accepted motion, a sport motion before a background walk; a motion
    in ``confirmed`` (its gait check passed, its signature shown, or found before its
    followers) is accepted up to the limit given there; ``leads``: motion -> the motions
    that follow it in one recording (a start, then the acceleration): an accepted leader
    wins over them; ``signed``: motions whose signature was shown, which a walk found
    elsewhere does not outweigh."""
    limits = {m: (confirmed or {}).get(m, ACCEPT_RATIO) for m in ratios}
    accepted = sorted((r, m) for m, r in ratios.items() if r <= limits[m])
    if not accepted:
        return None
    walk = min((r for r, m in accepted if m in BACKGROUND_MOTIONS), default=None)
    bar = 1.0 if walk is None else max(walk + FOREGROUND_MARGIN, CLEAR_RATIO)
    foreground = [m for r, m in accepted if m not in BACKGROUND_MOTIONS
                  and (r <= bar or m in (signed or set()))]  # fmt: skip
    best = foreground[0] if foreground else accepted[0][1]
    leader = next(
        (m for _, m in accepted if best in (leads or {}).get(m, []) and m in foreground), None
    )
    return leader or best


SLOW_MOTION = (2.0,)
"""A broadcast replay or a phone's slow-motion mode plays the motion 2-8 times slower than
it happened, beyond the 0.5-2x tempo the search allows. When no motion is recognised at
the rate the file states, the clip is looked at again as if it played this many times
slower than real time. On ../shared/data/video a slowed football sprint is found only this
way (an acceleration, cost ratio 0.93 -> 0.74); no negative clip and no clip of another
motion changes (benchmarks/real_video.py, benchmarks/motion_recognition.py)."""

SLOW_GAIN = 0.15
"""Played faster, the motion must be one already matched at the stated rate (not ruled
out) that now fits clearly better, by this much of its threshold: the evidence that the
clip is slower than real time. A motion found only when played faster is no evidence: a
real-time jog matches a sprint played twice as fast (0.78, none at its own rate), an
injected walk an acceleration (0.93), the slowed football sprint its acceleration at 0.93
then 0.74."""


def recognise_motion(
    pose: PoseSequence,
    settings: AlignSettings | None = None,
    filters: FilterSettings | None = None,
    series: KinematicSeries | None = None,
    slow_motion: bool = True,
) -> tuple[MotionGuess, dict[str, AlignmentResult]]:
    """The guess, and every motion's alignment (the winner's is reused for assessment);
    a clip in which nothing is found at its stated rate is looked at as slow motion
    (SLOW_MOTION, unless ``slow_motion`` is False): the guess and the alignments then say
    how slow."""
    guess, alignments = _recognise(pose, settings, filters, series)
    for factor in SLOW_MOTION if guess.motion is None and slow_motion else ():
        slowed, found = _recognise(real_time(pose, factor), settings, filters, None)
        before = guess.ratios.get(slowed.motion or "")
        if before is not None and slowed.ratios[str(slowed.motion)] <= before - SLOW_GAIN:
            log.info("%s: %s found when played %gx faster (slow motion)", pose.source,
                     slowed.motion, factor)  # fmt: skip
            return slowed.model_copy(update={"slow_motion": factor}), {
                m: a.model_copy(update={"slow_motion": factor}) for m, a in found.items()
            }
    return guess, alignments


def _recognise(
    pose: PoseSequence,
    settings: AlignSettings | None,
    filters: FilterSettings | None,
    series: KinematicSeries | None,
) -> tuple[MotionGuess, dict[str, AlignmentResult]]:
    """Recognition at the pose's own rate."""
    series = series or compute_kinematics(pose, settings=filters)
    refs_by_motion = {m: load_motion_references(m) for m in known_motions()}
    results: dict[str, AlignmentResult] = {}  # what the search found: recognition rests on it
    timed: dict[str, AlignmentResult] = {}  # with the bouts' cycles (Occurrence.bout)
    ratios: dict[str, float] = {}
    for motion, refs in refs_by_motion.items():
        try:
            result = align(pose, refs, settings, filters, series)
        except AlignmentInputError as exc:  # e.g. the recording is shorter than the motion
            log.debug("%s cannot be %s: %s", pose.source, motion, exc)
            continue
        timed[motion], results[motion] = result, result.searched()
        if results[motion].occurrences:
            cheapest = min(o.cost for o in results[motion].occurrences)
            ratios[motion] = round(cheapest / result.cost_threshold, 3)
    specs = {motion: load_motion_spec(motion) for motion in ratios}
    shares: dict[str, float] = {}
    ruled_out: dict[str, str] = {}
    confirmed: dict[str, float] = {}
    for motion in list(ratios):
        gait = specs[motion].gait
        if gait is None:
            continue
        share = double_support_share(series, results[motion], gait.contact_level)
        if share is None:
            continue
        shares[motion] = share
        low, high = gait.double_support
        if low <= share <= high:
            confirmed[motion] = gait.accept_ratio
            continue
        ruled_out[motion] = (f"both feet were down together in {share * 100:.0f} frames in "
                             f"a hundred, where this motion has {low * 100:.0f} to "
                             f"{high * 100:.0f}")  # fmt: skip
        del ratios[motion]
    walks = [m for m in confirmed if m in BACKGROUND_MOTIONS and shares[m] < SURE_WALK]
    runs = [m for m in confirmed if m not in BACKGROUND_MOTIONS and shares[m] <= CLEAR_FLIGHT]
    for motion in walks if runs else []:
        ruled_out[motion] = (f"both feet were down together in only {shares[motion] * 100:.0f} "
                             f"frames in a hundred, and the {runs[0].replace('_', ' ')} found "
                             "in it has a flight phase")  # fmt: skip
        del ratios[motion], confirmed[motion]
    leads: dict[str, list[str]] = {}
    for motion in list(ratios):
        follow = specs[motion].leads_into
        if follow is None:
            continue
        first = min(o.start for o in results[motion].occurrences)
        after = [m for m in follow.motions if m in results
                 and any(o.start >= first for o in results[m].occurrences)]  # fmt: skip
        if not after:
            names = " or ".join(m.replace("_", " ") for m in follow.motions)
            ruled_out[motion] = f"no {names} follows it"
            del ratios[motion]
            confirmed.pop(motion, None)
            continue
        accepted = [m for m in after if m in ratios  # not ruled out
                    and ratios[m] <= confirmed.get(m, ACCEPT_RATIO)]  # fmt: skip
        if accepted:
            leads[motion] = accepted
            confirmed[motion] = follow.accept_ratio
    background = background_frames(results, ratios, confirmed)
    for motion in [m for m in ratios if m not in BACKGROUND_MOTIONS and background]:
        own = own_ratio(results[motion], background)
        if own is None:
            ruled_out[motion] = "where it matched, a walk was found over the same frames"
            del ratios[motion]
            confirmed.pop(motion, None)
        else:
            ratios[motion] = own
    signed: set[str] = set()
    for motion in list(ratios):
        signature = specs[motion].signature
        if signature is None:
            continue
        sign = signed_ratio(results[motion], series, signature, background)
        if sign is None:
            continue
        signed.add(motion)
        before = confirmed.get(motion, ACCEPT_RATIO)
        if ratios[motion] > before:  # only an occurrence that shows it is accepted
            ratios[motion] = sign
        confirmed[motion] = max(before, signature.accept_ratio)
    best = pick_motion(ratios, confirmed, leads, signed)
    return (
        MotionGuess(
            motion=best,
            ratios=ratios,
            occurrences={m: len(r.occurrences) for m, r in results.items()},
            double_support=shares,
            ruled_out=ruled_out,
            confirmed=confirmed,
            signed=sorted(signed),
        ),
        timed,
    )
