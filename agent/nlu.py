"""Offline language understanding: which intent a message has, by its nearest labelled
examples in the shipped MiniLM embedding space, with a confidence.

The examples are data (``agent/intents.json``, at least 20 per intent, in athletes' own
words). An intent's score is the mean cosine similarity of the message to its three
nearest examples; the confidence is the best score. ``agent/understand.py`` adds the
slots' evidence and treats a message under the threshold as out of scope (or, when it is
about training, as a question for the knowledge base). The example vectors are cached in
the user cache folder, keyed by the file's content and the embedder.
"""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from ..kb.embedding import get_embedder
from ..settings import current_settings

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "intents.json"
ClassifiedIntent = Literal[
    "measurement", "why_flagged", "fix_first", "drill_details", "adapt", "compare",
    "question", "out_of_scope", "safety", "technique",
]  # fmt: skip
TOP_K = 3


class IntentExamples(BaseModel):
    about: str
    threshold: float = Field(gt=0, lt=1)
    intents: dict[ClassifiedIntent, list[str]]
    other_sports: list[str] = Field(
        default_factory=list, description="sports and strokes we have no reference for: "
        "asked about one (and none of ours), the coach says which motions it coaches",
    )  # fmt: skip
    judging: str = Field(
        default="", description="a regular expression for a short 'is that bad?' about "
        "the last measurement: answered with the elite band beside it",
    )  # fmt: skip

    def model_post_init(self, _context: object) -> None:
        short = [k for k, v in self.intents.items() if len(v) < 20]
        if short:
            raise ValueError(f"intents with fewer than 20 examples: {short}")


class IntentGuess(BaseModel):
    intent: ClassifiedIntent
    confidence: float = Field(description="mean similarity to its nearest examples")
    runner_up: ClassifiedIntent
    margin: float = Field(description="best minus second-best score")


@cache
def examples() -> IntentExamples:
    return IntentExamples.model_validate_json(DATA.read_text())


class IntentClassifier:
    """Nearest-examples classifier over ``intents.json``."""

    def __init__(self, data: IntentExamples | None = None) -> None:
        self.data = data or examples()
        self.labels: list[ClassifiedIntent] = []
        texts: list[str] = []
        for intent, phrases in self.data.intents.items():
            self.labels += [intent] * len(phrases)
            texts += phrases
        self.embedder = get_embedder("minilm")
        self.vectors = self._vectors(texts)

    def _vectors(self, texts: list[str]) -> np.ndarray:
        digest = hashlib.sha256(("\n".join(texts) + self.embedder.identity).encode()).hexdigest()
        path = current_settings().cache_dir / "intents" / f"{digest[:16]}.npy"
        if path.is_file():
            cached = np.load(path)
            if cached.shape == (len(texts), self.embedder.dims):
                return np.asarray(cached, dtype=np.float32)
        vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
        except OSError as exc:  # a read-only cache: embed again next time
            log.debug("intent vectors not cached (%s)", exc)
        return vectors

    def scores(self, text: str, exclude: int | None = None) -> dict[ClassifiedIntent, float]:
        query = np.asarray(self.embedder.embed([text]), dtype=np.float32)[0]
        sims = self.vectors @ query
        out: dict[ClassifiedIntent, float] = {}
        labels = np.array(self.labels)
        for intent in self.data.intents:
            mask = labels == intent
            if exclude is not None:
                mask[exclude] = False
            top = np.sort(sims[mask])[-TOP_K:]
            out[intent] = float(top.mean())
        return out

    def classify(self, text: str, exclude: int | None = None) -> IntentGuess:
        scores = self.scores(text, exclude)
        ranked = sorted(scores, key=lambda k: scores[k], reverse=True)
        best, second = ranked[0], ranked[1]
        margin = scores[best] - scores[second]
        return IntentGuess(intent=best, confidence=round(scores[best], 3), runner_up=second,
                           margin=round(margin, 3))  # fmt: skip


@cache
def classifier() -> IntentClassifier:
    """One per process (the examples are embedded once, then cached on disk)."""
    return IntentClassifier()
