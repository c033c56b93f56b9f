"""Config: the example file, environment overrides, and every kind of bad value."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, find_config_path, load_config
from bot.logs import RedactingFilter

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads_with_every_section() -> None:
    config = load_config(ROOT / "config.example.toml", environ={})
    assert config.database.url == DEFAULT_DATABASE_URL
    assert config.schedule.default_digest_time == time(8, 0)
    assert config.topics.default == ("tunisia", "north-africa-security")
    assert len(config.sources) >= 5 and all(s.url.startswith("https://") for s in config.sources)
    assert not config.telegram.enabled and not config.slack.enabled


def test_no_file_means_embedded_defaults() -> None:
    config = load_config(None, environ={})
    assert config.origin == "embedded defaults"
    assert config.sources == ()
    assert config.database.url == DEFAULT_DATABASE_URL


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[telegram]\nport = 8000\n[schedule]\ndefault_timezone = "UTC"\n')
    config = load_config(
        path,
        environ={
            "BRIEFBOT_TELEGRAM__TOKEN": TOKEN,
            "BRIEFBOT_TELEGRAM__PORT": "9000",
            "BRIEFBOT_SCHEDULE__DEFAULT_TIMEZONE": "Africa/Tunis",
            "BRIEFBOT_ADMIN__TELEGRAM_IDS": "[111, 222]",
            "BRIEFBOT_INGEST__FULL_TEXT": "true",
            "BRIEFBOT_CONFIG": "ignored-here",
        },
    )
    assert config.telegram.token.get_secret_value() == TOKEN
    assert config.telegram.enabled
    assert config.telegram.port == 9000
    assert config.schedule.default_timezone == "Africa/Tunis"
    assert config.admin.telegram_ids == (111, 222)
    assert config.ingest.full_text is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[telegram]\nport = "abc"\n', "[telegram] port: expected an integer, found 'abc'"),
        ("[telegram]\nport = 70000\n", "[telegram] port: expected less than or equal to 65535"),
        ('[telegram]\nmode = "carrier-pigeon"\n', "[telegram] mode: expected 'polling' or"),
        (
            '[schedule]\ndefault_timezone = "Mars/Olympus"\n',
            '[schedule] default_timezone: expected an IANA time zone such as "Africa/Tunis"',
        ),
        (
            '[schedule]\ndefault_digest_time = "8h"\n',
            '[schedule] default_digest_time: expected a time as "HH:MM"',
        ),
        ('[database]\nurl = "mysql://x"\n', "[database] url: expected a sqlite+aiosqlite"),
        ('[telegram]\ntokn = "x"\n', "[telegram] tokn: expected no such key"),
        (
            '[[sources]]\nname = "no url"\n',
            "[sources] 0.url: expected a value (this key is required), found (missing)",
        ),
        ('[[sources]]\nurl = "ftp://x"\n', "[sources] 0.url: expected an http://, https://"),
        ('[admin]\ntelegram_ids = ["me"]\n', "[admin] telegram_ids.0: expected an integer"),
    ],
)
def test_bad_values_name_file_key_expected_and_found(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, environ={"BRIEFBOT_SLACK__PORT": "http"})
    assert "environment BRIEFBOT_SLACK__PORT: [slack] port: expected an integer" in str(
        caught.value
    )


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.toml", environ={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[telegram\n"), environ={})


def test_bad_secret_is_not_echoed(tmp_path: Path) -> None:
    path = _write(tmp_path, "[telegram]\ntoken = 12345\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "12345" not in str(caught.value) and "(hidden)" in str(caught.value)


def test_secrets_are_redacted_in_repr(tmp_path: Path) -> None:
    path = _write(tmp_path, '[database]\nurl = "postgresql+asyncpg://bot:hunter22@db/briefs"\n')
    config = load_config(
        path,
        environ={
            "BRIEFBOT_TELEGRAM__TOKEN": TOKEN,
            "BRIEFBOT_SLACK__BOT_TOKEN": "xoxb-s3cr3t-bot",
            "BRIEFBOT_SLACK__SIGNING_SECRET": "s3cr3t-signing",
        },
    )
    shown = repr(config) + str(config)
    for secret in (TOKEN, "hunter22", "xoxb-s3cr3t-bot", "s3cr3t-signing"):
        assert secret not in shown
    assert "hunter22" not in config.database.redacted_url
    assert set(config.secrets()) == {TOKEN, "xoxb-s3cr3t-bot", "s3cr3t-signing", "hunter22"}


def test_redacting_filter_scrubs_messages_args_and_tracebacks() -> None:
    redactor = RedactingFilter(["hunter22"])
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "GET %s with %s",
        (f"https://api.telegram.org/bot{TOKEN}/getMe", "hunter22"),
        None,
    )
    redactor.filter(record)
    assert TOKEN not in record.getMessage() and "hunter22" not in record.getMessage()
    try:
        raise RuntimeError(f"failed for bot{TOKEN}")
    except RuntimeError:
        failing = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    redactor.filter(failing)
    assert TOKEN not in (failing.exc_text or "") and "RuntimeError" in (failing.exc_text or "")


def test_config_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config_path(None, {}) is None
    (tmp_path / "config.toml").write_text("")
    assert find_config_path(None, {}) == Path("config.toml")
    assert find_config_path(None, {"BRIEFBOT_CONFIG": "/etc/b.toml"}) == Path("/etc/b.toml")
    assert find_config_path("given.toml", {"BRIEFBOT_CONFIG": "/etc/b.toml"}) == Path("given.toml")


def test_cli_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, '[telegram]\nport = "abc"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(path), "version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "[telegram] port" in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"briefbot: bad configuration: {path}: [telegram] port: expected an integer, found 'abc'"
    ]
