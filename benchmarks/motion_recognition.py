"""`--motion auto`: which motion each benchmark clip is recognised as (confusion matrix).

Clips: the real mocap of every motion we have it for (DeepMimic run, jog, walks and jump;
the five Tennis-MoCap serve recordings), the provisional sprint-start and acceleration key
positions (slowed 10%, 2 px noise), and six real motions we know nothing of (kick, punch,
spin, dance, cartwheel, roll), which must come out as "none". All in a 2D side view with
keypoint noise.

    .venv/bin/python benchmarks/motion_recognition.py
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import numpy as np
from tqdm import tqdm

from sportsgpt.evals.keyframe_suite import load_3d, to_2d
from sportsgpt.references.build import tile_loop
from sportsgpt.references.key_positions import load_key_positions, synthesize
from sportsgpt.tools.kismam.recognise import recognise_motion
from sportsgpt.tools.motiondtw.library import REFERENCES_DIR, known_motions
from sportsgpt.tools.pose_sequence import PoseSequence
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.shared_data import shared_dir

NONE = "none"


def clips(shared: Path) -> list[tuple[str, str, PoseSequence]]:
    motions = shared / "data/deepmimic/motions"
    out: list[tuple[str, str, PoseSequence]] = []
    rng = np.random.default_rng(0)
    for truth, name, loops in [
        ("max_velocity", "humanoid3d_run.txt", 4), ("max_velocity", "humanoid3d_jog.txt", 4),
        ("walking_gait", "humanoid3d_walk.txt", 4),
        ("walking_gait", "humanoid3d_long_walk3.txt", 1),
        ("standing_long_jump", "humanoid3d_jump.txt", 1),
        *[(NONE, f"humanoid3d_{m}.txt", 1) for m in ("kick", "punch", "spin", "dance_a",
                                                     "cartwheel", "roll")],
    ]:  # fmt: skip
        seq = read_motion(motions / name)
        seq = tile_loop(seq, loops) if loops > 1 else seq
        out.append((truth, name, to_2d(load_3d(seq), "side", flip=False, rng=rng)))
    for path in sorted((shared / "data/tennis").glob("*.bvh")):
        out.append(("tennis_serve", path.name, to_2d(load_3d(path), "side", False, rng)))
    for motion in ("sprint_start", "acceleration"):
        kp = load_key_positions(REFERENCES_DIR / motion / "key_positions.json")
        seq, _ = synthesize(kp, fps=60.0 / 1.1)
        noisy = seq.positions + rng.normal(0.0, 2.0, seq.positions.shape)
        out.append((motion, "key positions", seq.replace(positions=noisy, fps=60.0, times=None)))
    return out


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    rows = []
    for truth, name, pose in tqdm(clips(shared_dir()), desc="recognising", unit="clip"):
        guess, _ = recognise_motion(pose)
        rows.append((truth, name, guess.motion or NONE, guess.ratios))
    labels = [*known_motions(), NONE]
    counts = Counter((t, g) for t, _, g, _ in rows)
    print("\n| clip | truth | recognised | best cost / threshold per motion |")
    print("|---|---|---|---|")
    for truth, name, guess, ratios in rows:
        mark = "" if guess == truth else " **wrong**"
        shown = ", ".join(f"{m} {r:.2f}" for m, r in sorted(ratios.items(), key=lambda kv: kv[1]))
        print(f"| {name} | {truth} | {guess}{mark} | {shown or '-'} |")
    print("\nConfusion matrix (rows: truth, columns: recognised)\n")
    print("| truth \\ recognised | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for t in labels:
        if any(r[0] == t for r in rows):
            print(f"| {t} | " + " | ".join(str(counts[(t, g)] or "") for g in labels) + " |")
    right = sum(counts[(t, t)] for t in labels)
    print(f"\naccuracy {right}/{len(rows)} = {right / len(rows):.2f}")


if __name__ == "__main__":
    main()
