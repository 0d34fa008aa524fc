"""Drawing primitives shared by every picture and video: the skeleton in side colours,
text blocks with real typography (°, ≥, –: OpenCV's fonts have none of them), and the
colours a verdict is shown in.

The athlete's left side is drawn blue, the right side orange, the midline white; other
people the tracker saw are thin grey, so a wrong pick is obvious at a glance.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import matplotlib
import numpy as np
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from ..pose_sequence import FloatArray
from ..skeleton import BONES

Colour = tuple[int, int, int]  # BGR, as OpenCV draws
Image = np.ndarray

LEFT_BGR: Colour = (235, 140, 40)
RIGHT_BGR: Colour = (30, 140, 255)
MID_BGR: Colour = (240, 240, 240)
OTHER_BGR: Colour = (150, 150, 150)
ELITE_BGR: Colour = (120, 200, 120)
INSIDE_BGR: Colour = (90, 200, 90)  # a value inside its elite band
OUTSIDE_BGR: Colour = (70, 70, 235)  # outside it
TEXT_BGR: Colour = (245, 245, 245)
MUTED_BGR: Colour = (170, 170, 170)
PANEL_BGR: Colour = (38, 38, 38)  # the neutral background of a stick figure
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
"""A font with every glyph the words use, shipped with matplotlib (offline)."""


def _bone_colour(a: str, b: str) -> Colour:
    if a.startswith("left_") and b.startswith("left_"):
        return LEFT_BGR
    if a.startswith("right_") and b.startswith("right_"):
        return RIGHT_BGR
    return MID_BGR


def _joint_colour(name: str) -> Colour:
    if name.startswith("left_"):
        return LEFT_BGR
    return RIGHT_BGR if name.startswith("right_") else MID_BGR


def draw_skeleton(
    image: Image,
    joints: tuple[str, ...],
    keypoints: FloatArray,
    scores: FloatArray,
    *,
    min_confidence: float = 0.3,
    colour: Colour | None = None,
    scale: float = 1.0,
) -> Image:
    """Draw bones and joints in place (``colour`` overrides the side colours)."""
    index = {name: i for i, name in enumerate(joints)}
    thick = max(1, round(3 * scale))
    ok = np.isfinite(keypoints).all(axis=1) & (scores >= min_confidence)
    for a, b in BONES:
        if a in index and b in index and ok[index[a]] and ok[index[b]]:
            pa = tuple(int(v) for v in np.round(keypoints[index[a]]))
            pb = tuple(int(v) for v in np.round(keypoints[index[b]]))
            cv2.line(image, pa, pb, colour or _bone_colour(a, b), thick, cv2.LINE_AA)
    for i, name in enumerate(joints):
        if ok[i]:
            p = tuple(int(v) for v in np.round(keypoints[i]))
            cv2.circle(image, p, thick + 2, colour or _joint_colour(name), -1, cv2.LINE_AA)
    return image


def draw_figure(image: Image, points: dict[str, FloatArray], *, scale: float = 1.0,
                colour: Colour | None = None) -> Image:  # fmt: skip
    """A stick figure from named pixel points (an elite pose placed in the picture)."""
    names = tuple(points)
    if not names:
        return image
    keypoints = np.array([points[n] for n in names], dtype=float)
    return draw_skeleton(image, names, keypoints, np.ones(len(names)), colour=colour,
                         scale=scale)  # fmt: skip


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


Line = tuple[str, Colour]


def text_block(image: Image, lines: list[Line], xy: tuple[int, int], size: int, *,
               anchor: str = "left", background: float = 0.6,
               max_width: int | None = None) -> tuple[int, int]:  # fmt: skip
    """Lines of text in a dark, see-through box at ``xy`` (its top-left corner, its
    top-centre with ``anchor="centre"``, or its top-right with ``anchor="right"``), drawn
    in place; returns the box's size. A line
    too wide for ``max_width`` pixels is shortened with an ellipsis."""
    lines = [(t, c) for t, c in lines if t]
    if not lines:
        return 0, 0
    face = font(size)
    pad, gap = max(4, size // 3), max(2, size // 4)
    limit = (max_width or image.shape[1]) - 2 * pad
    fitted = [(_fit(text, face, limit), colour) for text, colour in lines]
    widths = [int(face.getlength(text)) for text, _ in fitted]
    line_h = size + gap
    w, h = max(widths) + 2 * pad, line_h * len(fitted) + 2 * pad - gap
    x, y = xy
    if anchor == "centre":
        x -= w // 2
    elif anchor == "right":
        x -= w
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(image.shape[1], x0 + w), min(image.shape[0], y0 + h)
    if x1 <= x0 or y1 <= y0:
        return 0, 0
    region = image[y0:y1, x0:x1]
    dark = (region * (1.0 - background)).astype(np.uint8)
    canvas = PILImage.fromarray(np.ascontiguousarray(dark[..., ::-1]))
    draw = ImageDraw.Draw(canvas)
    for i, (text, colour) in enumerate(fitted):
        draw.text((pad, pad + i * line_h), text, font=face, fill=colour[::-1])
    image[y0:y1, x0:x1] = np.asarray(canvas)[..., ::-1]
    return w, h


def _fit(text: str, face: ImageFont.FreeTypeFont, width: int) -> str:
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def even(n: float) -> int:
    """The nearest even pixel count (H.264 in 4:2:0 needs even sizes)."""
    return max(2, round(n / 2.0) * 2)
