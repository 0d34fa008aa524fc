"""Every crafted input of issue 17 through ``sportsgpt assess`` in its own capped process:
one line naming the file and the limit, no traceback, under 600 MB and 60 s
(benchmarks/crafted_inputs.py prints the table)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from robustness.crafted import CRAFTED, CRAFTED_ENV

RUN = """
import resource, subprocess, sys, time
cap = 4 * 1024 ** 3  # a runaway is stopped, never the machine
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True,
                      preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)))
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(__import__("json").dumps({"rc": done.returncode, "stderr": done.stderr,
      "peak_mb": peak, "seconds": time.perf_counter() - started}))
"""


def run_capped(args: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True,
                         timeout=120, check=True, env={**os.environ, **(env or {})})  # fmt: skip
    return json.loads(out.stdout)


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_a_crafted_file_gets_one_clear_line_in_bounded_memory(tmp_path: Path, case: str) -> None:
    name, make = CRAFTED[case]
    path = tmp_path / name
    make(path)
    cli = str(Path(sys.executable).with_name("sportsgpt"))
    got = run_capped([cli, "assess", str(path), "--motion", "standing_long_jump"],
                     CRAFTED_ENV.get(case))  # fmt: skip
    stderr = str(got["stderr"]).strip()
    assert got["rc"] != 0 and "Traceback" not in stderr, stderr[-2000:]
    lines = [ln for ln in stderr.splitlines() if ln.startswith("sportsgpt")]
    assert len(lines) == 1 and name in lines[0], stderr[-2000:]
    assert float(str(got["peak_mb"])) < 600 and float(str(got["seconds"])) < 60, got


@pytest.mark.parametrize("command", ["analyze", "pose"])
def test_a_text_file_named_mp4_is_one_line_and_exit_1(tmp_path: Path, command: str) -> None:
    """Not a video: exit 1 and one line on stderr, ours (FFmpeg's own "moov atom not
    found" is not shown), whether the coach analyses it or the pose stage alone."""
    path = tmp_path / "holiday.mp4"
    path.write_text("this is a shopping list, not a video\n")
    cli = str(Path(sys.executable).with_name("sportsgpt"))
    env = {**os.environ, "SPORTSGPT_DATA_DIR": str(tmp_path / "data"), "SPORTSGPT_OFFLINE": "1",
           "DATABASE_URL": "postgresql://coach:x@127.0.0.1:9/sportsgpt",
           "SPORTSGPT_LOG_LEVEL": "WARNING"}  # fmt: skip
    done = subprocess.run([cli, command, str(path)], capture_output=True, text=True, env=env,
                          timeout=120)  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("sportsgpt: error: "), done.stderr[-2000:]
    assert "holiday.mp4" in lines[0] and "cannot be opened as a video" in lines[0]
