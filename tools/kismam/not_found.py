"""When the motion is not found: what was tried, why it failed, and how to film it better.

A motion that is not found gets no verdict, never a guess. What the user is told instead
is measured, not generic: the motion they named (or every motion tried), the closest
match and how far from an occurrence it was, gait checks that ruled a motion out, the
view, the athlete's height in pixels and the share of frames they were tracked in, and
the clip's length against one cycle of the motion. The words name no command-line flag,
so the app, the coach and the CLI can all show them (the CLI adds its own hint).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..errors import SportsGPTError
from ..kinematics.series import KinematicSeries
from ..motiondtw.library import known_motions, load_motion_references
from ..pose_sequence import PoseSequence
from .capture import check_capture
from .models import Assessment, CaptureCheck
from .recognise import ACCEPT_RATIO, MotionGuess
from .spec import load_motion_spec
from .wording import FILMED


class NotFound(BaseModel):
    """Why no occurrence of the motion (or of any motion) was found."""

    named: str | None = Field(description="the motion the user named (None: recognition)")
    tried: list[str]
    closest: str | None = Field(default=None, description="the motion matched best")
    closest_ratio: float | None = Field(
        default=None, description="its best match cost / what an occurrence may cost"
    )
    needed_ratio: float = Field(
        default=ACCEPT_RATIO, description="the ratio naming the closest motion needs"
    )
    ruled_out: dict[str, str] = Field(default_factory=dict)
    duration_s: float
    cycle_s: float | None = Field(default=None, description="one occurrence of the motion")
    capture: CaptureCheck


def explain_not_found(
    pose: PoseSequence, series: KinematicSeries, named: str | None,
    guess: MotionGuess | None = None,
) -> NotFound:  # fmt: skip
    """What was tried on ``pose`` and what the recording itself limits."""
    ratios = guess.ratios if guess else {}
    closest = named or (min(ratios, key=lambda m: ratios[m]) if ratios else None)
    ratio = None if named or closest is None else ratios.get(closest)
    motion = closest or known_motions()[0]
    spec = load_motion_spec(motion)
    reference = load_motion_references(motion)[0]
    start, end = reference.segment
    empty = Assessment(motion=motion, score=0, problems=[], occurrences=[], unmeasurable={})
    times = pose.frame_times
    return NotFound(
        named=named, tried=[named] if named else known_motions(), closest=closest,
        closest_ratio=ratio, ruled_out=guess.ruled_out if guess else {},
        needed_ratio=(guess.confirmed if guess else {}).get(motion, ACCEPT_RATIO),
        duration_s=round(float(times[-1] - times[0]) if len(times) > 1 else 0.0, 2),
        cycle_s=round((end - start) / reference.fps, 2) if end > start else None,
        capture=check_capture(pose, spec, series, empty),
    )  # fmt: skip


def _motion(name: str) -> str:
    return name.replace("_", " ")


def not_found_words(report: NotFound) -> str:
    """One paragraph: what was tried, why it failed, how to film it better."""
    if report.named:
        head = f"no {_motion(report.named)} was found in this recording"
    else:
        head = (
            "none of the motions I know ("
            + ", ".join(_motion(m) for m in report.tried)
            + ") was found in this recording"
        )
    why = []
    if report.closest and report.closest_ratio is not None and not report.named:
        why.append(f"the closest was {_motion(report.closest)}, but not clearly enough to "
                   f"name it: its best match differed {report.closest_ratio:.2f} times as "
                   "much from the reference as an occurrence may, and naming a motion "
                   f"needs {report.needed_ratio:.2f} or less")  # fmt: skip
    elif report.named:
        why.append("nothing in it matched the reference's sequence of positions")
    why += [f"{_motion(m)} ruled out: {reason}" for m, reason in report.ruled_out.items()]
    check = report.capture
    seen = [FILMED.get(check.view, check.view)]
    if check.athlete_px is not None:
        seen.append(f"the athlete about {check.athlete_px:.0f} px tall")
    if check.tracked_share is not None:
        seen.append(f"tracked in {check.tracked_share * 100:.0f} frames in a hundred")
    length = f"the clip lasts {report.duration_s:.1f} s"
    if report.cycle_s and report.closest:
        length += f"; one {_motion(report.closest)} takes about {report.cycle_s:.1f} s"
        if report.duration_s < report.cycle_s:
            length += ", longer than the clip"
    advice = [i.advice.rstrip(".") for i in check.issues if i.advice] or [
        "film the whole motion from the side, the athlete filling at least a third of the "
        "picture's height, from before it starts until after it ends"
    ]
    return (f"{head} ({'; '.join(why)})" if why else head) + (
        f". The recording: {', '.join(seen)}; {length}. To film it better: "
        f"{'; '.join(dict.fromkeys(advice))}."
    )


class MotionNotFoundError(SportsGPTError):
    """No occurrence of the motion: the message says what was tried and how to film."""

    def __init__(self, report: NotFound) -> None:
        super().__init__(not_found_words(report))
        self.report = report
