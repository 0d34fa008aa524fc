"""Integration fixtures: one embedded knowledge-base server per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from sportsgpt.kb import KBSettings, KnowledgeBase


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> KnowledgeBase:
    """The embedded server with the whole corpus and the exercises ingested once."""
    base = KnowledgeBase(KBSettings(data_dir=tmp_path_factory.mktemp("kb_data")))
    base.ingest(shared=shared, progress=False)
    return base
