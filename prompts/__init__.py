"""Versioned prompt files (system, act, compose, and the eval judge) shipped as package data.

Each file starts with a front matter naming it and its version; the version travels into
traces so an answer can be tied to the prompt that produced it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import BaseModel


class Prompt(BaseModel):
    name: str
    version: int
    text: str

    def render(self, **values: str) -> str:
        out = self.text
        for key, value in values.items():
            out = out.replace("{" + key + "}", value)
        return out


@cache
def load_prompt(name: str) -> Prompt:
    raw = resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    _, front, body = raw.split("---", 2)
    meta = dict(line.split(":", 1) for line in front.strip().splitlines())
    return Prompt(name=meta["name"].strip(), version=int(meta["version"]), text=body.strip())
