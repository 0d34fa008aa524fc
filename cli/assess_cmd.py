"""``sportsgpt assess POSE --motion NAME``: alignment, then KISMAM's interpretable assessment."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_common, add_motion_input, emit, read_motion_input


def add_assess_parser(sub: Any) -> None:
    p = sub.add_parser(
        "assess",
        help="named technical problems with probability, severity and evidence (KISMAM)",
        description="Find every occurrence of the motion (MotionDTW), measure each "
        "keyframe's metrics against elite bands, and map deviations to problems.",
    )
    add_motion_input(p, "pose", video=True)
    p.add_argument(
        "--motion",
        required=True,
        help="e.g. standing_long_jump, or 'auto' to recognise it (see `sportsgpt info`)",
    )
    add_common(p)
    p.set_defaults(handler=cmd_assess)


def cmd_assess(args: argparse.Namespace) -> int:
    from ..tools.kismam import assess_motion
    from ..tools.kismam.capture import capture_words
    from ..tools.kismam.wording import evidence_words, not_judged, score_words, unit_notes

    result = assess_motion(read_motion_input(args.pose, args, video=True), args.motion)
    lines = [
        f"{args.pose}: {result.motion.replace('_', ' ')}, {score_words(result.score)}, "
        f"{len(result.occurrences)} occurrence(s)"
    ]
    choice = getattr(args, "athlete_choice", None)
    lines += [f"  athlete: {choice}"] if choice else []
    lines += [f"  recording: {line}" for line in capture_words(result.capture)]
    for problem in result.problems:
        lines.append(f"  {problem.severity:<8} {problem.label} (probability "
                     f"{problem.probability:.2f})")  # fmt: skip
        lines += [f"           {evidence_words(ev)}" for ev in problem.evidence[:3]]
        lines.append(f"           {problem.coach_text}")
    if result.score is None:
        lines.append("  nothing could be judged from this recording (below: why), so no "
                     "problem is named and there is no score")  # fmt: skip
    elif not result.problems:
        lines.append("  no problem found: no measurement far enough outside its elite band, in "
                     "enough of the occurrences, to name one")  # fmt: skip
    lines += [f"  not judged: {line}" for line in not_judged(result.motion, result.unmeasurable)]
    units = [m.unit for o in result.occurrences for m in o.metrics]
    lines += [f"  {note}" for note in unit_notes(units)]
    payload = result.model_dump(mode="json") | ({"athlete_choice": choice} if choice else {})
    emit(args, payload, "\n".join(lines))
    # found but nothing judged: 0 with no score; the motion named was not found: 1 (the
    # output says what was tried and why it failed)
    return 0 if result.occurrences else 1
