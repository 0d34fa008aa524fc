"""Integration fixtures: the browser app on the session's knowledge base (``kb``, in
tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sportsgpt.kb import KnowledgeBase
from tests.helpers import free_port


@pytest.fixture()
def served(kb: KnowledgeBase, tmp_path: Path) -> Iterator[str]:
    """The browser app on a free loopback port, on the session's knowledge base."""
    from sportsgpt.app import build_app

    demo = build_app(kb=kb, root=tmp_path / "sessions")
    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                        quiet=True)  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()
