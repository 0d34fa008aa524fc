"""A knowledge base that cannot be reached is said to be unavailable, never "no evidence",
and the athlete's own analysis still comes back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

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
