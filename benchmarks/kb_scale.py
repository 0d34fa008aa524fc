"""SportsRAG at scale: 100k synthetic chunks plus the real ones in the embedded server.

Synthetic chunks are real chunk texts with random extra words, and vectors that mix two
real chunk vectors (random weights 0.5-0.9 / 0.5-0.1) plus Gaussian noise, renormalised:
both retrievers see a realistic, not degenerate, distribution.
Measures the bulk load rate (binary COPY), the HNSW build time, hybrid query latency
(p50/p95, the SQL of `kb search` with a precomputed query vector, and end to end with the
embedding), and HNSW recall@10 against exact search (numpy over every vector); the peer
is PostgreSQL's exact scan of the same query (no index).

    .venv/bin/python benchmarks/kb_scale.py [--chunks 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from sportsgpt.evals.retrieval_scoring import load_labels
from sportsgpt.kb import KBSettings, KnowledgeBase
from sportsgpt.kb.search import search
from sportsgpt.kb.store import create_vector_index

TOP10 = "SELECT id FROM kb_chunks ORDER BY embedding <=> %s LIMIT 10"
EXACT10 = "SELECT id FROM kb_chunks ORDER BY (embedding <=> %s) + 0 LIMIT 10"  # no index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a temporary folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="sportsgpt_kb_scale_"))
    kb = KnowledgeBase(KBSettings(data_dir=data))
    t0 = time.perf_counter()
    kb.ingest(progress=False)
    real_ingest = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    with kb.connection() as conn:
        rows = conn.execute("SELECT text, embedding FROM kb_chunks").fetchall()
        real_text = [r[0] for r in rows]
        real_vec = np.stack([np.asarray(r[1].to_numpy(), dtype=np.float32) for r in rows])
        vocab = sorted({w for t in real_text for w in t.lower().split() if w.isalpha()})
        conn.execute("DROP INDEX IF EXISTS kb_chunks_embedding")
        n = args.chunks
        pick = rng.integers(0, len(real_text), n)
        other = rng.integers(0, len(real_text), n)
        mix = rng.uniform(0.5, 0.9, (n, 1)).astype(np.float32)
        noise = rng.normal(0.0, 0.01, (n, real_vec.shape[1])).astype(np.float32)
        vectors = mix * real_vec[pick] + (1 - mix) * real_vec[other] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        t0 = time.perf_counter()
        with conn.transaction():
            with conn.cursor().copy(
                "COPY kb_documents (id, collection, kind, title, body, source, licence, "
                "content_hash) FROM STDIN"
            ) as copy:
                for i in range(n):
                    copy.write_row((f"exercise.synthetic_{i}", "synthetic", "exercise",
                                    f"Synthetic {i}", "synthetic chunk for the scale benchmark",
                                    '[{"citation": "synthetic"}]', "none", "x"))  # fmt: skip
            with conn.cursor().copy(
                "COPY kb_chunks (document_id, ordinal, text, embedding) FROM STDIN "
                "WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["text", "integer", "text", "vector"])
                for i in tqdm(range(n), desc="loading synthetic chunks", unit="chunk"):
                    extra = " ".join(rng.choice(vocab, 8))
                    copy.write_row((f"exercise.synthetic_{i}", 0, f"{real_text[pick[i]]} {extra}",
                                    vectors[i]))  # fmt: skip
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        create_vector_index(conn)
        build_s = time.perf_counter() - t0
        (total,) = conn.execute("SELECT count(*) FROM kb_chunks").fetchone() or (0,)
        ids = [r[0] for r in conn.execute("SELECT id FROM kb_chunks ORDER BY id")]
        all_vec = np.stack(
            [np.asarray(r[0].to_numpy(), dtype=np.float32)
             for r in conn.execute("SELECT embedding FROM kb_chunks ORDER BY id")]
        )  # fmt: skip
        labels = [item.query for item in load_labels().items]
        queries = (labels * (args.queries // len(labels) + 1))[: args.queries]
        qvec = kb.embedder.embed(queries)
        sql_ms: list[float] = []
        exact_ms: list[float] = []
        recalls: dict[int, list[float]] = {40: [], kb.settings.ef_search: [], 200: []}
        for v in qvec:
            truth = {ids[j] for j in np.argsort(-(all_vec @ v))[:10]}
            for ef, found in recalls.items():
                with conn.transaction():
                    conn.execute(f"SET LOCAL hnsw.ef_search = {ef}")
                    rows_ = conn.execute(TOP10, (v,)).fetchall()
                top = [r[0] for r in rows_]
                found.append(len(set(top) & truth) / 10)
        for q, v in zip(queries, qvec, strict=True):
            kb.embedder._cache.put(q, v)  # type: ignore[attr-defined]  # time the SQL alone
            t0 = time.perf_counter()
            search(conn, kb.embedder, q, limit=5, settings=kb.settings)
            sql_ms.append(1000 * (time.perf_counter() - t0))
        for v in qvec[:20]:
            t0 = time.perf_counter()
            conn.execute(EXACT10, (v,)).fetchall()
            exact_ms.append(1000 * (time.perf_counter() - t0))
    end_to_end = []
    fresh = KnowledgeBase(KBSettings(data_dir=data))
    for q in queries[:50]:
        t0 = time.perf_counter()
        fresh.search(q + " ?", limit=5)
        end_to_end.append(1000 * (time.perf_counter() - t0))
    p = np.percentile
    print(f"\n{total} chunks ({n} synthetic + {len(real_text)} real), data in {data}\n")
    print("| measure | value |")
    print("|---|---:|")
    what = f"real corpus ingest (embedding included), {len(real_text)} chunks"
    print(f"| {what} | {real_ingest:.1f} s |")
    print(
        f"| bulk load of {n} chunks (binary COPY) | {load_s:.1f} s ({n / load_s:,.0f} chunks/s) |"
    )
    print(f"| HNSW build (m=16, ef_construction=64) | {build_s:.1f} s |")
    print(f"| hybrid query SQL, p50 / p95 | {p(sql_ms, 50):.1f} / {p(sql_ms, 95):.1f} ms |")
    print(
        f"| end-to-end `search` incl. embedding and connection, p50 / p95 | "
        f"{p(end_to_end, 50):.1f} / {p(end_to_end, 95):.1f} ms |"
    )
    for ef, found in sorted(recalls.items()):
        used = " (the default)" if ef == kb.settings.ef_search else ""
        print(f"| vector top-10 recall vs exact, ef_search {ef}{used} | {np.mean(found):.3f} |")
    print(f"| peer: exact scan top-10 (no index), p50 | {p(exact_ms, 50):.1f} ms |")
    print(f"| ratio exact scan / hybrid query p50 | {p(exact_ms, 50) / p(sql_ms, 50):.1f}x |")


if __name__ == "__main__":
    main()
