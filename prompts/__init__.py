"""Versioned prompt files (system, act, compose, and the eval judge) shipped as package data.

Each file starts with a front matter naming it and its version; the version travels into
traces so an answer can be tied to the prompt that produced it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from pydantic import BaseModel

_SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class Prompt(BaseModel):
    name: str
    version: int
    text: str

    def render(self, **values: str) -> str:
        """The template's ``{name}`` slots filled in one pass over the template alone: what
        is filled in (a user's message, a knowledge-base text) is never scanned again, so
        braces or slot names inside it stay as they are."""
        return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), self.text)


@cache
def load_prompt(name: str) -> Prompt:
    raw = resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    _, front, body = raw.split("---", 2)
    meta = dict(line.split(":", 1) for line in front.strip().splitlines())
    return Prompt(name=meta["name"].strip(), version=int(meta["version"]), text=body.strip())
