"""Knowledge-base data: document schema, the bundled corpus, chunking, query building."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from pydantic import ValidationError

from sportsgpt.agent.plans import search_step
from sportsgpt.evals.retrieval_scoring import LabelledQuery, load_labels, score_ranking
from sportsgpt.kb.corpus import exercise_document, load_coaching_corpus
from sportsgpt.kb.database import ensure_vector_extension
from sportsgpt.kb.models import Dose, KBDocument
from sportsgpt.kb.queries import AthleteContext, broadened_query, problem_queries, rephrased_query
from sportsgpt.kb.settings import KBSettings
from sportsgpt.kb.store import CHUNK_CHARS, chunks
from sportsgpt.settings import load_settings
from sportsgpt.tools.errors import ExtensionMissingError
from sportsgpt.tools.kismam import load_motion_spec
from sportsgpt.tools.kismam.models import Assessment, Problem
from sportsgpt.tools.motiondtw.library import known_motions

SOURCE = [{"citation": "Somebody 2020, J Sport", "url": "https://example.org"}]
DOSE = {"sets": 3, "distance_m": 20, "intensity": "submaximal", "rest_s": 60,
        "sessions_per_week": 2, "progression": "weeks 1-2 walk, 3-4 skip, 5-6 run"}  # fmt: skip


def test_document_schema_rejects_bad_documents() -> None:
    ok = KBDocument(id="drill.x", kind="drill", title="X drill", body="b" * 40, dose=DOSE,
                    sources=SOURCE)  # fmt: skip
    assert ok.dose and ok.dose.summary() == "3 x 20 m, submaximal, rest 60 s, 2x per week"
    with pytest.raises(ValidationError, match="must be 'drill"):
        KBDocument(
            id="qa.x", kind="drill", title="X drill", body="b" * 40, dose=DOSE, sources=SOURCE
        )
    with pytest.raises(ValidationError, match="needs a dose"):
        KBDocument(id="drill.x", kind="drill", title="X drill", body="b" * 40, sources=SOURCE)
    with pytest.raises(ValidationError, match="reps, a distance or a duration"):
        Dose(**{**DOSE, "distance_m": None})
    with pytest.raises(ValidationError):
        KBDocument(
            id="drill.x", kind="drill", title="X drill", body="b" * 40, dose=DOSE, sources=[]
        )
    with pytest.raises(ValidationError, match="names the problem ids"):
        KBDocument(id="problem.x", kind="problem", title="X drill", body="b" * 40, sources=SOURCE)


def test_bundled_corpus_covers_every_problem_with_dosed_drills() -> None:
    docs = load_coaching_corpus()
    by_id = {d.id: d for d in docs}
    assert len(docs) >= 150
    assert len({d.body for d in docs}) == len(docs)  # no templated repeats
    problems = {p.id for m in known_motions() for p in load_motion_spec(m).problems}
    for problem in problems:
        guide = by_id[f"problem.{problem}"]
        drills = [by_id[r] for r in guide.related if r.startswith("drill.")]
        assert drills and all(d.dose for d in drills), problem
    for doc in docs:
        assert doc.sources and all(s.citation for s in doc.sources)
        if doc.dose:
            assert doc.dose.progression and doc.dose.sessions_per_week >= 1


def test_exercise_entries_keep_their_facts_and_invent_no_dose() -> None:
    doc = exercise_document(
        {"id": "Barbell_Squat", "name": "Barbell Squat", "category": "strength",
         "equipment": "barbell", "level": "beginner", "mechanic": "compound", "force": "push",
         "primaryMuscles": ["quadriceps"], "secondaryMuscles": ["glutes"],
         "instructions": ["Stand under the bar.", "Squat down."]}
    )  # fmt: skip
    assert doc.id == "exercise.barbell_squat" and doc.dose is None
    assert doc.equipment == ["barbell"] and "Squat down." in doc.body and doc.licence == "Unlicense"


def test_long_documents_are_chunked_at_sentences_with_the_title() -> None:
    body = " ".join(f"Sentence number {i} about the drill and its cues." for i in range(80))
    doc = KBDocument(id="qa.long", kind="qa", title="A long answer", body=body, sources=SOURCE)
    pieces = chunks(doc)
    assert len(pieces) > 2 and all(p.startswith("A long answer") for p in pieces)
    assert all(len(p) <= CHUNK_CHARS + 200 for p in pieces)


class _FailingConnection:
    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def execute(self, *args: Any) -> None:
        raise psycopg.errors.FeatureNotSupported('extension "vector" is not available')


def test_missing_pgvector_is_named() -> None:
    with pytest.raises(ExtensionMissingError, match="no pgvector extension"):
        ensure_vector_extension(_FailingConnection(), KBSettings(database_url="postgresql://x"))  # type: ignore[arg-type]


def test_data_dir_is_never_under_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPORTSGPT_DATA_DIR", raising=False)
    assert not str(load_settings().data_dir).startswith("/root")
    assert not str(KBSettings().data_dir).startswith("/root")
    monkeypatch.setenv("SPORTSGPT_DATA_DIR", "/tmp/somewhere")
    assert str(KBSettings.from_settings().data_dir) == "/tmp/somewhere"


def _assessment(problems: list[Problem]) -> Assessment:
    return Assessment(motion="acceleration", score=70.0, problems=problems, occurrences=[],
                      unmeasurable={})  # fmt: skip


def test_assessment_queries_are_per_problem_in_context() -> None:
    minor = Problem(id="insufficient_knee_drive", label="Insufficient knee drive", probability=0.6,
                    severity="minor", coach_text="Drive the knee.", evidence=[])  # fmt: skip
    major = Problem(id="early_trunk_rise", label="Early trunk rise", probability=0.95,
                    severity="major", coach_text="Stay low.", evidence=[])  # fmt: skip
    context = AthleteContext(missing_equipment=["sled"], level="beginner")
    queries = problem_queries("acceleration", [minor, major], context)
    assert [q.target for q in queries] == ["early_trunk_rise", "insufficient_knee_drive"]
    first = queries[0]
    assert first.filters.problem == "early_trunk_rise" and first.filters.kinds == [
        "problem",
        "drill",
    ]
    assert first.filters.without_equipment == ["sled"] and first.filters.level == "beginner"
    assert "Early trunk rise in acceleration" in first.query
    (development,) = problem_queries("acceleration", [], context)
    assert development.target == "development" and development.filters.motion == "acceleration"
    assert development.filters.kinds == ["drill"] and development.filters.level is None
    wide = broadened_query(minor, context)
    assert wide.filters.problem is None and wide.filters.without_equipment == ["sled"]
    assert rephrased_query("what is an a skip drill").query == "what skip drill"
    step = search_step(first)
    assert step.target == "early_trunk_rise" and step.args["problem"] == "early_trunk_rise"
    assert step.args["missing_equipment"] == ["sled"] and step.args["level"] == "beginner"


def test_retrieval_scores() -> None:
    item = LabelledQuery(id="q", kind="question", query="q", accepted=["a", "b"])
    assert score_ranking(item, ["a", "x", "b"]).hit_at_5 == 1.0
    late = score_ranking(item, ["x", "y", "z", "w", "v", "a"])
    assert late.hit_at_5 == 0.0 and late.reciprocal_rank == pytest.approx(1 / 6)
    assert score_ranking(item, ["a", "b"]).ndcg_at_10 == pytest.approx(1.0)
    labels = load_labels()
    corpus = {d.id for d in load_coaching_corpus()}
    assert len(labels.items) >= 60 and all(set(i.accepted) <= corpus for i in labels.items)
