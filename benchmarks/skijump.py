"""Ski jumps from broadcast keypoints: a reference built from one jump aligns the others.

The user's path: ``sportsgpt reference build --from jumpA.coco.json --keyframes
take_off=..,landing=.. --motion ski_jump``, then ``sportsgpt align jumpB.coco.json
--reference ref.json``. Take-off and landing of every other jump are compared with the
hand labels of ../shared/data/skijump/phases.csv (frame index = video frame - the first
annotated frame; 30 fps). Nothing from the files is written.

.venv/bin/python benchmarks/skijump.py [--shared DIR] [--from jump11|all] [--max-cost C]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
from pathlib import Path

from sportsgpt.tools.errors import SportsGPTError
from sportsgpt.tools.motiondtw.align import AlignSettings, align
from sportsgpt.tools.motiondtw.reference import build_reference
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.readers.keypoints2d import frame_numbers
from sportsgpt.tools.shared_data import shared_dir

FPS = 30.0


def first_frame(path: Path) -> int:
    """The video frame of the file's first annotated image (as the reader numbers them)."""
    numbers = frame_numbers(json.loads(path.read_text())["images"])
    return min(n for n in numbers if n is not None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path)
    parser.add_argument(
        "--from", dest="source", default="jump11", help="the reference's jump, or 'all' in turn"
    )
    parser.add_argument("--max-cost", type=float, help="override the reference threshold")
    args = parser.parse_args()
    folder = shared_dir(args.shared) / "data" / "skijump"
    labels = {r["jump_id"]: r for r in csv.DictReader((folder / "phases.csv").open())}
    jumps = sorted(labels, key=lambda j: int(j.removeprefix("jump")))
    seqs = {j: read_motion(folder / f"{j}.coco.json", fps=FPS) for j in jumps}

    def truth(jump: str) -> dict[str, int]:
        start = first_frame(folder / f"{jump}.coco.json")
        row = labels[jump]
        return {"take_off": int(row["take_off_frame"]) - start,
                "landing": int(row["landing"]) - start}  # fmt: skip

    def from_source(source: str, show: bool) -> tuple[list[int], int]:
        ref = build_reference(seqs[source], truth(source), "ski_jump", name=source)
        if show:
            print(f"reference: {source}, {ref.frames} frames, view {ref.view}, "
                  f"channels {len(ref.stats.names)}, frames filled over gaps "
                  f"{sum(v < 1 for v in next(iter(ref.reliability.values()), []))}\n")  # fmt: skip
            print("| jump | take-off error (frames) | landing error (frames) | cost | note |")
            print("|---|---:|---:|---:|---|")
        errors: list[int] = []
        refused = 0
        for jump in jumps:
            if jump == source:
                continue
            want = truth(jump)
            try:
                result = align(seqs[jump], [ref], AlignSettings(max_cost=args.max_cost))
            except SportsGPTError as exc:
                refused += 1
                if show:
                    print(f"| {jump} | - | - | - | refused: {exc} |")
                continue
            if not result.occurrences:
                refused += 1
                if show:
                    print(f"| {jump} | - | - | - | no occurrence under the threshold |")
                continue
            occ = min(result.occurrences, key=lambda o: o.cost)
            got = {k: occ.keyframes[k] - want[k] for k in want}
            errors += [abs(v) for v in got.values()]
            note = "" if labels[jump]["take_off_measurable"] == "1" else "take-off frame a guess"
            if show:
                print(f"| {jump} | {got['take_off']:+d} | {got['landing']:+d} | {occ.cost:.3f} "
                      f"| {note} |")  # fmt: skip
        return errors, refused

    if args.source != "all":
        errors, refused = from_source(args.source, show=True)
        if errors:
            mean = statistics.mean(errors)
            print(f"\nmean abs error {mean:.1f} frames ({1000 * mean / FPS:.0f} ms) over "
                  f"{len(errors)} events; refused or not found: {refused}")  # fmt: skip
        return
    print("| reference from | jumps aligned | refused or not found | mean abs error (frames) "
          "| median (frames) | events within 6 frames |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    pooled: list[int] = []
    for source in jumps:
        errors, refused = from_source(source, show=False)
        pooled += errors
        if errors:
            within = sum(e <= 6 for e in errors) / len(errors)
            print(f"| {source} | {len(errors) // 2} | {refused} | {statistics.mean(errors):.1f} "
                  f"| {statistics.median(errors):.0f} | {within:.0%} |")  # fmt: skip
        else:
            print(f"| {source} | 0 | {refused} | - | - | - |")
    if pooled:
        within = sum(e <= 6 for e in pooled) / len(pooled)
        print(f"| **all pairs** | {len(pooled) // 2} | | {statistics.mean(pooled):.1f} "
              f"| {statistics.median(pooled):.0f} | {within:.0%} |")  # fmt: skip


if __name__ == "__main__":
    main()
