"""What a coach would rather see than read: the athlete at each keyframe beside the elite,
and the assessed joint angles over time with the elite bands shaded and keyframes marked."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ..body_view import (
    FlatPose,
    facing_sign,
    hip_centre,
    image_joints,
    mirrored,
    placed,
    side_view,
    trunk_length,
)
from ..errors import SportsGPTError
from ..kinematics import compute_kinematics
from ..kismam import load_motion_spec
from ..kismam.wording import measured_words
from ..motiondtw.library import load_motion_references
from ..motiondtw.reference import MotionReference
from ..pose_sequence import PoseSequence
from ..skeleton import BONES, mirror_name

log = logging.getLogger(__name__)


def keyframe_figures(
    pose: PoseSequence, assessment: dict[str, Any], out_dir: Path, video: Path | None = None
) -> list[Path]:
    """One picture per keyframe of the best occurrence: the athlete (over the video frame
    when there is one) beside the elite reference's pose at the same keyframe, drawn at
    the athlete's size and facing, with the metrics measured there."""
    occurrences = assessment.get("occurrences") or []
    if not occurrences:
        return []
    occ = occurrences[0]
    keyframes = sorted(occ["keyframes"].items(), key=lambda kv: kv[1])
    flat = side_view(pose)
    times = pose.frame_times
    images = _video_frames(video, [float(times[f]) for _, f in keyframes]) if video else None
    elite = _elite_poses(assessment.get("motion", ""), occ)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (name, frame) in enumerate(keyframes):
        fig, (ax_athlete, ax_elite) = plt.subplots(1, 2, figsize=(6.4, 4.4), dpi=90)
        joints = image_joints(flat, frame)
        limits = _draw_athlete(ax_athlete, joints, images[i] if images else None)
        hips, trunk = hip_centre(joints), trunk_length(joints)
        reference = elite.get(name)
        if reference and hips is not None and trunk is not None:
            _draw_bones(ax_elite, placed(reference, hips, trunk, facing_sign(joints)))
            ax_elite.set_xlim(*limits[0])
            ax_elite.set_ylim(*limits[1])
        elif reference:
            _draw_bones(ax_elite, placed(reference, np.zeros(2), 100.0, 1.0))
            ax_elite.invert_yaxis()
        else:
            ax_elite.text(0.5, 0.5, "no elite pose\nfor this keyframe", ha="center",
                          va="center", transform=ax_elite.transAxes, fontsize=8)  # fmt: skip
        ax_athlete.set_title("athlete", fontsize=9)
        ax_elite.set_title(f"elite ({_ref_name(occ)})", fontsize=9)
        for ax in (ax_athlete, ax_elite):
            ax.set_aspect("equal")
            ax.axis("off")
        when = f"{times[frame]:.2f} s"
        of = f", occurrence 1 of {len(occurrences)}" if len(occurrences) > 1 else ""
        said = next((m.get("at") for m in occ.get("metrics", []) if m.get("keyframe") == name
                     and m.get("at")), None) or name.replace("_", " ")  # fmt: skip
        fig.suptitle(f"{said}  (frame {frame}, {when}{of})", fontsize=10)
        _caption(fig, [m for m in occ.get("metrics", []) if m.get("keyframe") == name])
        path = out_dir / f"keyframe_{frame:05d}_{name}.png"
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


def _ref_name(occ: dict[str, Any]) -> str:
    refs = occ.get("references") or []
    return str(refs[0]).split("/")[-1].replace("_", " ") if refs else "reference"


def elite_reference(motion: str, occ: dict[str, Any]) -> MotionReference | None:
    """The reference an occurrence was aligned with (its first), if the motion has it."""
    try:
        refs = load_motion_references(motion)
    except SportsGPTError:
        return None
    wanted = str((occ.get("references") or [refs[0].name])[0]).split("/")[-1]
    return next((r for r in refs if r.name == wanted), refs[0])


def _elite_poses(motion: str, occ: dict[str, Any]) -> dict[str, FlatPose]:
    """The reference's pose at each of the athlete's keyframes (left and right swapped
    for a mirrored match, so the athlete's leading leg meets the elite's)."""
    ref = elite_reference(motion, occ)
    if ref is None:
        return {}
    is_mirrored = bool(occ.get("mirrored"))
    poses = {}
    for name in occ["keyframes"]:
        pose = ref.key_poses.get(mirror_name(name) if is_mirrored else name)
        if pose:
            poses[name] = mirrored(pose) if is_mirrored else pose
    return poses


def _video_frames(video: Path, times: list[float]) -> list[Any] | None:
    """The video's frames at the keyframes; None (stick figures) when it cannot be read."""
    from ..pose.video import frames_at

    try:
        return frames_at(video, times)
    except SportsGPTError as exc:
        log.warning("keyframe pictures without the video: %s", exc)
        return None


def _draw_bones(ax: Any, joints: dict[str, Any], width: float = 2.5) -> None:
    for a, b in BONES:
        if a in joints and b in joints:
            side = "tab:red" if "right" in a or "right" in b else "tab:blue"
            ax.plot([joints[a][0], joints[b][0]], [joints[a][1], joints[b][1]], color=side,
                    linewidth=width, solid_capstyle="round")  # fmt: skip


def _draw_athlete(
    ax: Any, joints: dict[str, Any], image: Any | None
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The athlete's bones (over the video frame, cropped round the body); returns the
    axis limits (x, y) so the elite is drawn in the same window at the same scale."""
    if not joints:
        ax.text(0.5, 0.5, "athlete not seen", ha="center", va="center",
                transform=ax.transAxes, fontsize=8)  # fmt: skip
        return (0.0, 1.0), (1.0, 0.0)
    pts = np.array(list(joints.values()))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.35 * float(max(hi - lo)) + 10.0
    x0, x1 = lo[0] - pad, hi[0] + pad
    y0, y1 = lo[1] - pad, hi[1] + pad
    if image is not None:
        height, width = image.shape[:2]
        x0, x1 = max(0.0, x0), min(float(width), x1)
        y0, y1 = max(0.0, y0), min(float(height), y1)
        ax.imshow(image[..., ::-1], extent=(0, width, height, 0))
    _draw_bones(ax, joints, width=2.0 if image is not None else 2.5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)  # image y grows downward
    return (x0, x1), (y1, y0)


def _caption(fig: Any, metrics: list[dict[str, Any]]) -> None:
    """What was measured at this keyframe, against the elite band (red when outside)."""
    top = 0.06
    for m in metrics[:4]:
        outside = m.get("insufficient", 0) > 0 or m.get("excessive", 0) > 0
        name = m.get("short") or m["label"].split(" (")[0]  # the explanation is in the report
        text = textwrap.fill(measured_words(name, m["measured"], tuple(m["band"]), m["unit"]), 70)
        fig.text(0.5, top, text, ha="center", va="top", fontsize=8,
                 color="tab:red" if outside else "black")  # fmt: skip
        top -= 0.045 * (text.count("\n") + 1)


def metric_plot(pose: PoseSequence, assessment: dict[str, Any], path: Path) -> Path | None:
    """The channels the assessment measured, over time, each with its elite band shaded
    and the keyframes where it was measured marked."""
    rows: dict[str, dict[str, Any]] = {}
    for occ in assessment.get("occurrences", []):
        for m in occ.get("metrics", []):
            rows.setdefault(m["id"], m)
    if not rows:
        return None
    series = compute_kinematics(pose)
    t = series.times
    templates = {m.id: m.channel for m in load_motion_spec(assessment["motion"]).metrics}
    shown = list(rows.values())[:4]
    fig, axes = plt.subplots(len(shown), 1, figsize=(7, 1.9 * len(shown)), dpi=90, sharex=True)
    for ax, metric in zip(np.atleast_1d(axes), shown, strict=False):
        channel = _channel(metric, templates, series.channels, series.primary_side)
        if channel is None:
            continue
        ax.plot(t, series.channels[channel], color="black", linewidth=1.2)
        low, high = metric["band"]
        values = series.channels[channel]
        finite = values[np.isfinite(values)]
        lo = low if low is not None else float(np.min(finite, initial=0.0))
        hi = high if high is not None else float(np.max(finite, initial=1.0))
        ax.axhspan(lo, hi, color="tab:green", alpha=0.2, label="elite band")
        for occ in assessment.get("occurrences", []):
            for m in occ.get("metrics", []):
                if m["id"] == metric["id"]:
                    ax.axvline(t[m["frame"]], color="tab:orange", linestyle="--", linewidth=1)
        unit = "°" if metric.get("unit") == "deg" else metric.get("unit", "")
        ax.set_ylabel(f"{channel.replace('_', ' ')} ({unit})", fontsize=8)
        ax.set_title(metric["label"], fontsize=9)
    np.atleast_1d(axes)[-1].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _channel(
    metric: dict[str, Any], templates: dict[str, str], channels: dict[str, Any], primary: str
) -> str | None:
    """The channel a metric row was read from: the spec's (``templates``: metric id ->
    channel with ``{side}``), its side from the keyframe."""
    keyframe = str(metric.get("keyframe", ""))
    side = next((s for s in ("left", "right") if keyframe.startswith(s + "_")), primary)
    template = templates.get(metric["id"])
    name = template.replace("{side}", side) if template else None
    return name if name in channels else None
