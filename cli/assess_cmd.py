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

    result = assess_motion(read_motion_input(args.pose, args, video=True), args.motion)
    lines = [
        f"{args.pose}: {result.motion}, technique score {result.score:.0f}/100, "
        f"{len(result.occurrences)} occurrence(s)"
    ]
    for problem in result.problems:
        lines.append(f"  {problem.severity:<8} {problem.label} (p={problem.probability:.2f})")
        for ev in problem.evidence[:3]:
            low, high = ev.band
            band = f"{low if low is not None else '-'}..{high if high is not None else '-'}"
            where = f"{ev.metric} at {ev.keyframe} (frame {ev.frame})"
            lines.append(f"           {where}: {ev.measured} vs {band}")
        lines.append(f"           {problem.coach_text}")
    if not result.problems:
        lines.append("  no problem found: every measured metric is inside its elite band")
    for what, why in result.unmeasurable.items():
        lines.append(f"  not judged: {what}: {why}")
    emit(args, result.model_dump(mode="json"), "\n".join(lines))
    return 0
