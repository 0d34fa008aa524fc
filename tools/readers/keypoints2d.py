"""Per-frame 2D keypoint files: COCO keypoints JSON and OpenPose per-frame JSON.

Both may hold several people per frame. Without a chosen person we keep, per frame,
the person with the largest keypoint bounding box (the athlete is usually the largest
figure); ``person`` picks a track id (COCO ``track_id``, OpenPose ``person_id``) instead.
Undetected keypoints (visibility 0, or confidence 0 at 0,0) become NaN.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, field_validator

from ..data_files import SNAKE_CASE, load_json_model
from ..errors import MotionInputError
from ..pose_sequence import PoseSequence
from ..skeleton import (
    COCO_17,
    HALPE_26,
    JOINT_INDEX,
    OPENPOSE_BODY_25,
    OPENPOSE_COCO_18,
    canonical_from_name,
    order_joints,
)

log = logging.getLogger(__name__)

_BY_COUNT_COCO = {17: ("coco17", COCO_17), 26: ("halpe26", HALPE_26)}
_BY_COUNT_OPENPOSE = {
    25: ("openpose_body25", OPENPOSE_BODY_25),
    18: ("openpose_coco18", OPENPOSE_COCO_18),
}


def _people_to_sequence(
    frames: list[list[tuple[int, np.ndarray]]],
    mapping: tuple[str | None, ...],
    *,
    skeleton: str,
    fps: float,
    person: int | None,
    source: Path,
    image_size: tuple[int, int] | None,
    extras: dict[str, int] | None = None,
) -> PoseSequence:
    """frames[t] = [(person id, (K, 3) x/y/confidence)], one sequence of the chosen person;
    ``extras``: name -> slot of points kept beside the joints (a skier's skis)."""
    extras = extras or {}
    names = order_joints([n for n in mapping if n is not None])
    slots = [mapping.index(n) for n in names]
    t = len(frames)
    pos = np.full((t, len(names), 2), np.nan)
    conf = np.zeros((t, len(names)))
    pid = np.full(t, -1, dtype=np.int64)
    extra_pos = {name: np.full((t, 2), np.nan) for name in extras}
    for i, people in enumerate(frames):
        chosen: tuple[int, np.ndarray] | None = None
        if person is not None:
            chosen = next((p for p in people if p[0] == person), None)
        elif people:
            chosen = max(people, key=lambda p: _bbox_area(p[1]))
        if chosen is None:
            continue
        kp = chosen[1][slots]
        ok = (kp[:, 2] > 0) & np.isfinite(kp[:, :2]).all(axis=1)
        pos[i, ok] = kp[ok, :2]
        conf[i, ok] = np.clip(kp[ok, 2], 0.0, 1.0)
        pid[i] = chosen[0]
        for name, slot in extras.items():
            x, y, c = chosen[1][slot]
            if c > 0 and np.isfinite([x, y]).all():
                extra_pos[name][i] = (x, y)
    if np.isnan(pos).all():
        who = f"person {person}" if person is not None else "any person"
        raise MotionInputError(source, f"no keypoints of {who} in any frame")
    return PoseSequence(
        joints=tuple(names),
        positions=pos,
        confidence=conf,
        fps=fps,
        units="px",
        skeleton=skeleton,
        source=str(source),
        person_id=pid,
        image_size=image_size,
        extra_points=extra_pos,
    )


def _bbox_area(kp: np.ndarray) -> float:
    ok = kp[:, 2] > 0
    if ok.sum() < 2:
        return 0.0
    span = kp[ok, :2].max(axis=0) - kp[ok, :2].min(axis=0)
    return float(span[0] * span[1])


def _keypoints(flat: Any, source: Path, where: str) -> np.ndarray:
    arr = np.asarray(flat, dtype=np.float64)
    if arr.ndim != 1 or arr.size % 3:
        raise MotionInputError(source, f"{where}: keypoints must be a flat x,y,c list")
    return arr.reshape(-1, 3)


# -- COCO -----------------------------------------------------------------------


def is_coco(doc: Any) -> bool:
    if isinstance(doc, dict):
        return "annotations" in doc and "images" in doc
    return (
        isinstance(doc, list)
        and bool(doc)
        and isinstance(doc[0], dict)
        and ("keypoints" in doc[0] and "image_id" in doc[0])
    )


class KeypointMap(BaseModel):
    """What the labels of a COCO category's keypoints mean (``keypoint_maps/*.json``)."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    source: str = Field(min_length=10)
    category: str | None = Field(default=None, description="the COCO category it is for")
    points: dict[str, str] = Field(description="label -> canonical joint")
    extra: dict[str, str] = Field(default_factory=dict, description="label -> other point")

    @field_validator("extra")
    @classmethod
    def _extra_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [n for n in value.values() if not SNAKE_CASE.match(n) or n in JOINT_INDEX]
        if bad:
            raise ValueError(f"extra points need snake_case names that are not joints: {bad}")
        return value

    def labels(self) -> set[str]:
        return set(self.points) | set(self.extra)


KEYPOINT_MAPS = Path(__file__).with_name("keypoint_maps")


def keypoint_maps() -> list[KeypointMap]:
    return [load_json_model(f, KeypointMap, "keypoint map")
            for f in sorted(KEYPOINT_MAPS.glob("*.json"))]  # fmt: skip


def keypoint_map(name_or_path: str | Path) -> KeypointMap:
    """A shipped map by name, or a map file."""
    path = Path(name_or_path)
    if path.suffix == ".json" or path.exists():
        return load_json_model(path, KeypointMap, "keypoint map")
    for m in keypoint_maps():
        if m.name == str(name_or_path):
            return m
    known = ", ".join(m.name for m in keypoint_maps())
    raise MotionInputError(str(name_or_path), f"unknown keypoint map (shipped: {known})")


def _mapping_from_names(
    names: list[str], category: str, given: str | Path | None, path: Path
) -> tuple[str, tuple[str | None, ...], dict[str, int]] | None:
    """(skeleton, slot -> canonical joint, extra point -> slot) from the category's own
    keypoint names, or a keypoint map (given, or shipped for exactly these labels); None:
    use the count."""
    chosen: KeypointMap | None = keypoint_map(given) if given else None
    if chosen is None:
        chosen = next((m for m in keypoint_maps() if m.labels() == set(names)
                       and m.category in (None, category)), None)  # fmt: skip
    if chosen is not None:
        unknown = [n for n in names if n not in chosen.labels()]
        if unknown:
            raise MotionInputError(path, f"keypoint map {chosen.name} does not name labels "
                                   f"{unknown[:6]}")  # fmt: skip
        extras = {chosen.extra[n]: i for i, n in enumerate(names) if n in chosen.extra}
        return f"coco:{chosen.name}", tuple(chosen.points.get(n) for n in names), extras
    by_name = [COCO_NAMES.get(n.lower(), canonical_from_name(n)) for n in names]
    if sum(m is not None for m in by_name) >= 6 and len(set(filter(None, by_name))) == len(
        [m for m in by_name if m]
    ):
        return "coco:named", tuple(by_name), {}
    if len(names) in _BY_COUNT_COCO:
        return None
    shown = ", ".join(names[:8])
    raise MotionInputError(path, f"{len(names)} keypoints labelled {shown}...: the labels are "
                           "not joint names; give a keypoint map (--keypoint-map FILE.json, "
                           "or a shipped one: "
                           f"{', '.join(m.name for m in keypoint_maps())})")  # fmt: skip


COCO_NAMES = {"nose": "nose", "left_eye": None, "right_eye": None, "left_ear": None,
              "right_ear": None}  # fmt: skip
"""COCO's standard keypoint names that are not ours (the rest already are)."""


def frame_numbers(images: list[dict[str, Any]]) -> list[int | None]:
    """The video frame of each image: ``frame_id``, else the number in its original name
    (``extra.name``, "00351.jpg") or file name."""
    out: list[int | None] = []
    for img in images:
        if isinstance(img.get("frame_id"), int):
            out.append(img["frame_id"])
            continue
        extra = img.get("extra")
        original = extra.get("name") if isinstance(extra, dict) else None
        name = str(original or img.get("file_name") or "")
        found = re.match(r"\D*(\d+)", Path(name).name)
        out.append(int(found.group(1)) if found else None)
    return out


def coco_from_document(
    doc: Any, path: Path, *, fps: float, person: int | None,
    keypoint_map_name: str | Path | None = None,
) -> PoseSequence:  # fmt: skip
    """COCO dataset (images + annotations) or results (list of annotations) JSON. The
    keypoints are read by the category's own names (``categories[].keypoints``), a
    keypoint map, or their count (17 COCO, 26 Halpe). Frames follow the video's frame
    numbers (from ``frame_id`` or the image names) where every image has one: a frame
    with no annotation is a gap (filled downstream, up to the filter's longest gap)."""
    anns = doc["annotations"] if isinstance(doc, dict) else doc
    images = doc.get("images", []) if isinstance(doc, dict) else []
    cats = [c for c in (doc.get("categories", []) if isinstance(doc, dict) else [])
            if isinstance(c, dict) and c.get("keypoints")]  # fmt: skip
    used = {a.get("category_id", 1) for a in anns if isinstance(a, dict)}
    cat = next((c for c in cats if c.get("id") in used), None)
    cat_id = cat.get("id", 1) if cat else 1
    order: list[Any]
    slot_of: dict[Any, int]
    first_frame = 0
    if images:
        numbers = frame_numbers(images)
        if all(n is not None for n in numbers) and len(set(numbers)) == len(numbers):
            first_frame = min(n for n in numbers if n is not None)
            slot_of = {img["id"]: n - first_frame for img, n in zip(images, numbers, strict=True)
                       if n is not None}  # fmt: skip
            n_slots = max(slot_of.values()) + 1
            if n_slots > 20 * len(images):
                raise MotionInputError(path, f"image frame numbers span {n_slots} frames "
                                       f"for {len(images)} images")  # fmt: skip
        else:

            def key(img: dict[str, Any]) -> tuple[Any, ...]:
                return (img.get("frame_id", img.get("id")), str(img.get("file_name", "")))

            order = [img["id"] for img in sorted(images, key=key)]
            slot_of = {img_id: i for i, img_id in enumerate(order)}
            n_slots = len(order)
        sizes = {(img.get("width"), img.get("height")) for img in images}
        size = sizes.pop() if len(sizes) == 1 else (None, None)
    else:
        order = sorted({a["image_id"] for a in anns})
        slot_of = {img_id: i for i, img_id in enumerate(order)}
        n_slots = len(order)
        size = (None, None)
    frames: list[list[tuple[int, np.ndarray]]] = [[] for _ in range(n_slots)]
    count = None
    for n, ann in enumerate(anns):
        if ann.get("category_id", 1) != cat_id or ann.get("image_id") not in slot_of:
            continue
        kp = _keypoints(ann.get("keypoints", []), path, f"annotation {n}")
        if count is None:
            count = kp.shape[0]
        elif kp.shape[0] != count:
            raise MotionInputError(path, "annotations have different keypoint counts")
        if not isinstance(doc, dict) or "score" in ann:
            kp[:, 2] = np.where(kp[:, 2] > 0, ann.get("score", 1.0), 0.0)
        else:
            kp[:, 2] = np.where(kp[:, 2] > 0, 1.0, 0.0)  # visibility flag -> confidence
        track = int(ann.get("track_id", ann.get("id", n)))
        frames[slot_of[ann["image_id"]]].append((track, kp))
    if count is None:
        raise MotionInputError(path, "COCO file has no person keypoint annotations")
    names = [str(k) for k in cat["keypoints"]] if cat else []
    found = None
    if names and len(names) == count:
        found = _mapping_from_names(names, str(cat.get("name", "")) if cat else "",
                                    keypoint_map_name, path)  # fmt: skip
    if found is None and count not in _BY_COUNT_COCO:
        raise MotionInputError(
            path, f"{count} keypoints per person: expected 17 (COCO) or 26 (Halpe), or "
            "keypoint names in categories[].keypoints, or a keypoint map (--keypoint-map)",
        )  # fmt: skip
    skeleton, mapping, extras = found if found is not None else (*_BY_COUNT_COCO[count], {})
    if first_frame:
        log.info("%s: frame 0 is video frame %d", path, first_frame)
    w, h = size
    return _people_to_sequence(
        frames,
        mapping,
        skeleton=skeleton,
        fps=fps,
        person=person,
        source=path,
        image_size=(int(w), int(h)) if w and h else None,
        extras=extras,
    )


# -- OpenPose -------------------------------------------------------------------


def is_openpose(doc: Any) -> bool:
    return isinstance(doc, dict) and "people" in doc


def _frame_number(path: Path) -> int:
    found = re.findall(r"\d+", path.stem)
    return int(found[-1]) if found else 0


def read_openpose(path: Path, *, fps: float, person: int | None) -> PoseSequence:
    """A folder of per-frame ``*_keypoints.json`` files, or one such file."""
    files = sorted(path.glob("*.json"), key=_frame_number) if path.is_dir() else [path]
    if not files:
        raise MotionInputError(path, "folder holds no OpenPose *.json frame files")
    frames: list[list[tuple[int, np.ndarray]]] = []
    count = None
    for f in files:
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise MotionInputError(f, f"not valid JSON ({exc.msg})") from None
        if not is_openpose(doc):
            raise MotionInputError(f, "not an OpenPose frame file (no 'people')")
        people = []
        for n, p in enumerate(doc["people"]):
            kp = _keypoints(p.get("pose_keypoints_2d", []), f, f"person {n}")
            if kp.size == 0:
                continue
            count = count or kp.shape[0]
            if kp.shape[0] != count:
                raise MotionInputError(f, "people have different keypoint counts")
            pid = p.get("person_id", [-1])
            pid = pid[0] if isinstance(pid, list) else pid
            people.append((int(pid) if pid != -1 else n, kp))
        frames.append(people)
    if count is None:
        raise MotionInputError(path, "no person in any OpenPose frame")
    if count not in _BY_COUNT_OPENPOSE:
        raise MotionInputError(path, f"{count} keypoints per person: expected 25 or 18")
    skeleton, mapping = _BY_COUNT_OPENPOSE[count]
    return _people_to_sequence(
        frames, mapping, skeleton=skeleton, fps=fps, person=person, source=path, image_size=None
    )
