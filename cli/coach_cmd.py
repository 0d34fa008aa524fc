"""``sportsgpt analyze`` (one-shot report) and ``sportsgpt chat`` (a conversation)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from ..settings import mask_secrets
from .common import VIEWS, add_common, add_pick, emit, pick_hint

log = logging.getLogger(__name__)


def add_coach_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "analyze",
        help="one-shot coaching report: diagnosis with evidence and a dosed, cited plan",
        description="Runs the coach on one recording (video, keypoints or mocap) and writes "
        "the answer as Markdown, JSON (answer, citations, trace) or HTML.",
    )
    p.add_argument("input", type=Path)
    p.add_argument("--motion", default=None, help="a known motion, or leave out to recognise it")
    p.add_argument("--view", choices=VIEWS, help="camera view of 2D input (default: estimated)")
    add_pick(p)
    p.add_argument("-o", "--output", type=Path, default=None, help="report.md|.json|.html")
    p.add_argument("--message", default="Analyse my technique and give me a plan.")
    p.add_argument("--athlete", default=None, help="whose history the analysis is kept in "
                   "(default: 'athlete')")  # fmt: skip
    p.add_argument(
        "--figures", type=Path, default=None, metavar="DIR",
        help="also write the keyframe pictures (athlete beside the elite) and the angle plot",
    )  # fmt: skip
    p.add_argument(
        "--video-out", type=Path, default=None, metavar="FILE.mp4",
        help="write the annotated video: skeleton, live angles, keyframe verdicts, timeline "
        "(H.264 .mp4, or .webm)",
    )  # fmt: skip
    p.add_argument(
        "--compare-out", type=Path, default=None, metavar="FILE.mp4",
        help="write the athlete beside the elite reference, time-aligned, every occurrence",
    )  # fmt: skip
    add_common(p)
    p.set_defaults(handler=cmd_analyze)

    p = sub.add_parser("app", help="serve the browser app (Gradio) on 127.0.0.1:7860")
    p.add_argument("--host", default=None, help="default: the app_host setting (127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="default: the app_port setting (7860)")
    add_common(p)
    p.set_defaults(handler=cmd_app, settings_options={"app_host": "host", "app_port": "port"})

    p = sub.add_parser("chat", help="talk to the coach in the terminal (offline by default)")
    p.add_argument("--video", type=Path, default=None, help="a recording to analyse first")
    p.add_argument("--motion", default=None)
    p.add_argument("--view", choices=VIEWS, help="camera view of 2D input (default: estimated)")
    add_pick(p)
    p.add_argument("--thread", default=None,
                   help="continue this conversation of the athlete's (default: their latest; "
                   "each athlete's threads are their own)")  # fmt: skip
    p.add_argument("--athlete", default=None, help="whose history the coach reads and "
                   "keeps analyses in (default: 'athlete')")  # fmt: skip
    add_common(p)
    p.set_defaults(handler=cmd_chat)


def cmd_analyze(args: argparse.Namespace) -> int:
    from ..agent import new_coach
    from ..agent.report import report_html
    from ..agent.state import CoachRequest
    from ..kb.history import athlete_name
    from ..tools.render.video import video_codec

    for out in (args.video_out, args.compare_out):
        if out is not None:
            video_codec(out)  # a name we cannot write is said before the analysis runs
    coach = new_coach(settings=args.settings, athlete=athlete_name(args.athlete))
    reply = coach.ask(CoachRequest(message=args.message, files=[str(args.input)],
                                   motion=args.motion, view=args.view,
                                   pick=_pick(args.pick)))  # fmt: skip
    payload: dict[str, Any] = {"answer": reply.answer, "citations": reply.citations,
               "trace": [e.model_dump() for e in reply.trace]}  # fmt: skip
    figures: list[Path] = []
    if args.figures:
        from ..agent.figures import analysis_figures

        images, plot = analysis_figures(coach.ctx, args.figures)
        figures = [*images, *([plot] if plot else [])]
        payload["figures"] = [str(p) for p in figures]
    videos: list[Path] = []
    if args.video_out or args.compare_out:
        from ..agent.figures import analysis_videos

        made = analysis_videos(coach.ctx, args.video_out, args.compare_out,
                               progress=not args.json)  # fmt: skip
        payload["videos"] = made.model_dump(mode="json")
        videos = [Path(v.path) for v in (made.annotated, made.side_by_side) if v is not None]
        if args.compare_out and made.side_by_side is None:
            log.warning("no side-by-side: no occurrence of the motion was found")
    if args.output:
        suffix = args.output.suffix.lower()
        args.output.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".json":
            args.output.write_text(json.dumps(payload, indent=1))
        elif suffix in (".html", ".htm"):
            args.output.write_text(report_html(reply.answer, figures=figures))
        else:
            args.output.write_text(reply.answer)
    wrote = [*([args.output] if args.output else []), *figures, *videos]
    emit(args, payload, "\n".join([reply.answer, *(f"wrote {p}" for p in wrote)]))
    analysed = reply.state.assessment is not None and reply.state.assessment.occurrences > 0
    failed = reply.state.last_failure()
    if failed and failed.error_kind == "AthleteChoiceError":
        _how_to_pick(reply)
    elif failed and not analysed:  # an unreadable file: the answer says it; so does stderr
        said = " ".join((failed.error or "the analysis failed").split())  # one line
        sys.stderr.write(f"sportsgpt: error: {mask_secrets(said)}\n")
    return 0 if analysed else 1  # the answer says why there is no diagnosis


def _pick(text: str | None) -> tuple[float, float, float | None] | None:
    hint = pick_hint(text)
    return None if hint is None else (*hint.point, hint.time_s)


def _how_to_pick(reply: Any) -> None:
    """After "I cannot tell who the athlete is": the option that says it (on stderr)."""
    failed = reply.state.last_failure()
    if failed and failed.error_kind == "AthleteChoiceError":
        sys.stderr.write("sportsgpt: point at the athlete with --pick X,Y,SECONDS (a point "
                         "on them in the video, in pixels, at that time)\n")  # fmt: skip


def cmd_chat(args: argparse.Namespace) -> int:
    from ..agent import DEFAULT_THREAD, SHOWN_STEPS, new_coach
    from ..agent.state import CoachRequest
    from ..kb.history import athlete_name

    # a conversation outlives the process: threads and the athlete's history in PostgreSQL
    athlete = athlete_name(args.athlete)
    coach = new_coach(args.settings.threads_dir, memory="postgres", settings=args.settings,
                      athlete=athlete)  # fmt: skip
    thread = args.thread or coach.latest_thread() or DEFAULT_THREAD
    earlier = coach.result(thread).turn
    sys.stderr.write(f"coach: {athlete}'s conversation '{thread}'"
                     + (f", continued after {earlier} turn(s)" if earlier else ", new")
                     + "\n")  # fmt: skip
    if args.video:
        request = CoachRequest(message="Analyse this recording.", files=[str(args.video)],
                               motion=args.motion, view=args.view,
                               pick=_pick(args.pick))  # fmt: skip
        reply = coach.ask(request, thread=thread)
        sys.stdout.write(reply.answer + "\n")
        _how_to_pick(reply)
    while True:
        try:
            message = input("you> ").strip()
        except EOFError:
            return 0
        if message.lower() in ("quit", "exit"):
            return 0
        if not message:  # an empty line asks nothing; it does not end the conversation
            continue
        # stdout keeps the transcript: "you> " then the verified answer, turn by turn; the
        # steps go to stderr as they happen (our own words: a model's text is shown only
        # once the verifier passed it, as the answer)
        for event in coach.stream(message, thread=thread):
            if event.kind in SHOWN_STEPS:
                sys.stderr.write(f"  [{event.kind}] {event.detail}\n")
        sys.stdout.write(coach.result(thread).answer.rstrip() + "\n")


def cmd_app(args: argparse.Namespace) -> int:
    from ..app import serve

    serve(args.settings)
    return 0
