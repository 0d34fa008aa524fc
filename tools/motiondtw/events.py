"""Keyframe events located from 3D motion capture itself (ground truth and references).

Foot contact: the ankle joint within 5 cm of its 5th-percentile height; a contact begins
(touchdown) at its first such frame and ends (toe-off) at its last. Take-off and landing
of a jump are the end and the start of the flight phase where neither foot is in contact.
Serve: toss peak, knee bend, impact (the hitting wrist's highest point), follow-through
(the hitting wrist dropping below its shoulder).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from ..errors import MissingJointError, SportsGPTError
from ..kinematics import leg_length
from ..pose_sequence import PoseSequence
from .refine import extreme

BoolArray = npt.NDArray[np.bool_]

CONTACT_TOLERANCE_M = 0.05
TOSS_PLATEAU = 0.03
"""The toss peak is the middle of the stretch where the tossing hand is within this many
leg lengths of its highest point (the arm is held up; its very highest frame is noise)."""


class MotionEvent(BaseModel):
    """One occurrence of a motion in mocap: its span and keyframes (frames)."""

    start: int
    end: int
    keyframes: dict[str, int]


def _height(seq: PoseSequence, joint: str) -> npt.NDArray[np.float64]:
    if seq.dims != 3 or seq.units != "m":
        raise SportsGPTError("contact events need 3D motion capture in metres (y up)")
    if not seq.has(joint):
        raise MissingJointError("foot contact detection", [joint])
    return np.asarray(seq.joint(joint)[:, 1], dtype=np.float64)


def foot_contact(seq: PoseSequence, side: str, tolerance: float = CONTACT_TOLERANCE_M) -> BoolArray:
    """Per frame: is the ``side`` foot on the ground?"""
    height = _height(seq, f"{side}_ankle")
    floor = float(np.nanpercentile(height, 5))
    return np.asarray(height <= floor + tolerance)


FOOT_TOLERANCE_M = 0.03
"""A foot is down while its lowest point is within 3 cm of that point's 5th-percentile
height: against FootNet's force plates (treadmill running, 200 Hz, 54 strides) touchdown
3-6 ms and toe-off about 5 ms off (benchmarks/force_plates.py), where the ankle within
5 cm is 12 ms early at touchdown and 32 ms early at toe-off."""


def foot_lowest_contacts(
    seq: PoseSequence, side: str, tolerance: float = FOOT_TOLERANCE_M
) -> list[tuple[int, int]]:
    """(touchdown, toe-off) frames of each complete contact of the ``side`` foot, from
    the lowest of its heel, toe and ankle points (whichever the recording has)."""
    points = [f"{side}_{p}" for p in ("heel", "toe", "ankle") if seq.has(f"{side}_{p}")]
    if not points:
        raise MissingJointError("foot contact detection", [f"{side}_toe", f"{side}_heel"])
    lowest = np.nanmin(np.stack([_height(seq, p) for p in points]), axis=0)
    down = lowest <= float(np.nanpercentile(lowest, 5)) + tolerance
    return [(a, b) for a, b in runs(down) if a > 0 and b < seq.n_frames - 1]


def runs(mask: BoolArray) -> list[tuple[int, int]]:
    """(first, last) frame of each run of True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


CONTACT_KEYFRAMES = {"touchdown": 0, "heel_strike": 0, "toe_off": 1}
"""A contact keyframe's name after its side, and which end of a contact it is."""


def on_the_foot(
    seq: PoseSequence, events: list[MotionEvent], lo: int = 0, hi: int | None = None
) -> list[MotionEvent]:
    """``events`` with each contact keyframe (``left_touchdown``, ``right_toe_off`` ...)
    moved to the nearest contact of the same end by the foot's lowest point
    (``foot_lowest_contacts``, the rule the force plates confirm, on frames lo..hi alone)
    within 0.2 s: a second ground truth beside the ankle rule the references were built
    with."""
    near = max(1, round(0.2 * seq.fps))
    part = seq.select_frames(lo, (seq.n_frames - 1 if hi is None else hi) + 1)
    contacts = {side: [(a + lo, b + lo) for a, b in foot_lowest_contacts(part, side)]
                for side in ("left", "right")}  # fmt: skip
    out = []
    for event in events:
        keyframes = dict(event.keyframes)
        for name, frame in event.keyframes.items():
            side, _, kind = name.partition("_")
            if side not in contacts or kind not in CONTACT_KEYFRAMES:
                continue
            ends = [c[CONTACT_KEYFRAMES[kind]] for c in contacts[side]]
            best = min(ends, key=lambda f: abs(f - frame), default=None)
            if best is not None and abs(best - frame) <= near:
                keyframes[name] = best
        out.append(event.model_copy(update={"keyframes": keyframes}))
    return out


def contact_events(seq: PoseSequence, side: str) -> list[tuple[int, int]]:
    """(touchdown, toe_off) frames of each complete contact (not cut by the clip's ends)."""
    contact = foot_contact(seq, side)
    return [(a, b) for a, b in runs(contact) if a > 0 and b < seq.n_frames - 1]


def flight_phases(seq: PoseSequence, min_frames: int = 2) -> list[tuple[int, int]]:
    """(take_off, landing): last frame with a foot down before a flight, first after it."""
    down = foot_contact(seq, "left") | foot_contact(seq, "right")
    out = []
    for a, b in runs(~down):
        if a > 0 and b < seq.n_frames - 1 and b - a + 1 >= min_frames:
            out.append((a - 1, b + 1))
    return out


def wrist_peaks(seq: PoseSequence, side: str, min_gap_s: float = 2.0) -> list[int]:
    """Frames where the ``side`` wrist is highest, at most one per ``min_gap_s``."""
    height = _height(seq, f"{side}_wrist")
    head = _height(seq, "head") if seq.has("head") else _height(seq, "neck")
    above = height - head  # serves: the hand well above the head
    gap = max(1, round(min_gap_s * seq.fps))
    order = np.argsort(-above)
    peaks: list[int] = []
    for i in order:
        if above[i] < 0.3:
            break
        if all(abs(int(i) - p) >= gap for p in peaks):
            peaks.append(int(i))
    return sorted(peaks)


def run_cycles(seq: PoseSequence, lo: int, hi: int) -> list[MotionEvent]:
    """Every complete stride cycle (left touchdown to next left touchdown) in [lo, hi]."""
    left = [e for e in contact_events(seq, "left") if lo <= e[0] and e[1] <= hi]
    right = [e for e in contact_events(seq, "right") if lo <= e[0] and e[1] <= hi]
    out = []
    for (td, to), (nxt, _) in itertools.pairwise(left):
        r = [e for e in right if td < e[0] < nxt]
        if len(r) != 1 or nxt - td > 2.0 * seq.fps:
            continue
        out.append(
            MotionEvent(
                start=td,
                end=nxt - 1,
                keyframes={
                    "left_touchdown": td,
                    "left_toe_off": to,
                    "right_touchdown": r[0][0],
                    "right_toe_off": r[0][1],
                },
            )
        )
    return out


def jump_events(seq: PoseSequence, lo: int, hi: int) -> list[MotionEvent]:
    """Countermovement bottom, take-off, landing and landing absorption of each jump."""
    pelvis = seq.joint("pelvis")[:, 1]
    out = []
    for take_off, landing in flight_phases(seq, min_frames=int(0.15 * seq.fps)):
        if not (lo <= take_off and landing <= hi):
            continue
        before = slice(max(lo, take_off - int(1.0 * seq.fps)), take_off)
        after = slice(landing, min(hi, landing + int(0.6 * seq.fps)) + 1)
        bottom = before.start + int(np.argmin(pelvis[before]))
        absorb = after.start + int(np.argmin(pelvis[after]))
        out.append(
            MotionEvent(
                start=bottom,
                end=absorb,
                keyframes={
                    "countermovement_bottom": bottom,
                    "take_off": take_off,
                    "landing": landing,
                    "landing_absorption": absorb,
                },
            )
        )
    return out


def serve_events(seq: PoseSequence, lo: int = 0, hi: int | None = None) -> list[MotionEvent]:
    """Toss peak (the middle of the tossing wrist's highest stretch), knee bend (lowest
    pelvis between toss and impact), impact (hitting wrist highest) and follow-through
    (hitting wrist drops below its shoulder) of each serve (right-handed)."""
    hi = seq.n_frames - 1 if hi is None else hi
    hit = seq.joint("right_wrist")[:, 1]
    toss = seq.joint("left_wrist")[:, 1]
    pelvis = seq.joint("pelvis")[:, 1]
    shoulder = seq.joint("right_shoulder")[:, 1]
    legs = leg_length(seq)
    out = []
    for impact in wrist_peaks(seq, "right"):
        a, b = impact - int(1.2 * seq.fps), impact + int(1.0 * seq.fps)
        if a < lo or b > hi:
            continue
        # the middle of the tossing hand's highest stretch (within TOSS_PLATEAU leg lengths)
        toss_peak = a + extreme(toss[a : impact - int(0.1 * seq.fps)], "max", TOSS_PLATEAU * legs)
        knee_bend = toss_peak + int(np.argmin(pelvis[toss_peak:impact]))  # the trophy crouch
        below = np.flatnonzero(hit[impact : b + 1] < shoulder[impact : b + 1])
        if len(below) == 0:
            continue  # the racket arm never came down: not a complete serve
        follow = impact + int(below[0])  # the hitting hand drops below its shoulder
        out.append(
            MotionEvent(
                start=toss_peak,
                end=follow,
                keyframes={
                    "toss_peak": toss_peak,
                    "knee_bend": knee_bend,
                    "impact": impact,
                    "follow_through": follow,
                },
            )
        )
    return out


def walk_cycles(seq: PoseSequence, lo: int, hi: int) -> list[MotionEvent]:
    """Gait cycles from one left heel strike to the next: left heel strike, right toe-off,
    right heel strike, left toe-off (double support at both ends of each step)."""
    left = [e for e in contact_events(seq, "left") if lo <= e[0] and e[1] <= hi]
    right = contact_events(seq, "right")
    out = []
    for (strike, toe_off), (nxt, _) in itertools.pairwise(left):
        r_off = [b for a, b in right if a < strike < b < toe_off]
        r_on = [a for a, b in right if toe_off > a > strike and a < nxt]
        if len(r_off) != 1 or len(r_on) != 1 or not toe_off < nxt or nxt - strike > 2.5 * seq.fps:
            continue
        out.append(
            MotionEvent(
                start=strike,
                end=nxt - 1,
                keyframes={
                    "left_heel_strike": strike,
                    "right_toe_off": r_off[0],
                    "right_heel_strike": r_on[0],
                    "left_toe_off": toe_off,
                },
            )
        )
    return out


def _on_segment(
    rule: Callable[[PoseSequence, int, int], list[MotionEvent]],
) -> Callable[[PoseSequence, int, int], list[MotionEvent]]:
    """Apply a rule to frames lo..hi alone, so the floor height is that recording's own."""

    def within(seq: PoseSequence, lo: int, hi: int) -> list[MotionEvent]:
        part = seq.select_frames(lo, hi + 1)
        found = rule(part, 0, part.n_frames - 1)
        return [
            MotionEvent(
                start=e.start + lo,
                end=e.end + lo,
                keyframes={k: f + lo for k, f in e.keyframes.items()},
            )
            for e in found
        ]

    return within


EVENT_RULES: dict[str, Callable[[PoseSequence, int, int], list[MotionEvent]]] = {
    "stride_cycles": _on_segment(run_cycles),
    "jump_flights": _on_segment(jump_events),
    "serves": _on_segment(serve_events),
    "gait_cycles": _on_segment(walk_cycles),
}
"""The rules that find a motion's keyframes in 3D mocap (frames ``lo``..``hi``), by name;
which motion uses which is data (``references/<motion>/build.json``: ``events``)."""
