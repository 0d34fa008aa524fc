"""Foot contacts found by alignment against force plates and lab events, in milliseconds.

The user's ordinary path: ``sportsgpt align FILE --motion walking_gait`` (the same
``align`` call), on the lab files of ../shared/data/lab. Ground truth: the C3D file's own
events (Vicon Foot Strike / Foot Off), or the force plates of the file's ``_grf.mot``
(vertical force above 20 N; a plate's contact belongs to the foot whose heel is nearest
its centre of pressure). Each true event is matched to the nearest keyframe we report of
the same kind and side within 0.3 s; true events with none are counted as missed.

Second table: treadmill running, FootNet's 27 right + 27 left stride windows (200 Hz,
force-plate contact labels): the mocap contact rule (``events.foot_lowest_contacts``: the
foot's lowest point within 3 cm of its 5th-percentile height) against the plates, beside
the ankle-height rule the shipped references were built with (``events.foot_contact``).
The windows hold a shank and a foot only (no hips), so nothing can be aligned on them.

Third table: the drop jump. A reference the user builds from DJ1's force plates
(``sportsgpt reference build --from DJ1.trc --keyframes first_contact=121,take_off=175,
landing=235 --motion drop_jump``) is run on DJ1 as 3D, as seen by side, oblique and
front cameras, and played 0.8 and 1.25 times as long; its keyframes against the plates.

.venv/bin/python benchmarks/force_plates.py [--shared DIR] [--no-refine] [--gait-rules]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import numpy as np

from sportsgpt.evals.keyframe_suite import time_warp
from sportsgpt.references.recipe import load_recipe
from sportsgpt.tools.motiondtw.align import AlignSettings, align
from sportsgpt.tools.motiondtw.events import (
    CONTACT_KEYFRAMES,
    foot_contact,
    foot_lowest_contacts,
    runs,
)
from sportsgpt.tools.motiondtw.library import load_motion_references
from sportsgpt.tools.motiondtw.reference import build_reference
from sportsgpt.tools.pose_sequence import PoseSequence
from sportsgpt.tools.projection import project
from sportsgpt.tools.readers import read_motion
from sportsgpt.tools.readers.c3d_file import read_c3d_with_events
from sportsgpt.tools.readers.footnet import read_footnet
from sportsgpt.tools.readers.mot import plate_contacts, read_mot
from sportsgpt.tools.shared_data import shared_dir

CASES = [  # file, motion, ground truth
    ("kineticstoolkit/walk.c3d", "walking_gait", "c3d events"),
    ("opencap/walking2.trc", "walking_gait", "opencap/walking2_grf.mot"),
    ("camargo/levelground_ccw_fast.trc", "walking_gait", "camargo/levelground_ccw_fast_grf.mot"),
]
KIND = {name: ("on", "off")[end] for name, end in CONTACT_KEYFRAMES.items()}
MATCH_S = 0.3


def truth_from_plates(seq: PoseSequence, grf: Path) -> dict[str, list[float]]:
    """{'left_on': [s, ...], 'left_off': [...], ...} from the plates, by nearest heel."""
    out: dict[str, list[float]] = {}
    times = seq.frame_times
    for c in plate_contacts(read_mot(grf)):
        if c.cop is None:
            continue
        mid = np.nanmean([c.on_s, c.off_s]) if np.isfinite([c.on_s, c.off_s]).any() else None
        if mid is None:
            continue
        i = int(np.argmin(np.abs(times - mid)))
        cop = np.array(c.cop)[[0, 2]]
        dist = {s: float(np.linalg.norm(seq.joint(f"{s}_heel")[i][[0, 2]] - cop))
                for s in ("left", "right")}  # fmt: skip
        side = min(dist, key=dist.__getitem__)
        for edge, t in (("on", c.on_s), ("off", c.off_s)):
            if np.isfinite(t):
                out.setdefault(f"{side}_{edge}", []).append(t)
    return out


def truth_from_events(seq: PoseSequence, events: dict[str, list[int]]) -> dict[str, list[float]]:
    names = {"foot_strike": "on", "foot_off": "off"}
    out: dict[str, list[float]] = {}
    for name, frames in events.items():
        side, kind = name.split("_", 1)
        if kind in names:
            out.setdefault(f"{side}_{names[kind]}", []).extend(f / seq.fps for f in frames)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path)
    parser.add_argument("--no-refine", action="store_true", help="DTW keyframes as they are")
    parser.add_argument("--gait-rules", action="store_true",
                        help="give the walking template the gait event rules "
                        "(candidate_refine in references/walking_gait/build.json), not "
                        "shipped yet")  # fmt: skip
    args = parser.parse_args()
    lab = shared_dir(args.shared) / "data" / "lab"
    print("| file | event | found / true | mean abs error (ms) | median (ms) | max (ms) |")
    print("|---|---|---:|---:|---:|---:|")
    overall: list[float] = []
    for name, motion, truth_name in CASES:
        path = lab / name
        if path.suffix == ".c3d":
            seq, events = read_c3d_with_events(path)
            truth = truth_from_events(seq, events)
        else:
            seq = read_motion(path)
            truth = truth_from_plates(seq, lab / truth_name)
        refs = load_motion_references(motion)
        if args.gait_rules:
            rules = load_recipe(motion).candidate_refine
            refs = [r.model_copy(update={"refine": rules}) for r in refs]
        result = align(seq, refs, AlignSettings(refine=not args.no_refine))
        predicted: dict[str, list[float]] = {}
        for occ in result.occurrences:
            for key, frame in occ.keyframes.items():
                side, kind = key.split("_", 1)
                if kind in KIND:
                    predicted.setdefault(f"{side}_{KIND[kind]}", []).append(frame / seq.fps)
        errors: dict[str, list[float]] = {}
        unmatched: dict[str, int] = {}
        for key, events in truth.items():  # every true event: found, or counted as missed
            label = "touchdown" if key.endswith("_on") else "toe-off"
            for t in events:
                near = [abs(t - p) for p in predicted.get(key, [])]
                if near and min(near) <= MATCH_S:
                    errors.setdefault(label, []).append(1000 * min(near))
                else:
                    unmatched[label] = unmatched.get(label, 0) + 1
        for label in ("touchdown", "toe-off"):
            e = errors.get(label, [])
            overall += e
            miss = unmatched.get(label, 0)
            if e:
                print(f"| {name} | {label} | {len(e)}/{len(e) + miss} | {statistics.mean(e):.0f} | "
                      f"{statistics.median(e):.0f} | {max(e):.0f} |")  # fmt: skip
            else:
                print(f"| {name} | {label} | 0/{miss} | - | - | - |")
    if overall:
        print(f"\nall events: mean {statistics.mean(overall):.0f} ms over {len(overall)}")
    treadmill_running(shared_dir(args.shared) / "data" / "footnet" / "Data_example.mat")
    drop_jump(lab, refine=not args.no_refine)


def treadmill_running(path: Path) -> None:
    strides = read_footnet(path)
    rules = {
        "foot's lowest point within 3 cm (foot_lowest_contacts)": lambda st: foot_lowest_contacts(
            st.pose, st.side
        ),
        "ankle within 5 cm (foot_contact, the references' rule)": lambda st: runs(
            foot_contact(st.pose, st.side)
        ),
    }
    print(f"\nTreadmill running: FootNet, {len(strides)} stride windows at 200 Hz, "
          "force-plate labels\n")  # fmt: skip
    print("| rule | event | found / true | mean abs error (ms) | median (ms) | max (ms) |")
    print("|---|---|---:|---:|---:|---:|")
    for label, rule in rules.items():
        errors: dict[str, list[float]] = {"touchdown": [], "toe-off": []}
        for st in strides:
            down = np.flatnonzero(st.contact > 0.5)
            if len(down) == 0:
                continue
            true_on, true_off = int(down[0]), int(down[-1])
            found = [c for c in rule(st) if c[0] <= true_off and c[1] >= true_on]
            if not found:
                continue
            on, off = found[0]
            errors["touchdown"].append(1000 * abs(on - true_on) / st.pose.fps)
            errors["toe-off"].append(1000 * abs(off - true_off) / st.pose.fps)
        for event, e in errors.items():
            if e:
                print(f"| {label} | {event} | {len(e)}/{len(strides)} | {statistics.mean(e):.0f} "
                      f"| {statistics.median(e):.0f} | {max(e):.0f} |")  # fmt: skip


def drop_jump_truth(lab: Path) -> dict[str, float]:
    """First contact, take-off and landing (seconds) from DJ1's plates: the first frame
    with force, the first frame without it, the next first frame with force."""
    contacts = plate_contacts(read_mot(lab / "opencap" / "DJ1_grf.mot"))
    first = min(c.on_s for c in contacts)
    off = max(c.off_s for c in contacts if np.isfinite(c.off_s) and c.on_s == first)
    landing = min(c.on_s for c in contacts if c.on_s > off)
    return {"first_contact": first, "take_off": off + 0.01, "landing": landing}


def drop_jump(lab: Path, refine: bool) -> None:
    seq = read_motion(lab / "opencap" / "DJ1.trc")
    truth = drop_jump_truth(lab)
    frames = {k: round(v * seq.fps) for k, v in truth.items()}
    ref = build_reference(seq, frames, "drop_jump", name="dj1")
    print(f"\nDrop jump: reference from DJ1 with keyframes {frames} (from the plates)\n")
    print("| query | first contact (ms) | take-off (ms) | landing (ms) |")
    print("|---|---:|---:|---:|")
    every: list[float] = []
    variants: list[tuple[str, PoseSequence, float]] = [("3D", seq, 1.0)]
    variants += [(f"{v} camera", project(seq, v), 1.0) for v in ("side", "oblique", "front")]  # type: ignore[arg-type]
    variants += [(f"3D at {f:g}x tempo", time_warp(seq, f), f) for f in (0.8, 1.25)]
    for label, query, factor in variants:
        try:
            result = align(query, [ref], AlignSettings(refine=refine))
        except Exception as exc:  # a refused view is a row, not a crash
            print(f"| {label} | refused: {exc} | | |")
            continue
        if not result.occurrences:
            print(f"| {label} | not found | | |")
            continue
        occ = min(result.occurrences, key=lambda o: o.cost)
        cells = []
        for key, t in truth.items():
            err = 1000 * abs(occ.keyframes[key] / query.fps - t * factor)  # factor: x longer
            every.append(err)
            cells.append(f"{err:.0f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if every:
        print(f"\ndrop-jump events: mean {statistics.mean(every):.0f} ms over {len(every)}")


if __name__ == "__main__":
    main()
