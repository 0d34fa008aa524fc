"""SportsRAG knowledge base on the real embedded PostgreSQL + pgvector server."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from sportsgpt.cli.main import main
from sportsgpt.kb import KBSettings, KnowledgeBase, SearchFilters
from sportsgpt.kb.corpus import load_coaching_corpus, load_exercises
from sportsgpt.kb.store import ingest
from sportsgpt.tools.errors import (
    DatabaseUnavailableError,
    EmbedderError,
    EmptyKnowledgeBaseError,
    KnowledgeBaseError,
    SharedDataNotFoundError,
)
from sportsgpt.tools.kismam import load_motion_spec
from sportsgpt.tools.motiondtw.library import known_motions
from tests.helpers import other_database


@pytest.fixture()
def kb_env(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> Iterator[KnowledgeBase]:
    """The CLI sees the same embedded server."""
    monkeypatch.setenv("SPORTSGPT_DATA_DIR", str(kb.settings.data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    yield kb


def test_ingest_is_idempotent_and_incremental(kb: KnowledgeBase, shared: Path) -> None:
    again = kb.ingest(shared=shared, progress=False)
    corpus = load_coaching_corpus()
    assert [(r.collection, r.added, r.updated, r.deleted) for r in again] == [
        ("coaching", 0, 0, 0),
        ("exercises", 0, 0, 0),
    ]
    assert again[0].unchanged == len(corpus) and again[1].unchanged == len(load_exercises(shared))
    changed = [corpus[0].model_copy(update={"body": corpus[0].body + " Extra sentence."})]
    with kb.connection() as conn:
        report = ingest(conn, changed + corpus[2:], kb.embedder, "coaching", progress=False)
        assert (report.updated, report.deleted, report.added) == (1, 1, 0)
        report = ingest(conn, corpus, kb.embedder, "coaching", progress=False)
        assert (report.updated, report.added, report.deleted) == (1, 1, 0)
    stats = kb.stats()
    assert stats.documents == {"coaching": len(corpus), "exercises": len(load_exercises(shared))}
    assert stats.embedder and stats.embedder.startswith("all-MiniLM-L6-v2-int8")
    assert stats.migrations == [1, 2, 3, 4]


def test_coach_questions_find_dosed_sourced_answers(kb: KnowledgeBase) -> None:
    results = kb.search("how many sets of A-skips should I do", limit=5)
    ids = [r.id for r in results]
    assert {"qa.a_skip_sets", "drill.a_skip"} & set(ids[:3])
    skip = next(r for r in results if r.id == "drill.a_skip")
    assert skip.dose is not None and skip.dose.sets == 3 and skip.dose.distance_m == 20
    assert all(r.source and r.source[0].citation for r in results)
    assert results == sorted(results, key=lambda r: -r.score)
    sled = kb.search("I have no sled, what can I do instead?", limit=5)
    assert "qa.no_sled" in [r.id for r in sled[:3]]


def test_filters_problem_kind_and_missing_equipment(kb: KnowledgeBase) -> None:
    drills = kb.search(
        "fix my early trunk rise",
        SearchFilters(problem="early_trunk_rise", kinds=["drill"], without_equipment=["sled"]),
        limit=10,
    )
    assert drills and all(r.kind == "drill" for r in drills)
    assert all("early_trunk_rise" in r.problems and "sled" not in r.equipment for r in drills)
    assert "drill.hill_sprints" in [r.id for r in drills]
    exercises = kb.search("barbell back squat", SearchFilters(kinds=["exercise"]), limit=3)
    assert exercises and all(r.id.startswith("exercise.") for r in exercises)
    assert kb.search("a-skip", SearchFilters(problem="no_such_problem")) == []  # never invented
    with pytest.raises(KnowledgeBaseError, match="empty query"):
        kb.search("   ")


def test_every_kismam_problem_has_a_guide_and_dosed_drills(kb: KnowledgeBase) -> None:
    problems = [p for m in known_motions() for p in load_motion_spec(m).problems]
    assert len(problems) >= 33
    for problem in problems:
        found = kb.search(
            f"{problem.label}. {problem.coach_text}",
            SearchFilters(problem=problem.id, kinds=["problem", "drill"]),
            limit=6,
        )
        assert f"problem.{problem.id}" in [r.id for r in found], problem.id
        assert sum(r.kind == "drill" and r.dose is not None for r in found) >= 1, problem.id


def test_modes_rank_differently_but_all_answer(kb: KnowledgeBase) -> None:
    query = "what is a B-skip"
    tops = {m: kb.search(query, limit=3, mode=m) for m in ("hybrid", "vector", "fulltext")}
    assert all(tops.values())
    assert tops["hybrid"][0].id in {"qa.what_is_b_skip", "drill.b_skip"}


def test_cli_search_json_and_get(kb_env: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "search", "what replaces a sled", "--json", "--limit", "3"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert isinstance(results, list) and len(results) == 3
    for item in results:
        assert {"id", "title", "text", "score", "source"} <= set(item)
    assert any("dose" in item for item in results) or results[0]["id"].startswith("qa.")
    assert main(["kb", "get", "drill.a_skip", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dose"]["sets"] == 3 and doc["sources"]
    assert main(["kb", "get", "drill.nothing"]) == 1
    assert "no document" in capsys.readouterr().err
    assert main(["kb", "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["chunks"] > 1000


def test_unreachable_database_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = "postgresql://postgres@127.0.0.1:9/sportsgpt?connect_timeout=2"
    with pytest.raises(DatabaseUnavailableError, match="DATABASE_URL"):
        KnowledgeBase(KBSettings(database_url=dead)).search("a-skip")
    monkeypatch.setenv("DATABASE_URL", dead)
    assert main(["kb", "search", "a-skip"]) == 1
    assert "cannot reach the knowledge-base database" in capsys.readouterr().err
    # an eval run stops at once instead of scoring every case's failed retrieval
    assert main(["eval", "run", "--suite", "ci", "-o", "/nonexistent/never-written"]) == 1
    assert "cannot reach the knowledge-base database" in capsys.readouterr().err


class HashEmbedder:
    """Another embedding model (a deterministic word-hash one), to test model identity."""

    identity = "test-hash:1:16"
    dims = 16

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, hash(word) % self.dims] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_external_database_without_kb_and_embedder_change(kb: KnowledgeBase) -> None:
    url = other_database(kb, "external_kb")
    external = KnowledgeBase(KBSettings(database_url=url), embedder=kb.embedder)
    with pytest.raises(EmptyKnowledgeBaseError, match="sportsgpt kb ingest"):
        external.search("a-skip")
    corpus = load_coaching_corpus()[:20]
    with external.connection() as conn:
        ingest(conn, corpus, HashEmbedder(), "coaching", progress=False)
        conn.execute(
            "INSERT INTO kb_meta VALUES ('corpus', 'partial') ON CONFLICT (key) DO NOTHING"
        )
    with pytest.raises(EmbedderError, match="re-embed"):
        external.search("a-skip")  # vectors of another model are never mixed
    with external.connection() as conn:
        report = ingest(conn, corpus, kb.embedder, "coaching", progress=False)
        assert report.reembedded and report.updated == len(corpus)
        (dims,) = conn.execute("SELECT vector_dims(embedding) FROM kb_chunks LIMIT 1").fetchone()
        assert dims == 384
    assert external.search("a-skip")


def test_first_use_fills_the_embedded_server_and_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A fresh embedded server ingests the bundled corpus by itself on the first search;
    without the shared data the exercises are skipped, and the log says so."""

    def no_shared(explicit: object = None) -> Path:
        raise SharedDataNotFoundError("shared data folder not found (test)")

    monkeypatch.setattr("sportsgpt.kb.corpus.shared_dir", no_shared)
    fresh = KnowledgeBase(KBSettings(data_dir=tmp_path / "fresh"))
    with caplog.at_level("WARNING"):
        results = fresh.search("What is an A-skip?", limit=3)
    assert results and results[0].id in {"qa.what_is_a_skip", "drill.a_skip"}
    assert "exercises not ingested" in caplog.text
    assert fresh.stats().documents == {"coaching": len(load_coaching_corpus())}
