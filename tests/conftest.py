"""Shared fixtures: tests in tests/unit are marked unit, in tests/integration integration,
in tests/robustness robustness."""

from __future__ import annotations

from pathlib import Path

import pytest

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
