"""SportsRAG's knowledge base: training documents in PostgreSQL + pgvector, hybrid search.

``KnowledgeBase`` is the one entry point: it connects (starting the embedded server if
needed), migrates, ingests the bundled corpus on first use of the embedded server, and
searches. See docs/kb.md.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from ..tools.errors import EmptyKnowledgeBaseError, SharedDataNotFoundError
from .corpus import load_coaching_corpus, load_exercises
from .database import connect
from .embedding import Embedder, get_embedder
from .models import Dose, KBDocument, SearchFilters, SearchResult, Source
from .search import Mode, search
from .settings import KBSettings
from .store import (
    IngestReport,
    KBStats,
    get_document,
    get_meta,
    ingest,
    ingest_lock,
    migrate,
    reset,
    set_meta,
    stats,
)

__all__ = [
    "Dose",
    "IngestReport",
    "KBDocument",
    "KBSettings",
    "KBStats",
    "KnowledgeBase",
    "SearchFilters",
    "SearchResult",
    "Source",
]

log = logging.getLogger(__name__)


def corpus_fingerprint(docs: list[KBDocument]) -> str:
    return hashlib.sha256("".join(sorted(d.content_hash for d in docs)).encode()).hexdigest()


class KnowledgeBase:
    def __init__(self, settings: KBSettings | None = None, embedder: Embedder | None = None):
        self.settings = settings or KBSettings.from_settings()
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            s = self.settings
            key = s.embedder_api_key.get_secret_value() if s.embedder_api_key else None
            self._embedder = get_embedder(s.embedder, s.embedder_base_url, key)
        return self._embedder

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        with connect(self.settings) as conn:
            yield conn

    def ingest(
        self, exercises: bool = True, shared: str | Path | None = None, progress: bool = True
    ) -> list[IngestReport]:
        """Bring the database to the bundled corpus (and the shared exercise database,
        when it is there: if not, say so and leave stored exercises as they are)."""
        corpus = load_coaching_corpus()
        with self.connection() as conn, ingest_lock(conn):
            reports = [ingest(conn, corpus, self.embedder, "coaching", progress=progress)]
            set_meta(conn, "corpus", corpus_fingerprint(corpus))
            if exercises:
                try:
                    items = load_exercises(shared)
                except SharedDataNotFoundError as exc:
                    log.warning("exercises not ingested: %s", exc)
                else:
                    reports.append(
                        ingest(conn, items, self.embedder, "exercises", progress=progress)
                    )
        return reports

    def ensure_ready(self, conn: psycopg.Connection) -> None:
        """The embedded server fills (or updates) itself from the bundled corpus; another
        server must have been filled with `sportsgpt kb ingest`."""
        migrate(conn)
        current = get_meta(conn, "corpus")
        if self.settings.database_url:
            if current is None:
                raise EmptyKnowledgeBaseError(
                    "the database at DATABASE_URL holds no knowledge base: "
                    "run `sportsgpt kb ingest`"
                )
            return
        corpus = load_coaching_corpus()
        fingerprint = corpus_fingerprint(corpus)

        def current_already() -> bool:
            return (get_meta(conn, "corpus") == fingerprint
                    and get_meta(conn, "embedder") == self.embedder.identity)  # fmt: skip

        if current_already():
            return
        with ingest_lock(conn):  # a concurrent first use waits here, then finds it done
            if current_already():
                return
            log.info("preparing the knowledge base (first use or an updated corpus)")
            ingest(conn, corpus, self.embedder, "coaching")
            try:
                ingest(conn, load_exercises(), self.embedder, "exercises")
            except SharedDataNotFoundError as exc:
                log.warning("exercises not ingested: %s", exc)
            set_meta(conn, "corpus", fingerprint)  # last: an interrupted fill resumes

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 5,
        mode: Mode = "hybrid",
    ) -> list[SearchResult]:
        with self.connection() as conn:
            self.ensure_ready(conn)
            return search(conn, self.embedder, query, filters, limit, mode, self.settings)

    def stats(self) -> KBStats:
        with self.connection() as conn:
            return stats(conn)

    def reset(self) -> None:
        with self.connection() as conn:
            reset(conn)

    def get(self, doc_id: str) -> dict[str, Any] | None:
        with self.connection() as conn:
            return get_document(conn, doc_id)
