"""Snap aligned keyframes to the biomechanical event they stand for.

DTW maps a keyframe to the query frame whose posture best matches the template's; when
an athlete sequences a motion differently from the template's athlete (a later crouch in
a serve), that frame can sit a few frames off the event itself. A reference may give a
keyframe an event rule on a query channel - a local maximum or minimum, or a level
crossing - searched within a short window around the aligned frame.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from ..skeleton import mirror_name

FloatArray = npt.NDArray[np.float64]


class KeyframeRule(BaseModel):
    """The event a keyframe marks, on one channel (e.g. the hitting wrist's highest point)."""

    channel: str
    event: Literal["max", "min", "falls_below", "rises_above"]
    level: float = Field(default=0.0, description="crossing level (channel units)")
    window_s: float = Field(default=0.15, gt=0, description="search +/- this around the DTW frame")


def refine_keyframes(
    keyframes: dict[str, int],
    rules: dict[str, KeyframeRule],
    channels: dict[str, FloatArray],
    fps: float,
    mirrored: bool,
) -> dict[str, int]:
    """Keyframes moved to their rule's event when it lies inside the window."""
    out = dict(keyframes)
    for name, frame in keyframes.items():
        template_name = mirror_name(name) if mirrored else name
        rule = rules.get(template_name)
        if rule is None:
            continue
        channel = mirror_name(rule.channel) if mirrored else rule.channel
        values = channels.get(channel)
        if values is None:
            continue
        w = max(1, round(rule.window_s * fps))
        lo, hi = max(0, frame - w), min(len(values) - 1, frame + w)
        segment = values[lo : hi + 1]
        if rule.event in ("max", "min"):
            pick = int(np.argmax(segment) if rule.event == "max" else np.argmin(segment))
            if 0 < pick < len(segment) - 1:  # a true local extremum, not the window's edge
                out[name] = lo + pick
        else:
            above = segment > rule.level
            cross = (
                above[:-1] & ~above[1:] if rule.event == "falls_below" else ~above[:-1] & above[1:]
            )
            hits = np.flatnonzero(cross) + 1
            if len(hits):
                out[name] = lo + int(hits[np.argmin(np.abs(hits + lo - frame))])
    return out
