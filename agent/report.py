"""The downloadable report: one standalone HTML page a coach can keep or print."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

from .figures import figure_caption

REPORT_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#222}h1,h2,h3{line-height:1.2}figure{margin:1rem 0}"
    "img{max-width:100%}figcaption{font-size:.9em;color:#555}"
)


def report_html(answer: str, title: str = "SportsGPT report", figures: Sequence[Path] = ()) -> str:
    """The answer as one standalone HTML page (the downloadable report): its Markdown
    rendered with raw HTML escaped (the answer quotes user and KB text), and the keyframe
    pictures and angle plot embedded, so the file alone is the whole report."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(answer)
    shown = []
    for path in figures:
        data = base64.b64encode(Path(path).read_bytes()).decode()
        caption = html.escape(figure_caption(Path(path)))
        shown.append(f'<figure><img alt="{caption}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{caption}</figcaption></figure>")  # fmt: skip
    pictures = f"<h2>Keyframes and angles</h2>{''.join(shown)}" if shown else ""
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{REPORT_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}{pictures}</body></html>\n"
    )
