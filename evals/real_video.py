"""Scoring the pipeline on real phone and broadcast video with hand-labelled events
(``../shared/data/video/manifest.json``): which motion ``auto`` recognises, and how far
each labelled event lies from the keyframe that times it (frames, and milliseconds from
the decoded timestamps: several clips have a variable frame rate).

The clips are used by path and nothing extracted from them is kept in the project (the
data set's licence rule); what this module keeps is the scoring: which of our motions a
clip's motion may be recognised as, and which keyframes time which event
(``real_video_events.json``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from .suite import EvalCase, EvalSuite, RecordingSource, TrajectoryExpectation, Turn

EVENTS_FILE = Path(__file__).with_name("real_video_events.json")
NEGATIVE = "negative:"
WITHIN = 2
"""An event is found when a keyframe times it within this many frames."""
SCORED_CONFIDENCE = ("sure", "within 2 frames")
"""Labels precise enough to score to 2 frames ('rough' ones are reported, not scored)."""


class MotionEvents(BaseModel):
    ours: list[str] = Field(min_length=1, description="our motions this may be recognised as")
    events: dict[str, list[str]] = Field(description="labelled event -> our keyframe names")
    first_only: list[str] = Field(default_factory=list)
    not_ours: list[str] = Field(default_factory=list)


class EventMap(BaseModel):
    about: str
    motions: dict[str, MotionEvents]


def load_event_map(path: Path = EVENTS_FILE) -> EventMap:
    return EventMap.model_validate(json.loads(path.read_text()))


class LabelledEvent(BaseModel):
    name: str
    frame: int = Field(ge=0)
    side: str | None = None
    confidence: Literal["sure", "within 2 frames", "rough"]
    note: str | None = None


class Clip(BaseModel):
    file: str
    motion: str
    view: str
    frames: int
    fps: float
    width: int
    height: int
    people_in_frame: int | str | None = None
    events: list[LabelledEvent] = Field(default_factory=list)

    @property
    def negative(self) -> bool:
        return self.motion.startswith(NEGATIVE)


def load_manifest(folder: Path) -> list[Clip]:
    raw = json.loads((folder / "manifest.json").read_text())
    return [Clip.model_validate(c) for c in raw]


class EventScore(BaseModel):
    """One labelled event against the nearest keyframe that times it."""

    name: str
    frame: int
    confidence: str
    keyframes: list[str] = Field(description="our keyframe names that time it")
    found: int | None = Field(description="the nearest such keyframe's frame (None: none)")
    error_frames: int | None = None
    error_ms: float | None = None
    scored: bool = Field(description="precise enough to count towards the 2-frame target")

    @property
    def within(self) -> bool:
        return self.error_frames is not None and abs(self.error_frames) <= WITHIN


def score_events(
    clip: Clip, events: EventMap, keyframes: list[dict[str, int]], times: np.ndarray
) -> tuple[list[EventScore], list[str]]:
    """Each labelled event of the clip against the occurrences' keyframes (sides are not
    matched: most clips label feet A/B); returns the scores and the events of no keyframe
    of ours."""
    spec = events.motions.get(clip.motion)
    if spec is None:
        return [], [e.name for e in clip.events]
    firsts = {name: min((e.frame for e in clip.events if e.name == name), default=-1)
              for name in spec.first_only}  # fmt: skip
    out: list[EventScore] = []
    skipped: list[str] = []
    for ev in clip.events:
        names = spec.events.get(ev.name)
        if names is None or (ev.name in firsts and ev.frame != firsts[ev.name]):
            skipped.append(ev.name)
            continue
        frames = [f for kf in keyframes for n, f in kf.items() if n in names]
        found = min(frames, key=lambda f: (abs(f - ev.frame), f)) if frames else None
        error = None if found is None else found - ev.frame
        ms = None
        if found is not None and 0 <= found < len(times) and ev.frame < len(times):
            ms = round(1000.0 * float(times[found] - times[ev.frame]), 1)
        out.append(EventScore(name=ev.name, frame=ev.frame, confidence=ev.confidence,
                              keyframes=names, found=found, error_frames=error, error_ms=ms,
                              scored=ev.confidence in SCORED_CONFIDENCE))  # fmt: skip
    return out, skipped


def recognised_right(clip: Clip, events: EventMap, motion: str | None) -> bool:
    """A negative must come out as none; a positive as one of the motions it may be."""
    if clip.negative:
        return motion is None
    spec = events.motions.get(clip.motion)
    return motion is not None and spec is not None and motion in spec.ours


def real_video_suite(folder: Path, events: EventMap | None = None) -> EvalSuite:
    """The eval suite of the clips in ``folder``'s manifest: each clip handed to the coach
    as a user would, the motion recognised (not named), scored on its trajectory, on the
    motion analysed (none for a movement we do not know) and on its guidance. Nothing of
    the clips goes into the suite but their names and the motions they show."""
    events = events or load_event_map()
    cases = []
    for clip in load_manifest(folder):
        spec = events.motions.get(clip.motion)
        positive = spec is not None
        # a movement we do not know may end at the pose (nobody in it performs one of our
        # motions, so there is no athlete to assess): only the pose is required of it
        required = ["extract_pose"] + (["assess_motion", "search_knowledge"] if positive else [])
        order = [("extract_pose", "assess_motion")] + (
            [("assess_motion", "search_knowledge")] if positive else [])  # fmt: skip
        source = RecordingSource(
            file=f"data/video/{clip.file}", motion=spec.ours[0] if spec else None,
            none_of_ours=clip.negative, also=spec.ours[1:] if spec else [],
        )  # fmt: skip
        turn = Turn(message="Analyse this recording and give me a plan.", attach=True,
                    expect=TrajectoryExpectation(required=required, forbidden=["adapt_plan"],
                                                 order=order))  # fmt: skip
        case_id = re.sub(r"[^a-z0-9_]", "_", "video_" + clip.file.removesuffix(".mp4").lower())
        cases.append(EvalCase(id=case_id, source=source, motion_hint=None, turns=[turn]))
    return EvalSuite(
        name="real_video",
        description="Every clip of ../shared/data/video (phone and broadcast video: "
        "walks, runs, block starts, standing long jumps, serves from any side, and "
        "movements we do not know) analysed as a user would, the motion recognised: built "
        "from its manifest by evals/real_video.py (real_video_suite). Keyframe timing "
        "against the labelled events is benchmarks/real_video.py.",
        cases=cases,
    )
