"""Validated JSON data files (references, assessment specs): one loader, one-line errors."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Final, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import MotionInputError

SNAKE_CASE: Final = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
"""Motion, keyframe, metric and problem ids: ``max_velocity``, ``left_toe_off``."""

Model = TypeVar("Model", bound=BaseModel)


def write_atomically(path: Path, text: str) -> Path:
    """``text`` into ``path`` all or nothing: a temporary file beside it, flushed to disk,
    then renamed over it, so a crash or a full disk never leaves half a file (on an error
    the temporary file is removed and the old ``path``, if any, is untouched)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def first_error_line(exc: Exception) -> str:
    """First meaningful line of a (pydantic) error message."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", exc))
        return f"{where}: {msg}" if where else msg
    return str(exc).splitlines()[0]


def load_json_model(path: str | Path, model: type[Model], what: str) -> Model:
    """``path`` parsed and validated as ``model``; a missing, non-JSON or invalid file is
    a one-line MotionInputError naming ``what`` it should have been."""
    path = Path(path)
    if not path.is_file():
        raise MotionInputError(path, f"{what} not found")
    try:
        return model.model_validate(json.loads(path.read_text()))
    except json.JSONDecodeError as exc:
        raise MotionInputError(path, f"not JSON ({exc.msg} at line {exc.lineno})") from None
    except ValidationError as exc:
        raise MotionInputError(path, f"invalid {what}: {first_error_line(exc)}") from None
