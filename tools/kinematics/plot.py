"""A PNG a coach can read: the main angles of the primary side over time."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from .series import KinematicSeries

_PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Hip / knee flexion (deg)", ("hip_flexion", "knee_flexion")),
    ("Ankle dorsiflexion (deg)", ("ankle_dorsiflexion",)),
    ("Thigh and shin to horizontal (deg)", ("thigh_angle", "shin_angle")),
    ("Trunk (deg)", ("trunk_lean", "trunk_lateral_lean")),
    ("Frontal knee / hip (deg)", ("knee_valgus", "hip_adduction")),
    ("Centre of mass height (leg lengths)", ("com_height",)),
)


def plot_kinematics(series: KinematicSeries, path: Path) -> Path:
    """Panels with the primary side solid and the other side dashed; empty panels dropped."""
    side = series.primary_side
    other = "left" if side == "right" else "right"
    panels = []
    for title, bases in _PANELS:
        lines = []
        for base in bases:
            for s, style in ((side, "-"), (other, "--")):
                name = f"{s}_{base}"
                if name in series.channels:
                    lines.append((name, style))
            if base in series.channels:
                lines.append((base, "-"))
        if lines:
            panels.append((title, lines))
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(9, 2.2 * len(panels) + 0.6), sharex=True, squeeze=False
    )
    for ax, (title, lines) in zip(axes[:, 0], panels, strict=True):
        for name, style in lines:
            ax.plot(series.times, series.channels[name], style, label=name, linewidth=1.4)
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper right", ncol=2)
    axes[-1, 0].set_xlabel("time (s)")
    fig.suptitle(
        f"{Path(series.source).name}  |  {series.view} view, primary side: {side}", fontsize=11
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
