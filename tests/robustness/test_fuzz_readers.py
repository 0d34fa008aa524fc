"""Every reader under the property-based fuzzer (tests/robustness/fuzz_readers.py), each
format in its own process capped at 2 GB of address space and 300 s of CPU: a mutated
file is read or refused in one line, never a traceback, a crash or a runaway.
``SPORTSGPT_FUZZ_EXAMPLES`` sets the examples per format (default 300)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from robustness.fuzz_readers import SEEDS

HERE = Path(__file__).resolve().parent
EXAMPLES = int(os.environ.get("SPORTSGPT_FUZZ_EXAMPLES", "300"))
CAP_BYTES = 2 * 1024**3


def _caps() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (300, 300))


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_a_fuzzed_file_is_read_or_refused_in_one_line(name: str) -> None:
    done = subprocess.run(
        [sys.executable, str(HERE / "fuzz_readers.py"), name, str(EXAMPLES)],
        capture_output=True, text=True, timeout=600, preexec_fn=_caps,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["read"] + summary["refused"] >= EXAMPLES * 0.9, summary
