"""What goes into the knowledge base: our coaching corpus (kb/corpus/*.json, validated)
and the exercise database from the shared data folder (Unlicense, not committed)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..tools.data_files import load_json_model
from ..tools.errors import SharedDataNotFoundError
from ..tools.shared_data import shared_dir
from .models import KBDocument, Source

EXERCISE_DB = "data/exercises/exercises.json"
EXERCISE_SOURCE = Source(
    citation="free-exercise-db (yuhonas), Unlicense",
    url="https://github.com/yuhonas/free-exercise-db",
)


class CorpusFile(BaseModel):
    format: str = "sportsgpt.kb_corpus"
    version: int = 1
    documents: list[KBDocument]


def corpus_files() -> list[Path]:
    folder = resources.files(__package__).joinpath("corpus")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".json"))


def load_coaching_corpus() -> list[KBDocument]:
    """Every document of kb/corpus/*.json; ids unique and cross-references resolved."""
    docs: list[KBDocument] = []
    for path in corpus_files():
        docs += load_json_model(path, CorpusFile, "knowledge-base corpus").documents
    ids = [d.id for d in docs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate corpus ids: {dupes}")
    known = set(ids)
    for doc in docs:
        missing = [r for r in doc.related if r not in known]
        if missing:
            raise ValueError(f"{doc.id} refers to unknown documents {missing}")
    return docs


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def exercise_document(item: dict[str, Any]) -> KBDocument:
    """One free-exercise-db entry as a document (it has no doses: none is invented)."""
    name = str(item["name"])
    primary = ", ".join(item.get("primaryMuscles") or []) or "several muscles"
    secondary = ", ".join(item.get("secondaryMuscles") or [])
    equipment = item.get("equipment")
    kit = [] if equipment in (None, "body only") else [str(equipment)]
    details = ", ".join(str(x) for x in (item.get("mechanic"), item.get("force")) if x)
    steps = " ".join(str(s).strip() for s in item.get("instructions") or [])
    body = (
        f"{name}: a {item.get('category', 'training')} exercise"
        + (f" ({details})" if details else "")
        + f" for the {primary}"
        + (f", also working the {secondary}" if secondary else "")
        + f". Equipment: {equipment or 'none'}. Level: {item.get('level', 'any')}. "
        + (f"How to: {steps}" if steps else "")
    )
    level = item.get("level")
    return KBDocument(
        id=f"exercise.{_slug(str(item['id']))}",
        collection="exercises",
        kind="exercise",
        title=name,
        body=body if len(body) >= 40 else body + " (no instructions in the source)",
        equipment=kit,
        level=level if level in ("beginner", "intermediate", "advanced") else None,
        sources=[EXERCISE_SOURCE],
        licence="Unlicense",
    )


def load_exercises(shared: str | Path | None = None) -> list[KBDocument]:
    """The exercise database's documents; a clear error when the shared data is absent."""
    path = shared_dir(shared) / EXERCISE_DB
    if not path.is_file():
        raise SharedDataNotFoundError(f"the exercise database is not at {path}")
    items = json.loads(path.read_text(encoding="utf-8"))
    docs: dict[str, KBDocument] = {}
    for item in items:
        doc = exercise_document(item)
        docs.setdefault(doc.id, doc)  # ids that differ only in punctuation: keep the first
    return list(docs.values())
