"""A knowledge base that cannot be reached, or goes away, is said to be unavailable, never
"no evidence", and the athlete's own analysis still comes back; the embedded server
killed mid-query or mid-ingest comes back with nothing lost and nothing doubled."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from sportsgpt.kb import KBSettings, KnowledgeBase
from sportsgpt.kb.corpus import load_coaching_corpus, load_exercises
from sportsgpt.kb.database import embedded_uri
from sportsgpt.tools.errors import DatabaseUnavailableError

REPO = Path(__file__).resolve().parents[2]


def test_analysis_with_the_database_down_says_so(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SPORTSGPT_OFFLINE": "1", "SPORTSGPT_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"postgresql://coach:pw@127.0.0.1:{port}/sportsgpt"}  # fmt: skip
    cli = str(Path(sys.executable).with_name("sportsgpt"))
    sample = REPO / "samples" / "standing_long_jump_side.csv"
    done = subprocess.run([cli, "analyze", str(sample)], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "knowledge base is unavailable" in done.stdout
    assert "No evidence found" not in done.stdout
    assert "Weak or late forward arm swing" in done.stdout  # the measurements stand
    assert "Traceback" not in done.stderr


def test_the_embedded_server_killed_mid_search(tmp_path: Path) -> None:
    """A query running when the server is killed fails as 'went away', one line; the next
    request starts the server again, and every document is still there."""
    import threading

    kb = KnowledgeBase(KBSettings(data_dir=tmp_path / "kb"))
    kb.ingest(exercises=False, progress=False)
    assert kb.search("What is an A-skip?", limit=3)
    failed: list[BaseException] = []

    def long_query() -> None:
        try:
            with kb.connection() as conn:
                conn.execute("SELECT pg_sleep(30)")
        except BaseException as exc:
            failed.append(exc)

    query = threading.Thread(target=long_query)
    query.start()
    time.sleep(1.0)  # the query is running
    pgdata = tmp_path / "kb" / "pgdata"
    os.kill(int((pgdata / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)
    query.join(timeout=60)
    assert failed and isinstance(failed[0], DatabaseUnavailableError), failed
    message = str(failed[0])
    assert "went away" in message and "\n" not in message
    for _ in range(30):  # a killed server's backends linger a few seconds
        try:
            results = kb.search("What is an A-skip?", limit=3)
            break
        except DatabaseUnavailableError:
            time.sleep(1)
    else:
        pytest.fail("the embedded server was not started again")
    assert results and kb.stats().documents == {"coaching": len(load_coaching_corpus())}


def _count(uri: str) -> int:
    try:
        with psycopg.connect(uri, connect_timeout=2) as conn:
            row = conn.execute("SELECT count(*) FROM kb_documents").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0


def test_server_killed_mid_ingest_loses_and_duplicates_nothing(
    tmp_path: Path, shared: Path
) -> None:
    data = tmp_path / "killed"
    env = {**os.environ, "SPORTSGPT_DATA_DIR": str(data), "SPORTSGPT_SHARED": str(shared)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sportsgpt.cli.main", "kb", "ingest"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    pgdata = data / "pgdata"
    uri = f"postgresql://postgres:@/postgres?host={pgdata}"
    corpus = len(load_coaching_corpus())
    deadline = time.monotonic() + 240
    while _count(uri) < corpus + 64 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.3)
    assert proc.poll() is None, "ingest finished before the server could be killed"
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    os.kill(postmaster, signal.SIGKILL)  # the server dies mid-ingest
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and b"error" in err.lower()
    for _ in range(30):  # a killed server lingers a few seconds
        try:
            reports = KnowledgeBase(KBSettings(data_dir=data)).ingest(shared=shared, progress=False)
            break
        except DatabaseUnavailableError:
            time.sleep(1)
    else:
        pytest.fail("the embedded server did not come back after being killed")
    assert reports[0].added == 0 and reports[1].added > 0  # finished what was left
    n_exercises = len(load_exercises(shared))
    with psycopg.connect(embedded_uri(data)) as conn:
        counts = dict(conn.execute("SELECT collection, count(*) FROM kb_documents GROUP BY 1"))
        assert counts == {"coaching": corpus, "exercises": n_exercises}
        (orphans,) = conn.execute(
            "SELECT count(*) FROM kb_documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM kb_chunks c WHERE c.document_id = d.id)"
        ).fetchone() or (1,)
        assert orphans == 0
