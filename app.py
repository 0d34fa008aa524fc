"""SportsGPT in the browser: upload a recording, talk to the coach, see the evidence.

Serve it with any of ``python app.py``, ``sportsgpt app``, ``python -m sportsgpt.app`` or
Gradio's reload mode ``gradio app.py`` (it finds the module-level ``demo``); all bind to
the ``app_host``/``app_port`` settings (127.0.0.1:7860; ``--host/--port``, or Gradio's
``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT``). ``python app.py`` run by a Python
without SportsGPT installed hands over to the checkout's ``.venv`` (``bash
scripts/setup.sh`` makes it). Each browser session gets its own coach, thread and work
folder; nothing is loaded at start, so the page answers at once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    from sportsgpt.settings import Settings, current_settings, load_settings, use_settings
    from sportsgpt.tools.errors import SportsGPTError

    if __name__ == "__main__":  # before Gradio reads its own variables: one clear line
        try:
            load_settings()
        except SportsGPTError as bad:
            raise SystemExit(f"app: error: {bad}") from None

    import gradio as gr

    from sportsgpt.agent import Coach, new_coach
    from sportsgpt.agent.compose import plan_drills
    from sportsgpt.agent.figures import analysis_figures, figure_caption
    from sportsgpt.agent.report import report_html
    from sportsgpt.agent.state import CoachRequest
    from sportsgpt.agent.tools import stored_analyses
    from sportsgpt.kb import KBSettings, KnowledgeBase
    from sportsgpt.tools.motiondtw.library import known_motions
    from sportsgpt.tools.readers import VIDEO_SUFFIXES, read_motion
except ImportError as missing:  # `python app.py` from a Python without the install
    if __name__ != "__main__":
        raise
    _venv = Path(__file__).resolve().parent / ".venv"
    if (_venv / "bin" / "python").is_file() and Path(sys.prefix).resolve() != _venv.resolve():
        os.execv(_venv / "bin" / "python", [str(_venv / "bin" / "python"), *sys.argv])
    raise SystemExit(
        f"app.py: SportsGPT is not installed for {sys.executable} ({missing}); run "
        "`bash scripts/setup.sh` in the checkout, then `python app.py` again"
    ) from None

TITLE = "SportsGPT"
demo: gr.Blocks  # set by serve(), or built on first access (``__getattr__`` below)
POSE_SUFFIXES = (".json", ".npz", ".csv", ".bvh", ".trc", ".txt")
EQUIPMENT = ["sled", "starting blocks", "plyo box", "mini hurdles", "medicine ball", "hurdles"]
ASSESSMENT_HEADERS = ["problem", "severity", "probability", "evidence"]
PLAN_HEADERS = ["drill", "dose", "knowledge-base id"]


class Session:
    """One browser session: its coach, thread and work folder (removed on reset)."""

    def __init__(self, settings: Settings, kb: KnowledgeBase | None, root: Path) -> None:
        self.work = root / uuid.uuid4().hex
        self.coach: Coach = new_coach(self.work, kb=kb, settings=settings)
        self.thread = uuid.uuid4().hex

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def _close(session: Session | None) -> None:
    if session is not None:
        session.close()


def check_upload(path: str, settings: Settings | None = None) -> Path:
    """A readable video or pose file, judged by content (its name decides nothing)."""
    limit = (settings or current_settings()).app_max_video_s
    file = Path(path)
    if not file.is_file():
        raise SportsGPTError("the upload did not arrive; please try again")
    if file.suffix.lower() in VIDEO_SUFFIXES:
        from sportsgpt.tools.pose.video import probe_video

        info = probe_video(file)  # raises a clear error for a file that is not a video
        duration = info.declared_duration_s
        if duration is not None and duration > limit:
            raise SportsGPTError(
                f"{file.name} lasts {duration:.0f} s; please trim it to the motion "
                f"(at most {limit:.0f} s)"
            )
        return file
    if file.suffix.lower() not in POSE_SUFFIXES:
        raise SportsGPTError(
            f"{file.name}: not a video or a pose file (videos: "
            f"{', '.join(sorted(VIDEO_SUFFIXES))}; pose: {', '.join(POSE_SUFFIXES)})"
        )
    read_motion(file)  # raises a clear error for unreadable content
    return file


def _say(text: str) -> gr.ChatMessage:
    return gr.ChatMessage(role="assistant", content=text)


def _step_message(event: Any) -> gr.ChatMessage:
    title = {"plan": "Plan", "tool": "Tool", "requery": "Re-query", "check": "Evidence check"}
    ms = event.data.get("ms")
    meta: dict[str, Any] = {"title": f"{title.get(event.kind, event.kind)}: "
                            f"{event.detail.split(':')[0]}", "status": "done"}  # fmt: skip
    if ms is not None:
        meta["duration"] = round(float(ms) / 1000, 2)
    return gr.ChatMessage(role="assistant", content=event.detail, metadata=meta)  # type: ignore[arg-type]


def _tables(session: Session) -> tuple[list[list[Any]], list[list[Any]]]:
    state = session.coach.result(session.thread)
    assessment = state.assessment
    problems = []
    if assessment is not None:
        for p in assessment.problems:
            problems.append([p.label, p.severity, round(p.probability, 2), "; ".join(p.evidence)])
    plan = [[h.title, h.dose or "", h.id] for h in plan_drills(state)]
    return problems, plan


def _report(session: Session, answer: str, figures: list[Path]) -> list[str]:
    analyses = stored_analyses(session.coach.ctx)
    out = session.work / "report"
    out.mkdir(parents=True, exist_ok=True)
    page = report_html(answer, f"{TITLE} report", figures)
    (out / "sportsgpt_report.html").write_text(page)
    payload = {"answer": answer, "analysis": analyses[-1] if analyses else None}
    (out / "sportsgpt_report.json").write_text(json.dumps(payload, indent=1))
    return [str(out / "sportsgpt_report.html"), str(out / "sportsgpt_report.json")]


def build_app(
    settings: Settings | None = None, kb: KnowledgeBase | None = None, root: Path | None = None
) -> gr.Blocks:
    """The app's Blocks. Building it starts nothing: the knowledge base connects and the
    work folder appears with the first session."""
    settings = settings or current_settings()
    kb = kb or KnowledgeBase(KBSettings.from_settings(settings))
    roots: list[Path] = [root] if root else []

    def new_session() -> Session:
        if not roots:
            roots.append(Path(tempfile.mkdtemp(prefix="sportsgpt_app_")))
        return Session(settings, kb, roots[0])

    def analyze(
        upload: str | None, motion: str, level: str, missing: list[str], days: float,
        session: Session | None, view: str = "auto",
    ) -> Iterator[tuple[Any, ...]]:  # fmt: skip
        session = session or new_session()
        history: list[gr.ChatMessage] = []
        empty: tuple[Any, ...] = ([], [], [], None, [])
        if not upload:
            history.append(_say("Please upload a video or a pose file first."))
            yield (history, *empty, session)
            return
        try:
            file = check_upload(upload, settings)
        except SportsGPTError as exc:
            history.append(_say(f"That file cannot be used: {exc}"))
            yield (history, *empty, session)
            return
        chosen = None if motion in ("", "auto") else motion
        # the form's fields travel typed: nothing is turned into prose and parsed again
        request = CoachRequest(
            message="Analyse my technique and give me a plan.", files=[str(file)],
            motion=chosen, level=level or None, missing_equipment=list(missing or []),
            days_per_week=int(days) if days else None,
            view=None if view in ("", "auto") else view,
        )  # fmt: skip
        said = [f"level: {level}"] if level else []
        said += [f"no {', no '.join(missing)}"] if missing else []
        said += [f"{int(days)} days a week"] if days else []
        shown = f"{file.name}: {request.message}" + (f" ({'; '.join(said)})" if said else "")
        history.append(gr.ChatMessage(role="user", content=shown))
        yield (history, *empty, session)
        answer = ""
        try:
            for event in session.coach.stream(request, thread=session.thread):
                if event.kind in ("plan", "tool", "requery"):
                    history.append(_step_message(event))
                    yield (history, *empty, session)
            answer = session.coach.result(session.thread).answer
        except SportsGPTError as exc:
            answer = f"I could not analyse that recording: {exc}"
        history.append(_say(answer))
        problems, plan = _tables(session)
        images, plot = analysis_figures(session.coach.ctx, session.work / "figures")
        gallery = [(str(p), figure_caption(p)) for p in images]
        report = _report(session, answer, [*images, *([plot] if plot else [])])
        yield (history, problems, plan, gallery, str(plot) if plot else None, report, session)

    def follow_up(
        message: str, history: list[Any], session: Session | None
    ) -> Iterator[tuple[Any, ...]]:
        session = session or new_session()
        history = [*(history or []), gr.ChatMessage(role="user", content=message)]
        yield history, "", session
        try:
            for event in session.coach.stream(message, thread=session.thread):
                if event.kind in ("plan", "tool", "requery"):
                    history.append(_step_message(event))
                    yield history, "", session
            answer = session.coach.result(session.thread).answer
        except SportsGPTError as exc:
            answer = f"Sorry, I could not answer that: {exc}"
        history.append(_say(answer))
        yield history, "", session

    def reset(session: Session | None) -> tuple[Any, ...]:
        if session is not None:
            session.close()
        return None, [], [], [], [], None, [], None  # the upload goes too

    # no telemetry, no version check: nothing leaves the machine (offline by default)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(
            f"# {TITLE}\nUpload a video or a pose file, pick the motion (or let me recognise "
            "it), and get a diagnosis with evidence and a dosed training plan."
        )
        # a session's files go when it is reset, or when the browser session ends
        session = gr.State(None, time_to_live=settings.app_session_ttl_s, delete_callback=_close)
        with gr.Row():
            with gr.Column(scale=1):
                upload = gr.File(label="Video or pose file", type="filepath")
                motion = gr.Dropdown(["auto", *known_motions()], value="auto", label="Motion")
                view = gr.Dropdown(["auto", "side", "front", "oblique"], value="auto",
                                   label="Camera view (2D)")  # fmt: skip
                level = gr.Dropdown(["", "beginner", "intermediate", "advanced"], value="",
                                    label="Level")  # fmt: skip
                missing = gr.CheckboxGroup(EQUIPMENT, label="Equipment I do not have")
                days = gr.Slider(1, 7, value=3, step=1, label="Training days per week")
                run = gr.Button("Analyse", variant="primary")
                stop = gr.Button("Stop")
                new = gr.Button("New analysis")
            with gr.Column(scale=2):
                chat = gr.Chatbot(label="Coach", height=560)
                question = gr.Textbox(label="Ask a follow-up", placeholder="What is an A-skip?")
        with gr.Tab("Assessment"):
            problems = gr.Dataframe(headers=ASSESSMENT_HEADERS, label="Problems and evidence")
        with gr.Tab("Plan"):
            plan = gr.Dataframe(headers=PLAN_HEADERS, label="Training plan")
        with gr.Tab("Keyframes"):
            gallery = gr.Gallery(
                label="Athlete (left) beside the elite reference (right) at each keyframe",
                columns=2,
            )
        with gr.Tab("Angles"):
            plot = gr.Image(label="Measured angles with the elite bands", type="filepath")
        report = gr.File(label="Report (HTML and JSON)", file_count="multiple")

        outputs = [chat, problems, plan, gallery, plot, report, session]
        running = run.click(analyze, [upload, motion, level, missing, days, session, view],
                            outputs, api_name="analyze")  # fmt: skip
        stop.click(None, None, None, cancels=[running])
        question.submit(follow_up, [question, chat, session], [chat, question, session],
                        api_name="ask")  # fmt: skip
        new.click(reset, [session], [upload, chat, problems, plan, gallery, plot, report,
                  session], api_name="reset")  # fmt: skip
    return demo  # type: ignore[no-any-return]


def serve(settings: Settings | None = None) -> None:
    """Serve the app with these settings (the process's from now on) until interrupted."""
    global demo
    settings = use_settings(settings or current_settings())
    demo = build_app(settings)  # module-level, where Gradio's reload mode looks for it
    demo.queue().launch(
        server_name=settings.app_host, server_port=settings.app_port,
        max_file_size=int(settings.app_max_upload_mb * 1024 * 1024),
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """``python app.py [--host H] [--port P]`` (also ``python -m sportsgpt.app``)."""
    parser = argparse.ArgumentParser(description="Serve the SportsGPT app")
    parser.add_argument("--host", default=None, help="default: the app_host setting (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=None, help="default: the app_port setting (7860)"
    )
    args = parser.parse_args(argv)
    from sportsgpt.cli.main import configure_logging

    try:
        settings = load_settings(app_host=args.host, app_port=args.port)
    except SportsGPTError as exc:
        raise SystemExit(f"app: error: {exc}") from None
    configure_logging(level=settings.log_level)
    serve(settings)


def __getattr__(name: str) -> Any:
    """``demo`` for tools that import this module and look for it (built on first use)."""
    if name == "demo":
        global demo
        demo = build_app()
        return demo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
