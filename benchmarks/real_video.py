"""Real phone and broadcast video: recognition, occurrences and keyframe timing against
hand-labelled events, per clip, per motion and overall, with the time of each stage.

For every clip of ``../shared/data/video`` (manifest.json): pose (MediaPipe, the
pipeline's defaults), then ``--motion auto`` (every motion aligned, the clearest accepted
one recognised, or none), then the occurrences of the clip's true motion and each
labelled event's error in frames and milliseconds (decoded timestamps) against the
nearest keyframe that times it (``evals/real_video_events.json``), then the assessment.
Negatives must come out as none. Poses are cached by the file's hash and the pose
settings (``--cache``), so a rerun measures the later stages alone; ``--fresh`` redoes them.

    .venv/bin/python benchmarks/real_video.py [--clips PATTERN] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import statistics
import time
import traceback
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from sportsgpt.evals.real_video import (
    SCORED_CONFIDENCE,
    Clip,
    EventMap,
    EventScore,
    load_event_map,
    load_manifest,
    recognised_right,
    score_events,
)
from sportsgpt.kb.history import file_hash
from sportsgpt.settings import current_settings
from sportsgpt.tools.errors import SportsGPTError
from sportsgpt.tools.kinematics import compute_kinematics
from sportsgpt.tools.kismam import AUTO, assess_alignment, load_motion_spec, motion_check
from sportsgpt.tools.kismam.recognise import recognise_motion
from sportsgpt.tools.pose import AthleteChoiceError, PersonFound, PoseSettings, extract_pose
from sportsgpt.tools.pose_io import load_npz, save_npz
from sportsgpt.tools.pose_sequence import PoseSequence
from sportsgpt.tools.shared_data import shared_dir

log = logging.getLogger("real_video")


class ClipResult(BaseModel):
    file: str
    motion: str
    recognised: str | None = None
    right: bool = False
    aligned_as: str | None = None
    occurrences: int = 0
    events: list[EventScore] = Field(default_factory=list)
    not_ours: list[str] = Field(default_factory=list)
    score: float | None = None
    problems: dict[str, float] = Field(default_factory=dict, description="id -> probability")
    not_judged: int = Field(default=0, description="metrics and problems not judged")
    error: str | None = None
    athlete: str = Field(default="", description="how the athlete was chosen")
    who: Literal["nobody performs", "several perform"] | None = Field(
        default=None, description="several people, and their movement did not tell the athlete"
    )
    crashed: bool = False
    seconds: dict[str, float] = Field(default_factory=dict)
    pose_frames: int = 0
    frames: int = 0


def _pose(path: Path, cache: Path, fresh: bool) -> tuple[PoseSequence, float, str]:
    """The clip's pose (cached by content and settings), the seconds pose took, and how
    the athlete was chosen: as ``assess --motion auto`` chooses them (among several people,
    the one who performs a motion we know; AthleteChoiceError when that does not tell)."""
    settings = PoseSettings()
    digest = file_hash(path)[:16]
    key = hashlib.sha256((settings.model_dump_json() + "performs=auto").encode()).hexdigest()[:8]
    stem = cache / f"{path.stem}-{digest}-{key}"
    npz, meta = stem.with_suffix(".npz"), stem.with_suffix(".json")
    if not fresh and meta.is_file():
        said = json.loads(meta.read_text())
        if said.get("error"):
            people = [PersonFound.model_validate(p) for p in said.get("people", [])]
            raise AthleteChoiceError(said["error"], people)
        if npz.is_file():
            return load_npz(npz), float(said["elapsed_s"]), said.get("athlete", "")
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        result = extract_pose(path, settings, progress=False, performs=motion_check(AUTO))
    except AthleteChoiceError as exc:
        people = [p.model_dump(mode="json") for p in exc.people]
        meta.write_text(json.dumps({"elapsed_s": time.perf_counter() - started,
                                    "error": exc.reason, "people": people}))  # fmt: skip
        raise
    elapsed = time.perf_counter() - started
    save_npz(result.pose, npz)
    athlete = result.report.selection.method
    meta.write_text(json.dumps({"elapsed_s": elapsed, "athlete": athlete}))
    return result.pose, elapsed, athlete


def run_clip(path: Path, clip: Clip, events: EventMap, cache: Path, fresh: bool) -> ClipResult:
    out = ClipResult(file=clip.file, motion=clip.motion, frames=clip.frames)
    try:
        pose, out.seconds["pose"], out.athlete = _pose(path, cache, fresh)
        out.pose_frames = pose.n_frames
        started = time.perf_counter()
        series = compute_kinematics(pose)
        guess, alignments = recognise_motion(pose, series=series)
        out.seconds["recognise"] = time.perf_counter() - started
        out.recognised = guess.motion
        out.right = recognised_right(clip, events, guess.motion)
        spec = events.motions.get(clip.motion)
        if spec is None:
            return out
        true = guess.motion if guess.motion in spec.ours else spec.ours[0]
        alignment = alignments.get(true)
        out.aligned_as = true
        keyframes = [o.keyframes for o in alignment.occurrences] if alignment else []
        out.occurrences = len(keyframes)
        out.events, out.not_ours = score_events(clip, events, keyframes,
                                                np.asarray(pose.frame_times))  # fmt: skip
        if alignment is not None and alignment.occurrences:
            started = time.perf_counter()
            result = assess_alignment(pose, load_motion_spec(true), series, alignment)
            out.seconds["assess"] = time.perf_counter() - started
            out.score = result.score
            out.problems = {p.id: p.probability for p in result.problems}
            out.not_judged = len(result.unmeasurable)
    except AthleteChoiceError as exc:  # nobody's movement, or several people's, shows it
        out.error, out.athlete = str(exc), exc.reason
        out.who = "nobody performs" if exc.nobody_performs else "several perform"
        out.right = exc.nobody_performs and recognised_right(clip, events, None)
    except SportsGPTError as exc:
        out.error = str(exc)
    except Exception as exc:  # a crash: reported, and the run goes on
        out.error, out.crashed = f"{type(exc).__name__}: {exc}", True
        log.error("%s crashed:\n%s", clip.file, traceback.format_exc())
    if out.error and not out.events:  # nothing timed: every labelled event is missed
        out.events, out.not_ours = score_events(clip, events, [], np.zeros(0))
    return out


def _events_line(scores: list[EventScore]) -> tuple[int, int, str]:
    scored = [e for e in scores if e.scored]
    within = sum(e.within for e in scored)
    errors = [abs(e.error_frames) for e in scored if e.error_frames is not None]
    median = f"{statistics.median(errors):.0f}" if errors else "-"
    return within, len(scored), median


def _refused(r: ClipResult) -> str:
    """What a clip without a recognised motion came out as."""
    if r.who == "nobody performs":
        return "none (of several people)"
    if r.who == "several perform":
        return "which athlete? (several perform)"
    return "error" if r.error else "none"


def table(results: list[ClipResult]) -> str:
    lines = [
        "| clip | truth | recognised | ok | aligned as | occ. | events within 2 frames "
        "(scored) | median abs error (frames) | median abs error (ms) | pose s | align s |",
        "|---|---|---|:-:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        within, scored, median = _events_line(r.events)
        ms = [abs(e.error_ms) for e in r.events if e.scored and e.error_ms is not None]
        ms_text = f"{statistics.median(ms):.0f}" if ms else "-"
        recognised = r.recognised or _refused(r)
        lines.append(
            f"| {r.file} | {r.motion} | {recognised} | {'yes' if r.right else 'no'} | "
            f"{r.aligned_as or '-'} | {r.occurrences} | {within}/{scored} | {median} | "
            f"{ms_text} | {r.seconds.get('pose', 0):.1f} | {r.seconds.get('recognise', 0):.1f} |"
        )
    return "\n".join(lines)


def summary(results: list[ClipResult]) -> str:
    by_motion: dict[str, list[ClipResult]] = {}
    for r in results:
        by_motion.setdefault(r.motion.split(":")[0], []).append(r)
    lines = [
        "| motion | clips | recognised | events within 2 frames / scored | "
        "median abs error (frames) |",
        "|---|--:|--:|--:|--:|",
    ]
    for motion, rows in [*sorted(by_motion.items()), ("all", results)]:
        events = [e for r in rows for e in r.events]
        within, scored, median = _events_line(events)
        right = sum(r.right for r in rows)
        lines.append(f"| {motion} | {len(rows)} | {right}/{len(rows)} | {within}/{scored} | "
                     f"{median} |")  # fmt: skip
    positives = [r for r in results if not r.motion.startswith("negative")]
    negatives = [r for r in results if r.motion.startswith("negative")]
    events = [e for r in results for e in r.events if e.scored]
    within = sum(e.within for e in events)
    lines += [
        "",
        f"Positives recognised: {sum(r.right for r in positives)}/{len(positives)}; "
        f"negatives refused: {sum(r.right for r in negatives)}/{len(negatives)}; "
        f"events ({'/'.join(SCORED_CONFIDENCE)}) within 2 frames: {within}/{len(events)} "
        f"({100 * within / max(1, len(events)):.0f}%); crashes: {sum(r.crashed for r in results)}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video-dir", type=Path, default=None)
    parser.add_argument("--clips", default="*", help="a glob over the clips' file names")
    parser.add_argument("--cache", type=Path, default=None,
                        help="pose cache (default: the cache folder's real_video/)")  # fmt: skip
    parser.add_argument("--fresh", action="store_true", help="estimate every pose again")
    parser.add_argument("--json", type=Path, default=None, help="also write every score here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    folder = args.video_dir or shared_dir() / "data" / "video"
    cache = args.cache or current_settings().cache_dir / "real_video"
    events = load_event_map()
    results = []
    for clip in load_manifest(folder):
        if not Path(clip.file).match(args.clips):
            continue
        started = time.perf_counter()
        result = run_clip(folder / clip.file, clip, events, cache, args.fresh)
        results.append(result)
        within, scored, _ = _events_line(result.events)
        print(f"{clip.file}: {result.recognised or _refused(result)} "
              f"({'right' if result.right else 'WRONG'}), {within}/{scored} events "
              f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    print()
    print(table(results))
    print()
    print(summary(results))
    if args.json:
        args.json.write_text(json.dumps([r.model_dump() for r in results], indent=1))


if __name__ == "__main__":
    main()
