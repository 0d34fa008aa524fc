"""KISMAM's results in a coach's words, the one way every surface says them (diagnosis,
tables, report, captions, history): names from the spec, values rounded to what the unit
can tell, open bands with ≥ / ≤, the leg-length unit explained once, and the things
that could not be judged merged into one line per reason.

"Arm swing at take-off: 46° (elite ≥ 80°)".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, Field

from ..errors import SportsGPTError
from .models import Evidence, MetricResult
from .spec import AssessmentSpec


class UnitStyle(BaseModel):
    """How a unit is written: its symbol, the decimals a measurement of it can carry,
    and (for an unfamiliar unit) the one sentence that explains it."""

    symbol: str
    decimals: int = Field(ge=0, le=3)
    joined: bool = Field(default=False, description="written without a space: 46°, 12%")
    note: str | None = None


UNITS: dict[str, UnitStyle] = {
    "deg": UnitStyle(symbol="°", decimals=0, joined=True),
    "leg": UnitStyle(
        symbol="leg lengths", decimals=2,
        note="Heights and distances are in leg lengths (hip to knee to ankle, about half "
        "the athlete's height), so athletes of any size, filmed from any distance, compare.",
    ),
    "m": UnitStyle(symbol="m", decimals=2),
    "s": UnitStyle(symbol="s", decimals=2),
    "m/s": UnitStyle(symbol="m/s", decimals=1),
    "%": UnitStyle(symbol="%", decimals=0, joined=True),
    "px": UnitStyle(symbol="px", decimals=0),
}  # fmt: skip
VIEW_WORDS = {"side": "a side view", "front": "a front view", "oblique": "an angled view",
              "3d": "3D capture (mocap)"}  # fmt: skip
FILMED = {"side": "filmed from the side", "front": "filmed from the front",
          "behind": "filmed from behind", "oblique": "filmed at an angle",
          "3d": "3D"}  # fmt: skip


def _style(unit: str) -> UnitStyle:
    return UNITS.get(unit, UnitStyle(symbol=unit, decimals=2))


def number(value: float, unit: str) -> str:
    """``value`` rounded to what its unit can tell (degrees whole, leg lengths to 0.01)."""
    text = f"{value:.{_style(unit).decimals}f}"
    return "0" if text.lstrip("-").strip("0.") == "" else text  # no "-0"


def quantity(value: float, unit: str) -> str:
    """46°, 1.69 leg lengths, 0.12 s."""
    style = _style(unit)
    if not style.symbol:
        return number(value, unit)
    return f"{number(value, unit)}{'' if style.joined else ' '}{style.symbol}"


def band_words(low: float | None, high: float | None, unit: str) -> str:
    """An elite band: "≥ 80°", "≤ 25°", "20–40°", "-8° to 9°", "2.21–2.60 leg lengths"."""
    if low is not None and high is not None:
        if low < 0:  # a dash between negative numbers reads as a minus sign
            first = quantity(low, unit) if _style(unit).joined else number(low, unit)
            return f"{first} to {quantity(high, unit)}"
        return f"{number(low, unit)}–{quantity(high, unit)}"
    if low is not None:
        return f"≥ {quantity(low, unit)}"
    if high is None:
        raise ValueError("a band has at least one bound")
    return f"≤ {quantity(high, unit)}"


def verdict(value: float, low: float | None, high: float | None) -> str:
    """ "below", "above" or "inside" the band."""
    if low is not None and value < low:
        return "below"
    if high is not None and value > high:
        return "above"
    return "inside"


def measured_words(name: str, value: float, band: tuple[float | None, float | None],
                   unit: str) -> str:  # fmt: skip
    """ "Arm swing at take-off: 46° (elite ≥ 80°)"."""
    return f"{name}: {quantity(value, unit)} (elite {band_words(*band, unit)})"


def _name_at(name: str, at: str) -> str:
    """The metric's name, with where it was measured unless the name already says it."""
    said = at.lower() in name.lower() or " at " in name.lower() or " on " in name.lower()
    return name if not at or said else f"{name} at {at}"


CHANNEL_WORDS = {
    "knee_flexion": "knee bend", "hip_flexion": "hip bend", "elbow_flexion": "elbow bend",
    "shoulder_flexion": "arm angle (shoulder)", "wrist_height": "hand height",
    "heel_height": "heel height", "trunk_lean": "trunk lean", "shin_angle": "shin angle",
    "com_velocity_angle": "travel direction (centre of mass)", "knee_valgus": "knee valgus",
    "foot_ahead_of_hip": "foot ahead of the hip", "ankle_flexion": "ankle bend",
}  # fmt: skip
"""Kinematic channels as a coach says them (live readouts); the rest are humanised."""


def channel_words(channel: str) -> str:
    """ "right_knee_flexion" -> "Right knee bend"."""
    for base, words in CHANNEL_WORDS.items():
        if channel.endswith(base):
            side = channel[: -len(base)].rstrip("_").replace("_", " ")
            return humanise(f"{side} {words}".strip())
    return humanise(channel)


def result_words(ev: Evidence | MetricResult) -> str:
    """One measurement against its band: "Back knee bend at toss peak: 91° (elite
    16–33°)" (a video caption says when by itself)."""
    if isinstance(ev, Evidence):
        name, at = ev.label or humanise(ev.metric), ev.at or humanise(ev.keyframe)
    else:
        name, at = ev.short or humanise(ev.id), ev.at or humanise(ev.keyframe)
    return measured_words(_name_at(name, at), ev.measured, ev.band, ev.unit)


def evidence_words(ev: Evidence | MetricResult) -> str:
    """One measurement behind a problem, and where: "Back knee bend at toss peak: 91°
    (elite 16–33°), frame 2533"."""
    return f"{result_words(ev)}, frame {ev.frame}"


def humanise(identifier: str) -> str:
    """A snake_case id in words, for data that carries no name of its own."""
    text = identifier.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def unit_notes(units: Iterable[str]) -> list[str]:
    """The explanation of each unfamiliar unit among ``units``, once each."""
    return [n for u in dict.fromkeys(units) if (n := _style(u).note)]


def view_reason(needs: Iterable[str], view: str) -> str:
    """Why a view cannot judge something: "needs a front view or 3D capture (mocap);
    this recording is filmed from the side"."""
    wanted = " or ".join(VIEW_WORDS.get(v, v) for v in needs)
    return f"needs {wanted}; this recording is {FILMED.get(view, view)}"


@lru_cache(maxsize=32)
def _spec(motion: str) -> AssessmentSpec | None:
    from .spec import load_motion_spec

    try:
        return load_motion_spec(motion)
    except SportsGPTError:
        return None


def name_of(motion: str, what: str) -> tuple[str, bool]:
    """A metric's or problem's name in words (``what`` is its id), and whether it is a
    problem."""
    spec = _spec(motion)
    if spec is not None:
        if (metric := spec.metric(what)) is not None:
            return metric.name, False
        if (problem := spec.problem(what)) is not None:
            return problem.label, True
    return ("The motion" if what == "motion" else humanise(what)), False


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def score_words(score: float | None) -> str:
    """'technique score 74/100', or what a missing score means."""
    if score is None:
        return "not scored (nothing could be judged)"
    return f"technique score {score:.0f}/100"


def not_judged(motion: str, unmeasurable: dict[str, str]) -> list[str]:
    """What could not be judged, one line per reason: the problems and the metrics they
    need, when they fail for the same reason, are said once ("Knees cave in on landing
    (knee valgus on landing): needs a front view ...")."""
    by_reason: dict[str, list[tuple[str, bool]]] = {}
    for what, why in unmeasurable.items():
        by_reason.setdefault(why, []).append(name_of(motion, what))
    lines = []
    for why, named in by_reason.items():
        problems = list(dict.fromkeys(n for n, is_problem in named if is_problem))
        metrics = list(dict.fromkeys(n for n, is_problem in named if not is_problem))
        if problems and metrics:
            head = f"{_joined(problems)} ({_joined(metrics).lower()})"
        else:
            head = _joined(problems or metrics)
        lines.append(f"{head}: {why}")
    return lines
