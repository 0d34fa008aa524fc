"""Build the shipped alignment references from the mocap in ../shared.

    python -m sportsgpt.references.build [--shared PATH]

Sources (licences allow deriving data; attribution kept in each file):
- max_velocity: DeepMimic ``humanoid3d_run`` (MIT; CMU/SFU mocap), one stride cycle of
  the looping clip, keyframes from foot contacts.
- standing_long_jump: DeepMimic ``humanoid3d_jump`` (MIT), keyframes from the flight phase.
- tennis_serve: the two high-performance players of Tennis-MoCap (CC BY-SA 3.0,
  Pulgarin-Giraldo et al. 2017), their first complete serve each.
- walking_gait: DeepMimic ``humanoid3d_walk`` (MIT), one gait cycle of the loop.
Assessment bands that are statistics (serve, gait) are recomputed here too, from the
high-performance serves and the DeepMimic long walk, at their mocap events.
Never from ``deepmimic_sie`` (CC BY-NC): those runs are test data only.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from ..tools.kismam.calibrate import calibrate_bands, save_spec
from ..tools.kismam.spec import AssessmentSpec, load_assessment_spec
from ..tools.motiondtw.events import MOTION_EVENTS, TOSS_PLATEAU, MotionEvent
from ..tools.motiondtw.library import template_path
from ..tools.motiondtw.reference import MotionReference, build_reference, save_reference
from ..tools.motiondtw.refine import KeyframeRule, OccurrenceGate
from ..tools.pose_sequence import PoseSequence
from ..tools.projection import project
from ..tools.readers import read_motion
from ..tools.shared_data import shared_dir
from .key_positions import load_key_positions, synthesize

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEEPMIMIC = "DeepMimic (github.com/xbpeng/DeepMimic, MIT licence), CMU/SFU motion capture"
TENNIS = (
    "Tennis-MoCap (github.com/jdpulgarin/Tennis-MoCap, CC BY-SA 3.0), Pulgarin-Giraldo et "
    "al., LNCS 10125, 2017"
)


def tile_loop(seq: PoseSequence, cycles: int) -> PoseSequence:
    """A looping clip (last frame = first pose, moved on) played ``cycles`` times."""
    pelvis = seq.joints.index("pelvis")
    step = seq.positions[-1, pelvis] - seq.positions[0, pelvis]
    step[1] = 0.0
    body = seq.positions[:-1]
    pos = np.concatenate([body + k * step for k in range(cycles)])
    conf = np.concatenate([seq.confidence[:-1]] * cycles)
    return seq.replace(positions=pos, confidence=conf, times=None)


def read_shared(shared: Path, relative: str) -> PoseSequence:
    """A recording from the shared data, its source named relative to that folder so
    that what we ship does not depend on where the data sat when it was built."""
    seq = read_motion(shared / relative)
    return seq.replace(source=f"../shared/{relative}")


def _first(events: list[MotionEvent], what: str) -> MotionEvent:
    if not events:
        raise RuntimeError(f"no {what} found in the source mocap")
    return events[0]


def max_velocity(shared: Path) -> list[MotionReference]:
    run = tile_loop(read_shared(shared, "data/deepmimic/motions/humanoid3d_run.txt"), 4)
    cycle = MOTION_EVENTS["max_velocity"](run, 0, run.n_frames - 1)[1]  # a middle cycle
    return [
        build_reference(
            run, cycle.keyframes, "max_velocity", name="deepmimic_run",
            span=(cycle.start, cycle.end), attribution=DEEPMIMIC, arm_weight=0.25, mirror=False,
            whole_template_is_motion=True,
        )
    ]  # fmt: skip


def standing_long_jump(shared: Path) -> list[MotionReference]:
    jump = read_shared(shared, "data/deepmimic/motions/humanoid3d_jump.txt")
    event = _first(MOTION_EVENTS["standing_long_jump"](jump, 0, jump.n_frames - 1), "jump")
    return [
        build_reference(
            jump, event.keyframes, "standing_long_jump", name="deepmimic_jump",
            pad_s=0.25, attribution=DEEPMIMIC, refine=JUMP_EVENTS,
        )
    ]  # fmt: skip


def serve_reference(seq: PoseSequence, player: str) -> MotionReference:
    """A serve template from a player's recording: its first serve, keyframes by the
    serve's event rules, the serve's refine rules and gate."""
    serve = _first(MOTION_EVENTS["tennis_serve"](seq, 0, seq.n_frames - 1), "serve")
    return build_reference(
        seq, serve.keyframes, "tennis_serve", name=player, pad_s=0.3,
        attribution=TENNIS, arm_weight=1.0, weights=SERVE_WEIGHTS, refine=SERVE_EVENTS,
        gates=SERVE_GATES,
    )  # fmt: skip


def tennis_serve(shared: Path) -> list[MotionReference]:
    return [
        serve_reference(read_shared(shared, f"data/tennis/{file}"), file.split("_")[0])
        for file in TENNIS_HP
    ]


SERVE_WEIGHTS = {"com_height": 0.0, "pelvis_height": 0.0}
"""A serve is timed by the arms; body height only blurs it (the crouch is a refine rule)."""

SERVE_EVENTS = {
    # impact first: the toss, the crouch and the follow-through are found relative to it,
    # by the same rules that define them in mocap (events.serve_events)
    # +/- 0.5 s: a player who holds the trophy position longer than the template's
    # players is otherwise matched with the impact too early; the hitting hand is low
    # before the swing and falls after impact, so its highest point stays unambiguous
    "impact": KeyframeRule(channel="right_wrist_height", event="max", window_s=0.5),
    "toss_peak": KeyframeRule(
        channel="left_wrist_height", event="max", plateau=TOSS_PLATEAU,
        after="impact", after_s=-1.2, before="impact", before_s=-0.1,
    ),
    "knee_bend": KeyframeRule(
        channel="pelvis_height", event="min", after="toss_peak", before="impact"
    ),
    "follow_through": KeyframeRule(
        channel="right_wrist_above_shoulder", event="falls_below", level=0.0,
        after="impact", before="impact", before_s=1.0,
    ),
}  # fmt: skip
"""The serve's keyframes are events on channels a 2D camera sees (events.serve_events)."""

SERVE_GATES = [
    # a serve hits the ball overhead: at impact the hitting hand is well above its shoulder
    OccurrenceGate(channel="right_wrist_above_shoulder", keyframe="impact", min=0.3),
]

JUMP_EVENTS = {
    "countermovement_bottom": KeyframeRule(
        channel="pelvis_height", event="min",
        after="take_off", after_s=-1.0, before="take_off",
    ),
    "landing_absorption": KeyframeRule(
        channel="pelvis_height", event="min",
        after="landing", before="landing", before_s=0.6,
    ),
}  # fmt: skip


def walking_gait(shared: Path) -> list[MotionReference]:
    """One gait cycle of the DeepMimic walk loop (left heel strike to the next)."""
    loop = tile_loop(read_shared(shared, "data/deepmimic/motions/humanoid3d_walk.txt"), 4)
    cycle = _first(MOTION_EVENTS["walking_gait"](loop, 0, loop.n_frames - 1), "gait cycle")
    return [
        build_reference(
            loop, cycle.keyframes, "walking_gait", name="deepmimic_walk",
            span=(cycle.start, cycle.end), attribution=DEEPMIMIC, arm_weight=0.25,
            mirror=False, whole_template_is_motion=True,
        )
    ]  # fmt: skip


GAIT_EVENTS = {
    # Zeni et al. 2008 (Gait Posture 27:710): heel strike where the heel is farthest ahead
    # of the pelvis, toe-off where the toe is farthest behind it; +/- 0.3 s of the DTW
    # frame (less than half a stride, so one peak per window)
    # then the heel's lowest point in the 0.15 s after that peak: the heel has landed
    "left_heel_strike": KeyframeRule(
        channel="left_heel_ahead_of_hip", event="max", window_s=0.3,
        then=KeyframeRule(channel="left_heel_height", event="min", window_s=0.15,
                          direction="after"),
    ),
    "right_heel_strike": KeyframeRule(
        channel="right_heel_ahead_of_hip", event="max", window_s=0.3,
        then=KeyframeRule(channel="right_heel_height", event="min", window_s=0.15,
                          direction="after"),
    ),
    "left_toe_off": KeyframeRule(channel="left_toe_ahead_of_hip", event="min", window_s=0.3),
    "right_toe_off": KeyframeRule(channel="right_toe_ahead_of_hip", event="min", window_s=0.3),
}  # fmt: skip
"""Gait keyframes as events a side camera and a lab both see (docs/motiondtw.md). Not
attached to the shipped walking template yet: its bands and the evaluation's truth rest on
the mocap's ankle-height contacts (``events.walk_cycles``), and with these rules alone the
walking fault-injection F1 drops from 0.83 to 0.67; ``benchmarks/force_plates.py
--gait-rules`` shows what they do against force plates."""


KEY_POSITIONS = (
    "provisional: drawn from literature key positions (sources in key_positions.json); "
    "replace with `sportsgpt reference build` from a real elite recording"
)


def from_key_positions(motion: str, *, mirror: bool, whole: bool) -> list[MotionReference]:
    """A provisional template from ``references/<motion>/key_positions.json``."""
    seq, keyframes = synthesize(load_key_positions(HERE / motion / "key_positions.json"))
    return [
        build_reference(
            seq, keyframes, motion, name="literature_key_positions",
            span=(0, seq.n_frames - 1), attribution=KEY_POSITIONS, provisional=True,
            arm_weight=0.25, mirror=mirror, whole_template_is_motion=whole,
        )
    ]  # fmt: skip


def sprint_start(shared: Path) -> list[MotionReference]:
    """Set, block exit, first touchdown (no elite start clip is available: provisional)."""
    return from_key_positions("sprint_start", mirror=True, whole=False)


def acceleration(shared: Path) -> list[MotionReference]:
    """One early-acceleration stride (no elite clip is available: provisional)."""
    return from_key_positions("acceleration", mirror=False, whole=True)


BUILDERS = {
    "sprint_start": sprint_start,
    "acceleration": acceleration,
    "max_velocity": max_velocity,
    "standing_long_jump": standing_long_jump,
    "tennis_serve": tennis_serve,
    "walking_gait": walking_gait,
}


TENNIS_HP = ("jduribe_Servicio.bvh", "lvargas_Servicio_21seg.bvh")


def bands_at_mocap_events(
    spec: AssessmentSpec,
    mocap: list[PoseSequence],
    measured: list[PoseSequence],
    label: str,
    min_samples: int = 5,
    athletes: list[str] | None = None,
) -> AssessmentSpec:
    """``spec`` with every band = mean +/- 2 SD of its metric in ``measured`` (the mocap, or
    a camera's view of it) at the keyframes the motion's event rules find in ``mocap``:
    the recordings' own events, not alignment, so no false match enters the statistics.
    ``athletes``: whose each recording is (the SD then holds the spread between them)."""
    rule = MOTION_EVENTS[spec.motion]
    events = [[e.keyframes for e in rule(m, 0, m.n_frames - 1)] for m in mocap]
    bands, report = calibrate_bands(spec, measured, k_sd=2.0, keyframes=events, label=label,
                                    min_samples=min_samples, athletes=athletes)  # fmt: skip
    if report.kept:
        raise RuntimeError(f"{spec.motion} bands without enough samples: {report.kept}")
    return bands


def tennis_serve_bands(
    shared: Path, spec_path: Path = HERE / "tennis_serve" / "assessment.json"
) -> Path:
    """The serve's bands from the high-performance players' serves as a side camera sees
    them: centred on the two players' means, as wide as they differ from each other as well
    as between one player's serves."""
    mocap = [read_motion(shared / "data/tennis" / f) for f in TENNIS_HP]
    spec = serve_bands(
        load_assessment_spec(spec_path), mocap,
        label="Tennis-MoCap high-performance players jduribe and lvargas (CC BY-SA 3.0, "
        "Pulgarin-Giraldo et al. 2017), side view",
        athletes=[f.split("_")[0] for f in TENNIS_HP],
    )  # fmt: skip
    return save_spec(spec, spec_path)


def serve_bands(
    spec: AssessmentSpec,
    mocap: list[PoseSequence],
    label: str,
    min_samples: int = 5,
    athletes: list[str] | None = None,
) -> AssessmentSpec:
    """The serve's bands from these players' serves as a side camera sees them."""
    return bands_at_mocap_events(spec, mocap, [project(m, "side") for m in mocap], label=label,
                                 min_samples=min_samples, athletes=athletes)  # fmt: skip


def walking_gait_bands(
    shared: Path, spec_path: Path = HERE / "walking_gait" / "assessment.json"
) -> Path:
    """The gait's bands over the cycles of the DeepMimic long walk, measured in 3D (the
    walker turns, so no single camera sees it from the side; the body-frame sagittal
    angles equal a side view's)."""

    walk = read_motion(shared / "data/deepmimic/motions/humanoid3d_long_walk3.txt")
    spec = bands_at_mocap_events(
        load_assessment_spec(spec_path), [walk], [walk],
        label="DeepMimic humanoid3d_long_walk3 (MIT; CMU/SFU mocap), gait cycles, 3D",
    )  # fmt: skip
    return save_spec(spec, spec_path)


def build_all(shared: Path, out: Path = HERE) -> list[Path]:
    written = []
    for motion, builder in BUILDERS.items():
        for ref in builder(shared):
            written.append(save_reference(ref, template_path(motion, ref.name, out)))
            log.info("wrote %s (%d frames, keyframes %s)", written[-1], ref.frames, ref.keyframes)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, help="the shared data folder (default ../shared)")
    parser.add_argument("--out", type=Path, default=HERE, help="references folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shared = shared_dir(args.shared)
    build_all(shared, args.out)
    # assessment bands that are statistics of the mocap, at its own events
    log.info("wrote %s", tennis_serve_bands(shared, args.out / "tennis_serve" / "assessment.json"))
    log.info("wrote %s", walking_gait_bands(shared, args.out / "walking_gait" / "assessment.json"))


if __name__ == "__main__":
    main()
