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
import contextlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    from sportsgpt.settings import (
        Settings,
        current_settings,
        load_settings,
        mask_secrets,
        use_settings,
    )
    from sportsgpt.tools.errors import SportsGPTError

    if __name__ == "__main__":  # before Gradio reads its own variables: one clear line
        try:
            load_settings()
        except SportsGPTError as bad:
            raise SystemExit(f"app: error: {bad}") from None

    import gradio as gr
    from gradio.utils import get_upload_folder
    from pydantic import ValidationError

    from sportsgpt.agent import SHOWN_STEPS, Coach, new_coach
    from sportsgpt.agent.figures import (
        AnalysisVideos,
        analysis_figures,
        analysis_videos,
        figure_caption,
    )
    from sportsgpt.agent.report import report_html
    from sportsgpt.agent.state import CoachRequest
    from sportsgpt.agent.tools import stored_analyses
    from sportsgpt.agent.training_plan import plan_drills
    from sportsgpt.kb import KBSettings, KnowledgeBase
    from sportsgpt.kb.history import DEFAULT_ATHLETE, analyses_of, athlete_name
    from sportsgpt.kb.history_plot import history_plot
    from sportsgpt.tools.data_files import first_error_line
    from sportsgpt.tools.errors import StoppedError
    from sportsgpt.tools.motiondtw.library import known_motions
    from sportsgpt.tools.readers import VIDEO_SUFFIXES, read_motion
    from sportsgpt.tools.render.overlay import people_thumbnails
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

log = logging.getLogger("sportsgpt.app")
TITLE = "SportsGPT"
demo: gr.Blocks  # set by serve(), or built on first access (``__getattr__`` below)
POSE_SUFFIXES = (".json", ".npz", ".csv", ".bvh", ".trc", ".txt")
EQUIPMENT = ["sled", "starting blocks", "plyo box", "mini hurdles", "medicine ball", "hurdles"]
ASSESSMENT_HEADERS = ["problem", "severity", "probability", "evidence"]
HISTORY_HEADERS = ["date", "motion", "recording", "score", "problems (key metric vs elite band)"]
PLAN_HEADERS = ["drill", "dose", "knowledge-base id"]


class Uploads:
    """Which sessions use which uploaded file. Gradio keeps an upload under a folder named
    by its content, so two sessions sending the same file share it: the file goes when the
    last session using it closes. Only files inside Gradio's upload folder are touched."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[Path, set[str]] = {}

    def hold(self, path: Path, session: str) -> None:
        path = path.resolve()
        if path.is_relative_to(Path(get_upload_folder()).resolve()):
            with self._lock:
                self._users.setdefault(path, set()).add(session)

    def release(self, session: str) -> None:
        with self._lock:
            gone = []
            for path, users in self._users.items():
                users.discard(session)
                if not users:
                    gone.append(path)
            for path in gone:
                del self._users[path]
                path.unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # Gradio's folder for it, if now empty
                    path.parent.rmdir()


class Gate:
    """At most ``slots`` requests are worked on at once, at most ``max_waiting`` wait for a
    turn (each told how many are ahead of it); past that the app is busy, and says so."""

    def __init__(self, slots: int, max_waiting: int) -> None:
        self.slots, self.max_waiting = slots, max_waiting
        self._cond = threading.Condition()
        self._running = 0
        self._waiting: list[object] = []

    def join(self) -> object:
        """A ticket for the line; ``SportsGPTError`` when the line is full."""
        with self._cond:
            if self._running >= self.slots and len(self._waiting) >= self.max_waiting:
                raise SportsGPTError(
                    f"the coach is busy ({self._running + len(self._waiting)} requests ahead "
                    "of you); please try again in a few minutes"
                )
            ticket = object()
            self._waiting.append(ticket)
            return ticket

    def wait(self, ticket: object, timeout: float) -> int | None:
        """None once ``ticket`` may go; otherwise, after up to ``timeout`` seconds, how many
        requests are ahead of it (those being worked on and those before it in line)."""
        with self._cond:
            for attempt in range(2):
                if self._waiting[0] is ticket and self._running < self.slots:
                    self._waiting.pop(0)
                    self._running += 1
                    self._cond.notify_all()
                    return None
                if attempt == 0:
                    self._cond.wait(timeout)
            return self._running + self._waiting.index(ticket)

    def leave(self, ticket: object) -> None:
        """The ticket's request is done (or abandoned while waiting)."""
        with self._cond:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            else:
                self._running -= 1
            self._cond.notify_all()


class Session:
    """One browser session: its coach, thread and work folder, the uploads it used, and its
    Stop switch. Closing it (reset, the tab closed, or its time to live spent) removes its
    files."""

    def __init__(self, settings: Settings, kb: KnowledgeBase | None, root: Path,
                 uploads: Uploads) -> None:  # fmt: skip
        self.id = uuid.uuid4().hex
        self.work = root / self.id
        self.coach: Coach = new_coach(self.work, kb=kb, settings=settings)
        self.stop = threading.Event()
        self.coach.ctx.stop = self.stop
        self.thread = uuid.uuid4().hex
        self.uploads = uploads
        self.closed = False
        self.pick: tuple[float, float, float | None] | None = None
        """A point on the athlete the user chose among the people of ``pick_video``."""
        self.pick_video: Path | None = None

    def close(self) -> None:
        self.closed = True
        self.stop.set()  # work still running for this session ends at its next frame
        shutil.rmtree(self.work, ignore_errors=True)
        self.uploads.release(self.id)


def _close(session: Session | None) -> None:
    if session is not None:
        session.close()


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\\/\s'\"`:;,()<>|]+)+[\\/]([^\\/\s'\"`:;,()<>|]+)")


def public(text: str) -> str:
    """``text`` as a user may see it: every path shortened to its file name (no server
    folders, Gradio's upload hashes or temp paths) and secrets masked."""
    return mask_secrets(_PATH.sub(lambda m: m.group(1), text))


def app_settings(settings: Settings) -> Settings:
    """The app's settings: the pose stage's video limit is the app's, when that is lower."""
    limit = min(settings.input_max_video_s, settings.app_max_video_s)
    return settings.model_copy(update={"input_max_video_s": limit})


def check_upload(path: str, settings: Settings | None = None) -> Path:
    """A readable video or pose file of an accepted type, judged by content; a video's
    length against the app's limit (``app_settings``), by its header and a seek past the
    limit (and decoding stops there in any case)."""
    limit = app_settings(settings or current_settings()).input_max_video_s
    file = Path(path)
    if not file.is_file():
        raise SportsGPTError("the upload did not arrive; please try again")
    if file.suffix.lower() in VIDEO_SUFFIXES:
        from sportsgpt.tools.pose.video import probe_video

        probe_video(file, limit)  # a clear error for a file that is no video, or too long
        return file
    if file.suffix.lower() not in POSE_SUFFIXES:
        raise SportsGPTError(
            f"{file.name}: not a video or a pose file (videos: "
            f"{', '.join(sorted(VIDEO_SUFFIXES))}; pose: {', '.join(POSE_SUFFIXES)})"
        )
    read_motion(file)  # raises a clear error for unreadable content
    return file


def uploaded_path(sent: Any) -> str | None:
    """The path of what the File input sent, unprocessed (a FileData dict, or a path)."""
    if isinstance(sent, dict):
        sent = sent.get("path")
    return str(sent) if sent else None


def _say(text: str) -> gr.ChatMessage:
    return gr.ChatMessage(role="assistant", content=public(text))


def _step_message(event: Any) -> gr.ChatMessage:
    title = {"plan": "Plan", "tool": "Tool", "requery": "Re-query", "check": "Evidence check"}
    ms = event.data.get("ms")
    what = event.detail.split(":")[0].replace("_", " ")  # a tool's name, in words
    meta: dict[str, Any] = {"title": f"{title.get(event.kind, event.kind)}: {what}",
                            "status": "done"}  # fmt: skip
    if ms is not None:
        meta["duration"] = round(float(ms) / 1000, 2)
    meta["title"] = public(meta["title"])
    return gr.ChatMessage(role="assistant", content=public(event.detail), metadata=meta)  # type: ignore[arg-type]


def _tables(session: Session) -> tuple[list[list[Any]], list[list[Any]]]:
    state = session.coach.result(session.thread)
    assessment = state.assessment
    problems = []
    if assessment is not None:
        for p in assessment.problems:
            problems.append([p.label, p.severity, round(p.probability, 2), "; ".join(p.evidence)])
    plan = [[h.title, h.dose or "", h.id] for h in plan_drills(state)]
    return problems, plan


def _no_marks() -> Any:
    """The jump-to-keyframe list, emptied (no analysis, or one without videos)."""
    return gr.Dropdown(choices=[], value=None, interactive=False)


def _videos(session: Session) -> AnalysisVideos:
    """The annotated video and the side-by-side of the session's latest analysis."""
    analyses = stored_analyses(session.coach.ctx)
    if not analyses:
        return AnalysisVideos()
    out = session.work / "videos" / analyses[-1]["id"]
    return analysis_videos(session.coach.ctx, out / "annotated.mp4", out / "side_by_side.mp4",
                           progress=False)  # fmt: skip


def _marks(videos: AnalysisVideos) -> Any:
    """The jump-to-keyframe choices: label -> 'annotated seconds|side-by-side seconds'."""
    choices = [(m.label, f"{m.annotated_s}|{'' if m.side_s is None else m.side_s}")
               for m in videos.marks]  # fmt: skip
    return gr.Dropdown(choices=choices, value=None, interactive=bool(choices))


JUMP_JS = """(value) => {
  if (!value) { return value; }
  const [annotated, side] = value.split("|");
  const seek = (id, t) => {
    const video = document.querySelector(`#${id} video`);
    if (video && t !== "") { video.pause(); video.currentTime = parseFloat(t); }
  };
  seek("annotated-video", annotated);
  seek("side-video", side);
  return value;
}"""
"""Jump both players to a keyframe, in the browser (no round trip to the server)."""
PAGE_CSS = """
#coach-chat { min-height: 420px; }
@media (max-width: 640px) {
  .gradio-container { padding: 0 !important; }
  .gradio-container .main.app { padding-left: 8px !important; padding-right: 8px !important; }
  #coach-chat { height: 62vh !important; }
}
"""
"""The page at phone width: the form stacks above the chat, the chat fills the screen."""


def _report(session: Session, answer: str, figures: list[Path]) -> list[str]:
    analyses = stored_analyses(session.coach.ctx)
    out = session.work / "report"
    out.mkdir(parents=True, exist_ok=True)
    page = report_html(answer, f"{TITLE} report", figures)
    (out / "sportsgpt_report.html").write_text(page)
    payload = {"answer": answer, "analysis": analyses[-1] if analyses else None}
    (out / "sportsgpt_report.json").write_text(json.dumps(payload, indent=1))
    return [str(out / "sportsgpt_report.html"), str(out / "sportsgpt_report.json")]


def history_rows(rows: list[Any]) -> list[list[Any]]:
    """The History tab's table: one row per stored analysis, oldest first."""
    out = []
    for r in rows:
        problems = []
        for p in r.problems:
            m = r.problem_metric(p)
            problems.append(p["label"] + (f": {m.words()}" if m else ""))
        out.append([f"{r.created_at:%Y-%m-%d %H:%M}", r.motion, public(r.recording),
                    "not scored" if r.score is None else round(r.score),
                    "; ".join(problems) or "none"])  # fmt: skip
    return out


def build_app(
    settings: Settings | None = None, kb: KnowledgeBase | None = None, root: Path | None = None
) -> gr.Blocks:
    """The app's Blocks. Building it starts nothing: the knowledge base connects and the
    work folder appears with the first session."""
    settings = app_settings(settings or current_settings())
    kb = kb or KnowledgeBase(KBSettings.from_settings(settings))
    roots: list[Path] = [root] if root else []
    uploads = Uploads()
    gate = Gate(settings.app_max_concurrent, settings.app_max_waiting)
    by_browser: dict[str, Session] = {}  # Gradio's session hash -> our session

    def new_session(request: gr.Request | None) -> Session:
        if not roots:  # inside Gradio's upload folder: what a session shows is not copied
            base = Path(get_upload_folder())
            base.mkdir(parents=True, exist_ok=True)
            roots.append(Path(tempfile.mkdtemp(prefix="sportsgpt_app_", dir=base)))
        session = Session(settings, kb, roots[0], uploads)
        if request is not None and request.session_hash:
            by_browser[request.session_hash] = session
        return session

    def usable(session: Session | None, request: gr.Request | None) -> Session:
        return session if session is not None and not session.closed else new_session(request)

    def in_line(history: list[Any], ticket: object) -> Iterator[None]:
        """Wait for a turn, telling the user (in ``history``, updated in place) how many
        requests are ahead of theirs; yields whenever there is something new to show."""
        shown = None
        while (ahead := gate.wait(ticket, 1.0)) is not None:
            if ahead != shown:
                note = _say(f"The coach is busy: {ahead} request{'s' * (ahead != 1)} ahead "
                            "of you. Yours starts as soon as one finishes.")  # fmt: skip
                if shown is not None:
                    history.pop()
                history.append(note)
                shown = ahead
                yield
        if shown is not None:
            history.pop()
            yield

    def named(session: Session, athlete: str | None) -> None:
        """The session's coach keeps and reads the history of the athlete in the form."""
        session.coach.ctx.athlete = athlete_name(athlete)

    def analyze(
        sent: Any, motion: str, level: str, missing: list[str], days: float,
        session: Session | None, view: str = "auto", athlete: str = "",
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:  # fmt: skip
        upload = uploaded_path(sent)
        session = usable(session, request)
        session.stop.clear()
        history: list[Any] = []
        empty: tuple[Any, ...] = ([], [], [], None, [], None, None, _no_marks())
        try:
            named(session, athlete)
        except SportsGPTError as exc:
            history.append(_say(f"Sorry: {exc}."))
            yield (history, *empty, session)
            return
        if not upload:
            history.append(_say("Please upload a video or a pose file first."))
            yield (history, *empty, session)
            return
        uploads.hold(Path(upload), session.id)
        try:
            ticket = gate.join()
        except SportsGPTError as exc:
            history.append(_say(f"Sorry: {exc}."))
            yield (history, *empty, session)
            return
        try:
            for _ in in_line(history, ticket):
                yield (history, *empty, session)
            yield from _analyze(upload, motion, level, missing, days, session, view, history)
        finally:
            gate.leave(ticket)

    def _analyze(
        upload: str, motion: str, level: str, missing: list[str], days: float,
        session: Session, view: str, history: list[Any],
    ) -> Iterator[tuple[Any, ...]]:  # fmt: skip
        empty: tuple[Any, ...] = ([], [], [], None, [], None, None, _no_marks())
        try:
            file = check_upload(upload, settings)
        except SportsGPTError as exc:
            history.append(_say(f"That file cannot be used: {exc}"))
            yield (history, *empty, session)
            return
        chosen = None if motion in ("", "auto") else motion
        picked = session.pick_video is not None and file.resolve() == session.pick_video
        # the form's fields travel typed: nothing is turned into prose and parsed again
        try:
            request = CoachRequest(
                message="Analyse my technique and give me a plan.", files=[str(file)],
                motion=chosen, level=level or None, missing_equipment=list(missing or []),
                days_per_week=int(days) if days else None,
                view=None if view in ("", "auto") else view,
                pick=session.pick if picked else None,
            )  # fmt: skip
        except (ValidationError, TypeError, ValueError) as exc:
            history.append(_say(f"That form cannot be used: {first_error_line(exc)}"))
            yield (history, *empty, session)
            return
        said = ["the person I clicked"] if picked else []
        said += [f"level: {level}"] if level else []
        said += [f"no {', no '.join(missing)}"] if missing else []
        said += [f"{int(days)} days a week"] if days else []
        shown = f"{file.name}: {request.message}" + (f" ({'; '.join(said)})" if said else "")
        history.append(gr.ChatMessage(role="user", content=public(shown)))
        yield (history, *empty, session)
        answer = ""
        try:
            for event in session.coach.stream(request, thread=session.thread):
                if event.kind in SHOWN_STEPS:
                    history.append(_step_message(event))
                    yield (history, *empty, session)
            answer = session.coach.result(session.thread).answer
        except StoppedError:
            history.append(_say("Stopped. Nothing was kept of that analysis."))
            yield (history, *empty, session)
            return
        except SportsGPTError as exc:
            answer = f"I could not analyse that recording: {exc}"
        history.append(_say(answer))
        problems, plan = _tables(session)
        images, plot = analysis_figures(session.coach.ctx, session.work / "figures")
        gallery = [(str(p), figure_caption(p)) for p in images]
        report = _report(session, answer, [*images, *([plot] if plot else [])])
        figure = str(plot) if plot else None
        yield (history, problems, plan, gallery, figure, report, None, None, _no_marks(),
               session)  # the answer first, then its videos  # fmt: skip
        try:
            videos = _videos(session)
        except StoppedError:
            return
        except SportsGPTError as exc:
            log.warning("no videos for this analysis: %s", exc)
            return
        if videos.annotated is None:
            return
        files = [*report, *(v.path for v in (videos.annotated, videos.side_by_side) if v)]
        side = videos.side_by_side.path if videos.side_by_side else None
        yield (history, problems, plan, gallery, figure, files, videos.annotated.path, side,
               _marks(videos), session)  # fmt: skip

    def follow_up(
        message: str, history: list[Any], session: Session | None, athlete: str = "",
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:  # fmt: skip
        session = usable(session, request)
        session.stop.clear()
        history = [*(history or []), gr.ChatMessage(role="user", content=message)]
        yield history, "", session
        try:
            named(session, athlete)
            ticket = gate.join()
        except SportsGPTError as exc:
            history.append(_say(f"Sorry: {exc}."))
            yield history, "", session
            return
        try:
            for _ in in_line(history, ticket):
                yield history, "", session
            yield from _follow_up(message, history, session)
        finally:
            gate.leave(ticket)

    def _follow_up(message: str, history: list[Any], session: Session) -> Iterator[tuple[Any, ...]]:
        try:
            for event in session.coach.stream(message, thread=session.thread):
                if event.kind in SHOWN_STEPS:
                    history.append(_step_message(event))
                    yield history, "", session
            answer = session.coach.result(session.thread).answer
        except StoppedError:
            answer = "Stopped."
        except SportsGPTError as exc:
            answer = f"Sorry, I could not answer that: {exc}"
        history.append(_say(answer))
        yield history, "", session

    def show_history(
        athlete: str, motion: str, session: Session | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:  # fmt: skip
        """The athlete's analyses kept in PostgreSQL: the plot and the table."""
        session = usable(session, request)
        try:
            name = athlete_name(athlete)
            with kb.connection() as conn:
                rows = analyses_of(conn, name, None if motion in ("", "all") else motion)
        except SportsGPTError as exc:
            return None, [], f"Sorry: {public(str(exc))}.", session
        if not rows:
            return None, [], f"No analysis is kept for {name} yet.", session
        out = history_plot(rows, session.work / "history" / f"{uuid.uuid4().hex[:8]}.png")
        span = f"{rows[0].created_at:%Y-%m-%d} to {rows[-1].created_at:%Y-%m-%d}"
        note = f"{len(rows)} analyses of {name}, {span}."
        return str(out), history_rows(rows), note, session

    def show_people(session: Session | None) -> Any:
        """After an analysis that could not tell who the athlete is: the people found, to
        click on; otherwise nothing."""
        found = session.coach.ctx.people if session is not None else None
        if session is None or found is None:
            return gr.update(value=None, visible=False)
        try:
            thumbs = people_thumbnails(found.video, found.people,
                                       session.work / "people" / uuid.uuid4().hex[:8])  # fmt: skip
        except (SportsGPTError, OSError) as exc:
            log.warning("no thumbnails of the people found: %s", exc)
            return gr.update(value=None, visible=False)
        captions = [f"person {i}" + (f": {p.performs.replace('_', ' ')}, {p.performs_s:.1f} s"
                                     if p.performs else "")
                    for i, p in enumerate(found.people, 1)]  # the chat has the rest  # fmt: skip
        return gr.update(value=list(zip((str(t) for t in thumbs), captions, strict=True)),
                         visible=True)  # fmt: skip

    def choose_person(session: Session | None, chosen: gr.SelectData) -> tuple[Any, ...]:
        """The person clicked is the athlete of this video: the analysis runs again."""
        found = session.coach.ctx.people if session is not None else None
        if session is None or found is None or not 0 <= chosen.index < len(found.people):
            return session, gr.update()
        person = found.people[chosen.index]
        session.pick = (*person.point, person.time_s)
        session.pick_video = found.video.resolve()
        return session, gr.update(visible=False)

    def reset(session: Session | None) -> tuple[Any, ...]:
        if session is not None:
            session.close()
        return None, [], [], [], [], None, [], None, None, _no_marks(), None  # the upload too

    def stop_work(session: Session | None) -> None:
        if session is not None:
            session.stop.set()  # the running pose extraction ends at its next frame

    def tab_closed(request: gr.Request) -> None:
        session = by_browser.pop(request.session_hash or "", None)
        if session is not None:
            session.close()

    def track_upload(sent: Any, session: Session | None, request: gr.Request) -> Session:
        session = usable(session, request)
        if upload := uploaded_path(sent):
            uploads.hold(Path(upload), session.id)
        return session

    ttl = int(settings.app_session_ttl_s)
    # no telemetry, no version check: nothing leaves the machine (offline by default);
    # Gradio's copies of files older than a session's time to live go every 10 minutes,
    # and all of them when the server stops
    with gr.Blocks(title=TITLE, analytics_enabled=False,
                   delete_cache=(min(600, ttl), ttl)) as demo:  # fmt: skip
        gr.Markdown(
            f"# {TITLE}\nUpload a video or a pose file, pick the motion (or let me recognise "
            "it), and get a diagnosis with evidence and a dosed training plan."
        )
        gr.HTML(f"<style>{PAGE_CSS}</style>", padding=False)  # whichever way it is launched
        # a session's files go when it is reset, or when the browser session ends
        session = gr.State(None, time_to_live=settings.app_session_ttl_s, delete_callback=_close)
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=300):
                athlete = gr.Textbox(value=DEFAULT_ATHLETE, label="Athlete", max_lines=1,
                                     info="whose history analyses are kept in")  # fmt: skip
                upload = gr.File(label="Video or pose file", type="filepath",
                                 file_types=[*sorted(VIDEO_SUFFIXES), *POSE_SUFFIXES])  # fmt: skip
                people = gr.Gallery(label="Who is the athlete? Click them to analyse them",
                                    visible=False, columns=2, height=300, object_fit="contain",
                                    allow_preview=False, elem_id="people")  # fmt: skip
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
            with gr.Column(scale=2, min_width=300):
                # bubbles: the athlete's own messages on the right, the coach's on the left
                chat = gr.Chatbot(label="Coach", height=560, layout="bubble", elem_id="coach-chat")
                with gr.Row(equal_height=True):
                    question = gr.Textbox(label="Ask a follow-up", placeholder="What is an "
                                          "A-skip? (Enter sends)", scale=5, min_width=200,
                                          submit_btn=False)  # fmt: skip
                    send = gr.Button("Send", variant="primary", scale=1, min_width=80)
        with gr.Tab("Assessment"):
            problems = gr.Dataframe(headers=ASSESSMENT_HEADERS, label="Problems and evidence",
                                    wrap=True)  # fmt: skip
        with gr.Tab("Plan"):
            plan = gr.Dataframe(headers=PLAN_HEADERS, label="Training plan")
        with gr.Tab("Keyframes"):
            gallery = gr.Gallery(
                label="Athlete (left) beside the elite reference (right) at each keyframe",
                columns=2,
            )
        with gr.Tab("Angles"):
            plot = gr.Image(label="Measured angles with the elite bands", type="filepath")
        with gr.Tab("Videos"):
            marks = gr.Dropdown([], label="Jump to a keyframe", interactive=False)
            with gr.Row():
                with gr.Column(min_width=300):
                    gr.Markdown("**Annotated**: skeleton, live angles, the verdict at each "
                                "keyframe, a timeline with every keyframe")  # fmt: skip
                    annotated = gr.Video(label="Annotated video", show_label=False,
                                         elem_id="annotated-video", format=None,
                                         buttons=["download"])  # fmt: skip
                with gr.Column(min_width=300):
                    gr.Markdown("**Side by side** with the elite reference, time-aligned "
                                "through the alignment, every occurrence in turn")  # fmt: skip
                    side = gr.Video(label="Side-by-side video", show_label=False,
                                    elem_id="side-video", format=None,
                                    buttons=["download"])  # fmt: skip
        with gr.Tab("History"):
            with gr.Row():
                past_motion = gr.Dropdown(["all", *known_motions()], value="all", label="Motion")
                show = gr.Button("Show the athlete's history")
            past_note = gr.Markdown()
            past_plot = gr.Image(label="Score and key metrics over time, elite bands shaded",
                                 type="filepath")  # fmt: skip
            past = gr.Dataframe(headers=HISTORY_HEADERS, label="Analyses, oldest first")
        report = gr.File(label="Report (HTML and JSON)", file_count="multiple")

        outputs = [chat, problems, plan, gallery, plot, report, annotated, side, marks, session]
        # the Gate bounds the work; Gradio only has to let the waiting ones in to be told
        admitted = settings.app_max_concurrent + settings.app_max_waiting + 1
        lane = {"concurrency_limit": admitted, "concurrency_id": "coach"}
        # preprocess=False: the form is validated by CoachRequest, and the upload arrives as
        # its path (Gradio 6's File.preprocess leaves an empty temporary file per call)
        running = run.click(analyze, [upload, motion, level, missing, days, session, view,
                                      athlete],
                            outputs, api_name="analyze", preprocess=False,
                            **lane)  # type: ignore[arg-type]  # fmt: skip
        running.then(show_people, [session], [people], api_visibility="private")
        again = people.select(choose_person, [session], [session, people],
                              api_visibility="private")  # fmt: skip
        rerun = again.then(analyze, [upload, motion, level, missing, days, session, view,
                                     athlete], outputs, preprocess=False, **lane)  # fmt: skip
        rerun.then(show_people, [session], [people], api_visibility="private")
        stop.click(stop_work, [session], None, cancels=[running, rerun], api_name="stop")
        upload.upload(track_upload, [upload, session], [session], api_visibility="private",
                      preprocess=False)  # fmt: skip
        asking = gr.on([question.submit, send.click], follow_up,  # Enter or Send
                       [question, chat, session, athlete], [chat, question, session],
                       api_name="ask", **lane)  # fmt: skip
        marks.change(None, [marks], None, js=JUMP_JS)
        show.click(show_history, [athlete, past_motion, session],
                   [past_plot, past, past_note, session], api_name="history")  # fmt: skip
        stop.click(None, None, None, cancels=[asking])
        demo.unload(tab_closed)
        new.click(reset, [session], [upload, chat, problems, plan, gallery, plot, report,
                  annotated, side, marks, session], api_name="reset")  # fmt: skip
        new.click(lambda: gr.update(value=None, visible=False), None, [people],
                  api_visibility="private")  # fmt: skip
    return demo  # type: ignore[no-any-return]


def serve(settings: Settings | None = None) -> None:
    """Serve the app with these settings (the process's from now on, with the app's video
    limit for every stage) until interrupted."""
    global demo
    settings = use_settings(app_settings(settings or current_settings()))
    demo = build_app(settings)  # module-level, where Gradio's reload mode looks for it
    demo.queue(max_size=queue_size(settings)).launch(
        server_name=settings.app_host, server_port=settings.app_port,
        max_file_size=int(settings.app_max_upload_mb * 1024 * 1024),
    )  # fmt: skip


def queue_size(settings: Settings) -> int:
    """Gradio's own queue, behind the Gate: bounded too."""
    return 2 * (settings.app_max_concurrent + settings.app_max_waiting + 1)


def main(argv: list[str] | None = None) -> None:
    """``python app.py [--host H] [--port P]`` (also ``python -m sportsgpt.app``)."""
    parser = argparse.ArgumentParser(description="Serve the SportsGPT app")
    parser.add_argument("--host", default=None, help="default: the app_host setting (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=None, help="default: the app_port setting (7860)"
    )
    args = parser.parse_args(argv)
    from sportsgpt.settings import configure_logging

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
        demo = build_app(use_settings(app_settings(current_settings())))
        return demo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
