"""Build an eval suite's cases from ../shared: the file handed to the coach and its truth.

    python -m sportsgpt.evals.cases --suite ci -o cases/

A fault case takes a catalogued clip of real mocap, injects its fault (size from the
seed), embeds it among other real motions (an untrimmed recording; a tennis recording
already is one), and shows it to a noisy 2D side camera. Its truth is computed, never
written by hand: the keyframes are the mocap's own events (tools/motiondtw/events.py),
the problems are what the assessment spec finds on a clean side view at those events
(evals/fault_injection.oracle_assessment), and the injected fault is recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from ..tools.motiondtw.events import MotionEvent, serve_events
from ..tools.pose_io import save_json
from ..tools.shared_data import shared_dir
from .fault_injection import (
    FaultClip,
    fault_events,
    inject,
    load_catalogue,
    load_clip,
    oracle_assessment,
    video_like,
)
from .keyframe_suite import NOT_WALKING, embedded_query
from .suite import EvalCase, FaultSource, load_suite

log = logging.getLogger(__name__)


class CaseTruth(BaseModel):
    """What the case really shows (None where a real recording has no frame-level truth)."""

    motion: str | None
    events: list[MotionEvent] | None = Field(description="true occurrences, in file frames")
    problems: list[str] | None = Field(description="problems the clean view shows")
    injected: str | None = None
    fault_size_deg: list[float] = Field(default_factory=list)
    none_of_ours: bool = Field(default=False, description="the right answer is no motion")
    also: list[str] = Field(default_factory=list, description="other right motions")


class BuiltCase(BaseModel):
    id: str
    file: str = Field(description="the recording handed to the coach")
    truth: CaseTruth


def _catalogue_clip(source: FaultSource) -> FaultClip:
    for clip in load_catalogue().clips:
        if clip.clip == source.clip and clip.motion == source.motion:
            return clip
    raise ValueError(f"{source.motion} clip {source.clip} is not in the fault catalogue")


def build_fault_case(case: EvalCase, source: FaultSource, shared: Path, out: Path) -> BuiltCase:
    clip = _catalogue_clip(source)
    fault = None
    if source.fault is not None:
        fault = next((f for f in clip.faults if f.problem == source.fault), None)
        if fault is None:
            raise ValueError(f"no fault {source.fault!r} for {clip.clip} in the catalogue")
    rng = np.random.default_rng(source.seed)
    seq3d = load_clip(shared, clip)
    size = float(rng.uniform())
    perturbed = seq3d
    degrees: list[float] = []
    if fault is not None:
        perturbed = inject(seq3d, fault, fault_events(seq3d, clip.motion), size)
        degrees = [round(r.degrees[0] + size * (r.degrees[1] - r.degrees[0]), 1)
                   for r in fault.rotations]  # fmt: skip
    problems = [p.id for p in oracle_assessment(perturbed, clip.motion).problems]
    if clip.motion == "tennis_serve":  # a whole recording: serves, walking, waiting
        pose, warp = video_like(perturbed, rng)
        events = serve_events(perturbed)
        events = [MotionEvent(start=round(e.start * warp), end=round(e.end * warp),
                              keyframes={k: round(f * warp) for k, f in e.keyframes.items()})
                  for e in events]  # fmt: skip
    else:
        fillers = NOT_WALKING if clip.motion == "walking_gait" else ()
        query = embedded_query(shared, clip.motion, perturbed, rng, shares_recording=False,
                               name=case.id, fillers=fillers, view="side")  # fmt: skip
        pose, events = query.pose, query.truth
    folder = out / case.id
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / f"{case.id}.pose.json"
    save_json(pose.replace(source=f"eval case {case.id} from ../shared/{clip.clip}"), file)
    truth = CaseTruth(motion=clip.motion, events=events, problems=problems,
                      injected=source.fault, fault_size_deg=degrees)  # fmt: skip
    built = BuiltCase(id=case.id, file=str(file), truth=truth)
    (folder / "truth.json").write_text(built.model_dump_json(indent=1))
    return built


def build_case(case: EvalCase, shared: Path, out: Path) -> BuiltCase:
    """The case's recording (written under ``out`` for a fault case) and its truth."""
    source = case.source
    if isinstance(source, FaultSource):
        return build_fault_case(case, source, shared, out)
    file = shared / source.file
    if not file.is_file():
        raise FileNotFoundError(f"case {case.id}: {file} is missing from the shared data")
    truth = CaseTruth(motion=source.motion, events=None, problems=None,
                      none_of_ours=source.none_of_ours, also=source.also)  # fmt: skip
    return BuiltCase(id=case.id, file=str(file), truth=truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="ci")
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shared = shared_dir(args.shared)
    for case in load_suite(args.suite).cases:
        built = build_case(case, shared, args.out)
        log.info("%s: %s", built.id, json.dumps(built.truth.model_dump(exclude={"events"})))


if __name__ == "__main__":
    main()
