"""Hybrid retrieval: pgvector HNSW + PostgreSQL full text, fused by reciprocal rank in SQL.

Each retriever ranks chunks and keeps its best ``candidates``: the vector retriever by
cosine distance, the full-text one by ts_rank_cd over an OR of the query's eight rarest
lexemes among those in at most 1% of the chunks (or 100), so a common word never makes
it rank most of the table. A chunk's fused score is sum weight / (rrf_k + rank) over
the retrievers that found it; full text weighs ``fulltext_weight`` (0.5: at 1 it added
noise to the vector ranking on the labelled set). Each document is represented by its
best chunk, and entries of the generic exercise database weigh ``exercise_weight`` of our
coaching documents (which carry the cues, doses and sources). ``mode`` "vector" or
"fulltext" runs one retriever alone (the ablation the retrieval benchmark reports).
"""

from __future__ import annotations

import json
from typing import Any, Literal

import psycopg

from ..tools.errors import KnowledgeBaseError
from .embedding import Embedder
from .models import Dose, SearchFilters, SearchResult, Source
from .settings import KBSettings
from .store import check_embedder

Mode = Literal["hybrid", "vector", "fulltext"]


# one SQL condition per SearchFilters field, applied when the field is set
_FILTER_SQL = {
    "motion": "(d.motions = '{}' OR %(motion)s = ANY(d.motions))",
    "problem": "%(problem)s = ANY(d.problems)",
    "kinds": "d.kind = ANY(%(kinds)s)",
    "without_equipment": "NOT (d.equipment && %(without_equipment)s)",
    "level": "(d.level IS NULL OR d.level = %(level)s)",
}


def _filters(filters: SearchFilters) -> tuple[str, dict[str, Any]]:
    params = {k: v for k, v in filters.model_dump().items() if v}
    return " AND ".join(["TRUE", *(_FILTER_SQL[k] for k in params)]), params


_VECTOR = """
    SELECT c.id, row_number() OVER (ORDER BY c.embedding <=> %(vec)s) AS rank,
           1.0 AS weight
    FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id
    WHERE {where}
    ORDER BY c.embedding <=> %(vec)s LIMIT %(k)s
"""
_FULLTEXT = """
    SELECT c.id, row_number() OVER (ORDER BY ts_rank_cd(c.tsv, q.query, 1) DESC) AS rank,
           %(fulltext_weight)s AS weight
    FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id,
         (SELECT to_tsquery('simple', string_agg(quote_literal(w.word), ' | ')) AS query
          FROM (SELECT l.word
                FROM unnest(tsvector_to_array(to_tsvector('english', %(text)s))) AS t(word)
                JOIN kb_lexemes l ON l.word = t.word
                WHERE l.ndoc <= greatest(%(min_df)s, %(max_df_share)s *
                      (SELECT value::integer FROM kb_meta WHERE key = 'chunks'))
                ORDER BY l.ndoc LIMIT %(max_terms)s) w) q
    WHERE c.tsv @@ q.query AND {where}
    ORDER BY ts_rank_cd(c.tsv, q.query, 1) DESC LIMIT %(k)s
"""


def search(
    conn: psycopg.Connection,
    embedder: Embedder,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 5,
    mode: Mode = "hybrid",
    settings: KBSettings | None = None,
) -> list[SearchResult]:
    """The best ``limit`` documents for ``query``, best first ([] when nothing matches)."""
    if not query.strip():
        raise KnowledgeBaseError("an empty query: say what to look for")
    settings = settings or KBSettings()
    check_embedder(conn, embedder)
    where, params = _filters(filters or SearchFilters())
    parts = []
    if mode in ("hybrid", "vector"):
        params["vec"] = embedder.embed([query])[0]
        parts.append(_VECTOR.format(where=where))
    if mode in ("hybrid", "fulltext"):
        params["text"] = query
        parts.append(_FULLTEXT.format(where=where))
    ranked = " UNION ALL ".join(f"({p})" for p in parts)
    sql = f"""
        WITH ranked AS ({ranked}),
        fused AS (SELECT id, sum(weight / (%(rrf)s + rank)) AS score FROM ranked GROUP BY id),
        best AS (
            SELECT DISTINCT ON (c.document_id) c.document_id, f.score
            FROM fused f JOIN kb_chunks c ON c.id = f.id
            ORDER BY c.document_id, f.score DESC
        )
        SELECT d.id, d.title, d.body,
               b.score * (CASE WHEN d.collection = 'exercises' THEN %(exercise_weight)s
                          ELSE 1.0 END) AS weighted_score,
               d.source, d.dose, d.kind, d.problems, d.equipment, d.contraindications,
               d.motions
        FROM best b JOIN kb_documents d ON d.id = b.document_id
        ORDER BY weighted_score DESC, d.id LIMIT %(limit)s
    """
    params.update(
        k=settings.candidates, rrf=settings.rrf_k, limit=limit,
        exercise_weight=settings.exercise_weight, min_df=settings.fulltext_min_df,
        max_df_share=settings.fulltext_max_share, max_terms=settings.fulltext_terms,
        fulltext_weight=settings.fulltext_weight,
    )  # fmt: skip
    with conn.transaction():
        conn.execute(f"SET LOCAL hnsw.ef_search = {int(settings.ef_search)}")
        conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        rows = conn.execute(sql.encode(), params).fetchall()  # composed above from fixed text
    return [
        SearchResult(
            id=r[0], title=r[1], text=r[2], score=round(float(r[3]), 5),
            source=[Source.model_validate(s) for s in _json(r[4])],
            dose=Dose.model_validate(_json(r[5])) if r[5] else None,
            kind=r[6], problems=list(r[7]), equipment=list(r[8]),
            contraindications=list(r[9]), motions=list(r[10] or []),
        )
        for r in rows
    ]  # fmt: skip


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
