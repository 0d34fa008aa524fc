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
