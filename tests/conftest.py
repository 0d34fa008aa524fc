"""Shared fixtures: tests in tests/unit are marked unit, in tests/integration integration,
in tests/robustness robustness; one embedded knowledge-base server per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from sportsgpt.kb import KBSettings, KnowledgeBase
from sportsgpt.tools.shared_data import shared_dir


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "unit" in parts:
            item.add_marker(pytest.mark.unit)
        elif "integration" in parts:
            item.add_marker(pytest.mark.integration)
        elif "robustness" in parts:
            item.add_marker(pytest.mark.robustness)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The real shared data folder (CI has it at ../shared)."""
    return shared_dir()


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> KnowledgeBase:
    """The embedded server with the whole corpus and the exercises ingested once."""
    base = KnowledgeBase(KBSettings(data_dir=tmp_path_factory.mktemp("kb_data")))
    base.ingest(shared=shared, progress=False)
    return base
