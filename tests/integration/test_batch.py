"""``sportsgpt batch`` on Dask distributed over real recordings from ../shared: a local
cluster on 127.0.0.1, an external ``dask scheduler``/``dask worker`` pair joined with
``--address``, a corrupt file reported while the batch goes on, and a run killed with
SIGKILL that the next run resumes without a duplicate or a loss."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sportsgpt.kb import KnowledgeBase
from sportsgpt.kb.history import analyses_of, history_counts
from sportsgpt.tools.batch import athlete_of, find_recordings
from sportsgpt.tools.errors import SportsGPTError
from tests.helpers import free_port

BIN = Path(sys.executable).parent
TENNIS = ("jduribe_Servicio.bvh", "lvargas_Servicio_21seg.bvh")


def _unique(src: Path, out: Path) -> Path:
    """A real recording whose bytes no other test's share (trailing blank lines), so the
    session's shared database has not seen it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(src.read_bytes() + b"\n" * (1 + uuid.uuid4().int % 50_000))
    return out


def _squad(shared: Path, root: Path) -> tuple[Path, str, str]:
    """Two athletes' folders of real recordings and one corrupt file."""
    ana, ben = f"ana-{uuid.uuid4().hex[:6]}", f"ben-{uuid.uuid4().hex[:6]}"
    folder = root / "squad"
    for name in TENNIS:
        _unique(shared / "data/tennis" / name, folder / ana / name)
    _unique(shared / "data/lab/opencap/walking2.trc", folder / ben / "walking2.trc")
    serve = (shared / "data/lab/kineticstoolkit/tennis_serve.c3d").read_bytes()
    (folder / ben / "broken.c3d").write_bytes(serve[:3000])  # a copy cut short
    (folder / ben / "notes.md").write_text("not a recording")
    return folder, ana, ben


def _env(kb: KnowledgeBase) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "SPORTSGPT_", "DATABASE_URL"))}  # fmt: skip
    env["SPORTSGPT_DATA_DIR"] = str(kb.settings.data_dir)  # the session's server
    return env


def _batch(env: dict[str, str], *args: str) -> tuple[list[dict[str, object]], str, int]:
    done = subprocess.run([sys.executable, "-m", "sportsgpt.cli.main", "batch", *args, "--json"],
                          capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    rows = json.loads(done.stdout) if done.stdout.strip() else []
    return rows, done.stderr, done.returncode


def test_athletes_come_from_folders_names_or_one_name(tmp_path: Path) -> None:
    folder = tmp_path / "squad"
    for rel in ("maya/2026-11/clip_1.mp4", "tom-serve.bvh", ".hidden/x.bvh", "maya/a.md"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(b"x")
    items = find_recordings(folder)
    assert [(i.name, i.athlete) for i in items] == [
        ("maya/2026-11/clip_1.mp4", "maya"), ("tom-serve.bvh", "squad")]  # fmt: skip
    assert athlete_of(Path("maya/tom_2.bvh"), folder, "filename") == "tom"
    assert athlete_of(Path("maya/tom_2.bvh"), folder, "Zoe") == "Zoe"
    (folder / ("x" * 90)).mkdir()
    (folder / ("x" * 90) / "a.bvh").write_bytes(b"x")
    with pytest.raises(SportsGPTError, match="is no athlete's name"):
        find_recordings(folder)
    with pytest.raises(SportsGPTError, match="not a folder"):
        find_recordings(folder / "tom-serve.bvh")


def test_a_local_cluster_batch_reports_skips_and_links(
    kb: KnowledgeBase, shared: Path, tmp_path: Path
) -> None:
    folder, ana, ben = _squad(shared, tmp_path)
    env = _env(kb)
    with kb.connection() as conn:
        before = history_counts(conn)
    rows, err, code = _batch(env, str(folder), "--workers", "2", "--session", "week 1")
    assert code == 0, err[-2000:]
    by_name = {r["recording"]: r for r in rows}
    assert set(by_name) == {f"{ana}/{TENNIS[0]}", f"{ana}/{TENNIS[1]}", f"{ben}/walking2.trc",
                            f"{ben}/broken.c3d"}  # the notes are not a recording  # fmt: skip
    for r in rows:
        assert set(r) == {"recording", "athlete", "motion", "status", "score", "analysis_id",
                          "error"}  # fmt: skip
    assert [by_name[f"{ana}/{n}"]["motion"] for n in TENNIS] == ["tennis_serve"] * 2
    assert by_name[f"{ben}/walking2.trc"]["motion"] == "walking_gait"
    assert {r["athlete"] for r in rows} == {ana, ben}
    broken = by_name[f"{ben}/broken.c3d"]
    assert broken["status"] == "failed" and "broken.c3d" in str(broken["error"])
    assert "more than the 3000 bytes hold" in str(broken["error"])
    assert sum(r["status"] == "analysed" for r in rows) == 3
    with kb.connection() as conn:
        grown = {k: v - before[k] for k, v in history_counts(conn).items()}
        assert [a.session for a in analyses_of(conn, ana)] == ["week 1"] * 2
    assert grown == {"athletes": 2, "training_sessions": 2, "recordings": 3,
                     "recording_links": 3, "analyses": 3}  # fmt: skip

    # again, naming one athlete and another session: nothing analysed twice, all linked
    coach = f"squad-{uuid.uuid4().hex[:6]}"
    again, err, code = _batch(env, str(folder), "--workers", "1", "--athlete-from", coach,
                              "--session", "week 2")  # fmt: skip
    assert code == 0, err[-2000:]
    assert sorted(r["status"] for r in again) == ["failed", "skipped", "skipped", "skipped"]
    ids = {r["recording"]: r["analysis_id"] for r in rows if r["analysis_id"]}
    assert {r["recording"]: r["analysis_id"] for r in again if r["analysis_id"]} == ids
    with kb.connection() as conn:
        after = {k: v - before[k] for k, v in history_counts(conn).items()}
        assert len(analyses_of(conn, coach)) == 3
    assert after["analyses"] == 3 and after["recording_links"] == 6


@pytest.fixture()
def scheduler(tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and ``dask worker`` as a user starts them, on 127.0.0.1 only."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = [(tmp_path / "scheduler.log").open("w"), (tmp_path / "worker.log").open("w")]
    commands = [
        # --no-dashboard still serves Dask's HTTP routes on every interface: they are
        # bound to loopback too
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
         "--dashboard-address", "127.0.0.1:0"],
        [str(BIN / "dask"), "worker", address, "--host", "127.0.0.1", "--nworkers", "1",
         "--nthreads", "1", "--dashboard-address", "127.0.0.1:0"],
    ]  # fmt: skip
    procs = []
    try:
        for command, log in zip(commands, logs, strict=True):
            procs.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))  # fmt: skip
            time.sleep(1.0)
        yield address
        assert _listening(procs) <= {"127.0.0.1"}, "a Dask process listens beyond loopback"
    finally:
        for proc in reversed(procs):
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for log in logs:
            log.close()


def _listening(procs: list[subprocess.Popen[bytes]]) -> set[str]:
    """The addresses the processes (and their children) listen on."""
    import psutil

    found = set()
    for proc in procs:
        root = psutil.Process(proc.pid)
        for p in [root, *root.children(recursive=True)]:
            for conn in p.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    found.add(conn.laddr.ip)
    return found


def test_a_batch_killed_midway_resumes_on_a_scheduler(
    kb: KnowledgeBase, shared: Path, tmp_path: Path, scheduler: str
) -> None:
    athlete = f"kim-{uuid.uuid4().hex[:6]}"
    folder = tmp_path / "squad"
    total = 8
    for i in range(total):
        _unique(shared / "data/tennis" / TENNIS[i % 2], folder / athlete / f"serve_{i}.bvh")
    env = _env(kb)
    command = [sys.executable, "-m", "sportsgpt.cli.main", "batch", str(folder), "--address",
               scheduler, "--json"]  # fmt: skip
    with (tmp_path / "killed.log").open("w") as log:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 300
    stored = 0
    while stored < 2:  # two results kept, the rest still running or queued
        assert proc.poll() is None, (tmp_path / "killed.log").read_text()[-2000:]
        assert time.monotonic() < deadline, "no result within 300 s"
        time.sleep(0.2)
        with kb.connection() as conn:
            stored = len(analyses_of(conn, athlete))
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    with kb.connection() as conn:
        kept = len(analyses_of(conn, athlete))
    assert 2 <= kept < total  # killed midway

    rows, err, code = _batch(env, str(folder), "--address", scheduler)
    assert code == 0, err[-2000:]
    statuses = [r["status"] for r in rows]
    assert statuses.count("skipped") == kept and statuses.count("analysed") == total - kept
    with kb.connection() as conn:
        done = analyses_of(conn, athlete)
    assert len(done) == total and len({a.recording_hash for a in done}) == total
    assert {r["analysis_id"] for r in rows} == {a.id for a in done}


def test_the_local_cluster_listens_on_loopback_only() -> None:
    import psutil

    from sportsgpt.tools.batch import dask_client

    with dask_client(None, 2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        me = psutil.Process()
        sockets = [c for p in [me, *me.children(recursive=True)] for c in p.net_connections()]
        found = {c.laddr.ip for c in sockets if c.status == psutil.CONN_LISTEN and c.laddr}
    assert found == {"127.0.0.1"}
