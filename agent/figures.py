"""What a coach would rather see than read: the athlete at each keyframe, and the
assessed joint angles over time with the elite bands shaded and keyframes marked."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ..kb.history import StoredAnalysis, date_form, key_metric
from ..tools.body_view import (
    FlatPose,
    facing_sign,
    hip_centre,
    image_joints,
    mirrored,
    placed,
    side_view,
    trunk_length,
)
from ..tools.errors import SportsGPTError
from ..tools.kinematics import compute_kinematics
from ..tools.kismam import load_motion_spec
from ..tools.kismam.models import band_words
from ..tools.motiondtw.library import load_motion_references
from ..tools.pose_sequence import PoseSequence
from ..tools.readers import VIDEO_SUFFIXES, read_motion
from ..tools.skeleton import BONES, mirror_name
from .tools import ToolContext, stored_analyses
from .workspace import Workspace

log = logging.getLogger(__name__)


def analysis_figures(ctx: ToolContext, out_dir: Path) -> tuple[list[Path], Path | None]:
    """The keyframe pictures and the angle plot of the session's latest analysis."""
    analyses = stored_analyses(ctx)
    if not analyses:
        return [], None
    last = analyses[-1]
    pose = read_motion(ctx.workspace.resolve(last["pose_file"]))
    folder = out_dir / last["id"]
    video = source_video(ctx.workspace, pose.source)
    images = keyframe_figures(pose, last["assessment"], folder, video)
    return images, metric_plot(pose, last["assessment"], folder / "angles.png")


def figure_caption(path: Path) -> str:
    """What a figure file shows, in words (gallery and report captions)."""
    stem = Path(path).stem
    if stem.startswith("keyframe_"):
        return stem.split("_", 2)[-1].replace("_", " ")
    if stem == "angles":
        return "measured angles over time, elite bands shaded, keyframes marked"
    return stem.replace("_", " ")


def source_video(workspace: Workspace, source: str) -> Path | None:
    """The video a pose came from, if this session may read it (a pose file names its
    own source, so the name is checked like any path from the client)."""
    if Path(source).suffix.lower() not in VIDEO_SUFFIXES:
        return None
    try:
        video = workspace.resolve(source)
    except SportsGPTError:
        return None
    return video if video.is_file() else None


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
        fig.suptitle(f"{name.replace('_', ' ')}  (frame {frame}, {when}{of})", fontsize=10)
        _caption(fig, [m for m in occ.get("metrics", []) if m.get("keyframe") == name])
        path = out_dir / f"keyframe_{frame:05d}_{name}.png"
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


def _ref_name(occ: dict[str, Any]) -> str:
    refs = occ.get("references") or []
    return str(refs[0]).split("/")[-1].replace("_", " ") if refs else "reference"


def _elite_poses(motion: str, occ: dict[str, Any]) -> dict[str, FlatPose]:
    """The reference's pose at each of the athlete's keyframes (left and right swapped
    for a mirrored match, so the athlete's leading leg meets the elite's)."""
    try:
        refs = load_motion_references(motion)
    except SportsGPTError:
        return {}
    wanted = str((occ.get("references") or [refs[0].name])[0]).split("/")[-1]
    ref = next((r for r in refs if r.name == wanted), refs[0])
    is_mirrored = bool(occ.get("mirrored"))
    poses = {}
    for name in occ["keyframes"]:
        pose = ref.key_poses.get(mirror_name(name) if is_mirrored else name)
        if pose:
            poses[name] = mirrored(pose) if is_mirrored else pose
    return poses


def _video_frames(video: Path, times: list[float]) -> list[Any] | None:
    """The video's frames at the keyframes; None (stick figures) when it cannot be read."""
    from ..tools.pose.video import frames_at

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
        degrees = m.get("unit") == "deg"
        unit = "°" if degrees else f" {m.get('unit', '')}".rstrip()

        def num(value: float, degrees: bool = degrees) -> str:
            return f"{value:.0f}" if degrees else f"{value:.2f}"

        low, high = m["band"]
        band = band_words(low, high, num)
        outside = m.get("insufficient", 0) > 0 or m.get("excessive", 0) > 0
        label = m["label"].split(" (")[0]  # the label's explanation is in the report
        text = textwrap.fill(f"{label}: {num(m['measured'])}{unit} (elite {band}{unit})", 70)
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
        ax.set_ylabel(channel.replace("_", " "), fontsize=8)
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


MAX_HISTORY_METRICS = 6  # panels of key metrics in one history plot


def history_plot(rows: list[StoredAnalysis], out: Path) -> Path:
    """An athlete's history (``sportsgpt history --plot``, the app's History tab): the
    technique score per motion, then each metric that was ever a problem's key metric,
    as measured in every analysis (the median over its occurrences, as the coach reports
    it) against its elite band. One step per analysis, oldest first, labelled by date (and
    time when two share a day): a season reads evenly, and a day's clips stay apart."""
    form = date_form(rows, between="\n")
    steps = list(range(len(rows)))
    keys = list(dict.fromkeys((r.motion, m["metric"]) for r in rows for p in r.problems
                              if (m := key_metric(p))))[:MAX_HISTORY_METRICS]  # fmt: skip
    fig, axes = plt.subplots(1 + len(keys), 1, figsize=(8, 2.6 * (1 + len(keys))),
                             squeeze=False, sharex=True)  # fmt: skip
    ax = axes[0][0]
    for motion in sorted({r.motion for r in rows}):
        mine = [(i, r) for i, r in zip(steps, rows, strict=True) if r.motion == motion]
        ax.plot([i for i, _ in mine], [r.score for _, r in mine], "o-", label=motion)
    ax.set_ylabel("score /100")
    ax.set_ylim(0, 105)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Technique score, one point per analysis")
    for ax_row, (motion, metric_id) in zip(axes[1:], keys, strict=True):
        ax = ax_row[0]
        points = [(i, v) for i, r in zip(steps, rows, strict=True)
                  if r.motion == motion and (v := r.metric(metric_id))]  # fmt: skip
        values = [m.median for _, m in points]
        ax.plot([i for i, _ in points], values, "o-", color="black", label="measured")
        last = points[-1][1]
        low, high = last.band
        if low is not None or high is not None:  # an open band is drawn past the values
            bottom = low if low is not None else min(high or 0.0, *values) - 10
            top = high if high is not None else max(low or 0.0, *values) + 10
            ax.axhspan(bottom, top, color="tab:green", alpha=0.2,
                       label=f"elite {band_words(low, high)}")  # fmt: skip
        ax.set_title(textwrap.shorten(f"{last.label} ({motion.replace('_', ' ')})", 90),
                     fontsize=9)  # fmt: skip
        ax.set_ylabel(last.unit)
        ax.legend(loc="best", fontsize=8)
    bottom_ax = axes[-1][0]
    bottom_ax.set_xticks(steps, [f"{r.created_at:{form}}" for r in rows], fontsize=7,
                         rotation=45 if len(rows) > 6 else 0)  # fmt: skip
    bottom_ax.set_xlim(-0.5, len(rows) - 0.5)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
