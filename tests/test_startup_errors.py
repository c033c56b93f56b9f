"""Every start-up failure of the CLI is one line on stderr naming the cause and the fix: exit 2
when the configuration must change, 1 when the environment must; `--verbose` adds the
traceback. Run as the operator runs it: `python -m bot ...` in a subprocess."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.config import ConfigError
from bot.service import PLATFORM_BACKOFF, Backoff, keep_starting
from bot.startup import PlatformUnreachable
from tests.conftest import PG_URL
from tests.slack_stub import free_port

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
# Commands that open the database (chat reads its lines from stdin: none here).
OPENING = [
    ["db", "upgrade"],
    ["run"],
    ["ingest", "--once"],
    ["chat"],
    ["sources", "list"],
]


def briefbot(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The real command line, with no BRIEFBOT_ setting but those given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        input="",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The single stderr line of a failed command, checked: nothing else, no traceback."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.returncode == code, result.stderr
    assert lines[0].startswith("briefbot: ")
    return lines[0]


def pg(database: str = "postgres", user: str | None = None) -> str:
    url = make_url(PG_URL).set(database=database)
    if user is not None:
        url = url.set(username=user, password=None)
    return url.render_as_string(hide_password=False)


# -- the database ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", OPENING, ids=" ".join)
def test_an_unreachable_database_is_one_line_and_exit_1(tmp_path: Path, command: list[str]) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql+asyncpg://briefbot@127.0.0.1:{port}/briefbot"
    line = one_line(briefbot(tmp_path, *command, env={"BRIEFBOT_DATABASE__URL": url}), 1)
    assert line == (
        f"briefbot: cannot reach the database at 127.0.0.1:{port} (connection refused): start "
        "PostgreSQL there or correct the host and port in BRIEFBOT_DATABASE__URL"
    )


def test_a_database_that_does_not_answer_gives_up_after_the_connect_timeout(
    tmp_path: Path,
) -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        config = tmp_path / "briefbot.toml"
        config.write_text(
            f'[database]\nurl = "postgresql+asyncpg://briefbot@127.0.0.1:{port}/briefbot"\n'
            "connect_timeout = 0.5\n"
        )
        line = one_line(briefbot(tmp_path, "--config", str(config), "db", "upgrade"), 1)
    assert line == (
        f"briefbot: the database at 127.0.0.1:{port} did not answer in time: check that "
        "PostgreSQL is running there and reachable from here, or correct [database] url in "
        f"{config}"
    )


@pytest.mark.parametrize("command", [["db", "upgrade"], ["run"], ["chat"]], ids=" ".join)
def test_an_unknown_database_is_a_config_error(tmp_path: Path, command: list[str]) -> None:
    missing = f"briefbot_missing_{uuid.uuid4().hex[:8]}"
    result = briefbot(tmp_path, *command, env={"BRIEFBOT_DATABASE__URL": pg(missing)})
    line = one_line(result, 2)
    assert line.startswith(f'briefbot: bad configuration: database "{missing}" does not exist ')
    assert f"create it (createdb {missing}) or correct the name in BRIEFBOT_DATABASE__URL" in line


def test_a_host_that_does_not_resolve_is_a_config_error(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://briefbot@no-such-host.invalid:5432/briefbot"
    env = {"BRIEFBOT_DATABASE__URL": url, "BRIEFBOT_DATABASE__CONNECT_TIMEOUT": "3"}
    line = one_line(briefbot(tmp_path, "db", "upgrade", env=env), 2)
    assert line.startswith(
        'briefbot: bad configuration: cannot find the database host "no-such-host.invalid" ('
    )
    assert line.endswith("): correct the host name in BRIEFBOT_DATABASE__URL")


@pytest.mark.parametrize("command", [["db", "upgrade"], ["ingest", "--once"]], ids=" ".join)
def test_a_role_that_does_not_exist_is_a_config_error(tmp_path: Path, command: list[str]) -> None:
    role = f"briefbot_nobody_{uuid.uuid4().hex[:8]}"
    result = briefbot(tmp_path, *command, env={"BRIEFBOT_DATABASE__URL": pg(user=role)})
    line = one_line(result, 2)
    assert "briefbot: bad configuration: the PostgreSQL server at " in line
    assert f'refused the login (role "{role}" does not exist): correct the user name' in line


@pytest.mark.parametrize(
    "command", [["db", "upgrade"], ["run"], ["ingest", "--once"]], ids=" ".join
)
def test_a_sqlite_file_in_a_missing_folder_is_exit_1(tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "not" / "there"
    url = f"sqlite+aiosqlite:///{folder}/briefbot.db"
    line = one_line(briefbot(tmp_path, *command, env={"BRIEFBOT_DATABASE__URL": url}), 1)
    assert line == (
        f"briefbot: cannot open the SQLite database {folder}/briefbot.db: the folder {folder} "
        f"does not exist: create it (mkdir -p {folder}) or point BRIEFBOT_DATABASE__URL elsewhere"
    )


def test_a_sqlite_file_under_a_file_is_exit_1(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a folder")
    url = f"sqlite+aiosqlite:///{tmp_path}/plain/briefbot.db"
    line = one_line(briefbot(tmp_path, "db", "upgrade", env={"BRIEFBOT_DATABASE__URL": url}), 1)
    assert line.endswith(
        f"{tmp_path}/plain is a file, not a folder: point BRIEFBOT_DATABASE__URL elsewhere"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in any folder")
def test_a_sqlite_file_in_a_read_only_folder_is_exit_1(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    url = f"sqlite+aiosqlite:///{folder}/briefbot.db"
    line = one_line(briefbot(tmp_path, "run", env={"BRIEFBOT_DATABASE__URL": url}), 1)
    assert f"the folder {folder} is not writable by this user" in line


def test_verbose_adds_the_traceback_to_the_same_line(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://briefbot@127.0.0.1:{free_port()}/briefbot"
    result = briefbot(tmp_path, "--verbose", "db", "upgrade", env={"BRIEFBOT_DATABASE__URL": url})
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ConnectionRefusedError" in result.stderr
    assert "ERROR   bot.cli: briefbot db upgrade failed" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("briefbot: cannot reach the database at")


# -- the configuration -------------------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefbot.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/b.db"\n{text}')
    return path


def test_a_missing_packs_folder_is_a_config_error(tmp_path: Path) -> None:
    config = _config(tmp_path, f'[topics]\npacks = "{tmp_path}/packs"\n')
    line = one_line(briefbot(tmp_path, "--config", str(config), "run"), 2)
    assert line == (
        f"briefbot: bad configuration: [topics] packs in {config}: {tmp_path}/packs is not a "
        'folder: give the folder of your topic packs (*.toml), or packs = "" for the bundled '
        "topics only"
    )


def test_a_packs_folder_without_packs_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    env = {"BRIEFBOT_TOPICS__PACKS": str(tmp_path / "packs")}
    line = one_line(briefbot(tmp_path, "sources", "list", env=env), 2)
    assert "BRIEFBOT_TOPICS__PACKS: " in line and "holds no topic packs (*.toml)" in line


def test_a_bad_pack_is_a_config_error_naming_the_file_and_key(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "sahara.toml").write_text('slug = "sahara"\nname = "Sahara"\n')
    config = _config(tmp_path, f'[topics]\npacks = "{packs}"\n')
    line = one_line(briefbot(tmp_path, "--config", str(config), "ingest", "--once"), 2)
    assert line == (
        f"briefbot: bad configuration: [topics] packs in {config}: a pack in {packs} is wrong: "
        "sahara.toml: description: missing (fix the pack or take it out of the folder)"
    )


def test_an_unknown_default_topic_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    config = _config(tmp_path, '[topics]\ndefault = ["tunisa"]\n')
    line = one_line(briefbot(tmp_path, "--config", str(config), "run"), 2)
    assert line.startswith(
        f"briefbot: bad configuration: [topics] default in {config}: no topic 'tunisa' "
        "(did you mean tunisia? the topics: "
    )
    for slug in ("tunisia", "libya", "sahel", "north-africa-security"):
        assert slug in line


def test_an_unknown_default_topic_lists_the_topics(tmp_path: Path) -> None:
    env = {"BRIEFBOT_TOPICS__DEFAULT": '["zzz"]'}
    line = one_line(briefbot(tmp_path, "sources", "list", env=env), 2)
    assert line.startswith("briefbot: bad configuration: BRIEFBOT_TOPICS__DEFAULT: no topic 'zzz'")
    assert "did you mean" not in line and "the topics: tunisia, " in line


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"BRIEFBOT_SLACK__BOT_TOKEN": "xoxb-1-half"},
            "[slack] signing_secret (or BRIEFBOT_SLACK__SIGNING_SECRET): missing while bot_token "
            "is set: add the app's signing secret or leave all three empty to keep Slack off",
        ),
        (
            {"BRIEFBOT_SLACK__SIGNING_SECRET": "half-secret"},
            "[slack] bot_token (or BRIEFBOT_SLACK__BOT_TOKEN): missing while signing_secret is "
            "set: add the bot token (xoxb-…) or leave all three empty to keep Slack off",
        ),
        (
            {
                "BRIEFBOT_SLACK__BOT_TOKEN": "xoxb-1-half",
                "BRIEFBOT_SLACK__SIGNING_SECRET": "half-secret",
                "BRIEFBOT_SLACK__MODE": "socket",
            },
            '[slack] app_token (or BRIEFBOT_SLACK__APP_TOKEN): missing while mode = "socket": '
            'add the app-level token (xapp-…) or set mode = "http"',
        ),
    ],
)
def test_slack_half_configured_is_a_config_error(
    tmp_path: Path, settings: dict[str, str], expected: str
) -> None:
    line = one_line(briefbot(tmp_path, "run", env=settings), 2)
    assert line == f"briefbot: bad configuration: {expected}"
    assert "xoxb-1-half" not in line and "half-secret" not in line


def test_slack_half_configured_in_a_file_names_the_file(tmp_path: Path) -> None:
    config = _config(tmp_path, '[slack]\nbot_token = "xoxb-1-half"\n')
    line = one_line(briefbot(tmp_path, "--config", str(config), "version"), 2)
    assert line.startswith(f"briefbot: bad configuration: [slack] signing_secret in {config}: ")


def test_an_environment_override_error_names_the_variable(tmp_path: Path) -> None:
    line = one_line(briefbot(tmp_path, "version", env={"BRIEFBOT_BOGUS__X": "1"}), 2)
    assert line.startswith(
        "briefbot: bad configuration: environment BRIEFBOT_BOGUS__X: [bogus]: no such section "
        "(the sections: admin, database, "
    )
    assert "embedded defaults" not in line


def test_a_misspelt_key_from_the_environment_gets_a_suggestion(tmp_path: Path) -> None:
    line = one_line(briefbot(tmp_path, "version", env={"BRIEFBOT_TELEGRAM__TOKN": "x"}), 2)
    assert "environment BRIEFBOT_TELEGRAM__TOKN: [telegram] tokn: " in line
    assert "did you mean token?" in line


def test_several_config_problems_share_the_one_line(tmp_path: Path) -> None:
    config = _config(tmp_path, '[telegram]\nport = "abc"\n[schedule]\ningest_every = 0\n')
    line = one_line(briefbot(tmp_path, "--config", str(config), "version"), 2)
    assert "[telegram] port: expected an integer, found 'abc'; " in line
    assert "[schedule] ingest_every: expected greater than or equal to 1" in line


# -- chat platforms at start -------------------------------------------------------------------


@pytest.fixture
def refusing_telegram(server: object) -> Iterator[str]:
    """A Bot API that answers getMe with 401, as Telegram does for a revoked token."""
    from pytest_httpserver import HTTPServer

    assert isinstance(server, HTTPServer)
    server.expect_request(f"/bot{TOKEN}/getMe").respond_with_json(
        {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
    )
    yield server.url_for("/bot")


def migrated(tmp_path: Path) -> str:
    """A database made by `briefbot db upgrade`, as a deployment does before `run`: the run
    then logs no migration line before the failure."""
    url = f"sqlite+aiosqlite:///{tmp_path}/b.db"
    done = briefbot(tmp_path, "db", "upgrade", env={"BRIEFBOT_DATABASE__URL": url})
    assert done.returncode == 0, done.stderr
    return url


def test_a_refused_telegram_token_is_one_line_and_exit_2(
    tmp_path: Path, refusing_telegram: str
) -> None:
    env = {
        "BRIEFBOT_DATABASE__URL": migrated(tmp_path),
        "BRIEFBOT_TELEGRAM__TOKEN": TOKEN,
        "BRIEFBOT_TELEGRAM__BASE_URL": refusing_telegram,
    }
    line = one_line(briefbot(tmp_path, "run", env=env), 2)
    assert line == (
        "briefbot: bad configuration: [telegram] token: Telegram refused it: check the token "
        "@BotFather gave you (or BRIEFBOT_TELEGRAM__TOKEN)"
    )


async def test_a_refused_slack_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    import asyncio

    from tests.slack_stub import SlackStub

    url = migrated(tmp_path)
    stub = SlackStub()
    await stub.start()
    try:
        stub.fail("auth.test", "invalid_auth")
        clean = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env={
                **clean,
                "BRIEFBOT_DATABASE__URL": url,
                "BRIEFBOT_SLACK__BOT_TOKEN": "xoxb-1-refused",
                "BRIEFBOT_SLACK__SIGNING_SECRET": "a-signing-secret",
                "BRIEFBOT_SLACK__API_BASE_URL": stub.base_url,
                "BRIEFBOT_SLACK__PORT": str(free_port()),
            },
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await stub.stop()
    result = subprocess.CompletedProcess([], process.returncode or 0, "", err.decode())
    line = one_line(result, 2)
    assert line == (
        "briefbot: bad configuration: [slack] bot_token: Slack refused it (invalid_auth): check "
        "the bot token (xoxb-…) in the app's settings (or BRIEFBOT_SLACK__BOT_TOKEN)"
    )


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR) ")


def test_run_keeps_trying_an_unreachable_telegram_and_runs_meanwhile(tmp_path: Path) -> None:
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    env = {
        **clean,
        "BRIEFBOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path}/b.db",
        "BRIEFBOT_TELEGRAM__TOKEN": TOKEN,
        "BRIEFBOT_TELEGRAM__BASE_URL": f"http://127.0.0.1:{port}/bot",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 60
        while sum("trying again in" in line for line in lines) < 2:
            assert time.monotonic() < deadline, "".join(lines)
            line = process.stderr.readline()
            assert line, "".join(lines)  # the process ended
            lines.append(line)
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines += rest.splitlines(keepends=True)
    assert process.returncode == 0, "".join(lines)
    assert all(LOG_LINE.match(line) for line in lines), "".join(lines)  # no traceback lines
    attempts = [line for line in lines if "trying again in" in line]
    assert f"telegram: cannot reach the Bot API at 127.0.0.1:{port} (" in attempts[0]
    assert (
        attempts[0]
        .rstrip()
        .endswith("check the network and [telegram] base_url (attempt 1); trying again in 2 s")
    )
    assert attempts[1].rstrip().endswith("(attempt 2); trying again in 4 s")
    assert any("briefbot running with telegram (connecting)" in line for line in lines)
    assert TOKEN not in "".join(lines)


# -- an unexpected failure ---------------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_an_unexpected_failure_is_one_line_without_verbose(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from bot import cli

    async def broken(*_args: object) -> int:
        raise RuntimeError(f"wires crossed near bot{TOKEN}\nsecond line")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFBOT_TELEGRAM__TOKEN", TOKEN)
    monkeypatch.setattr(cli, "_version", broken)
    assert cli.main(["version"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "briefbot: version failed: RuntimeError: wires crossed near bot*** "
        "(run with --verbose to log the traceback)\n"
    )
    assert cli.main(["--verbose", "version"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and TOKEN not in err
    assert (
        err.splitlines()[-1] == "briefbot: version failed: RuntimeError: wires crossed near bot***"
    )


# -- trying an unreachable platform again ------------------------------------------------------


class FlakyPlatform:
    """Does not answer `failures` times, then starts (or refuses, when told)."""

    def __init__(self, failures: int, then: Exception | None = None) -> None:
        self.failures = failures
        self.then = then
        self.attempts = 0
        self.running = False

    async def start(self) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise PlatformUnreachable(f"flaky: no answer #{self.attempts}")
        if self.then is not None:
            raise self.then
        self.running = True

    async def stop(self) -> None:
        self.running = False

    async def send(
        self, chat_external_id: str, reply: object, thread_id: str | None = None
    ) -> list[str]:
        return []


async def test_back_off_doubles_up_to_the_cap_with_one_log_line_per_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    platform = FlakyPlatform(failures=9)
    started: list[str] = []
    with caplog.at_level(logging.INFO, logger="bot.service"):
        try:
            await platform.start()
        except PlatformUnreachable as first:
            await keep_starting(
                "flaky", platform, first, lambda: started.append("up"), Backoff(1, 60), sleep
            )
    assert slept == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert platform.running and started == ["up"] and platform.attempts == 10
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[0] == "flaky: no answer #1 (attempt 1); trying again in 1 s"
    assert warnings[-1] == "flaky: no answer #9 (attempt 9); trying again in 60 s"
    assert len(warnings) == 9
    assert "flaky started after 9 failed attempts" in caplog.messages


async def test_a_refusal_after_the_platform_answers_ends_the_attempts() -> None:
    async def sleep(_seconds: float) -> None:
        return None

    refused = ConfigError("[telegram] token: Telegram refused it")
    platform = FlakyPlatform(failures=2, then=refused)
    with pytest.raises(ConfigError, match="refused it"):
        await keep_starting(
            "flaky", platform, PlatformUnreachable("no answer"), lambda: None, Backoff(), sleep
        )
    assert platform.attempts == 3 and not platform.running


def test_the_default_back_off_is_capped_at_five_minutes() -> None:
    delays = [PLATFORM_BACKOFF.delay(failures) for failures in range(1, 12)]
    assert delays[:4] == [2, 4, 8, 16] and max(delays) == 300 and delays[-1] == 300


async def test_telegram_at_a_closed_port_is_unreachable_not_refused(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from bot.adapters.telegram import TelegramBot
    from bot.app import Runtime
    from bot.config import Config, DatabaseConfig, TelegramConfig

    runtime = await Runtime.open(
        Config(database=DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path}/b.db"))
    )
    try:
        config = TelegramConfig(
            token=SecretStr(TOKEN), base_url=f"http://127.0.0.1:{free_port()}/bot"
        )

        async def ignore(*_args: object) -> None:
            return None

        bot = TelegramBot(config, runtime.context(), ignore)
        for _ in range(2):  # and again: a later attempt starts from the same state
            with pytest.raises(PlatformUnreachable, match="cannot reach the Bot API") as caught:
                await bot.start()
            assert TOKEN not in str(caught.value)
            assert not bot.app.running
    finally:
        await runtime.close()
