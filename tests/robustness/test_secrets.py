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
