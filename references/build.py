"""Build the shipped alignment references from the mocap in ../shared.

    python -m sportsgpt.references.build [--shared PATH]

What each motion's templates are made of is data, ``references/<motion>/build.json``
(``references/recipe.py``): the source recordings (licences allow deriving data;
attribution kept in each template), the event rule that finds the keyframes in them,
each template's settings, and the recordings whose statistics its bands are (serve,
gait: recomputed here too, at their mocap events). A recipe without mocap draws a
provisional template from ``key_positions.json``. Never from ``deepmimic_sie`` (CC
BY-NC): those runs are test data only.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from ..tools.kismam.calibrate import athlete_of, calibrate_bands, save_spec
from ..tools.kismam.spec import AssessmentSpec, load_assessment_spec
from ..tools.motiondtw.events import EVENT_RULES, MotionEvent
from ..tools.motiondtw.library import template_path
from ..tools.motiondtw.reference import MotionReference, build_reference, save_reference
from ..tools.pose_sequence import PoseSequence
from ..tools.projection import project
from ..tools.readers import read_motion
from ..tools.shared_data import shared_dir
from .key_positions import load_key_positions, synthesize
from .recipe import BandsRecipe, MotionRecipe, TemplateRecipe, motion_events, recipes

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


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


def _first(events: list[MotionEvent], what: str, n: int = 0) -> MotionEvent:
    if len(events) <= n:
        raise RuntimeError(f"no {what} number {n} found in the source mocap ({len(events)} found)")
    return events[n]


def build_template(
    seq: PoseSequence, recipe: MotionRecipe, template: TemplateRecipe, name: str | None = None
) -> MotionReference:
    """A template from ``seq`` (the recipe's source, or another recording of the same
    kind: a held-out benchmark builds one per player) by the recipe's settings."""
    assert recipe.events is not None  # the recipe's validator: templates need a rule
    seq = tile_loop(seq, template.tile) if template.tile > 1 else seq
    found = EVENT_RULES[recipe.events](seq, 0, seq.n_frames - 1)
    event = _first(found, f"{recipe.motion} occurrence", template.occurrence)
    cycle = template.span == "occurrence"
    return build_reference(
        seq, event.keyframes, recipe.motion, name=name or template.name,
        pad_s=template.pad_s, span=(event.start, event.end) if cycle else None,
        attribution=template.attribution, arm_weight=template.arm_weight,
        weights=template.weights, refine=template.refine or None, gates=template.gates or None,
        mirror=template.mirror, whole_template_is_motion=cycle,
    )  # fmt: skip


def build_motion(shared: Path, recipe: MotionRecipe) -> list[MotionReference]:
    """Every template of one motion's recipe."""
    if recipe.key_positions is not None and not recipe.templates:
        kp = recipe.key_positions
        seq, keyframes = synthesize(load_key_positions(HERE / recipe.motion / "key_positions.json"))
        return [
            build_reference(
                seq, keyframes, recipe.motion, name="literature_key_positions",
                span=(0, seq.n_frames - 1), attribution=kp.attribution, provisional=True,
                arm_weight=0.25, mirror=kp.mirror, refine=kp.refine or None,
                gates=kp.gates or None, cost_threshold=kp.cost_threshold,
                whole_template_is_motion=kp.whole_template_is_motion,
            )
        ]  # fmt: skip
    return [build_template(read_shared(shared, t.source), recipe, t) for t in recipe.templates]


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
    rule = motion_events(spec.motion)
    events = [[e.keyframes for e in rule(m, 0, m.n_frames - 1)] for m in mocap]
    bands, report = calibrate_bands(spec, measured, k_sd=2.0, keyframes=events, label=label,
                                    min_samples=min_samples, athletes=athletes)  # fmt: skip
    if report.kept:
        raise RuntimeError(f"{spec.motion} bands without enough samples: {report.kept}")
    return bands


def motion_bands(shared: Path, recipe: MotionRecipe, spec_path: Path | None = None) -> Path:
    """The motion's bands recomputed from its recipe's elite recordings, written into its
    assessment spec."""
    if recipe.bands is None:
        raise ValueError(f"{recipe.motion}: its recipe names no recordings for bands")
    spec_path = spec_path or HERE / recipe.motion / "assessment.json"
    mocap = [read_motion(shared / f) for f in recipe.bands.sources]
    athletes = [athlete_of(f) for f in recipe.bands.sources]
    spec = recipe_bands(
        load_assessment_spec(spec_path), recipe.bands, mocap,
        athletes=athletes if recipe.bands.by_athlete else None,
    )  # fmt: skip
    return save_spec(spec, spec_path)


def recipe_bands(
    spec: AssessmentSpec,
    bands: BandsRecipe,
    mocap: list[PoseSequence],
    label: str | None = None,
    athletes: list[str] | None = None,
) -> AssessmentSpec:
    """``spec``'s bands from ``mocap`` measured the way the recipe says (as a side camera
    sees it, or in 3D); ``mocap`` is the recipe's sources, or some of them (a held-out
    benchmark leaves one athlete out)."""
    measured = [project(m, "side") for m in mocap] if bands.measured == "side" else mocap
    return bands_at_mocap_events(spec, mocap, measured, label=label or bands.label,
                                 athletes=athletes)  # fmt: skip


def build_all(shared: Path, out: Path = HERE) -> list[Path]:
    """Every motion's templates, by the recipes in references/<motion>/build.json."""
    written = []
    for recipe in recipes(HERE):
        for ref in build_motion(shared, recipe):
            written.append(save_reference(ref, template_path(recipe.motion, ref.name, out)))
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
    for recipe in recipes(HERE):
        if recipe.bands is not None:
            out = args.out / recipe.motion / "assessment.json"
            log.info("wrote %s", motion_bands(shared, recipe, out))


if __name__ == "__main__":
    main()
