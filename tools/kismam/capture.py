"""The capture check: before any feedback, does the recording itself allow it?

Five things limit a diagnosis whatever the athlete does: the camera view against the
views the motion's metrics need (a side camera cannot see knee valgus), the frame rate
against what its keyframes' timing needs (a sprint contact lasts about 0.1 s), how much
of the motion the athlete is tracked and fully in frame, how big the athlete is in the
picture, and the motion's angles measured outside what a body can do (a limb out of the
camera's plane; kinematics/anatomy.json). Each limit found comes with how to film it
better.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from ..kinematics.body_frame import BEHIND_FROM, camera_azimuth
from ..kinematics.series import KinematicSeries
from ..motiondtw.align import AlignmentResult
from ..pose_sequence import PoseSequence
from .models import Assessment, CaptureCheck, CaptureIssue
from .spec import AssessmentSpec
from .wording import FILMED, VIEW_WORDS

BODY = ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee",
        "left_ankle", "right_ankle")  # fmt: skip
"""The joints without which the body is not tracked."""
HOW_TO_FILM = {
    "side": "film from the side, the camera at hip height and square to the direction of "
    "travel, far enough back that the whole motion stays in frame",
    "front": "film a second clip from the front (or behind), the camera at hip height and "
    "far enough away that the whole body stays in frame",
    "oblique": "film at about 45 degrees to the direction of travel",
    "3d": "use 3D motion capture (a lab, or two or more synchronised cameras)",
}  # fmt: skip


class CaptureLimits(BaseModel):
    """Below these, the recording is said to limit the diagnosis."""

    tracked: float = Field(default=0.9, gt=0, le=1, description="share of the motion's frames")
    in_frame: float = Field(default=0.85, gt=0, le=1, description="share of the motion's frames")
    athlete_px: float = Field(default=160.0, gt=0, description="median athlete height, pixels")
    edge_px: float = Field(default=2.0, ge=0, description="a joint this close to the edge is out")


def _motion_frames(pose: PoseSequence, found: Assessment | AlignmentResult) -> np.ndarray:
    """The frames of the motion found (every occurrence), or the whole recording."""
    spans = [np.arange(o.start, o.end + 1) for o in found.occurrences]
    frames = np.unique(np.concatenate(spans)) if spans else np.arange(pose.n_frames)
    return frames[(frames >= 0) & (frames < pose.n_frames)]


def _implausible(
    spec: AssessmentSpec, series: KinematicSeries, frames: np.ndarray
) -> dict[str, int]:
    """The motion's metric channels with values outside their anatomical range, and in
    how many of the motion's frames."""
    out: dict[str, int] = {}
    for metric in spec.metrics:
        for name in metric.channels:
            rejected = series.implausible.get(name)
            if rejected is not None and name not in out:
                n = int(np.isfinite(rejected[frames]).sum()) if frames.size else 0
                if n:
                    out[name] = n
    return out


def body_tracked(pose: PoseSequence) -> np.ndarray | None:
    """Per frame: is every BODY joint the skeleton has seen? None for a skeleton without
    any of them."""
    index = {name: i for i, name in enumerate(pose.joints)}
    body = [index[j] for j in BODY if j in index]
    if not body:
        return None
    seen = np.isfinite(pose.positions).all(axis=2) & (pose.confidence > 0)
    return np.asarray(seen[:, body].all(axis=1))


def _share(mask: np.ndarray) -> float:
    return round(float(mask.mean()), 3) if mask.size else 0.0


def check_capture(
    pose: PoseSequence,
    spec: AssessmentSpec,
    series: KinematicSeries,
    found: Assessment | AlignmentResult,
    limits: CaptureLimits | None = None,
) -> CaptureCheck:
    """The recording against what ``spec`` needs (see the module's text) over the frames
    of the occurrences ``found`` (the alignment's, or an assessment's)."""
    limits = limits or CaptureLimits()
    view = "3d" if series.dims == 3 else series.view
    azimuth = camera_azimuth(pose) if pose.dims == 2 else None
    # front and behind give the same channels; the words say where the camera was
    behind = view == "front" and azimuth is not None and azimuth >= BEHIND_FROM
    shown = "behind" if behind else view
    issues: list[CaptureIssue] = []
    groups: dict[tuple[str, ...], list[str]] = {}
    for metric in spec.metrics:
        if view not in metric.views:
            groups.setdefault(tuple(metric.views), []).append(metric.name)
    if groups:
        said = [f"{', '.join(names)} {'needs' if len(names) == 1 else 'need'} "
                f"{' or '.join(VIEW_WORDS.get(v, v) for v in needs)}"
                for needs, names in groups.items()]  # fmt: skip
        how = list(dict.fromkeys(HOW_TO_FILM.get(needs[0], f"film with {needs[0]}")
                                 for needs in groups))  # fmt: skip
        one = sum(map(len, groups.values())) == 1
        issues.append(CaptureIssue(
            aspect="view", measured=FILMED.get(shown, shown),
            limits=f"{'; '.join(said)}, so {'it is' if one else 'they are'} not judged",
            advice="; or ".join(how),
        ))  # fmt: skip
    need = spec.capture
    if pose.fps < need.min_fps:
        issues.append(CaptureIssue(
            aspect="frame_rate", measured=f"{pose.fps:.0f} fps",
            limits=f"keyframe timing is uncertain by up to {1000 / pose.fps:.0f} ms, because "
            f"{need.why}",
            advice=f"film at {need.good_fps:.0f} fps or more (the slow-motion mode of most "
            f"phones), and at least {need.min_fps:.0f} fps",
        ))  # fmt: skip
    frames = _motion_frames(pose, found)
    seen = np.isfinite(pose.positions).all(axis=2) & (pose.confidence > 0)
    body_seen = body_tracked(pose)
    tracked_share = in_frame_share = athlete_px = None
    if body_seen is not None and frames.size:
        tracked = body_seen[frames]
        tracked_share = _share(tracked)
        if tracked_share < limits.tracked:
            issues.append(CaptureIssue(
                aspect="tracking",
                measured=f"the athlete tracked in {int(tracked.sum())} of the motion's "
                f"{tracked.size} frames ({tracked_share:.0%})",
                limits="in the other frames the body is not seen, so keyframes there are "
                "located from fewer frames and some metrics may be missing",
                advice="keep the whole athlete unobstructed (nobody passing in front), in "
                "good light, in plain clothes that contrast with the background",
            ))  # fmt: skip
    if pose.dims == 2 and pose.units == "px" and frames.size:
        all_seen = seen[frames].all(axis=1)
        inside = all_seen
        if pose.image_size is not None:
            width, height = pose.image_size
            xy = pose.positions[frames]
            edge = limits.edge_px
            within = ((xy[..., 0] > edge) & (xy[..., 0] < width - edge)
                      & (xy[..., 1] > edge) & (xy[..., 1] < height - edge))  # fmt: skip
            inside = all_seen & within.all(axis=1)
        in_frame_share = _share(inside)
        if in_frame_share < limits.in_frame:
            issues.append(CaptureIssue(
                aspect="in_frame",
                measured=f"the whole body in frame in {int(inside.sum())} of the motion's "
                f"{inside.size} frames ({in_frame_share:.0%})",
                limits="in the rest a hand, foot or the head is cut off or hidden, so the "
                "metrics that need it are read from fewer frames",
                advice="step the camera back (or zoom out) so the athlete stays in frame "
                "from the start of the motion to its end, with room above the hands",
            ))  # fmt: skip
        heights = []
        for f in frames:
            pts = pose.positions[f][seen[f]]
            if len(pts) >= 4:
                heights.append(float(np.ptp(pts[:, 1])))
        if heights:
            athlete_px = round(float(np.median(heights)), 1)
            if athlete_px < limits.athlete_px:
                issues.append(CaptureIssue(
                    aspect="athlete_size", measured=f"the athlete {athlete_px:.0f} px tall",
                    limits="the pose model places joints less precisely on a small figure "
                    "and the angles are noisier",
                    advice="move closer or zoom in so the athlete fills at least a third of "
                    "the frame's height (and film at the camera's full resolution)",
                ))  # fmt: skip
    impossible = _implausible(spec, series, frames)
    if impossible:
        said = [f"{name.replace('_', ' ')} outside the humanly possible range in {n} of the "
                f"motion's {frames.size} frames" for name, n in impossible.items()]  # fmt: skip
        if series.dims == 3:  # the angle is read in the body's sagittal plane
            cause = ("the limb moving out of the body's sagittal plane, in which this angle is "
                   "read: an arm raised out to the side")  # fmt: skip
            better = ""  # nothing to film better: the angle is judged where the limb is in plane
        else:
            cause = ("the limb moving out of the camera's plane, or a joint mis-tracked, e.g. "
                   "left and right swapped")  # fmt: skip
            better = ("film square to the plane the limbs move in (from the side for a run, a "
                   "walk, a jump or a start), the athlete in plain light and clothes that "
                   "show the joints")  # fmt: skip
        issues.append(CaptureIssue(
            aspect="anatomy", measured="; ".join(said),
            limits=f"those frames are a measurement failure ({cause}), not a technique: they "
            "are not judged and not quoted",
            advice=better,
        ))  # fmt: skip
    return CaptureCheck(view=shown, azimuth_deg=azimuth, fps=round(pose.fps, 3),
                        tracked_share=tracked_share, in_frame_share=in_frame_share,
                        athlete_px=athlete_px, issues=issues)  # fmt: skip


def capture_words(check: CaptureCheck | None) -> list[str]:
    """What the recording limits, and how to film better: one line per issue."""
    if check is None:
        return []
    return [f"{i.measured[:1].upper()}{i.measured[1:]}: {i.limits}."
            + (f" To do better, {i.advice}." if i.advice else "")
            for i in check.issues]  # fmt: skip
