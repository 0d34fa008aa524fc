"""The app (``python app.py``, in its own process) under 8 browser sessions at once through
gradio_client: each gets its answer, those that wait are told how many are ahead, Stop ends
a running pose extraction, and when the sessions end no file of theirs is left behind.
``benchmarks/app_sessions.py`` prints the table (``sessions`` below does the work)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sportsgpt.kb import KnowledgeBase
from sportsgpt.kb.database import embedded_uri
from tests.helpers import free_port, serving

REPO = Path(__file__).resolve().parents[2]
SAMPLES = [REPO / "samples" / "standing_long_jump_side.csv"]


@contextmanager
def app_server(kb: KnowledgeBase, tmp: Path, **settings: str) -> Iterator[tuple[str, Path, Path]]:
    """``python app.py`` on a free loopback port, offline, on the session's knowledge base,
    with Gradio's files under ``tmp/gradio``: (url, that folder, the server's log)."""
    port = free_port()
    temp = tmp / "gradio"
    log = tmp / "app.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "SPORTSGPT_"))}
    env.update(GRADIO_TEMP_DIR=str(temp), SPORTSGPT_OFFLINE="1",
               SPORTSGPT_DATA_DIR=str(tmp / "data"),
               DATABASE_URL=embedded_uri(kb.settings.data_dir), **settings)  # fmt: skip
    command = [sys.executable, str(REPO / "app.py"), "--port", str(port)]
    with serving(command, REPO, env, port, log):
        yield f"http://127.0.0.1:{port}/", temp, log


def _text(message: Any) -> str:
    """A chat message's text (Gradio 6 sends content as a list of typed parts)."""
    content = message.get("content") if isinstance(message, dict) else message
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p)
                        for p in content)  # fmt: skip
    return str(content)


def one_session(url: str, upload: Path, started: float) -> dict[str, Any]:
    """One user: analyse, ask a follow-up, end the session (New analysis); what they saw."""
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False)
    job = client.submit(handle_file(str(upload)), "standing_long_jump", "", [], 3,
                        api_name="/analyze")  # fmt: skip
    chat = job.result(timeout=600)[0]
    done = time.monotonic() - started
    seen = [_text(m) for out in job.outputs() for m in out[0]]
    queue = list(dict.fromkeys(m for m in seen if "ahead of you" in m))  # in the order seen
    follow = client.predict("What is an A-skip?", chat, api_name="/ask")[0]
    client.predict(api_name="/reset")
    client.close()
    return {"seconds": round(done, 1), "answer": _text(chat[-1]), "follow_up": _text(follow[-1]),
            "queue": queue}  # fmt: skip


def sessions(url: str, n: int = 8) -> list[dict[str, Any]]:
    """``n`` users at once (threads), each with its own gradio_client session."""
    results: list[dict[str, Any]] = [{} for _ in range(n)]
    started = time.monotonic()

    def run(i: int) -> None:
        try:
            results[i] = one_session(url, SAMPLES[i % len(SAMPLES)], started)
        except Exception as exc:  # reported as that user's outcome
            results[i] = {"error": f"{type(exc).__name__}: {exc}"}

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    return results


def files_left(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_eight_sessions_at_once(kb: KnowledgeBase, tmp_path: Path) -> None:
    with app_server(kb, tmp_path, SPORTSGPT_APP_MAX_CONCURRENT="2",
                    SPORTSGPT_APP_MAX_WAITING="8") as (url, temp, log):  # fmt: skip
        results = sessions(url)
        for r in results:
            assert "error" not in r, r
            assert "Weak or late forward arm swing" in r["answer"] and "[kb:" in r["answer"]
            assert "offline" in r["follow_up"].lower() or "[kb:" in r["follow_up"]
        told = [r for r in results if r["queue"]]
        assert told, "with 2 slots and 8 users someone waited and was told so"
        assert all("ahead of you" in q for r in told for q in r["queue"])
        time.sleep(1.0)  # the last reset's files
        left = files_left(temp)
        assert left == [], left
        assert "Traceback" not in log.read_text()


def test_a_full_line_is_told_the_app_is_busy(kb: KnowledgeBase, tmp_path: Path) -> None:
    with app_server(kb, tmp_path, SPORTSGPT_APP_MAX_CONCURRENT="1",
                    SPORTSGPT_APP_MAX_WAITING="0") as (url, _, _):  # fmt: skip
        results = sessions(url, n=3)
    answers = [r.get("answer", r.get("error", "")) for r in results]
    assert any("busy" in a for a in answers), answers
    assert any("Weak or late forward arm swing" in a for a in answers), answers


def test_stop_ends_a_running_pose_extraction(
    kb: KnowledgeBase, tmp_path: Path, shared: Path
) -> None:
    from gradio_client import Client, handle_file

    video = shared / "media" / "sports2d_demo.mp4"
    with app_server(kb, tmp_path, SPORTSGPT_LOG_LEVEL="INFO") as (url, temp, log):
        client = Client(url, verbose=False)
        job = client.submit(handle_file(str(video)), "auto", "", [], 3, api_name="/analyze")
        deadline = time.monotonic() + 120
        while "estimating the pose" not in log.read_text():
            assert time.monotonic() < deadline and not job.done(), log.read_text()[-2000:]
            time.sleep(0.2)
        time.sleep(1.0)  # inside the extraction (about 8 s for this clip)
        stopped_at = time.monotonic()
        client.predict(api_name="/stop")
        time.sleep(5.0)
        assert "athlete in" not in log.read_text()  # the extraction never finished
        # the slot is free again: the next analysis starts at once
        chat = client.predict(handle_file(str(SAMPLES[0])), "standing_long_jump", "", [], 3,
                              api_name="/analyze")[0]  # fmt: skip
        assert "Weak or late forward arm swing" in _text(chat[-1])
        assert time.monotonic() - stopped_at < 60
        client.predict(api_name="/reset")
        client.close()
        time.sleep(1.0)
        assert files_left(temp) == []
