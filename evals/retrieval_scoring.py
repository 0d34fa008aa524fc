"""Retrieval quality on the labelled set (evals/retrieval_labels.json): hit@5, MRR@10 and
nDCG@10 with binary relevance (a result is relevant when a coach would accept it)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ..tools.data_files import load_json_model

LABELS = Path(__file__).resolve().parent / "retrieval_labels.json"


class LabelledQuery(BaseModel):
    id: str
    kind: Literal["problem", "question"]
    query: str
    accepted: list[str] = Field(min_length=1)


class RetrievalLabels(BaseModel):
    format: Literal["sportsgpt.retrieval_labels"] = "sportsgpt.retrieval_labels"
    version: Literal[1] = 1
    note: str
    items: list[LabelledQuery]


def load_labels(path: Path = LABELS) -> RetrievalLabels:
    return load_json_model(path, RetrievalLabels, "retrieval labels")


class QueryScore(BaseModel):
    id: str
    hit_at_5: float
    reciprocal_rank: float
    ndcg_at_10: float


def score_ranking(item: LabelledQuery, ranked_ids: list[str]) -> QueryScore:
    relevant = set(item.accepted)
    top = ranked_ids[:10]
    first = next((i for i, doc in enumerate(top) if doc in relevant), None)
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(top) if doc in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return QueryScore(
        id=item.id,
        hit_at_5=1.0 if first is not None and first < 5 else 0.0,
        reciprocal_rank=0.0 if first is None else 1.0 / (first + 1),
        ndcg_at_10=dcg / ideal,
    )
