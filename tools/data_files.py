"""Validated JSON data files (references, assessment specs): one loader, one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Final, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import MotionInputError

SNAKE_CASE: Final = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
"""Motion, keyframe, metric and problem ids: ``max_velocity``, ``left_toe_off``."""

Model = TypeVar("Model", bound=BaseModel)


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
