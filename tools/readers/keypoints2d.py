"""Per-frame 2D keypoint files: COCO keypoints JSON and OpenPose per-frame JSON.

Both may hold several people per frame. Without a chosen person we keep, per frame,
the person with the largest keypoint bounding box (the athlete is usually the largest
figure); ``person`` picks a track id (COCO ``track_id``, OpenPose ``person_id``) instead.
Undetected keypoints (visibility 0, or confidence 0 at 0,0) become NaN.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MotionInputError
from ..pose_sequence import PoseSequence
from ..skeleton import COCO_17, HALPE_26, OPENPOSE_BODY_25, OPENPOSE_COCO_18, order_joints

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
) -> PoseSequence:
    """frames[t] = [(person id, (K, 3) x/y/confidence)], one sequence of the chosen person."""
    names = order_joints([n for n in mapping if n is not None])
    slots = [mapping.index(n) for n in names]
    t = len(frames)
    pos = np.full((t, len(names), 2), np.nan)
    conf = np.zeros((t, len(names)))
    pid = np.full(t, -1, dtype=np.int64)
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


def coco_from_document(doc: Any, path: Path, *, fps: float, person: int | None) -> PoseSequence:
    """COCO dataset (images + annotations) or results (list of annotations) JSON."""
    anns = doc["annotations"] if isinstance(doc, dict) else doc
    images = doc.get("images", []) if isinstance(doc, dict) else []
    order: list[Any]
    if images:

        def key(img: dict[str, Any]) -> tuple[Any, ...]:
            return (img.get("frame_id", img.get("id")), str(img.get("file_name", "")))

        order = [img["id"] for img in sorted(images, key=key)]
        sizes = {(img.get("width"), img.get("height")) for img in images}
        size = sizes.pop() if len(sizes) == 1 else (None, None)
    else:
        order = sorted({a["image_id"] for a in anns})
        size = (None, None)
    index = {img_id: i for i, img_id in enumerate(order)}
    frames: list[list[tuple[int, np.ndarray]]] = [[] for _ in order]
    count = None
    for n, ann in enumerate(anns):
        if ann.get("category_id", 1) != 1 or ann.get("image_id") not in index:
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
        frames[index[ann["image_id"]]].append((track, kp))
    if count is None:
        raise MotionInputError(path, "COCO file has no person keypoint annotations")
    if count not in _BY_COUNT_COCO:
        raise MotionInputError(
            path, f"{count} keypoints per person: expected 17 (COCO) or 26 (Halpe)"
        )
    skeleton, mapping = _BY_COUNT_COCO[count]
    w, h = size
    return _people_to_sequence(
        frames,
        mapping,
        skeleton=skeleton,
        fps=fps,
        person=person,
        source=path,
        image_size=(int(w), int(h)) if w and h else None,
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
