"""Where the athlete faces and which camera view a 2D sequence shows.

Sagittal coordinates (a = anterior, u = up) and frontal coordinates (l = athlete's
left, u = up) are what every angle is computed in, so one set of angle formulas
serves 2D side/front video and 3D mocap alike.
"""

from __future__ import annotations

import logging
import warnings
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from ..errors import MissingJointError
from ..pose_sequence import FloatArray, PoseSequence

log = logging.getLogger(__name__)
View2D = Literal["side", "front", "oblique"]


def up_axis_sign(seq: PoseSequence) -> float:
    """+1 when the second coordinate points up (metres), -1 for image pixels (y down)."""
    return -1.0 if seq.units == "px" else 1.0


def nanmedian(values: FloatArray, axis: int | None = None) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(values, axis=axis))


def mid(seq: PoseSequence, a: str, b: str) -> FloatArray:
    return (seq.joint(a) + seq.joint(b)) / 2


SIDE_BELOW = 0.25
FRONT_ABOVE = 0.5
"""Mean shoulder and hip width over trunk length: below SIDE_BELOW a side view, above
FRONT_ABOVE a front (or back) view, between them oblique."""
VIEW_WINDOW_S = 1.0


class ViewSegment(BaseModel):
    """The camera view over frames ``start``..``end`` (inclusive), with a confidence."""

    start: int
    end: int
    view: View2D
    ratio: float = Field(description="median width / trunk ratio in the segment")
    confidence: float = Field(ge=0, le=1, description="how far the ratio sits from a threshold")


TRUNK = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def _trunk_widths(seq: PoseSequence) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per frame: left minus right shoulder, left minus right hip (vectors), and the trunk's
    length (hip centre to shoulder centre). The caller checks the joints are there."""
    shoulders = seq.joint("left_shoulder") - seq.joint("right_shoulder")
    hips = seq.joint("left_hip") - seq.joint("right_hip")
    trunk = np.linalg.norm(
        mid(seq, "left_shoulder", "right_shoulder") - mid(seq, "left_hip", "right_hip"), axis=1
    )
    return shoulders, hips, trunk


def _width_ratio(seq: PoseSequence) -> FloatArray:
    if not seq.has(*TRUNK):
        missing = [j for j in TRUNK if j not in seq.joints]
        raise MissingJointError("camera view estimation", missing)
    shoulders, hips, trunk = _trunk_widths(seq)
    widths = np.linalg.norm(shoulders, axis=1) + np.linalg.norm(hips, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(widths / 2 / trunk)


def _classify(ratio: float) -> tuple[View2D, float]:
    if ratio < SIDE_BELOW:
        return "side", min(1.0, (SIDE_BELOW - ratio) / SIDE_BELOW * 2)
    if ratio > FRONT_ABOVE:
        return "front", min(1.0, (ratio - FRONT_ABOVE) / FRONT_ABOVE * 2)
    edge = min(ratio - SIDE_BELOW, FRONT_ABOVE - ratio)
    return "oblique", min(1.0, edge / ((FRONT_ABOVE - SIDE_BELOW) / 2))


def view_segments(seq: PoseSequence, window_s: float = VIEW_WINDOW_S) -> list[ViewSegment]:
    """The view per stretch of the clip (a camera may go from behind to the side), from
    the skeleton's proportions in windows of ``window_s``; neighbouring windows with the
    same view are merged."""
    ratio = _width_ratio(seq)
    step = max(1, round(window_s * seq.fps))
    out: list[ViewSegment] = []
    for start in range(0, seq.n_frames, step):
        end = min(seq.n_frames, start + step) - 1
        r = float(nanmedian(ratio[start : end + 1]))
        if not np.isfinite(r):
            continue
        view, conf = _classify(r)
        if out and out[-1].view == view:
            last = out[-1]
            n_last, n_new = last.end - last.start + 1, end - start + 1
            merged = (last.ratio * n_last + r * n_new) / (n_last + n_new)
            best = max(last.confidence, conf)
            out[-1] = last.model_copy(update={"end": end, "ratio": merged, "confidence": best})
        else:
            out.append(ViewSegment(start=start, end=end, view=view, ratio=r, confidence=conf))
    return out


FRONTAL_WIDTH = 0.6
"""Shoulder-and-hip width over trunk length of a body seen square from the front or the
back in real video (walking towards the camera, running towards it: 0.54-0.55 on
../shared/data/video); a side view is near 0."""
BEHIND_FROM = 120.0
"""A camera azimuth from which a front-or-back view is called "behind"."""


def camera_azimuth(seq: PoseSequence) -> float | None:
    """Where the camera stands round the athlete, in degrees: 0 in front of them, 90 at
    their side, 180 behind (which side is not told). From the width of shoulders and hips
    against the trunk (front and back views are wide, a side view narrow) and their
    left-right order in the image: a person facing the camera has their left shoulder on
    the image's right, a person seen from behind on its left. None without the joints."""
    if seq.dims != 2 or not seq.has(*TRUNK):
        return None
    shoulders, hips, trunk = _trunk_widths(seq)
    with np.errstate(invalid="ignore", divide="ignore"):
        signed = (shoulders[:, 0] + hips[:, 0]) / 2 / trunk  # image x: + facing the camera
    if not np.isfinite(signed).any():
        return None
    across = float(np.clip(nanmedian(signed) / FRONTAL_WIDTH, -1.0, 1.0))
    return round(float(np.degrees(np.arccos(across))), 1)


def estimate_view(seq: PoseSequence) -> View2D:
    """Side, front or oblique (2D data): the sequence's own view if it has one (``--view``),
    else from the skeleton's proportions. Shoulder and hip widths shrink towards zero in a
    side view and approach ~0.7-0.9 of the trunk length in a front view. A clip seen
    mostly from the front (or behind) that has long stretches seen from the side (a
    broadcast camera behind the in-run, then beside the flight) is treated as oblique, so
    both the sagittal and the frontal channels are computed and alignment uses what it
    shares with the reference."""
    if seq.dims == 3:
        raise ValueError("estimate_view is for 2D sequences")
    if seq.view in ("side", "front", "oblique"):
        return seq.view
    ratio = float(nanmedian(_width_ratio(seq)))
    if not np.isfinite(ratio):
        return "side"
    overall, _ = _classify(ratio)
    if overall != "front":
        return overall
    # mostly a front (or back) view: when long stretches are seen from the side, compute
    # the side view's channels too (oblique), so the motion can be aligned at all
    segments = view_segments(seq)
    sagittal = sum(g.end - g.start + 1 for g in segments if g.view in ("side", "oblique"))
    if sagittal >= max(round(VIEW_WINDOW_S * seq.fps), int(0.2 * seq.n_frames)):
        shown = ", ".join(f"{g.view} {g.start / seq.fps:.1f}-{(g.end + 1) / seq.fps:.1f} s"
                          for g in segments)  # fmt: skip
        log.info("%s: the view changes (%s): side and front channels both computed",
                 seq.source, shown)  # fmt: skip
        return "oblique"
    return "front"


def facing_sign_2d(seq: PoseSequence) -> float:
    """+1 if the athlete faces image-right, -1 if image-left (one vote per clip).

    Votes, strongest first: toes ahead of heels/ankles, the nose ahead of the neck or
    shoulders, then the direction of travel of the hips.
    """
    votes: list[float] = []
    for side in ("left", "right"):
        for back in (f"{side}_heel", f"{side}_ankle"):
            toe = f"{side}_toe"
            if seq.has(toe, back):
                votes.append(float(nanmedian(seq.joint(toe)[:, 0] - seq.joint(back)[:, 0])))
                break
    if seq.has("nose", "left_shoulder", "right_shoulder"):
        neck = mid(seq, "left_shoulder", "right_shoulder")
        votes.append(float(nanmedian(seq.joint("nose")[:, 0] - neck[:, 0])))
    votes = [v for v in votes if np.isfinite(v) and v != 0]
    if votes:
        # a split vote (feet turned apart in a serve stance) goes to the larger offsets,
        # so a mirrored image always gets the opposite answer
        tally = float(np.sum(np.sign(votes))) or float(np.sum(votes))
        return 1.0 if tally >= 0 else -1.0
    knees = _knee_votes(seq)
    if knees:
        return 1.0 if sum(knees) >= 0 else -1.0
    if seq.has("left_hip", "right_hip"):
        hips = mid(seq, "left_hip", "right_hip")[:, 0]
        ok = hips[np.isfinite(hips)]
        if len(ok) > 1 and ok[-1] != ok[0]:
            return 1.0 if ok[-1] > ok[0] else -1.0
    log.warning("%s: cannot tell which way the athlete faces; assuming image-right", seq.source)
    return 1.0


KNEE_VOTE_MIN = 0.05
"""Frames whose knee sits at least this far (leg lengths) off the hip-ankle line vote
(a tenth of the clip at least)."""


def _knee_votes(seq: PoseSequence) -> list[float]:
    """Knees bend forwards: the knee's side of the hip-ankle line (signed distance, in leg
    lengths, median over the frames it is bent) gives the way the athlete faces, whether
    upright or lying in the air (a rotation in the image keeps the side). Needs no feet or
    face points (a skier's skeleton has neither toes nor nose) and holds under a panning
    camera, where the direction of travel in the image means nothing."""
    up = up_axis_sign(seq)
    votes = []
    for side in ("left", "right"):
        hip, knee, ankle = (f"{side}_{j}" for j in ("hip", "knee", "ankle"))
        if not seq.has(hip, knee, ankle):
            continue
        h, k, a = seq.joint(hip), seq.joint(knee), seq.joint(ankle)
        line, to_knee = a - h, k - h
        leg = np.linalg.norm(to_knee, axis=1) + np.linalg.norm(k - a, axis=1)
        cross = line[:, 0] * to_knee[:, 1] - line[:, 1] * to_knee[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            # in (x, up) coordinates a knee ahead of an upright leg facing +x is positive
            offset = up * cross / np.linalg.norm(line, axis=1) / leg
        bent = offset[np.abs(offset) >= KNEE_VOTE_MIN]  # straight legs say nothing
        if len(bent) >= max(3, 0.1 * seq.n_frames):
            votes.append(float(np.median(bent)))
    return votes


def heading_3d(seq: PoseSequence) -> FloatArray:
    """(T, 3) unit horizontal forward vectors from the hips (y up), per frame."""
    if seq.has("left_hip", "right_hip"):
        left = seq.joint("left_hip") - seq.joint("right_hip")
    elif seq.has("left_shoulder", "right_shoulder"):
        left = seq.joint("left_shoulder") - seq.joint("right_shoulder")
    else:
        raise MissingJointError("3D heading", ["left_hip", "right_hip"])
    fwd = np.cross(left, np.array([0.0, 1.0, 0.0]))
    fwd[:, 1] = 0.0
    norm = np.linalg.norm(fwd, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(fwd / norm)


class BodyFrame:
    """Sagittal (a, u) and frontal (l, u) coordinates of every joint, per frame."""

    def __init__(self, seq: PoseSequence, view: str) -> None:
        self.seq = seq
        self.view = view
        pos = seq.positions
        if seq.dims == 3:
            fwd = (
                heading_3d(seq)
                if seq.has("left_hip", "right_hip")
                else np.full((seq.n_frames, 3), np.nan)
            )
            left = np.cross(np.array([0.0, 1.0, 0.0]), fwd)
            self.a = np.einsum("tjd,td->tj", pos, fwd)
            self.l = np.einsum("tjd,td->tj", pos, left)
            self.u = pos[:, :, 1]
            self.facing = 0.0
        else:
            up = up_axis_sign(seq)
            self.u = up * pos[:, :, 1]
            self.facing = facing_sign_2d(seq) if view != "front" else 0.0
            self.a = (self.facing or 1.0) * pos[:, :, 0]
            lateral = 1.0
            if seq.has("left_hip", "right_hip"):
                d = float(nanmedian(seq.joint("left_hip")[:, 0] - seq.joint("right_hip")[:, 0]))
                lateral = -1.0 if d < 0 else 1.0
            self.l = lateral * pos[:, :, 0]

    def sagittal(self, joint: str) -> FloatArray:
        i = self.seq.joints.index(joint)
        return np.stack([self.a[:, i], self.u[:, i]], axis=1)

    def frontal(self, joint: str) -> FloatArray:
        i = self.seq.joints.index(joint)
        return np.stack([self.l[:, i], self.u[:, i]], axis=1)
