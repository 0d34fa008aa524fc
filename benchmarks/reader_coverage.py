"""Load every real motion file in ../shared and print frames, joints and read time.

.venv/bin/python benchmarks/reader_coverage.py [--shared DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.shared_data import shared_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path)
    root = shared_dir(parser.parse_args().shared)
    files = sorted((root / "data/deepmimic/motions").glob("*.txt"))
    files += sorted((root / "data/tennis").glob("*.bvh"))
    files += sorted((root / "data/deepmimic_sie").glob("*.txt"))
    print("| file | frames | fps | joints | dims | read (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for path in files:
        t0 = time.perf_counter()
        seq = read_motion(path)
        ms = (time.perf_counter() - t0) * 1000
        print(
            f"| {path.parent.name}/{path.name} | {seq.n_frames} | {seq.fps:g} | "
            f"{len(seq.joints)} | {seq.dims} | {ms:.0f} |"
        )
    print(f"\n{len(files)} files loaded")


if __name__ == "__main__":
    main()
