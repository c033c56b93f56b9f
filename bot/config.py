"""Configuration: a TOML file plus BRIEFBOT_<SECTION>__<KEY> environment overrides, checked."""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import make_url

ENV_PREFIX = "BRIEFBOT_"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///briefbot.db"
DEFAULT_TOPICS = ("tunisia", "north-africa-security")


class ConfigError(Exception):
    """A configuration problem, worded for the operator in one line: where, which key,
    expected, found (several problems are joined with "; ")."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseConfig(_Section):
    url: str = Field(default=DEFAULT_DATABASE_URL, repr=False)
    connect_timeout: float = Field(default=10.0, gt=0, description="seconds, PostgreSQL only")

    @property
    def redacted_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("a sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB url")
        return value


class TelegramConfig(_Section):
    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    listen: str = "0.0.0.0"  # noqa: S104 - the webhook server must be reachable by the load balancer
    port: int = Field(default=8443, ge=1, le=65535)
    secret_token: SecretStr = SecretStr("")

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value())


class SlackConfig(_Section):
    bot_token: SecretStr = SecretStr("")
    signing_secret: SecretStr = SecretStr("")
    app_token: SecretStr = SecretStr("")
    mode: Literal["http", "socket"] = "http"
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    api_base_url: str = "https://slack.com/api/"

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token.get_secret_value() and self.signing_secret.get_secret_value())


class SourceConfig(_Section):
    url: str = Field(min_length=1)
    name: str | None = None
    topics: tuple[str, ...] = ()
    interval: int = Field(default=15, ge=1, le=7 * 24 * 60, description="minutes")

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "file://")):
            raise ValueError("an http://, https:// or file:// url")
        return value


class ScheduleConfig(_Section):
    ingest_every: int = Field(default=15, ge=1, le=24 * 60, description="minutes")
    default_digest_time: time = time(8, 0)
    default_timezone: str = "UTC"

    @field_validator("default_digest_time", mode="before")
    @classmethod
    def _hh_mm(cls, value: Any) -> Any:
        if isinstance(value, str):
            hours, _, minutes = value.partition(":")
            if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
                raise ValueError('a time as "HH:MM", e.g. "08:00"')
            return time(int(hours), int(minutes))
        return value

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError('an IANA time zone such as "Africa/Tunis" or "UTC"') from None
        return value


class AdminConfig(_Section):
    telegram_ids: tuple[int, ...] = ()
    slack_ids: tuple[str, ...] = ()


class TopicsConfig(_Section):
    default: tuple[str, ...] = DEFAULT_TOPICS
    packs: str = ""


class IngestConfig(_Section):
    full_text: bool = False
    max_bytes: int = Field(default=5_000_000, ge=1_000)
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=10.0, gt=0)
    total_timeout: float = Field(default=30.0, gt=0)
    per_host_concurrency: int = Field(default=4, ge=1)
    max_failures: int = Field(default=8, ge=1)
    retention_days: int = Field(default=180, ge=1)
    allow_networks: tuple[str, ...] = ()
    parse_workers: int = Field(default=2, ge=1, le=64)
    parse_timeout: float = Field(default=20.0, gt=0)
    parse_memory_mb: int = Field(default=768, ge=128)
    full_text_pages: int = Field(default=10, ge=0)
    full_text_budget: float = Field(default=30.0, gt=0)


class MetricsConfig(_Section):
    port: int = Field(default=0, ge=0, le=65535, description="0 = no metrics endpoint")
    host: str = "127.0.0.1"


class LoggingConfig(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class Config(_Section):
    database: DatabaseConfig = DatabaseConfig()
    telegram: TelegramConfig = TelegramConfig()
    slack: SlackConfig = SlackConfig()
    sources: tuple[SourceConfig, ...] = ()
    schedule: ScheduleConfig = ScheduleConfig()
    admin: AdminConfig = AdminConfig()
    topics: TopicsConfig = TopicsConfig()
    ingest: IngestConfig = IngestConfig()
    metrics: MetricsConfig = MetricsConfig()
    logging: LoggingConfig = LoggingConfig()
    origin: str = Field(default="embedded defaults", exclude=True)
    # (section, key, variable) for every key set from the environment.
    from_environment: tuple[tuple[str, str, str], ...] = Field(default=(), exclude=True, repr=False)

    @property
    def has_file(self) -> bool:
        return self.origin != "embedded defaults"

    def setting(self, section: str, key: str) -> str:
        """Where the operator changes a key: its variable when the environment set it, else the
        key in the config file (or, with no file, both ways of setting it)."""
        for env_section, env_key, name in self.from_environment:
            if (env_section, env_key) == (section, key):
                return name
        variable = f"{ENV_PREFIX}{section.upper()}__{key.upper()}"
        if self.has_file:
            return f"[{section}] {key} in {self.origin}"
        return f"[{section}] {key} (or {variable})"

    def secrets(self) -> list[str]:
        """Every secret value in force, for the log redaction filter."""
        values = [
            self.telegram.token,
            self.telegram.secret_token,
            self.slack.bot_token,
            self.slack.signing_secret,
            self.slack.app_token,
        ]
        found = [value.get_secret_value() for value in values if value.get_secret_value()]
        password = make_url(self.database.url).password
        return [*found, str(password)] if password else found


def find_config_path(explicit: str | None, environ: Mapping[str, str]) -> Path | None:
    """--config PATH, else $BRIEFBOT_CONFIG, else ./config.toml if present, else None."""
    if explicit:
        return Path(explicit)
    if environ.get("BRIEFBOT_CONFIG"):
        return Path(environ["BRIEFBOT_CONFIG"])
    local = Path("config.toml")
    return local if local.is_file() else None


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    where = "embedded defaults"
    if path is not None:
        where = str(path)
        data = _read_toml(path)
    env_keys = _apply_environment(data, environ)
    from_environment = tuple((section, key, name) for (section, key), name in env_keys.items())
    try:
        config = Config.model_validate(
            {**data, "origin": where, "from_environment": from_environment}
        )
    except ValidationError as error:
        raise ConfigError(_describe(error, where, env_keys)) from None
    problems = _slack_problems(config)
    if problems:
        raise ConfigError("; ".join(problems))
    return config


def _slack_problems(config: Config) -> list[str]:
    """Slack is on with a bot token and a signing secret (and an app token in Socket Mode);
    a part of that set without the rest is a mistake, not a reason to leave Slack off."""
    slack = config.slack
    given = {
        key
        for key in ("bot_token", "signing_secret", "app_token")
        if getattr(slack, key).get_secret_value()
    }
    if not given:
        return []
    off = "or leave all three empty to keep Slack off"
    problems = []
    if "bot_token" not in given:
        others = " and ".join(sorted(given))
        verb = "is" if len(given) == 1 else "are"
        return [
            f"{config.setting('slack', 'bot_token')}: missing while {others} {verb} set: "
            f"add the bot token (xoxb-…) {off}"
        ]
    if "signing_secret" not in given:
        problems.append(
            f"{config.setting('slack', 'signing_secret')}: missing while bot_token is set: "
            f"add the app's signing secret {off}"
        )
    if slack.mode == "socket" and "app_token" not in given:
        problems.append(
            f'{config.setting("slack", "app_token")}: missing while mode = "socket": add the '
            'app-level token (xapp-…) or set mode = "http"'
        )
    return problems


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error.__class__.__name__}") from None


def _apply_environment(
    data: dict[str, Any], environ: Mapping[str, str]
) -> dict[tuple[str, str], str]:
    """Fold BRIEFBOT_SECTION__KEY variables into `data`; returns which keys came from where."""
    used: dict[tuple[str, str], str] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name.removeprefix(ENV_PREFIX).lower().partition("__")
        table = data.setdefault(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"environment {name}: [{section}] is not a table of keys")
        table[key] = _env_value(raw)
        used[(section, key)] = name
    return used


def _env_value(raw: str) -> Any:
    """JSON lists and tables (e.g. `[1, 2]`) are parsed; everything else stays a string."""
    stripped = raw.strip()
    if stripped.startswith(("[", "{")):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return raw
    return raw


def _describe(error: ValidationError, where: str, env_keys: Mapping[tuple[str, str], str]) -> str:
    """Every problem on one line, "; " between them, each naming the file or the variable."""
    lines = []
    for problem in error.errors(include_url=False):
        location = [str(part) for part in problem["loc"]]
        section, key = [*location, "", ""][:2]
        origin = env_keys.get((section, key))
        if len(location) == 1:  # the whole section: name a variable that made it, if any
            origin = next((name for (s, _), name in env_keys.items() if s == section), None)
        place = f"environment {origin}" if origin else where
        if len(location) == 1 and problem["type"] == "extra_forbidden":
            sections = ", ".join(_SECTIONS)
            lines.append(f"{place}: [{section}]: no such section (the sections: {sections})")
            continue
        label = f"[{section}] {'.'.join(location[1:])}" if len(location) > 1 else f"[{section}]"
        expected = _expected(problem)
        if problem["type"] == "extra_forbidden" and len(location) == 2:
            expected = _no_such_key(section, key)
        found = problem.get("input")
        shown = "(missing)" if problem["type"] == "missing" else _show(found, section, key)
        lines.append(f"{place}: {label}: expected {expected}, found {shown}")
    return "; ".join(lines)


_SECTIONS = sorted(
    name for name in Config.model_fields if name not in ("origin", "from_environment")
)


def _no_such_key(section: str, key: str) -> str:
    field = Config.model_fields.get(section)
    model = field.annotation if field is not None else None
    known: list[str] = []
    if isinstance(model, type) and issubclass(model, _Section):
        known = list(model.model_fields)
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"no such key (did you mean {close[0]}? see config.example.toml)"
    return _EXPECTED["extra_forbidden"]


_EXPECTED = {
    "missing": "a value (this key is required)",
    "int_parsing": "an integer",
    "int_type": "an integer",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a table of keys",
    "model_attributes_type": "a table of keys",
    "time_type": 'a time as "HH:MM"',
    "extra_forbidden": "no such key (check the spelling against config.example.toml)",
}


def _expected(problem: Mapping[str, Any]) -> str:
    kind = problem["type"]
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "value_error":
        return str(problem["msg"]).removeprefix("Value error, ")
    return str(problem["msg"]).replace("Input should be ", "").replace("Input ", "")


def _show(value: Any, section: str, key: str) -> str:
    if section == "database" or any(word in key for word in ("token", "secret", "password")):
        return "(hidden)"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
