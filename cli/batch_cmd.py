"""``sportsgpt batch DIR``: every recording of a folder analysed on Dask distributed and
kept in the athletes' history (kb/batch.py); already analysed ones are skipped by hash."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from .common import add_common, emit

log = logging.getLogger(__name__)


def add_batch_parser(sub: Any) -> None:
    from ..tools.batch import ATHLETE_FROM_HELP

    p = sub.add_parser(
        "batch",
        help="analyse a folder of recordings on Dask into the athletes' history",
        description="Analyse every recording under DIR (videos, pose, mocap and lab files) "
        "on Dask distributed: a local cluster on 127.0.0.1 by default, or the scheduler at "
        "--address. Each result is kept in the history as it arrives; recordings already "
        "analysed (by content hash) are skipped, so a stopped run resumes.",
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="folder of recordings")
    p.add_argument("--athlete-from", default="folder", metavar="folder|filename|NAME",
                   help=ATHLETE_FROM_HELP + " (default: folder)")  # fmt: skip
    p.add_argument("--motion", default="auto", help="the motion of every recording, or "
                   "'auto' to recognise each (default)")  # fmt: skip
    p.add_argument("--address", default=None, metavar="tcp://HOST:PORT",
                   help="join this Dask scheduler instead of starting a local cluster")  # fmt: skip
    p.add_argument("--workers", type=int, default=2, help="worker processes of the local "
                   "cluster (default 2; ignored with --address)")  # fmt: skip
    p.add_argument("--session", default=None, help="training session label every "
                   "recording is linked to (default: today's date)")  # fmt: skip
    add_common(p)
    p.set_defaults(handler=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ..kb import KBSettings, KnowledgeBase
    from ..kb.batch import BatchRequest, run_batch
    from ..tools.data_files import first_error_line
    from ..tools.errors import SportsGPTError
    from ..tools.kismam import check_motion

    check_motion(args.motion, allow_auto=True)
    if args.address and args.workers != 2:
        log.warning("--workers is for the local cluster: the scheduler at %s has its own",
                    args.address)  # fmt: skip
    try:
        request = BatchRequest(folder=args.folder, athlete_from=args.athlete_from,
                               motion=args.motion, address=args.address, workers=args.workers,
                               session=args.session)  # fmt: skip
    except ValidationError as exc:
        raise SportsGPTError(f"batch: {first_error_line(exc)}") from None
    kb = KnowledgeBase(KBSettings.from_settings(args.settings))
    rows = run_batch(kb, request)
    counts = {s: sum(r.status == s for r in rows) for s in ("analysed", "skipped", "failed")}
    lines = [f"{len(rows)} recording(s) in {args.folder}: {counts['analysed']} analysed, "
             f"{counts['skipped']} already analysed, {counts['failed']} failed"]  # fmt: skip
    for r in rows:
        what = (f"{r.motion}, score {r.score:.0f}/100" if r.score is not None
                else r.error or "")  # fmt: skip
        lines.append(f"  {r.status:<8} {r.athlete:<12} {r.recording}: {what}")
    emit(args, [r.model_dump(mode="json") for r in rows], "\n".join(lines))
    return 1 if rows and counts["failed"] == len(rows) else 0
