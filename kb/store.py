"""Schema migrations, the embedder column, idempotent ingestion, stats, reset, get.

Ingestion compares each document's content hash with the stored one: unchanged documents
are skipped, changed ones replaced (with their chunks and vectors), and documents of the
same collection that disappeared from the source are deleted. Each batch commits on its
own, so an interrupted ingest loses only its open batch, and the next run completes it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any

import numpy as np
import psycopg
from pydantic import BaseModel
from tqdm import tqdm

from ..tools.errors import EmbedderError, EmptyKnowledgeBaseError
from .embedding import Embedder
from .models import KBDocument

log = logging.getLogger(__name__)

MIGRATION_LOCK = 7_301_205  # pg_advisory_xact_lock key: one migrator at a time
INGEST_LOCK = 7_301_206  # pg_advisory_lock key: one ingest at a time
CHUNK_CHARS = 1200


@contextmanager
def ingest_lock(conn: psycopg.Connection) -> Iterator[None]:
    """Hold the ingest lock on this session (re-entrant): a second process filling the
    same database waits, then finds the work done, instead of inserting the same rows
    (a UniqueViolation). A session that dies releases it."""
    conn.execute("SELECT pg_advisory_lock(%s)", (INGEST_LOCK,))
    try:
        yield
    finally:
        if not conn.closed:
            conn.execute("SELECT pg_advisory_unlock(%s)", (INGEST_LOCK,))


def migrations() -> list[tuple[int, str]]:
    files = resources.files(__package__).joinpath("migrations")
    out = []
    for item in files.iterdir():
        if item.name.endswith(".sql"):
            out.append((int(item.name.split("_")[0]), item.read_text(encoding="utf-8")))
    return sorted(out)


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply the migrations not applied yet, in order; the versions applied now."""
    applied_now = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS kb_schema_migrations "
            "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r[0] for r in conn.execute("SELECT version FROM kb_schema_migrations")}
        for version, sql in migrations():
            if version in done:
                continue
            conn.execute(sql.encode())  # trusted files shipped with us
            conn.execute("INSERT INTO kb_schema_migrations (version) VALUES (%s)", (version,))
            applied_now.append(version)
            log.info("applied knowledge-base migration %04d", version)
    return applied_now


def get_meta(conn: psycopg.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM kb_meta WHERE key = %s", (key,)).fetchone()
    return str(row[0]) if row else None


def set_meta(conn: psycopg.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO kb_meta (key, value) VALUES (%s, %s) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        (key, value),
    )


def stored_embedder(conn: psycopg.Connection) -> str | None:
    return get_meta(conn, "embedder")


def prepare_vectors(conn: psycopg.Connection, embedder: Embedder) -> bool:
    """Make the embedding column match ``embedder``; True when existing vectors had to go
    (another model made them: they are re-embedded, never mixed)."""
    current = stored_embedder(conn)
    if current == embedder.identity:
        return False
    with conn.transaction():
        if current is not None:
            log.warning(
                "embedder changed (%s -> %s): re-embedding every chunk", current, embedder.identity
            )
        conn.execute("DROP INDEX IF EXISTS kb_chunks_embedding")
        conn.execute("ALTER TABLE kb_chunks DROP COLUMN IF EXISTS embedding")
        conn.execute(f"ALTER TABLE kb_chunks ADD COLUMN embedding vector({int(embedder.dims)})")
        set_meta(conn, "embedder", embedder.identity)
        if current is not None:  # every document must be embedded again
            conn.execute("UPDATE kb_documents SET content_hash = 'stale'")
    return current is not None


def create_vector_index(conn: psycopg.Connection) -> None:
    """HNSW (cosine) over the chunk vectors; built after bulk loads, kept up after. Fresh
    statistics too: without them the planner sorts every row instead of using indexes."""
    with conn.transaction():
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        conn.execute(
            "CREATE INDEX IF NOT EXISTS kb_chunks_embedding ON kb_chunks "
            "USING hnsw (embedding vector_cosine_ops)"
        )
    refresh_lexemes(conn)
    conn.execute("ANALYZE kb_documents")
    conn.execute("ANALYZE kb_chunks")


def refresh_lexemes(conn: psycopg.Connection) -> None:
    """Lexeme -> number of chunks holding it (kb_lexemes), and the chunk count."""
    with conn.transaction():
        conn.execute("DELETE FROM kb_lexemes")
        conn.execute(
            "INSERT INTO kb_lexemes (word, ndoc) "
            "SELECT word, ndoc FROM ts_stat('SELECT tsv FROM kb_chunks')"
        )
        conn.execute(
            "INSERT INTO kb_meta (key, value) SELECT 'chunks', count(*)::text FROM kb_chunks "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
        )


def check_embedder(conn: psycopg.Connection, embedder: Embedder) -> None:
    """Searching needs the vectors of this very embedder."""
    current = stored_embedder(conn)
    if current is None:
        raise EmptyKnowledgeBaseError(
            "the knowledge base is empty: run `sportsgpt kb ingest` first"
        )
    if current != embedder.identity:
        raise EmbedderError(
            f"the stored vectors come from {current}, not {embedder.identity}: run "
            "`sportsgpt kb ingest` to re-embed them"
        )


def chunks(doc: KBDocument) -> list[str]:
    """The document's search text in pieces of about CHUNK_CHARS, split at sentences;
    every piece starts with the title, so it stands on its own."""
    text = doc.search_text()
    if len(text) <= CHUNK_CHARS:
        return [text]
    pieces, current = [], ""
    for sentence in text.replace("\n", " ").split(". "):
        if current and len(current) + len(sentence) > CHUNK_CHARS:
            pieces.append(current.strip())
            current = f"{doc.title}. "
        current += sentence + ". "
    if current.strip():
        pieces.append(current.strip())
    return pieces


class IngestReport(BaseModel):
    collection: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks: int = 0
    reembedded: bool = False


def ingest(
    conn: psycopg.Connection,
    documents: Sequence[KBDocument],
    embedder: Embedder,
    collection: str,
    batch_size: int = 64,
    progress: bool = True,
) -> IngestReport:
    """Bring ``collection`` in the database to exactly ``documents`` (idempotent)."""
    ids = [d.id for d in documents]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate document ids: {dupes[:5]}")
    wrong = [d.id for d in documents if d.collection != collection]
    if wrong:
        raise ValueError(f"documents of another collection: {wrong[:5]}")
    with ingest_lock(conn):
        return _ingest(conn, documents, embedder, collection, batch_size, progress)


def _ingest(
    conn: psycopg.Connection,
    documents: Sequence[KBDocument],
    embedder: Embedder,
    collection: str,
    batch_size: int,
    progress: bool,
) -> IngestReport:
    migrate(conn)
    report = IngestReport(collection=collection, reembedded=prepare_vectors(conn, embedder))
    stored: dict[str, str] = dict(
        conn.execute(
            "SELECT id, content_hash FROM kb_documents WHERE collection = %s", (collection,)
        ).fetchall()
    )
    todo = [d for d in documents if stored.get(d.id) != d.content_hash]
    report.unchanged = len(documents) - len(todo)
    gone = sorted(set(stored) - {d.id for d in documents})
    if gone:
        with conn.transaction():
            conn.execute("DELETE FROM kb_documents WHERE id = ANY(%s)", (gone,))
        report.deleted = len(gone)
    bar = tqdm(total=len(todo), desc=f"ingesting {collection}", unit="doc", disable=not progress)
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        pieces = [(d, i, text) for d in batch for i, text in enumerate(chunks(d))]
        vectors = embedder.embed([text for _, _, text in pieces])
        if vectors.shape != (len(pieces), embedder.dims) or not np.isfinite(vectors).all():
            raise EmbedderError(f"the embedder returned unusable vectors {vectors.shape}")
        with conn.transaction():
            for doc in batch:
                conn.execute("DELETE FROM kb_documents WHERE id = %s", (doc.id,))
                conn.execute(
                    "INSERT INTO kb_documents (id, collection, kind, title, body, motions, "
                    "problems, equipment, level, contraindications, dose, source, licence, "
                    "content_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    _document_row(doc),
                )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO kb_chunks (document_id, ordinal, text, embedding) "
                    "VALUES (%s, %s, %s, %s)",
                    [
                        (d.id, i, text, vec)
                        for (d, i, text), vec in zip(pieces, vectors, strict=True)
                    ],
                )
        for doc in batch:
            if doc.id in stored:
                report.updated += 1
            else:
                report.added += 1
        report.chunks += len(pieces)
        bar.update(len(batch))
    bar.close()
    create_vector_index(conn)
    log.info("%s: %s", collection, report.model_dump())
    return report


def _document_row(doc: KBDocument) -> tuple[Any, ...]:
    return (
        doc.id, doc.collection, doc.kind, doc.title, doc.body, doc.motions, doc.problems,
        doc.equipment, doc.level, doc.contraindications,
        json.dumps(doc.dose.model_dump()) if doc.dose else None,
        json.dumps([s.model_dump() for s in doc.sources]), doc.licence, doc.content_hash,
    )  # fmt: skip


class KBStats(BaseModel):
    documents: dict[str, int]
    kinds: dict[str, int]
    chunks: int
    embedder: str | None
    migrations: list[int]


def stats(conn: psycopg.Connection) -> KBStats:
    migrate(conn)
    by_collection: dict[str, int] = dict(
        conn.execute(
            "SELECT collection, count(*) FROM kb_documents GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    by_kind: dict[str, int] = dict(
        conn.execute("SELECT kind, count(*) FROM kb_documents GROUP BY 1 ORDER BY 1").fetchall()
    )
    (n_chunks,) = conn.execute("SELECT count(*) FROM kb_chunks").fetchone() or (0,)
    versions = [r[0] for r in conn.execute("SELECT version FROM kb_schema_migrations ORDER BY 1")]
    return KBStats(
        documents=by_collection, kinds=by_kind, chunks=int(n_chunks),
        embedder=stored_embedder(conn), migrations=versions,
    )  # fmt: skip


def reset(conn: psycopg.Connection) -> None:
    """Drop everything the knowledge base created (the next ingest starts afresh)."""
    with conn.transaction():
        tables = ("kb_chunks", "kb_documents", "kb_meta", "kb_lexemes", "kb_schema_migrations")
        for table in tables:
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")


def get_document(conn: psycopg.Connection, doc_id: str) -> dict[str, Any] | None:
    migrate(conn)
    row = conn.execute(
        "SELECT id, collection, kind, title, body, motions, problems, equipment, level, "
        "contraindications, dose, source, licence FROM kb_documents WHERE id = %s",
        (doc_id,),
    ).fetchone()
    if row is None:
        return None
    keys = ["id", "collection", "kind", "title", "body", "motions", "problems", "equipment",
            "level", "contraindications", "dose", "sources", "licence"]  # fmt: skip
    return dict(zip(keys, row, strict=True))
