"""The one settings object: every configurable value of SportsGPT, typed, in one place.

Precedence, first wins: an explicit argument (``load_settings(llm_model=...)``, a CLI
option such as ``sportsgpt app --port``), then the environment, then the config file
(``$SPORTSGPT_CONFIG``, default ``$XDG_CONFIG_HOME/sportsgpt/config.toml``, i.e.
``~/.config/sportsgpt/config.toml``; keys are the setting names), then the defaults.

This is the only module that reads the process environment. The CLI and the app build
the settings once (``load_settings``), install them for the process (``use_settings``)
and hand them on; the coach receives them as its LangGraph runtime context. Library code
that is handed nothing asks ``current_settings()``. ``sportsgpt config`` prints every
value and where it came from; docs/configuration.md has the table (kept in step by a
test).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .tools.errors import SportsGPTError

log = logging.getLogger(__name__)

CONFIG_ENV: Final = "SPORTSGPT_CONFIG"
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class ConfigError(SportsGPTError):
    """A setting that cannot be used (bad value, unknown key, unreadable config file)."""


def _home_dir(xdg: str, *fallback: str) -> Path:
    base = os.environ.get(xdg)
    return Path(base).expanduser() if base else Path.home().joinpath(*fallback)


def default_data_dir() -> Path:
    """Per user; for root a system folder, never under /root (the embedded server makes
    every parent of its data folder world-readable)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/sportsgpt")
    return _home_dir("XDG_DATA_HOME", ".local", "share") / "sportsgpt"


def default_cache_dir() -> Path:
    return _home_dir("XDG_CACHE_HOME", ".cache") / "sportsgpt"


def config_file() -> Path:
    """The config file looked at (it need not exist)."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return _home_dir("XDG_CONFIG_HOME", ".config") / "sportsgpt" / "config.toml"


def rtmlib_cache_dir() -> Path:
    """Where rtmlib itself stores and looks for checkpoints (``$TORCH_HOME``, else the
    user cache): not ours to configure, only to search."""
    torch_home = os.environ.get("TORCH_HOME")
    base = Path(torch_home).expanduser() if torch_home else _home_dir("XDG_CACHE_HOME", ".cache")
    return base / ("hub" if torch_home else "rtmlib/hub") / "checkpoints"


def quiet_decoder_logs() -> None:
    """FFmpeg's own messages ("moov atom not found") would reach stderr beside our one-line
    error: OpenCV's decoder reads ``OPENCV_FFMPEG_LOGLEVEL`` before its first capture (set
    it yourself to see them)."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Every setting; the field name is also its key in the config file."""

    model_config = SettingsConfigDict(
        extra="forbid", populate_by_name=True, env_ignore_empty=True, frozen=True
    )

    # where things live
    data_dir: Path = Field(
        default_factory=default_data_dir, validation_alias=_env("SPORTSGPT_DATA_DIR"),
        description="the embedded PostgreSQL, chat threads and stored analyses",
    )  # fmt: skip
    cache_dir: Path = Field(
        default_factory=default_cache_dir, validation_alias=_env("SPORTSGPT_CACHE_DIR"),
        description="compiled MotionDTW kernels (numba) and user-installed pose models, "
        "never inside the installed package",
    )  # fmt: skip
    shared_dir: Path | None = Field(
        default=None, validation_alias=_env("SPORTSGPT_SHARED"),
        description="the shared data folder (exercise database, mocap, models); "
        "unset: ../shared beside the checkout",
    )  # fmt: skip
    model_dir: Path | None = Field(
        default=None, validation_alias=_env("SPORTSGPT_MODEL_DIR"),
        description="an extra folder searched first for pose models given by name",
    )  # fmt: skip

    # knowledge base
    database_url: SecretStr | None = Field(
        default=None, validation_alias=_env("DATABASE_URL"),
        description="any PostgreSQL with pgvector (postgresql://...); unset: the embedded "
        "server in data_dir",
    )  # fmt: skip
    embedder: str = Field(
        default="minilm", validation_alias=_env("SPORTSGPT_EMBEDDER"),
        description="'minilm' (offline, bundled) or 'openai:<model>' (the endpoint below)",
    )  # fmt: skip
    embedder_base_url: str | None = Field(
        default=None, validation_alias=_env("SPORTSGPT_EMBEDDER_BASE_URL"),
        description="OpenAI-compatible endpoint for 'openai:' embeddings; unset: llm_base_url",
    )  # fmt: skip

    # the language model (optional: without one the coach is offline)
    llm_base_url: str | None = Field(
        default=None, validation_alias=_env("SPORTSGPT_LLM_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint (…/v1); with neither it nor a key the "
        "coach runs offline",
    )  # fmt: skip
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("SPORTSGPT_LLM_API_KEY", "OPENAI_API_KEY"),
        description="the endpoint's API key (also used for 'openai:' embeddings)",
    )  # fmt: skip
    llm_model: str = Field(
        default="gpt-4o-mini", validation_alias=_env("SPORTSGPT_LLM_MODEL"),
        description="model name sent to the endpoint",
    )  # fmt: skip
    llm_timeout_s: float = Field(
        default=60.0, gt=0, validation_alias=_env("SPORTSGPT_LLM_TIMEOUT"),
        description="seconds one model request may take",
    )  # fmt: skip
    llm_retries: int = Field(
        default=1, ge=0, le=10, validation_alias=_env("SPORTSGPT_LLM_RETRIES"),
        description="retries of a failed model request before the deterministic path takes over",
    )  # fmt: skip
    llm_stream: bool = Field(
        default=False, validation_alias=_env("SPORTSGPT_LLM_STREAM"),
        description="stream the model's answer as it is written",
    )  # fmt: skip
    llm_turn_budget_s: float = Field(
        default=180.0, gt=0, validation_alias=_env("SPORTSGPT_LLM_TURN_BUDGET"),
        description="seconds of model work per conversation turn, retries included (each "
        "request's timeout is cut to fit); past it the deterministic path finishes the turn",
    )  # fmt: skip
    llm_max_tool_calls: int = Field(
        default=12, ge=1, le=100, validation_alias=_env("SPORTSGPT_LLM_MAX_TOOL_CALLS"),
        description="most tool calls the model may make in one turn; past it the "
        "deterministic path finishes the turn",
    )  # fmt: skip
    offline: bool = Field(
        default=False, validation_alias=_env("SPORTSGPT_OFFLINE"),
        description="never call a language model, even when an endpoint or key is set",
    )  # fmt: skip

    # the browser app
    app_host: str = Field(
        default="127.0.0.1", validation_alias=_env("GRADIO_SERVER_NAME"),
        description="address the app binds to",
    )  # fmt: skip
    app_port: int = Field(
        default=7860, ge=1, le=65535, validation_alias=_env("GRADIO_SERVER_PORT"),
        description="port the app serves on",
    )  # fmt: skip
    app_max_upload_mb: float = Field(
        default=200.0, gt=0, validation_alias=_env("SPORTSGPT_APP_MAX_UPLOAD_MB"),
        description="largest upload the app accepts, megabytes",
    )  # fmt: skip
    app_max_video_s: float = Field(
        default=180.0, gt=0, validation_alias=_env("SPORTSGPT_APP_MAX_VIDEO_S"),
        description="longest video the app analyses (longer ones are refused, not cut)",
    )  # fmt: skip
    app_max_concurrent: int = Field(
        default=2, ge=1, le=32, validation_alias=_env("SPORTSGPT_APP_MAX_CONCURRENT"),
        description="analyses and questions the app works on at once (the rest wait)",
    )  # fmt: skip
    app_max_waiting: int = Field(
        default=8, ge=0, le=64, validation_alias=_env("SPORTSGPT_APP_MAX_WAITING"),
        description="requests that may wait for a turn, each told how many are ahead; "
        "past it the app says it is busy",
    )  # fmt: skip
    app_session_ttl_s: float = Field(
        default=4 * 3600.0, gt=0, validation_alias=_env("SPORTSGPT_APP_SESSION_TTL_S"),
        description="an abandoned browser session's coach and files go after this",
    )  # fmt: skip

    # input limits (every entry point)
    input_max_mb: float = Field(
        default=200.0, gt=0, validation_alias=_env("SPORTSGPT_INPUT_MAX_MB"),
        description="largest motion file read (pose, mocap, lab file), megabytes",
    )  # fmt: skip
    input_max_frames: int = Field(
        default=1_000_000, gt=0, validation_alias=_env("SPORTSGPT_INPUT_MAX_FRAMES"),
        description="most frames a motion file may hold (checked from its header first)",
    )  # fmt: skip
    input_max_points: int = Field(
        default=1000, gt=0, validation_alias=_env("SPORTSGPT_INPUT_MAX_POINTS"),
        description="most joints, markers or keypoints per frame",
    )  # fmt: skip
    input_max_values: int = Field(
        default=30_000_000, gt=0, validation_alias=_env("SPORTSGPT_INPUT_MAX_VALUES"),
        description="most numbers (frames x points x coordinates) a motion file may "
        "unpack to: 240 MB as float64",
    )  # fmt: skip
    input_max_decompressed_mb: float = Field(
        default=512.0, gt=0, validation_alias=_env("SPORTSGPT_INPUT_MAX_DECOMPRESSED_MB"),
        description="most a compressed motion file (NPZ) may expand to, megabytes",
    )  # fmt: skip
    input_min_fps: float = Field(
        default=1.0, gt=0, validation_alias=_env("SPORTSGPT_INPUT_MIN_FPS"),
        description="lowest frame rate accepted",
    )  # fmt: skip
    input_max_fps: float = Field(
        default=2000.0, gt=0, validation_alias=_env("SPORTSGPT_INPUT_MAX_FPS"),
        description="highest frame rate accepted",
    )  # fmt: skip
    input_max_video_s: float = Field(
        default=1800.0, gt=0, validation_alias=_env("SPORTSGPT_INPUT_MAX_VIDEO_S"),
        description="longest video the pose stage processes, seconds",
    )  # fmt: skip

    log_level: LogLevel = Field(
        default="INFO", validation_alias=_env("SPORTSGPT_LOG_LEVEL"),
        description="level of SportsGPT's own log messages on stderr (--verbose: DEBUG)",
    )  # fmt: skip

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _ConfigFile(settings_cls)

    # ---------------------------------------------------------------- derived values
    @property
    def llm_enabled(self) -> bool:
        return not self.offline and bool(self.llm_base_url or self.llm_api_key)

    @property
    def numba_cache_dir(self) -> Path:
        return self.cache_dir / "numba"

    @property
    def user_model_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def threads_dir(self) -> Path:
        return self.data_dir / "work"

    def secret(self, name: Literal["database_url", "llm_api_key"]) -> str | None:
        value: SecretStr | None = getattr(self, name)
        return value.get_secret_value() if value is not None else None

    def model_post_init(self, context: Any, /) -> None:
        """Every secret a settings object holds is known to ``mask_secrets`` from now on."""
        for name in ("llm_api_key", "database_url"):
            value = self.secret(name)
            if value and name == "database_url":
                value = url_password(value)
            if value and len(value) >= MIN_SECRET_CHARS:
                _SECRETS.add(value)


# ---------------------------------------------------------------- secrets in what is shown
MIN_SECRET_CHARS: Final = 4
_SECRETS: set[str] = set()
_URL_PASSWORD: Final = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)([^@\s]+)(@)", re.I)
_KEY_SHAPED: Final = re.compile(r"\b(sk-)[A-Za-z0-9_-]{12,}|\b(Bearer\s+)[A-Za-z0-9._~+/-]{12,}=*")


def url_password(url: str) -> str | None:
    """The password in a URL (as written, percent-escapes and all), if it has one."""
    try:
        return urlsplit(url).password if "://" in url else None
    except ValueError:  # a malformed URL: the pattern in mask_secrets still masks it
        return None


def mask_secrets(text: str, *extra: str) -> str:
    """``text`` with every secret masked as ``****``: the API keys and database passwords
    of every settings object made in this process, the ``extra`` ones given, passwords in
    URLs, and strings shaped like API keys (``sk-...``, ``Bearer ...``)."""
    for secret in sorted({*_SECRETS, *(e for e in extra if len(e) >= MIN_SECRET_CHARS)},
                         key=len, reverse=True):  # fmt: skip
        if secret in text:
            text = text.replace(secret, "****")
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _KEY_SHAPED.sub(lambda m: f"{m.group(1) or m.group(2)}****", text)


class SecretFilter(logging.Filter):
    """Masks secrets in every record passing a handler (ours and the libraries')."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:  # a traceback is text too
            record.exc_text = mask_secrets(logging.Formatter().formatException(record.exc_info))
        return True


class _ConfigFile(TomlConfigSettingsSource):
    """The optional TOML config file; a broken one is a clear error, not a traceback."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        self.path = config_file()
        try:
            super().__init__(settings_cls, toml_file=self.path)
        except (OSError, ValueError) as exc:  # unreadable, not UTF-8, not TOML
            raise ConfigError(f"config file {self.path}: {exc}") from None


# ---------------------------------------------------------------- provenance
class SettingValue(BaseModel):
    """One line of ``sportsgpt config``."""

    name: str
    value: str
    source: str = Field(description="argument, environment $NAME, config file PATH, default")
    env: list[str]
    default: str
    default_doc: str = Field(description="the default as the docs write it")
    description: str


def env_names(name: str) -> list[str]:
    alias = Settings.model_fields[name].validation_alias
    assert isinstance(alias, AliasChoices)
    return [str(choice) for choice in alias.choices]


def shown(name: str, value: Any) -> str:
    """A value as ``sportsgpt config`` prints it: secrets masked."""
    if value is None:
        return "(unset)"
    if isinstance(value, SecretStr):
        secret = value.get_secret_value()
        return mask_secrets(secret) if name == "database_url" else "****" if secret else ""
    return str(value)


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    if field.default_factory is not None:
        return str(field.default_factory())  # type: ignore[call-arg]
    return shown(name, field.default)


_DOC_DEFAULTS: Final = {
    "data_dir": "`~/.local/share/sportsgpt` (`$XDG_DATA_HOME`); `/var/lib/sportsgpt` as root",
    "cache_dir": "`~/.cache/sportsgpt` (`$XDG_CACHE_HOME`)",
}


def _default_doc(name: str) -> str:
    return _DOC_DEFAULTS.get(name) or f"`{shown(name, Settings.model_fields[name].default)}`"


def describe(settings: Settings, explicit: dict[str, Any] | None = None) -> list[SettingValue]:
    """Every setting's effective value and where it came from."""
    source_file = _ConfigFile(Settings)  # what the settings themselves read from it
    file, in_file = source_file.path, source_file.toml_data
    rows = []
    for name, field in Settings.model_fields.items():
        names = env_names(name)
        found = next((n for n in names if os.environ.get(n)), None)
        if explicit and name in explicit:
            source = "argument"
        elif found:
            source = f"environment ${found}"
        elif name in in_file:
            source = f"config file {file}"
        else:
            source = "default"
        rows.append(SettingValue(name=name, value=shown(name, getattr(settings, name)),
                                 source=source, env=names, default=_default(name),
                                 default_doc=_default_doc(name),
                                 description=field.description or ""))  # fmt: skip
    return rows


# ---------------------------------------------------------------- building, the process's own
_installed: Settings | None = None


def load_settings(**explicit: Any) -> Settings:
    """Build the settings (explicit values first); a bad value is one clear error."""
    given = {k: v for k, v in explicit.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None


def _explain(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        key = str(error["loc"][0]) if error["loc"] else "?"
        field = next((n for n in Settings.model_fields if key in (n, *env_names(n))), None)
        where = f"{field} (${', $'.join(env_names(field))})" if field else repr(key)
        message = "unknown setting" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{where}: {message}")
    return f"invalid settings (config file {config_file()} or environment): " + "; ".join(problems)


def use_settings(settings: Settings) -> Settings:
    """Install ``settings`` as this process's (the app does, once)."""
    global _installed
    _installed = settings
    return settings


@contextmanager
def settings_scope(settings: Settings) -> Iterator[Settings]:
    """``settings`` installed while the block runs (one CLI command), then the previous."""
    global _installed
    before, _installed = _installed, settings
    try:
        yield settings
    finally:
        _installed = before


def current_settings() -> Settings:
    """The installed settings, else freshly read ones (library use, tests)."""
    return _installed if _installed is not None else load_settings()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now, so a caller that swaps stderr (a test,
    a notebook) never leaves logging pointing at a closed stream."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(verbose: bool = False, level: str = "INFO") -> None:
    """Our messages at ``level`` (the ``log_level`` setting; ``verbose``: DEBUG), other
    libraries' at WARNING, all on the current stderr."""
    handler = _StderrHandler()
    handler.addFilter(SecretFilter())  # API keys and passwords never reach the log
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("sportsgpt").setLevel(logging.DEBUG if verbose else level)
    logging.captureWarnings(True)  # library warnings go to stderr through logging
