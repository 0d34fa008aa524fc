"""The downloadable HTML report: rendered, escaped, self-contained."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sportsgpt.agent.report import report_html


def test_report_renders_markdown_escapes_html_and_embeds_figures(tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    picture = tmp_path / "keyframe_00044_take_off.png"
    fig.savefig(picture)
    plt.close(fig)
    answer = (
        "## Problems\n- **Weak arm swing** <script>alert(1)</script>\n\n1. A-skip [kb:drill.a_skip]"
    )
    page = report_html(answer, "SportsGPT report", [picture])
    assert page.startswith("<!doctype html>") and "</html>" in page
    assert "<h2>Problems</h2>" in page and "<strong>Weak arm swing</strong>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "data:image/png;base64," in page and "<figcaption>take off</figcaption>" in page
    assert "Keyframes and angles" not in report_html("plain answer")
