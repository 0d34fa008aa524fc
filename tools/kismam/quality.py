"""How well each measurement was made: the capture gates the verdict.

A value read at a keyframe is only as good as the recording it came from. Five things
set it, each a factor between 0 and 1 (1: as good as this measurement needs):

- **tracking**: the share of the occurrence's frames with the body's shoulders, hips,
  knees and ankles seen, against the capture check's 90 %;
- **keyframe**: the alignment's confidence in the keyframe the value is read at, against
  ``KEYFRAME_CONFIDENT`` (on ``../shared/data/video`` keyframes timed within 2 frames had
  0.5-0.76; a start whose events were 3-8 frames off, 0.25-0.28);
- **athlete size**: the athlete's median height in pixels against the capture check's 160
  (2D video only: a small figure's joints are placed less precisely);
- **frame rate** against the motion's ``min_fps`` (a sprint contact lasts 0.1 s), as its
  square root: a keyframe falls between frames, but the pose there is near the one seen;
- **view**: an oblique camera foreshortens both planes (``OBLIQUE_FIT``).

The measurement's quality is the weakest of them. A value below ``FLOOR`` is not judged
(it neither scores nor raises a problem; the metric is listed as unmeasurable with the
factors that failed); a problem's probability is drawn towards 0.5, "cannot say", by the
quality of the values it rests on (0.5 + (p - 0.5) x quality), so a verdict is never
surer than its measurement: a deviation certain on paper (1.0) read from a 90 px
athlete (quality 0.56) is "moderate" at 0.78, not "major" at 1.0.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..motiondtw.align import AlignmentResult
from ..pose_sequence import PoseSequence
from .capture import CaptureLimits, body_tracked
from .models import CaptureCheck
from .spec import AssessmentSpec

KEYFRAME_CONFIDENT = 0.5
"""A keyframe at least this confident is placed as well as this alignment places them."""

OBLIQUE_FIT = 0.75
"""An angle read from a camera at about 45 degrees to the plane it moves in."""

FLOOR = 0.5
"""A value measured below this quality is not judged."""


class Factor(BaseModel):
    name: str
    value: float = Field(ge=0, le=1)
    words: str = Field(description="what it is, e.g. 'the athlete 81 px tall'")


class MeasurementQuality(BaseModel):
    """The factors of one recording and its occurrences; ``of`` rates one value."""

    floor: float = Field(default=FLOOR, ge=0, le=1)
    recording: list[Factor] = Field(default_factory=list, description="size, rate, view")
    tracked: dict[int, Factor] = Field(default_factory=dict, description="per occurrence")
    confidence: dict[int, dict[str, float]] = Field(
        default_factory=dict, description="per occurrence: keyframe -> alignment confidence"
    )

    def of(self, occurrence: int, keyframe: str) -> tuple[float, list[Factor]]:
        """The quality of a value read at ``keyframe`` in ``occurrence`` (0..1) and the
        factors below 1, weakest first."""
        factors = list(self.recording)
        if occurrence in self.tracked:
            factors.append(self.tracked[occurrence])
        conf = self.confidence.get(occurrence, {}).get(keyframe)
        if conf is not None:
            factors.append(Factor(name="keyframe", value=min(1.0, conf / KEYFRAME_CONFIDENT),
                                  words=f"the {keyframe.replace('_', ' ')} placed with "
                                  f"confidence {conf:.2f}"))  # fmt: skip
        weak = sorted((f for f in factors if f.value < 1.0), key=lambda f: f.value)
        return (weak[0].value if weak else 1.0), weak


def measurement_quality(
    pose: PoseSequence,
    spec: AssessmentSpec,
    alignment: AlignmentResult,
    capture: CaptureCheck,
    limits: CaptureLimits | None = None,
) -> MeasurementQuality:
    """The quality factors of ``pose``'s occurrences of ``spec``'s motion, from the
    capture check's figures and each occurrence's own tracking and keyframes."""
    limits = limits or CaptureLimits()
    recording: list[Factor] = []
    if capture.fps < spec.capture.min_fps:
        rate = (capture.fps / spec.capture.min_fps) ** 0.5  # a pose between frames is near
        recording.append(Factor(name="frame_rate", value=rate,
                                words=f"filmed at {capture.fps:.0f} fps (this motion needs "
                                f"{spec.capture.min_fps:.0f})"))  # fmt: skip
    if capture.view == "oblique":
        recording.append(Factor(name="view", value=OBLIQUE_FIT, words="filmed at an angle"))
    if capture.athlete_px is not None and capture.athlete_px < limits.athlete_px:
        recording.append(Factor(name="athlete_size", value=capture.athlete_px / limits.athlete_px,
                                words=f"the athlete {capture.athlete_px:.0f} px tall"))  # fmt: skip
    body_seen = body_tracked(pose)
    tracked: dict[int, Factor] = {}
    for i, occ in enumerate(alignment.occurrences):
        span = body_seen[max(0, occ.start) : occ.end + 1] if body_seen is not None else None
        if span is None or not span.size:
            continue
        share = float(span.mean())
        if share < limits.tracked:
            tracked[i] = Factor(name="tracking", value=share / limits.tracked,
                                words=f"the body tracked in {share:.0%} of the motion's "
                                "frames")  # fmt: skip
    confidence = {i: dict(o.confidence) for i, o in enumerate(alignment.occurrences)}
    return MeasurementQuality(recording=recording, tracked=tracked, confidence=confidence)
