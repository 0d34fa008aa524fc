"""``sportsgpt history [ATHLETE]``: an athlete's analyses over time from PostgreSQL
(kb/history.py): the score, and each problem's key metric against its band; ``--team
--csv`` one row per analysis of every athlete, for spreadsheets."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from ..tools.errors import SportsGPTError
from .common import add_common, emit


def add_history_parser(sub: Any) -> None:
    p = sub.add_parser(
        "history",
        help="an athlete's analyses over time (score, each problem's key metric vs its band)",
        description="Analyses kept in the knowledge base's PostgreSQL, oldest first.",
    )
    p.add_argument("athlete", nargs="?", default=None, help="the athlete's name")
    p.add_argument("--motion", default=None, help="only this motion")
    p.add_argument("--team", action="store_true", help="every athlete")
    p.add_argument("--csv", type=Path, default=None, help="write one row per analysis")
    p.add_argument("--plot", type=Path, default=None, help="the score and key metrics (PNG)")
    add_common(p)
    p.set_defaults(handler=cmd_history)


def cmd_history(args: argparse.Namespace) -> int:
    from ..kb import KBSettings, KnowledgeBase
    from ..kb.history import analyses_of, athlete_name, key_metric
    from ..tools.kismam.wording import score_words

    if not args.team and not (args.athlete or "").strip():
        raise SportsGPTError("name an athlete, or give --team for every athlete")
    args.athlete = None if args.team else athlete_name(args.athlete)
    kb = KnowledgeBase(KBSettings.from_settings(args.settings))
    with kb.connection() as conn:
        rows = analyses_of(conn, None if args.team else args.athlete, args.motion)
    if args.csv:
        _write_csv(rows, args.csv)
    if args.plot:
        from ..kb.history_plot import history_plot

        history_plot(rows, args.plot)
    payload = [
        {"id": r.id, "athlete": r.athlete, "date": r.created_at.isoformat(), "motion": r.motion,
         "recording": r.recording, "score": r.score,
         "problems": [{"id": p["id"], "label": p["label"], "severity": p["severity"],
                       "key_metric": key_metric(p)} for p in r.problems]}
        for r in rows
    ]  # fmt: skip
    who = "every athlete" if args.team else args.athlete
    if not rows:
        text = f"no analyses kept for {who}" + (f" ({args.motion})" if args.motion else "")
    else:
        lines = [f"{len(rows)} analyses of {who}, oldest first:"]
        for r in rows:
            lines.append(f"{r.created_at:%Y-%m-%d %H:%M}  {r.athlete}  {r.motion}  "
                         f"{score_words(r.score)}  ({r.recording})")  # fmt: skip
            for p in r.problems:
                m = r.problem_metric(p)
                shown = f": {m.words()}" if m else ""
                lines.append(f"    {p['label']} ({p['severity']}){shown}")
        if args.csv:
            lines.append(f"wrote {args.csv}")
        if args.plot:
            lines.append(f"wrote {args.plot}")
        text = "\n".join(lines)
    emit(args, payload, text)
    return 0


def _write_csv(rows: list[Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["athlete", "date", "motion", "recording", "score", "problems",
                         "analysis_id"])  # fmt: skip
        for r in rows:
            problems = ";".join(p["id"] for p in r.problems)
            writer.writerow([r.athlete, r.created_at.isoformat(), r.motion, r.recording,
                             "" if r.score is None else f"{r.score:.1f}", problems,
                             r.id])  # fmt: skip
