"""Conversation memory: LangGraph checkpoints in the knowledge base's PostgreSQL (the
embedded server, or ``DATABASE_URL``), so a thread survives the process that started it."""

from __future__ import annotations

from typing import Any

import psycopg
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row

from ..kb.database import connection_problem, database_uri
from ..kb.settings import KBSettings
from ..tools.errors import DatabaseUnavailableError


def postgres_checkpointer(settings: KBSettings, serde: Any) -> PostgresSaver:
    """A checkpointer on its own connection (autocommit, no prepared statements, dict
    rows: what PostgresSaver expects); its tables are created on first use."""
    uri = database_uri(settings)
    try:
        conn = psycopg.connect(
            uri, autocommit=True, prepare_threshold=0, row_factory=dict_row, connect_timeout=10
        )
    except psycopg.Error as exc:
        raise DatabaseUnavailableError(
            f"conversation memory: cannot reach the database ({connection_problem(exc, uri)})"
        ) from None
    saver = PostgresSaver(conn, serde=serde)
    saver.setup()
    return saver
