"""SportsRAG retrieval quality: vector-only vs full-text-only vs hybrid (docs/kb.md).

Runs every query of evals/retrieval_labels.json (one per KISMAM problem, phrased as the
assessment states it, plus free-text coach questions) against the whole knowledge base
(our corpus and the 873 exercises as distractors), with no filter, and prints hit@5,
MRR@10 and nDCG@10 per mode and query kind.

    .venv/bin/python benchmarks/retrieval_quality.py [--misses]
"""

from __future__ import annotations

import argparse
import logging
from statistics import mean

from sportsgpt.evals.retrieval_scoring import QueryScore, load_labels, score_ranking
from sportsgpt.kb import KnowledgeBase

MODES = ("vector", "fulltext", "hybrid")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list hybrid misses at 5")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    kb = KnowledgeBase()
    labels = load_labels()
    scores: dict[tuple[str, str], list[QueryScore]] = {}
    misses = []
    for mode in MODES:
        for item in labels.items:
            ranked = [r.id for r in kb.search(item.query, limit=10, mode=mode)]
            score = score_ranking(item, ranked)
            scores.setdefault((mode, item.kind), []).append(score)
            scores.setdefault((mode, "all"), []).append(score)
            if mode == "hybrid" and score.hit_at_5 == 0:
                misses.append((item.id, item.query[:60], ranked[:5]))
    stats = kb.stats()
    print(
        f"\n{sum(stats.documents.values())} documents ({stats.documents}), {stats.chunks} chunks, "
        f"embedder {stats.embedder}\n"
    )
    print("| mode | queries | hit@5 | MRR@10 | nDCG@10 |")
    print("|---|---|---:|---:|---:|")
    for kind in ("problem", "question", "all"):
        for mode in MODES:
            rows = scores[(mode, kind)]
            print(
                f"| {mode} | {kind} ({len(rows)}) | {mean(r.hit_at_5 for r in rows):.2f} | "
                f"{mean(r.reciprocal_rank for r in rows):.2f} | "
                f"{mean(r.ndcg_at_10 for r in rows):.2f} |"
            )
    if args.misses:
        for miss in misses:
            print("miss:", *miss)


if __name__ == "__main__":
    main()
