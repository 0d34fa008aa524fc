"""Snap aligned keyframes to the biomechanical event they stand for.

DTW maps a keyframe to the query frame whose posture best matches the template's; when
an athlete sequences a motion differently from the template's athlete (a later crouch or
a longer toss in a serve), that frame can sit several frames off the event itself. A
reference may give a keyframe an event rule on a query channel - a maximum or minimum,
or a level crossing - searched either around the aligned frame or between two other
keyframes (e.g. the toss peak is the tossing hand's highest point in the 1.2 s before
impact). Rules run in the order listed, so a rule may lean on keyframes refined before it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field, model_validator

from ..skeleton import mirror_name

FloatArray = npt.NDArray[np.float64]


class KeyframeRule(BaseModel):
    """The event a keyframe marks, on one channel (e.g. the hitting wrist's highest point)."""

    channel: str
    event: Literal["max", "min", "falls_below", "rises_above", "last_below"]
    """``last_below``: the last frame below ``level`` before the channel rises above it
    (a toe-off: the last frame the toe is on the ground)."""
    level: float = Field(default=0.0, description="crossing level (channel units)")
    until: float | None = Field(
        default=None, description="a crossing of ``level`` counts only when the channel "
        "also passes this level on its far side before it comes back (a foot's swing lifts "
        "it well clear; a flicker of noise on the ground does not): a toe-off is the last "
        "frame below ``level`` before the channel rises above ``until``, a touchdown the "
        "first below it after the channel was above ``until``",
    )  # fmt: skip
    minus: str | None = Field(
        default=None, description="read ``channel`` less this channel: the heel ahead of "
        "the other foot's toe, which keeps still while both feet are on the ground, "
        "however the camera pans",
    )  # fmt: skip
    speed: bool = Field(
        default=False, description="read how fast the channel (or the difference) changes, "
        "|d/dt| in its units per second, instead of its value",
    )  # fmt: skip
    either_side: bool = Field(
        default=False, description="read the lower of the signal and its left/right "
        "mirror's: an event of either foot (both feet on the ground, whichever leads), for "
        "2D keypoints that swap which foot is which",
    )  # fmt: skip
    window_s: float = Field(default=0.15, gt=0, description="around: +/- this of the DTW frame")
    after: str | None = Field(default=None, description="between: from this keyframe ...")
    after_s: float = 0.0
    before: str | None = Field(default=None, description="... to this keyframe")
    before_s: float = 0.0
    plateau: float = Field(
        default=0.0, ge=0, description="a max/min: the middle of the stretch within this "
        "of the extreme (channel units), so a held position (a toss arm held high) gives "
        "one stable frame, not whichever frame of it is a hair higher",
    )  # fmt: skip
    direction: Literal["around", "after"] = Field(
        default="around", description="around the frame (+/- window_s), or after it only"
    )
    then: KeyframeRule | None = Field(
        default=None, description="a second event searched from the first (a heel strike: "
        "the heel farthest ahead, then the heel's lowest point just after)",
    )  # fmt: skip
    otherwise: KeyframeRule | None = Field(
        default=None, description="the rule to use when this one's channel is missing (a "
        "front view has no 'ahead of the hip': the foot's clearance instead)",
    )  # fmt: skip
    mean_with: KeyframeRule | None = Field(
        default=None, description="a second estimate of the same instant, searched from the "
        "first one's event: the keyframe is the middle of the two events (or the one found). For "
        "two estimators with opposite biases: a video toe-off comes 3-5 frames after the "
        "toe is farthest behind the hip and 1-4 before it is 0.02 leg lengths up",
    )  # fmt: skip

    @model_validator(mode="after")
    def _check(self) -> KeyframeRule:
        if (self.after is None) != (self.before is None):
            raise ValueError("a 'between' rule needs both 'after' and 'before' keyframes")
        if self.until is not None:
            if self.event not in ("last_below", "falls_below"):
                raise ValueError("'until' is for 'last_below' and 'falls_below' rules")
            if self.until <= self.level:
                raise ValueError("'until' must be above 'level'")
        return self


def _window(
    rule: KeyframeRule, frame: int, keyframes: dict[str, int], fps: float, mirrored: bool, n: int
) -> tuple[int, int, bool] | None:
    """(lo, hi, between) frames to search, or None when an anchor keyframe is missing."""
    if rule.after is None or rule.before is None:
        w = max(1, round(rule.window_s * fps))
        if rule.direction == "after":
            return frame, min(n - 1, frame + w), True
        return max(0, frame - w), min(n - 1, frame + w), False
    names = (
        (mirror_name(rule.after), mirror_name(rule.before))
        if mirrored
        else (rule.after, rule.before)
    )
    if names[0] not in keyframes or names[1] not in keyframes:
        return None
    lo = keyframes[names[0]] + round(rule.after_s * fps)
    hi = keyframes[names[1]] + round(rule.before_s * fps)
    lo, hi = max(0, lo), min(n - 1, hi)
    return (lo, hi, True) if hi > lo else None


def extreme(values: FloatArray, event: str, plateau: float = 0.0) -> int:
    """Index of the maximum (``event`` "max") or minimum of ``values``; with ``plateau``,
    the middle of the contiguous stretch around it within ``plateau`` of that extreme."""
    sign = 1.0 if event == "max" else -1.0
    v = sign * np.asarray(values, dtype=np.float64)
    i = int(np.nanargmax(v))
    if plateau <= 0:
        return i
    top = v[i] - plateau
    a, b = i, i
    while a > 0 and v[a - 1] >= top:
        a -= 1
    while b < len(v) - 1 and v[b + 1] >= top:
        b += 1
    return (a + b) // 2


def refine_keyframes(
    keyframes: dict[str, int],
    rules: dict[str, KeyframeRule],
    channels: dict[str, FloatArray],
    fps: float,
    mirrored: bool,
    found: set[str] | None = None,
) -> dict[str, int]:
    """Keyframes moved to their rule's event when the event is found; ``found`` collects
    the names of those whose rule found one."""
    out = dict(keyframes)
    for template_name, first in rules.items():
        name = mirror_name(template_name) if mirrored else template_name
        if name not in out:
            continue
        rule: KeyframeRule | None = first
        while rule is not None:
            values = _signal(rule, channels, fps, mirrored)
            if values is None and rule.otherwise is not None:
                rule = rule.otherwise
                continue
            hit = values is not None and _apply(out, name, rule, values, fps, mirrored)
            if rule.mean_with is not None:  # searched from the first event (else the start)
                second = _signal(rule.mean_with, channels, fps, mirrored)
                other = dict(out)
                if second is not None and _apply(other, name, rule.mean_with, second, fps,
                                                 mirrored):  # fmt: skip
                    out[name] = round((out[name] + other[name]) / 2) if hit else other[name]
                    hit = True
            if hit and found is not None:
                found.add(name)
            rule = rule.then
    return out


def rule_events(
    rule: KeyframeRule, channels: dict[str, FloatArray], fps: float, mirrored: bool
) -> npt.NDArray[np.intp] | None:
    """Every frame of the recording where a swing-crossing rule (one with ``until``; its
    ``otherwise`` where the channel is missing) finds its event; None for other rules or
    when no channel it needs is there."""
    current: KeyframeRule | None = rule
    while current is not None:
        values = _signal(current, channels, fps, mirrored)
        if values is not None:
            if current.until is None:
                return None
            return swing_crossings(values, current.level, current.until, current.event)
        current = current.otherwise
    return None


def _signal(
    rule: KeyframeRule, channels: dict[str, FloatArray], fps: float, mirrored: bool
) -> FloatArray | None:
    """What ``rule`` reads: its channel (less ``minus``; as a speed; the lower of either
    side's), or None when the query lacks a channel it needs."""
    sides = (mirrored, not mirrored) if rule.either_side else (mirrored,)
    read = []
    for swap in sides:
        names = [rule.channel] + ([rule.minus] if rule.minus else [])
        found = [channels.get(mirror_name(n) if swap else n) for n in names]
        if any(v is None for v in found):
            return None
        values = np.asarray(found[0], dtype=np.float64)
        if len(found) > 1:
            values = values - np.asarray(found[1], dtype=np.float64)
        if rule.speed:
            values = np.abs(np.gradient(values)) * fps if len(values) > 1 else 0.0 * values
        read.append(values)
    return read[0] if len(read) == 1 else np.fmin(read[0], read[1])


def _apply(
    out: dict[str, int], name: str, rule: KeyframeRule, values: FloatArray, fps: float,
    mirrored: bool,
) -> bool:  # fmt: skip
    """Move keyframe ``name`` in ``out`` to ``rule``'s event on ``values``; False when no
    event was found (the keyframe stays)."""
    found = _window(rule, out[name], out, fps, mirrored, len(values))
    if found is None:
        return False
    lo, hi, between = found
    segment = values[lo : hi + 1]
    if not len(segment):  # the keyframe lies outside the recording
        return False
    if rule.event in ("max", "min"):
        pick = extreme(segment, rule.event, rule.plateau)
        # around the DTW frame only a true local extremum counts, not the window's edge
        if between or 0 < pick < len(segment) - 1:
            out[name] = lo + pick
            return True
        return False
    if rule.until is not None:
        hits = swing_crossings(values, rule.level, rule.until, rule.event) - lo
        hits = hits[(hits >= 0) & (hits < len(segment))]
    else:
        above = segment > rule.level
        cross = (above[:-1] & ~above[1:] if rule.event == "falls_below"
                 else ~above[:-1] & above[1:])  # fmt: skip
        hits = np.flatnonzero(cross) + (0 if rule.event == "last_below" else 1)
    if not len(hits):
        return False
    nearest = hits[0] if between else hits[np.argmin(np.abs(hits + lo - out[name]))]
    out[name] = lo + int(nearest)
    return True


def swing_crossings(
    values: FloatArray, level: float, until: float, event: str
) -> npt.NDArray[np.intp]:
    """Frames where ``values`` leaves ``level`` for good (``last_below``: the last frame
    below ``level`` before it passes ``until``) or comes back to it (``falls_below``: the
    first frame below ``level`` after it was above ``until``); between the two levels it
    keeps the side it was on, so noise round ``level`` is no crossing. NaN frames hold."""
    v = np.asarray(values, dtype=np.float64)
    state = np.where(v > until, 1, np.where(v < level, -1, 0))
    state[~np.isfinite(v)] = 0
    known = np.flatnonzero(state)
    if not len(known):
        return np.zeros(0, dtype=np.intp)
    held = state[known[np.maximum(np.searchsorted(known, np.arange(len(v)), "right") - 1, 0)]]
    held[: known[0]] = 0
    up = held > 0
    starts = np.flatnonzero(up[1:] & ~up[:-1]) + 1
    ends = np.flatnonzero(~up[1:] & up[:-1]) + 1
    if event == "falls_below":
        return ends[held[ends] < 0]
    below = np.flatnonzero(v < level)
    at = np.searchsorted(below, starts) - 1
    return below[at[at >= 0]]


class OccurrenceGate(BaseModel):
    """A condition every true occurrence meets (a serve's hitting hand is above the
    shoulder at impact; a start rises from its set position); occurrences that fail it are
    rejected, whatever their cost."""

    channel: str
    keyframe: str
    change_from: str | None = Field(
        default=None, description="gate the channel's change from this keyframe to "
        "``keyframe`` instead of its value (the centre of mass rising from set to the first "
        "touchdown: a still athlete does not start)",
    )  # fmt: skip
    minus: str | None = Field(
        default=None, description="gate the channel less this channel at the same keyframe "
        "(a serve's hitting hand above the toss hand at impact); where this one was not seen, "
        "the channel alone is gated (a toss arm folded behind the body is often hidden)",
    )  # fmt: skip
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _check(self) -> OccurrenceGate:
        if self.min is None and self.max is None:
            raise ValueError("a gate needs a min or a max")
        if self.minus is not None and self.change_from is not None:
            raise ValueError("a gate reads a change between keyframes or a difference of "
                             "channels, not both")  # fmt: skip
        return self


def passes_gates(
    keyframes: dict[str, int],
    gates: list[OccurrenceGate],
    channels: dict[str, FloatArray],
    mirrored: bool,
) -> bool:
    """True when every gate holds (a gate whose channel or keyframe is missing holds)."""
    for gate in gates:
        name = mirror_name(gate.keyframe) if mirrored else gate.keyframe
        channel = mirror_name(gate.channel) if mirrored else gate.channel
        if name not in keyframes or channel not in channels:
            continue
        value = float(channels[channel][keyframes[name]])
        if gate.change_from is not None:
            start = mirror_name(gate.change_from) if mirrored else gate.change_from
            if start not in keyframes:
                continue
            value -= float(channels[channel][keyframes[start]])
        if gate.minus is not None:
            other = mirror_name(gate.minus) if mirrored else gate.minus
            seen = channels[other][keyframes[name]] if other in channels else np.nan
            value -= float(seen) if np.isfinite(seen) else 0.0
        if gate.min is not None and not value >= gate.min:
            return False
        if gate.max is not None and not value <= gate.max:
            return False
    return True
