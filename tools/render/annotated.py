"""The annotated video (``analyze --video-out``) and the side-by-side with the elite
(``--compare-out``): what a coach plays back, as Kinovea or Dartfish would show it.

Annotated: one output frame per analysed frame; the athlete's skeleton (over the video,
or as a stick figure on a neutral background for pose files and mocap), live readouts of
the channels the motion's metrics read, a timeline with every occurrence and a tick per
keyframe, and at each keyframe a caption with each metric measured there against its
elite band, green inside and red outside, held for ``hold_s``.

Side-by-side: every occurrence in turn, the athlete beside the elite reference it was
aligned with, both drawn at the same trunk length. The elite is played through the
alignment's warping path, corrected so both reach each keyframe on the same frame.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from ..body_view import (
    FlatPose,
    facing_sign,
    hip_centre,
    image_joints,
    mirrored,
    side_view,
    trunk_length,
)
from ..errors import SportsGPTError
from ..kinematics import compute_kinematics
from ..kinematics.series import KinematicSeries
from ..kismam import load_motion_spec
from ..kismam.models import Assessment, MetricResult, OccurrenceAssessment
from ..kismam.spec import SIDE_PLACEHOLDER, AssessmentSpec
from ..kismam.wording import channel_words, quantity, result_words
from ..motiondtw.library import load_motion_references
from ..motiondtw.reference import MotionReference
from ..pose_sequence import FloatArray, PoseSequence
from ..skeleton import mirror_name
from .draw import (
    ELITE_BGR,
    INSIDE_BGR,
    MUTED_BGR,
    OUTSIDE_BGR,
    PANEL_BGR,
    TEXT_BGR,
    Image,
    Line,
    draw_figure,
    draw_skeleton,
    even,
    text_block,
)
from .video import VideoFacts, VideoSink, video_facts

log = logging.getLogger(__name__)

MAX_READOUTS = 5
STICK_SIZE = (960, 540)  # the canvas of a stick figure (pose files, mocap)
PANEL_SIZE = (480, 540)  # one side of the side-by-side
TRUNK_PX = 96  # the trunk length both bodies are drawn at, side by side
PAD_S = 0.3  # shown before and after each occurrence, side by side
STRIP_PX = 150  # below the two panels: the keyframe's caption and the occurrence's timeline
TIMELINE_PX = 34


@dataclass
class Caption:
    """A keyframe's verdict, shown from its frame for the hold."""

    frame: int
    title: str
    lines: list[Line]


def _verdict_line(m: MetricResult) -> Line:
    return result_words(m), INSIDE_BGR if m.in_band else OUTSIDE_BGR


def captions(assessment: Assessment, spec: AssessmentSpec) -> list[Caption]:
    """One caption per keyframe of every occurrence, in time order."""
    out = []
    count = len(assessment.occurrences)
    for n, occ in enumerate(_in_time_order(assessment), 1):
        for key, frame in sorted(occ.keyframes.items(), key=lambda kv: kv[1]):
            of = f"  ·  occurrence {n} of {count}" if count > 1 else ""
            lines = [_verdict_line(m) for m in occ.metrics if m.keyframe == key]
            out.append(Caption(frame, spec.keyframe_label(key).capitalize() + of, lines))
    return sorted(out, key=lambda c: c.frame)


def _in_time_order(assessment: Assessment) -> list[OccurrenceAssessment]:
    return sorted(assessment.occurrences, key=lambda o: o.start)


def occurrence_spans(assessment: Assessment, n_frames: int,
                     fps: float) -> list[tuple[OccurrenceAssessment, range]]:  # fmt: skip
    """The side-by-side's clips, in time order: each occurrence with the recording's frames
    it shows (``PAD_S`` before its start to ``PAD_S`` after its end)."""
    pad = round(PAD_S * fps)
    return [(o, range(max(0, o.start - pad), min(n_frames - 1, o.end + pad) + 1))
            for o in _in_time_order(assessment)]  # fmt: skip


def _active(caps: list[Caption], frame: int, hold: int) -> Caption | None:
    shown = [c for c in caps if c.frame <= frame < c.frame + hold]
    return shown[-1] if shown else None


def readout_channels(spec: AssessmentSpec, series: KinematicSeries) -> list[str]:
    """The channels the motion's metrics read (the primary side for a sided one)."""
    names = []
    for metric in spec.metrics:
        name = metric.channel.replace(SIDE_PLACEHOLDER, series.primary_side)
        if name in series.channels and name not in names:
            names.append(name)
    return names[:MAX_READOUTS]


def _readouts(series: KinematicSeries, channels: list[str], frame: int) -> list[Line]:
    lines = []
    for name in channels:
        values = series.channels[name]
        value = float(values[frame]) if frame < len(values) else float("nan")
        unit = str(series.units.get(name, ""))
        shown = quantity(value, unit) if np.isfinite(value) else "not seen"
        lines.append((f"{channel_words(name)}: {shown}", TEXT_BGR))
    return lines


def _timeline(image: Image, occurrences: list[OccurrenceAssessment], frame: int,
              n_frames: int, times: FloatArray) -> None:  # fmt: skip
    """The bar at the bottom: occurrences shaded, a tick per keyframe coloured by its
    verdict, the current frame as a white cursor, and the time."""
    h, w = image.shape[:2]
    top, left, right = h - TIMELINE_PX, 12, w - 110
    image[top:, :] = (image[top:, :] * 0.25).astype(np.uint8)

    def x_of(f: int) -> int:
        return int(left + round((right - left) * f / max(1, n_frames - 1)))

    mid = top + TIMELINE_PX // 2
    cv2.line(image, (left, mid), (right, mid), MUTED_BGR, 2)
    for occ in occurrences:
        cv2.rectangle(image, (x_of(occ.start), mid - 5), (x_of(occ.end), mid + 5), ELITE_BGR, -1)
        for key, f in occ.keyframes.items():
            at = [m for m in occ.metrics if m.keyframe == key]
            colour = OUTSIDE_BGR if any(not m.in_band for m in at) else INSIDE_BGR
            cv2.line(image, (x_of(f), mid - 11), (x_of(f), mid + 11), colour if at else TEXT_BGR, 3)
    cv2.line(image, (x_of(frame), top + 3), (x_of(frame), h - 3), TEXT_BGR, 2)
    text_block(image, [(f"{times[frame]:.2f} s", TEXT_BGR)], (right + 8, top + 3), 15,
               background=0.0)  # fmt: skip


class StickCanvas:
    """Where a pose file's or mocap's side view is drawn: the whole recording fitted into
    a fixed canvas (the 1st to 99th percentile of its joints, so a stray point cannot
    shrink the athlete)."""

    def __init__(self, flat: PoseSequence, size: tuple[int, int] = STICK_SIZE) -> None:
        self.size = size
        pts = flat.positions[np.isfinite(flat.positions).all(axis=2) & (flat.confidence > 0)]
        lo = np.percentile(pts, 1, axis=0) if len(pts) else np.zeros(2)
        hi = np.percentile(pts, 99, axis=0) if len(pts) else np.ones(2)
        room_w, room_h = size[0] - 80, size[1] - TIMELINE_PX - 150
        self.scale = float(
            min(room_w / max(hi[0] - lo[0], 1e-6), room_h / max(hi[1] - lo[1], 1e-6))
        )
        centre = (lo + hi) / 2
        self.offset = np.array([size[0] / 2, 110 + room_h / 2]) - centre * self.scale

    def blank(self) -> Image:
        return np.full((self.size[1], self.size[0], 3), PANEL_BGR, dtype=np.uint8)

    def place(self, points: FloatArray) -> FloatArray:
        return points * self.scale + self.offset


def annotated_video(pose: PoseSequence, assessment: Assessment, out: str | Path, *,
                    video: Path | None = None, hold_s: float = 1.0, max_side: int = 1280,
                    progress: bool = True) -> VideoFacts:  # fmt: skip
    """The annotated video of an analysis (see the module's text); returns what was
    written, read back from the file."""
    spec = load_motion_spec(assessment.motion)
    series = compute_kinematics(pose)
    channels = readout_channels(spec, series)
    caps = captions(assessment, spec)
    hold = max(1, round(hold_s * pose.fps))
    times = pose.frame_times
    canvas: StickCanvas | None = None
    if video is not None and pose.image_size is not None:
        width, height = pose.image_size
        shrink = min(1.0, max_side / max(width, height))
        size = (even(width * shrink), even(height * shrink))
        images: Iterator[Image] = (
            cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            for image in _frames_for(pose, video, range(pose.n_frames))
        )
        flat = pose
        sx, sy = size[0] / width, size[1] / height
    else:
        flat = side_view(pose)
        canvas = StickCanvas(flat)
        size = canvas.size
        images = (canvas.blank() for _ in range(pose.n_frames))
    text = max(14, round(size[1] / 36))
    with VideoSink(out, pose.fps, size) as sink:
        bar = tqdm(zip(range(pose.n_frames), images, strict=False), total=pose.n_frames,
                   desc="annotated video", unit="frame", disable=not progress,
                   leave=False)  # fmt: skip
        for i, image in bar:
            points = flat.positions[i]
            points = canvas.place(points) if canvas else points * np.array([sx, sy])
            draw_skeleton(image, flat.joints, points, flat.confidence[i],
                          scale=max(0.6, size[1] / 720))  # fmt: skip
            seen = bool(flat.confidence[i].any())
            head = _readouts(series, channels, i) if seen else [("athlete not seen", MUTED_BGR)]
            text_block(image, head, (10, 10), text, max_width=int(size[0] * 0.36))
            caption = _active(caps, i, hold)
            if caption is not None:
                text_block(image, [(caption.title, TEXT_BGR), *caption.lines],
                           (size[0] - 10, 10), text, anchor="right", background=0.7,
                           max_width=int(size[0] * 0.62))  # fmt: skip
            _timeline(image, assessment.occurrences, i, pose.n_frames, times)
            sink.write(image)
    return video_facts(out)


# ------------------------------------------------------------------ side by side
def template_frames(occ: OccurrenceAssessment, template_keyframes: dict[str, int],
                    frames: range, n_template: int) -> list[int]:  # fmt: skip
    """The elite template's frame for each athlete frame in ``frames``: the warping path,
    shifted piecewise-linearly between keyframes so each athlete keyframe lands on the
    template's (the alignment snaps keyframes to events after the path is found), held
    monotone, and continued at the template's rate past the path's ends."""
    q = np.arange(frames.start, frames.stop)
    if occ.warp:
        path_q = np.arange(occ.warp_start, occ.warp_start + len(occ.warp))
        base = np.interp(q, path_q, occ.warp).astype(float)
        base[q < path_q[0]] = occ.warp[0] - (path_q[0] - q[q < path_q[0]])
        base[q > path_q[-1]] = occ.warp[-1] + (q[q > path_q[-1]] - path_q[-1])
    else:  # an occurrence stored before paths were kept: its keyframes alone
        base = q.astype(float) - occ.start
    anchors: list[tuple[int, int]] = []
    for key, frame in sorted(occ.keyframes.items(), key=lambda kv: kv[1]):
        want = template_keyframes.get(mirror_name(key) if occ.mirrored else key)
        if want is None or not frames.start <= frame < frames.stop:
            continue
        if not anchors or (frame > anchors[-1][0] and want > anchors[-1][1]):
            anchors.append((frame, want))  # in time order on both sides
    if anchors:
        base = _through(q, base, anchors)
    mapped = np.maximum.accumulate(np.clip(np.round(base), 0, n_template - 1))
    return [int(v) for v in mapped]


def _through(q: np.ndarray, base: np.ndarray, anchors: list[tuple[int, int]]) -> np.ndarray:
    """``base`` (monotone) bent to pass through each anchor (athlete frame, template
    frame): between two anchors the path's own shape, stretched to meet both; before the
    first and after the last, the path shifted to meet it. Monotone stays monotone."""
    at = {int(f): float(b) for f, b in zip(q, base, strict=True)}
    out = base.copy()
    first_q, first_t = anchors[0]
    last_q, last_t = anchors[-1]
    out[q <= first_q] = base[q <= first_q] - at[first_q] + first_t
    out[q >= last_q] = base[q >= last_q] - at[last_q] + last_t
    for (qa, ta), (qb, tb) in pairwise(anchors):
        inside = (q >= qa) & (q <= qb)
        span = at[qb] - at[qa]
        if span > 0:
            out[inside] = ta + (base[inside] - at[qa]) * (tb - ta) / span
        else:  # the path stood still here: move at an even pace instead
            out[inside] = ta + (q[inside] - qa) * (tb - ta) / (qb - qa)
    return out


def _smoothed(track: list[FloatArray | None], window: int) -> list[FloatArray]:
    """A camera that follows: the hip track averaged over ``window`` frames, gaps held."""
    known = [p for p in track if p is not None]
    fill = known[0] if known else np.zeros(2)
    filled = []
    for p in track:
        fill = p if p is not None else fill
        filled.append(np.asarray(fill, dtype=float))
    arr = np.array(filled)
    kernel = np.ones(max(1, window)) / max(1, window)
    padded = np.pad(arr, ((window // 2, window - 1 - window // 2), (0, 0)), mode="edge")
    smooth = np.stack([np.convolve(padded[:, d], kernel, mode="valid") for d in range(2)], 1)
    return list(smooth)


def _elite_points(pose: FlatPose, centre: FloatArray, panel_centre: FloatArray,
                  facing: float) -> dict[str, FloatArray]:  # fmt: skip
    """A trajectory pose (trunk lengths, y up) in panel pixels, the camera on ``centre``."""
    return {name: np.array([panel_centre[0] + facing * (x - centre[0]) * TRUNK_PX,
                            panel_centre[1] - (y - centre[1]) * TRUNK_PX])
            for name, (x, y) in pose.items()}  # fmt: skip


def side_by_side_video(pose: PoseSequence, assessment: Assessment, out: str | Path, *,
                       video: Path | None = None, hold_s: float = 1.0,
                       progress: bool = True) -> VideoFacts:  # fmt: skip
    """The athlete beside the elite, every occurrence in turn (see the module's text)."""
    spec = load_motion_spec(assessment.motion)
    refs = {r.name: r for r in load_motion_references(assessment.motion)}
    spans = occurrence_spans(assessment, pose.n_frames, pose.fps)
    if not spans:
        raise SportsGPTError("no occurrence of the motion was found: nothing to compare")
    flat = side_view(pose)
    hold = max(1, round(hold_s * pose.fps))
    size = (2 * PANEL_SIZE[0], PANEL_SIZE[1] + STRIP_PX)
    text = 16
    caps = captions(assessment, spec)
    bar = tqdm(total=sum(len(frames) for _, frames in spans), desc="side-by-side video",
               unit="frame", disable=not progress, leave=False)  # fmt: skip
    with VideoSink(out, pose.fps, size) as sink:
        for n, (occ, frames) in enumerate(spans, 1):
            ref_name = str((occ.references or [next(iter(refs))])[0]).split("/")[-1]
            ref = refs.get(ref_name) or next(iter(refs.values()))
            clip = [_shifted(occ, frames.start)]  # its own timeline, in the clip's frames
            times = pose.frame_times[frames.start : frames.stop]
            for i, panels in _side_frames(pose, flat, occ, ref, frames, video):
                bar.update(1)
                image = np.full((size[1], size[0], 3), PANEL_BGR, np.uint8)
                image[: PANEL_SIZE[1]] = panels
                _side_text(image, n, len(spans), ref.name, _active(caps, i, hold), text)
                _timeline(image, clip, i - frames.start, len(frames), times)
                sink.write(image)
    bar.close()
    return video_facts(out)


def _side_frames(pose: PoseSequence, flat: PoseSequence, occ: OccurrenceAssessment,
                 ref: MotionReference, frames: range,
                 video: Path | None) -> Iterator[tuple[int, Image]]:  # fmt: skip
    """The two panels of each frame of one occurrence, drawn at one trunk length."""
    pw, ph = PANEL_SIZE
    panel_centre = np.array([pw / 2, ph * 0.52])
    athlete = [image_joints(flat, f) for f in frames]
    trunks = [t for j in athlete if (t := trunk_length(j)) is not None]
    scale = TRUNK_PX / float(np.median(trunks)) if trunks else 1.0
    facing = float(np.sign(sum(facing_sign(j) for j in athlete if j)) or 1.0)
    follow = _smoothed([hip_centre(j) for j in athlete], max(1, round(0.5 * pose.fps)))
    trajectory = ref.trajectory or []
    mapped = template_frames(occ, ref.keyframes, frames, max(1, len(trajectory)))
    elite = [trajectory[t] if trajectory else {} for t in mapped]
    if occ.mirrored:
        elite = [mirrored(p) for p in elite]
    elite_follow = _smoothed([hip_centre({k: np.array(v) for k, v in p.items()}) if p else None
                              for p in elite], max(1, round(0.5 * pose.fps)))  # fmt: skip
    images = _crops(pose, video, frames, follow, scale, panel_centre) if video else None
    for k, f in enumerate(frames):
        left = next(images) if images is not None else np.full((ph, pw, 3), PANEL_BGR, np.uint8)
        pts = {name: (p - follow[k]) * scale + panel_centre for name, p in athlete[k].items()}
        draw_figure(left, pts, scale=0.9)
        right = np.full((ph, pw, 3), PANEL_BGR, np.uint8)
        if elite[k]:
            draw_figure(right, _elite_points(elite[k], elite_follow[k], panel_centre, facing),
                        scale=0.9)  # fmt: skip
        frame = np.concatenate([left, right], axis=1)
        cv2.line(frame, (pw, 0), (pw, ph), MUTED_BGR, 1)
        yield f, frame


def _crops(pose: PoseSequence, video: Path, frames: range, follow: list[FloatArray],
           scale: float, panel_centre: FloatArray) -> Iterator[Image]:  # fmt: skip
    """The video round the athlete, at the side-by-side's scale, the camera following."""
    pw, ph = PANEL_SIZE
    for k, image in enumerate(_frames_for(pose, video, frames)):
        hx, hy = follow[k]
        m = np.array([[scale, 0, panel_centre[0] - scale * hx],
                      [0, scale, panel_centre[1] - scale * hy]])  # fmt: skip
        yield cv2.warpAffine(image, m, (pw, ph), flags=cv2.INTER_AREA, borderValue=PANEL_BGR)


def _frames_for(pose: PoseSequence, video: Path, frames: range) -> Iterator[Image]:
    """The video frame behind each pose frame in ``frames``, matched by time; where the
    video has none, the last one shown (so there is always one frame per pose frame)."""
    from .overlay import frames_of

    found = frames_of(pose.model_copy(update={"source": str(video)}), list(frames))
    last: Image | None = None
    pending = next(found, None)
    for i in frames:
        if pending is not None and pending[0] == i:
            last = pending[1].image
            pending = next(found, None)
        yield last if last is not None else np.full((2, 2, 3), PANEL_BGR, np.uint8)


def _side_text(image: Image, n: int, count: int, ref_name: str, caption: Caption | None,
               size: int) -> None:  # fmt: skip
    pw = PANEL_SIZE[0]
    of = f"occurrence {n} of {count}" if count > 1 else "the motion"
    text_block(image, [(f"Athlete · {of}", TEXT_BGR)], (8, 8), size)
    text_block(image, [(f"Elite reference ({ref_name.replace('_', ' ')})", ELITE_BGR)],
               (pw + 8, 8), size)  # fmt: skip
    if caption is not None:
        title = caption.title.split("  ·  ")[0]
        text_block(image, [(title, TEXT_BGR), *caption.lines], (pw, PANEL_SIZE[1] + 4), size,
                   anchor="centre", background=0.0, max_width=2 * pw - 20)  # fmt: skip


def _shifted(occ: OccurrenceAssessment, start: int) -> OccurrenceAssessment:
    """The occurrence in the frames of a clip that starts at ``start``."""
    return occ.model_copy(update={
        "start": occ.start - start, "end": occ.end - start,
        "keyframes": {k: f - start for k, f in occ.keyframes.items()},
        "metrics": [m.model_copy(update={"frame": m.frame - start}) for m in occ.metrics],
    })  # fmt: skip
