"""Crafted hostile inputs (issue 17) through ``sportsgpt assess``: size, peak memory, time
and the message a user sees, each in its own capped process.

.venv/bin/python benchmarks/crafted_inputs.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from robustness.crafted import CRAFTED, CRAFTED_ENV
from robustness.test_crafted_inputs import run_capped


def main() -> None:
    cli = str(Path(sys.executable).with_name("sportsgpt"))
    print("| input | file size | peak memory (MB) | time (s) | message shown |")
    print("|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for case in sorted(CRAFTED):
            name, make = CRAFTED[case]
            path = Path(tmp) / name
            make(path)
            got = run_capped([cli, "assess", str(path), "--motion", "standing_long_jump"],
                             CRAFTED_ENV.get(case))  # fmt: skip
            lines = [ln for ln in str(got["stderr"]).splitlines() if ln.startswith("sportsgpt")]
            shown = (lines[-1] if lines else "(none)").replace(tmp + "/", "")
            if "Traceback" in str(got["stderr"]):
                shown = "TRACEBACK " + shown
            size = path.stat().st_size
            print(f"| {case} | {size / 1024:,.0f} KB | {float(str(got['peak_mb'])):.0f} | "
                  f"{float(str(got['seconds'])):.1f} | {shown} |")  # fmt: skip


if __name__ == "__main__":
    main()
