"""A DSN's password never reaches what a user sees, however malformed the URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sportsgpt.kb.database import scrub


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://coach:s3cr%t@127.0.0.1:1/sportsgpt",  # psycopg quotes the bad token
        "postgresql://coach:s3cret@127.0.0.1:1/sportsgpt",  # a refused connection
    ],
)
def test_a_database_url_password_is_never_shown(url: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SPORTSGPT_DATA_DIR": str(tmp_path)}
    cli = str(Path(sys.executable).with_name("sportsgpt"))
    done = subprocess.run([cli, "kb", "search", "arm swing"], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip
    shown = done.stdout + done.stderr
    assert done.returncode != 0 and "s3cr" not in shown, shown
    assert "Traceback" not in shown and len(shown.strip().splitlines()) == 1, shown


def test_scrub_masks_the_password_in_any_message() -> None:
    uri = "postgresql://coach:hunter2@db.example:5432/kb"
    assert "hunter2" not in scrub('password authentication failed for "hunter2"', uri)
    assert (
        scrub(f"cannot use {uri}", uri) == "cannot use postgresql://coach:****@db.example:5432/kb"
    )


def test_secrets_are_masked_in_logs_traces_and_errors(tmp_path: Path) -> None:
    """An API key and a password reach neither the log, nor a trace, nor the error line:
    the coach pointed at an endpoint that cannot be reached, with the key in its URL and
    in the settings, and a database password in a server that is down."""
    env = {**os.environ, "SPORTSGPT_DATA_DIR": str(tmp_path),
           "DATABASE_URL": "postgresql://coach:dbpass99x@127.0.0.1:9/sportsgpt",
           "SPORTSGPT_LLM_BASE_URL": "http://coach:hunter2pw@127.0.0.1:9/v1",
           "OPENAI_API_KEY": "sk-test0123456789abcdefghij", "SPORTSGPT_LLM_RETRIES": "0",
           "SPORTSGPT_LLM_TIMEOUT": "2", "SPORTSGPT_LOG_LEVEL": "DEBUG"}  # fmt: skip
    cli = str(Path(sys.executable).with_name("sportsgpt"))
    sample = Path(__file__).resolve().parents[2] / "samples" / "standing_long_jump_side.csv"
    done = subprocess.run([cli, "analyze", str(sample), "--json", "-v"], capture_output=True,
                          text=True, env=env, timeout=300)  # fmt: skip
    shown = done.stdout + done.stderr
    for secret in ("hunter2pw", "0123456789abcdefghij", "dbpass99x"):
        assert secret not in shown, shown[-3000:]
    assert "language model failed" in shown, shown[-3000:]  # the failure is in the trace


def test_the_masker_and_the_log_filter() -> None:
    import logging

    from sportsgpt.agent.state import TraceEvent
    from sportsgpt.settings import SecretFilter, load_settings, mask_secrets

    load_settings(llm_api_key="a-private-key-42")  # every settings object registers its own
    assert mask_secrets("key a-private-key-42 sent") == "key **** sent"
    assert mask_secrets("Authorization: Bearer abcdefghijklmnop") == "Authorization: Bearer ****"
    assert "****" in TraceEvent(kind="tool", detail="failed with a-private-key-42").detail
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "using %s", ("a-private-key-42",),
                               None)  # fmt: skip
    assert SecretFilter().filter(record) and record.getMessage() == "using ****"
