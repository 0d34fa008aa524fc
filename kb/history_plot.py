"""An athlete's history as a picture: the technique score and each problem's key metric
over their analyses, against the elite band."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ..tools.kismam.wording import band_words
from .history import StoredAnalysis, date_form, key_metric

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
        scored = [(i, r.score) for i, r in mine if r.score is not None]  # unscored: no point
        ax.plot([i for i, _ in scored], [s for _, s in scored], "o-", label=motion)
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
                       label=f"elite {band_words(low, high, last.unit)}")  # fmt: skip
        ax.set_title(textwrap.shorten(f"{last.label} ({motion.replace('_', ' ')})", 90),
                     fontsize=9)  # fmt: skip
        ax.set_ylabel("°" if last.unit == "deg" else last.unit)
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
