"""Lossless save/load of PoseSequence as JSON or compressed NPZ (schema: docs/formats.md)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from .data_files import first_error_line
from .errors import InvalidPoseError, MotionInputError
from .pose_sequence import PoseSequence

FORMAT_NAME = "sportsgpt.pose"
FORMAT_VERSION = 1
_META_FIELDS = ("joints", "fps", "units", "skeleton", "source", "view", "image_size")


def _nan_to_none(values: Any) -> Any:
    """Nested lists with NaN as None (JSON has no NaN); floats keep full precision."""
    if isinstance(values, list):
        return [_nan_to_none(v) for v in values]
    if isinstance(values, float) and math.isnan(values):
        return None
    return values


def _none_to_nan(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(np.float64)
    return np.array(values, dtype=object).astype(np.float64)  # None -> nan


def _metadata(seq: PoseSequence) -> dict[str, Any]:
    """The scalar fields of a sequence, JSON-ready."""
    meta: dict[str, Any] = {}
    for key in _META_FIELDS:
        value = getattr(seq, key)
        meta[key] = list(value) if isinstance(value, tuple) else value
    return meta


def pose_to_dict(seq: PoseSequence) -> dict[str, Any]:
    """The JSON document for a sequence."""
    doc: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **_metadata(seq)}
    doc["frames"] = seq.n_frames
    doc["dims"] = seq.dims
    doc["times"] = None if seq.times is None else seq.times.tolist()
    doc["person_id"] = None if seq.person_id is None else seq.person_id.tolist()
    doc["positions"] = _nan_to_none(seq.positions.tolist())
    doc["confidence"] = seq.confidence.tolist()
    if seq.extra_points:
        doc["extra_points"] = {k: _nan_to_none(v.tolist()) for k, v in seq.extra_points.items()}
    return doc


def pose_from_dict(doc: dict[str, Any], source: str | Path) -> PoseSequence:
    """Rebuild a sequence from its JSON document, with errors naming the file."""
    if doc.get("format") != FORMAT_NAME:
        raise MotionInputError(source, f"not a {FORMAT_NAME} document")
    if doc.get("version") != FORMAT_VERSION:
        raise MotionInputError(source, f"unsupported {FORMAT_NAME} version {doc.get('version')}")
    try:
        positions = _none_to_nan(doc["positions"])
        if positions.ndim != 3:
            positions = positions.reshape(int(doc["frames"]), len(doc["joints"]), int(doc["dims"]))
        return PoseSequence(
            joints=doc["joints"],
            positions=positions,
            confidence=np.array(doc["confidence"], dtype=np.float64),
            fps=doc["fps"],
            units=doc["units"],
            skeleton=doc["skeleton"],
            source=doc["source"],
            view=doc.get("view"),
            image_size=doc.get("image_size"),
            times=doc.get("times"),
            person_id=doc.get("person_id"),
            extra_points={k: _none_to_nan(v) for k, v in (doc.get("extra_points") or {}).items()},
        )
    except KeyError as exc:
        raise MotionInputError(source, f"missing field {exc.args[0]!r}") from None
    except (InvalidPoseError, ValidationError, ValueError, TypeError) as exc:
        raise MotionInputError(source, first_error_line(exc)) from None


def save_json(seq: PoseSequence, path: Path) -> None:
    path.write_text(json.dumps(pose_to_dict(seq), allow_nan=False), encoding="utf-8")


def save_npz(seq: PoseSequence, path: Path) -> None:
    meta = _metadata(seq)
    arrays: dict[str, np.ndarray] = {
        "positions": seq.positions,
        "confidence": seq.confidence,
        "meta": np.array(json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION, **meta})),
    }
    if seq.times is not None:
        arrays["times"] = seq.times
    if seq.person_id is not None:
        arrays["person_id"] = seq.person_id
    for name, values in seq.extra_points.items():
        arrays[f"extra:{name}"] = values
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]


def load_npz(path: Path) -> PoseSequence:
    from .readers.limits import NPZ_READ_ERRORS, check_npz

    check_npz(path)  # sizes and shapes from the archive's headers, before decompressing
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {k: data[k] for k in data.files if k != "meta"}
    except (*NPZ_READ_ERRORS, KeyError) as exc:
        raise MotionInputError(path, f"not a readable {FORMAT_NAME} NPZ file "
                               f"({type(exc).__name__})") from None  # fmt: skip
    doc = {
        **meta,
        "positions": arrays.get("positions"),
        "confidence": arrays.get("confidence"),
        "times": arrays.get("times"),
        "person_id": arrays.get("person_id"),
        "extra_points": {k[6:]: v for k, v in arrays.items() if k.startswith("extra:")},
    }
    if doc["positions"] is None or doc["confidence"] is None:
        raise MotionInputError(path, "NPZ lacks the positions/confidence arrays")
    doc["frames"], doc["dims"] = doc["positions"].shape[0], doc["positions"].shape[2]
    return pose_from_dict(doc, path)
