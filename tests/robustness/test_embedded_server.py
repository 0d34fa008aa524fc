"""The embedded PostgreSQL server under process faults: a user killed with SIGKILL does not
keep the server alive for ever, a damaged list of users does not stop it from starting, and
two processes filling a fresh knowledge base at once both succeed (the ingest lock)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from sportsgpt.kb.corpus import load_coaching_corpus, load_exercises

PY = sys.executable


def _run(code: str, data: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SPORTSGPT_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen([PY, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


USE = (
    "import os, signal, sys\n"
    "from sportsgpt.kb import KnowledgeBase\n"
    "kb = KnowledgeBase()\n"
    "print(len(kb.search('What is an A-skip?', limit=3)))\n"
    "if sys.argv[-1:] == ['die']: os.kill(os.getpid(), signal.SIGKILL)\n"
)


def _postmaster(pgdata: Path) -> int | None:
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if psutil.pid_exists(pid) else None


def test_a_killed_user_does_not_keep_the_server_running(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    killed = _run(USE + "os.kill(os.getpid(), signal.SIGKILL)\n", tmp_path)
    killed.communicate(timeout=300)
    assert killed.returncode == -9
    assert _postmaster(pgdata) is not None  # the server outlived its killed user
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == [killed.pid]
    after = _run(USE, tmp_path)
    out, err = after.communicate(timeout=300)
    assert after.returncode == 0, err[-1500:]
    assert int(out.split()[-1]) >= 1
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == []  # the stale pid went
    assert _postmaster(pgdata) is None  # and the last live user stopped the server


def test_a_damaged_list_of_users_is_not_fatal(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    first = _run(USE, tmp_path)
    assert first.wait(timeout=300) == 0
    (pgdata / ".handle_pids.json").write_text('[12, "half')  # a write cut short
    proc = _run(USE, tmp_path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-1500:]
    assert _postmaster(pgdata) is None


def test_two_first_uses_at_once_fill_the_knowledge_base_once(tmp_path: Path, shared: Path) -> None:
    procs = [_run(USE, tmp_path) for _ in range(2)]
    results = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err[-1500:]  # no UniqueViolation in either
        assert "Traceback" not in err
        assert int(out.split()[-1]) >= 1
    check = _run(
        "from sportsgpt.kb import KnowledgeBase\nprint(KnowledgeBase().stats().documents)\n",
        tmp_path,
    )
    out, err = check.communicate(timeout=300)
    assert check.returncode == 0, err[-1500:]
    expected = {"coaching": len(load_coaching_corpus()), "exercises": len(load_exercises(shared))}
    assert out.strip() == str(expected)
