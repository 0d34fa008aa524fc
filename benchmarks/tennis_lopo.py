"""Tennis serve, leave one player out: templates, their cost thresholds and the bands
from the high-performance players other than the one assessed, on all five Tennis-MoCap
players (../shared).

For each player left out: templates (``references.build.build_template``, the serve
recipe's settings) from the remaining high-performance players only, each template's
cost threshold calibrated (``evals.calibrate_references.calibrate``) on the recordings
of every player but the one left out and the template's own (recognising a serve is not
about its quality, so the regular players count),
and bands from the remaining high-performance serves (``references.build.recipe_bands``;
one player alone gives serve-to-serve spread only, and a statistics band needs at
least 5 serves, so with lvargas' 3 alone the shipped bands stand in). The left-out player's whole
recording as a side camera sees it is aligned and assessed. Reported per player: serves
found of those the mocap holds, impact within 30 ms of the hitting hand's highest point
(the mocap event), the technique score with the held-out bands and with the shipped
bands (both high-performance players: in-sample for them), and whether every
high-performance player scores at least 70 and above every regular player.

``--default-thresholds`` leaves a fresh template at the default cost threshold (1.0).

.venv/bin/python benchmarks/tennis_lopo.py [--shared DIR] [--default-thresholds]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from sportsgpt.evals.calibrate_references import calibrate
from sportsgpt.evals.keyframe_suite import recording_query
from sportsgpt.references.build import build_template, recipe_bands
from sportsgpt.references.recipe import load_recipe, motion_events
from sportsgpt.tools.kinematics import compute_kinematics
from sportsgpt.tools.kismam import load_motion_spec
from sportsgpt.tools.kismam.assess import assess
from sportsgpt.tools.kismam.calibrate import athlete_of
from sportsgpt.tools.motiondtw.align import align
from sportsgpt.tools.projection import project
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.shared_data import shared_dir

WITHIN_S = 0.03


def players(folder: Path) -> dict[str, tuple[Path, bool]]:
    """player -> (serve recording, high performance?) from labels.csv."""
    out = {}
    with (folder / "labels.csv").open() as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    for row in rows:
        name, level, stroke = row[0], row[1], row[-1]
        if stroke.strip() == "0" and (folder / name).exists():
            out[athlete_of(name)] = (folder / name, level.strip() == "1")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path)
    parser.add_argument("--default-thresholds", action="store_true",
                        help="leave fresh templates at the default cost threshold")  # fmt: skip
    args = parser.parse_args()
    folder = shared_dir(args.shared) / "data" / "tennis"
    roster = players(folder)
    mocap = {p: read_motion(path) for p, (path, _) in roster.items()}
    shipped_spec = load_motion_spec("tennis_serve")
    recipe = load_recipe("tennis_serve")
    print("| player | level | serves found / in mocap | impact within 30 ms | thresholds "
          "(held out) | score, held-out bands | score, shipped bands |")  # fmt: skip
    print("|---|---|---:|---:|---|---:|---:|")
    scores: dict[str, float] = {}
    shipped_scores: dict[str, float] = {}
    within: list[bool] = []
    for player, (_, elite) in sorted(roster.items(), key=lambda kv: (not kv[1][1], kv[0])):
        others = [p for p, (_, hp) in roster.items() if hp and p != player]
        refs = [build_template(mocap[p], recipe, recipe.templates[0], name=p) for p in others]
        if not args.default_thresholds:
            tuned = []
            for ref in refs:
                # serves of everyone but the player left out and the template's own player
                # (recognising a serve is not about its quality: regular players count)
                queries = [
                    (recording_query(path, np.random.default_rng(1000), name=p), None)
                    for p, (path, _) in roster.items()
                    if p not in (player, ref.name)
                ]
                threshold = calibrate(ref, queries)
                tuned.append(ref.model_copy(update={"cost_threshold": threshold}))
            refs = tuned
        try:
            assert recipe.bands is not None  # the serve's recipe names its band recordings
            spec = recipe_bands(
                shipped_spec, recipe.bands, [mocap[p] for p in others],
                label=f"held out: {', '.join(others)}", athletes=others,
            )  # fmt: skip
            held_out = True
        except RuntimeError:  # a statistics band needs >= 5 serves: lvargas alone has 3
            spec, held_out = shipped_spec, False
        seq = mocap[player]
        events = motion_events("tennis_serve")(seq, 0, seq.n_frames - 1)
        truth = [e.keyframes["impact"] for e in events]
        query = project(seq, "side")
        series = compute_kinematics(query)
        result = align(query, refs, kinematics=series)
        scores[player] = assess(spec, series, result).score
        shipped_scores[player] = assess(shipped_spec, series, result).score
        found = [o.keyframes.get("impact") for o in result.occurrences]
        hits = 0
        for t in truth:
            near = [abs(f - t) for f in found if f is not None]
            ok = bool(near) and min(near) / seq.fps <= WITHIN_S
            hits += ok
            within.append(ok)
        shown = ", ".join(f"{r.name} {r.cost_threshold:.2f}" for r in refs)
        print(f"| {player} | {'high performance' if elite else 'regular'} | "
              f"{len(result.occurrences)} / {len(truth)} | {hits}/{len(truth)} | {shown} | "
              f"{scores[player]:.0f}{'' if held_out else ' (too few serves: shipped)'} | "
              f"{shipped_scores[player]:.0f} |")  # fmt: skip
    elite = [p for p, (_, hp) in roster.items() if hp]
    regular = [p for p in roster if p not in elite]
    print(f"\nimpact within 30 ms: {100 * sum(within) / max(len(within), 1):.0f}% of "
          f"{len(within)} serves")  # fmt: skip
    for name, table in (("held-out bands", scores), ("shipped bands", shipped_scores)):
        ranked = all(table[e] >= 70 and all(table[e] > table[r] for r in regular) for e in elite)
        order = ", ".join(f"{p} {table[p]:.0f}" for p in sorted(table, key=lambda p: -table[p]))
        print(f"{name}: every high-performance player >= 70 and above every regular player: "
              f"{'yes' if ranked else 'no'}; ranking {order}")  # fmt: skip


if __name__ == "__main__":
    main()
