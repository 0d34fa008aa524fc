"""The one settings object: precedence, the names users rely on, errors, provenance,
masking, the docs table, and no environment read anywhere else."""

from __future__ import annotations

import io
import json
import re
import subprocess
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from sportsgpt.settings import (
    ConfigError,
    Settings,
    current_settings,
    describe,
    env_names,
    load_settings,
    settings_scope,
    shown,
)

REPO = Path(__file__).resolve().parents[2]
ALL_ENV = sorted({n for f in Settings.model_fields for n in env_names(f)})


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting from the machine's environment or config file leaks into a test."""
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("SPORTSGPT_CONFIG", str(config))
    return config


def test_precedence_argument_then_environment_then_file_then_default(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().llm_model == "gpt-4o-mini"
    clean_env.write_text('llm_model = "from-file"\napp_port = 9000\nllm_timeout_s = 5\n')
    assert load_settings().llm_model == "from-file"
    monkeypatch.setenv("SPORTSGPT_LLM_MODEL", "from-env")
    settings = load_settings()
    assert settings.llm_model == "from-env" and settings.app_port == 9000
    settings = load_settings(llm_model="from-argument", app_port=None)  # None: not given
    assert settings.llm_model == "from-argument" and settings.app_port == 9000
    sources = {r.name: r.source for r in describe(settings, {"llm_model": "from-argument"})}
    assert sources["llm_model"] == "argument"
    assert sources["app_port"] == f"config file {clean_env}"
    assert sources["llm_timeout_s"] == f"config file {clean_env}"
    assert sources["embedder"] == "default"
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7000")
    assert load_settings().app_port == 7000
    assert {r.name: r.source for r in describe(load_settings())}["app_port"] == (
        "environment $GRADIO_SERVER_PORT"
    )


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("DATABASE_URL", "postgresql://u:p@h/db", "database_url", "postgresql://u:p@h/db"),
        ("SPORTSGPT_DATA_DIR", "/tmp/sg-data", "data_dir", Path("/tmp/sg-data")),
        ("SPORTSGPT_SHARED", "/tmp/sg-shared", "shared_dir", Path("/tmp/sg-shared")),
        ("SPORTSGPT_MODEL_DIR", "/tmp/sg-models", "model_dir", Path("/tmp/sg-models")),
        ("SPORTSGPT_EMBEDDER", "openai:emb-small", "embedder", "openai:emb-small"),
        ("OPENAI_BASE_URL", "http://127.0.0.1:1/v1", "llm_base_url", "http://127.0.0.1:1/v1"),
        ("SPORTSGPT_LLM_BASE_URL", "http://127.0.0.1:2/v1", "llm_base_url",
         "http://127.0.0.1:2/v1"),
        ("OPENAI_API_KEY", "sk-test", "llm_api_key", "sk-test"),
        ("SPORTSGPT_LLM_MODEL", "local-model", "llm_model", "local-model"),
        ("SPORTSGPT_LLM_TIMEOUT", "7.5", "llm_timeout_s", 7.5),
        ("SPORTSGPT_LLM_STREAM", "1", "llm_stream", True),
        ("SPORTSGPT_LLM_RETRIES", "3", "llm_retries", 3),
        ("SPORTSGPT_LLM_TURN_BUDGET", "30", "llm_turn_budget_s", 30.0),
        ("GRADIO_SERVER_NAME", "0.0.0.0", "app_host", "0.0.0.0"),
        ("GRADIO_SERVER_PORT", "7999", "app_port", 7999),
        ("SPORTSGPT_LOG_LEVEL", "debug", "log_level", "DEBUG"),
    ],
)  # fmt: skip
def test_the_environment_names_users_rely_on(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, expected: object
) -> None:
    monkeypatch.setenv(variable, value)
    got = getattr(load_settings(), field)
    if hasattr(got, "get_secret_value"):
        got = got.get_secret_value()
    assert got == expected


def test_the_sportsgpt_endpoint_wins_over_openai_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("SPORTSGPT_LLM_BASE_URL", "http://127.0.0.1:2/v1")
    settings = load_settings()
    assert settings.llm_base_url == "http://127.0.0.1:2/v1" and settings.llm_enabled
    from sportsgpt.kb import KBSettings

    assert KBSettings.from_settings(settings).embedder_base_url == "http://127.0.0.1:2/v1"
    monkeypatch.setenv("SPORTSGPT_OFFLINE", "1")
    assert not load_settings().llm_enabled


def test_offline_unless_an_endpoint_or_key_is_set() -> None:
    assert not load_settings().llm_enabled
    from sportsgpt.agent.llm import chat_model

    assert chat_model(load_settings()) is None
    model = chat_model(load_settings(llm_base_url="http://127.0.0.1:9/v1", llm_retries=0,
                                     llm_timeout_s=3))  # fmt: skip
    assert model is not None
    assert model.max_retries == 0 and model.request_timeout == 3  # type: ignore[attr-defined]


def test_bad_values_are_one_clear_line(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADIO_SERVER_PORT", "eighty")
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert "app_port ($GRADIO_SERVER_PORT)" in message and "\n" not in message
    monkeypatch.delenv("GRADIO_SERVER_PORT")
    clean_env.write_text('llm_modle = "typo"\n')
    with pytest.raises(ConfigError, match="'llm_modle': unknown setting"):
        load_settings()
    clean_env.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match=re.escape(str(clean_env))):
        load_settings()
    clean_env.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ConfigError, match=re.escape(str(clean_env))):
        load_settings()


def test_secrets_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://coach:hunter2@db.local:5433/sg")
    rows = {r.name: r for r in describe(load_settings())}
    assert rows["llm_api_key"].value == "****"
    assert rows["database_url"].value == "postgresql://coach:****@db.local:5433/sg"
    assert rows["llm_api_key"].source == "environment $OPENAI_API_KEY"
    assert "sk-very-secret" not in repr(load_settings())
    assert shown("database_url", None) == "(unset)"


def test_sportsgpt_config_prints_values_and_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    from sportsgpt.cli.main import main

    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    monkeypatch.setenv("SPORTSGPT_LLM_MODEL", "my-model")
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["config", "--json"]) == 0
    payload = json.loads(out.getvalue())
    rows = {r["name"]: r for r in payload["settings"]}
    assert set(rows) == set(Settings.model_fields)
    assert rows["llm_model"]["value"] == "my-model"
    assert rows["llm_model"]["source"] == "environment $SPORTSGPT_LLM_MODEL"
    assert rows["llm_api_key"]["value"] == "****" and "sk-very" not in out.getvalue()
    assert rows["app_port"]["source"] == "default"
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["config"]) == 0
    assert re.search(r"^llm_model\s+my-model\s+environment \$SPORTSGPT_LLM_MODEL$",
                     out.getvalue(), re.M)  # fmt: skip


def test_a_command_installs_its_settings_only_while_it_runs() -> None:
    mine = load_settings(llm_model="scoped")
    with settings_scope(mine):
        assert current_settings() is mine
    assert current_settings() is not mine


def test_no_environment_reads_outside_the_settings_module() -> None:
    listing = ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"]
    tracked = subprocess.run(listing, cwd=REPO, capture_output=True, text=True, check=True)
    pattern = re.compile(r"\bos\.environ\b|\bgetenv\s*\(|\bfrom os import .*environ")
    offenders = []
    for rel in tracked.stdout.split():
        if rel == "settings.py" or rel.startswith("tests/"):
            continue
        for number, line in enumerate((REPO / rel).read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []


def _doc_rows() -> dict[str, list[str]]:
    text = (REPO / "docs" / "configuration.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_the_configuration_table_is_in_step_with_the_model() -> None:
    from sportsgpt.cli.main import main

    rows = _doc_rows()
    assert set(rows) == set(Settings.model_fields), "docs/configuration.md lists other settings"
    for name, (env, default, meaning) in rows.items():
        assert re.findall(r"`([A-Z_]+)`", env) == env_names(name), name
        assert default and meaning, name
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["config", "--table"]) == 0
    doc = (REPO / "docs" / "configuration.md").read_text()
    stale = [line for line in out.getvalue().splitlines() if line not in doc]
    assert stale == [], "regenerate the table with `sportsgpt config --table`"


def test_the_input_size_limit_holds_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    from sportsgpt.tools.errors import MotionInputError
    from sportsgpt.tools.readers import read_motion

    sample = REPO / "samples" / "standing_long_jump_side.csv"
    assert read_motion(sample).n_frames > 0
    monkeypatch.setenv("SPORTSGPT_INPUT_MAX_MB", str(sample.stat().st_size / 2 / 1024 / 1024))
    with pytest.raises(MotionInputError, match="over the input limit") as err:
        read_motion(sample)
    assert "$SPORTSGPT_INPUT_MAX_MB" in str(err.value) and "\n" not in str(err.value)
