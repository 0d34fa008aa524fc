"""What a coach would rather see than read: the athlete at each keyframe, and the
assessed joint angles over time with the elite bands shaded and keyframes marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ..tools.kinematics import compute_kinematics
from ..tools.pose_sequence import PoseSequence
from ..tools.skeleton import BONES


def keyframe_figures(pose: PoseSequence, keyframes: dict[str, int], out_dir: Path) -> list[Path]:
    """One stick figure per keyframe (image coordinates for 2D poses, side view for 3D)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    pos = pose.positions
    flip = -1.0 if pose.dims == 2 else 1.0  # image y grows downward
    for name, frame in sorted(keyframes.items(), key=lambda kv: kv[1]):
        fig, ax = plt.subplots(figsize=(3, 3.6), dpi=90)
        joints = {j: pos[frame, k] for k, j in enumerate(pose.joints)}
        for a, b in BONES:
            seen = a in joints and b in joints
            if seen and np.isfinite(joints[a]).all() and np.isfinite(joints[b]).all():
                side = "tab:red" if "right" in a or "right" in b else "tab:blue"
                ax.plot([joints[a][0], joints[b][0]], [flip * joints[a][1], flip * joints[b][1]],
                        color=side, linewidth=2.5)  # fmt: skip
        ax.set_title(f"{name.replace('_', ' ')} (frame {frame})", fontsize=9)
        ax.set_aspect("equal")
        ax.axis("off")
        path = out_dir / f"keyframe_{frame:05d}_{name}.png"
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


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
    shown = list(rows.values())[:4]
    fig, axes = plt.subplots(len(shown), 1, figsize=(7, 1.9 * len(shown)), dpi=90, sharex=True)
    for ax, metric in zip(np.atleast_1d(axes), shown, strict=False):
        channel = _channel(metric, series.channels, series.primary_side)
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


def _channel(metric: dict[str, Any], channels: dict[str, Any], primary: str) -> str | None:
    """The channel a metric row was read from: the spec's, its side from the keyframe."""
    from ..tools.kismam import load_motion_spec
    from ..tools.motiondtw.library import known_motions

    keyframe = str(metric.get("keyframe", ""))
    side = next((s for s in ("left", "right") if keyframe.startswith(s + "_")), primary)
    for motion in known_motions():
        for spec_metric in load_motion_spec(motion).metrics:
            if spec_metric.id == metric["id"]:
                name = spec_metric.channel.replace("{side}", side)
                return name if name in channels else None
    return None
