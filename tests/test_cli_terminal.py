"""The CLI as a person at a terminal meets it: `briefbot chat` keeps log lines out of the
conversation and says how to get briefs; a log line is one line whatever a feed or a user put
in it; long work shows a progress line on a terminal and nothing when piped."""

from __future__ import annotations

import io
import logging
import os
import pty
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import NO_BRIEFS, missing_sqlite_file
from bot.ingest.progress import progress
from bot.logs import OneLineFormatter, escape_controls, quiet_unless_debug, setup_logging

HOSTILE = "\x1b[31mred\x1b[0m\r\nFAKE INFO line\x00\x07\u202eevil\u2066\x9b2J"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}


def _cli(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose ./briefbot.db holds the sample feeds' briefs."""
    folder = tmp_path_factory.mktemp("demo")
    demo = _cli(folder, "-q", "demo")
    assert demo.returncode == 0, demo.stderr
    return folder


# --- briefbot chat -------------------------------------------------------------------------------


def test_piped_chat_writes_replies_only(demo_folder: Path) -> None:
    result = _cli(demo_folder, "chat", stdin="/subscibe tunisia\n/brief tunisia\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no INFO lines: not the migration, not the refusal
    assert result.stdout.count("I don't know /subscibe") == 1
    assert "Latest on Tunisia" in result.stdout


def test_verbose_chat_logs_one_escaped_line_per_record(demo_folder: Path) -> None:
    typed = "".join(HOSTILE.split())  # one word: the name of an unknown command
    result = _cli(demo_folder, "-v", "chat", stdin=f"/x{typed}\n")
    assert result.returncode == 0, result.stderr
    refusals = [line for line in result.stderr.splitlines() if "refused" in line]
    assert len(refusals) == 1, result.stderr
    assert "\\x1b[31mred" in refusals[0] and "\\u202eevil" in refusals[0]
    for raw in ("\x1b", "\x00", "\x07", "\u202e", "\u2066", "\x9b"):
        assert raw not in result.stderr
    assert all(line[:4].isdigit() for line in result.stderr.splitlines()), result.stderr


def test_chat_without_a_database_says_how_to_get_briefs(tmp_path: Path) -> None:
    result = _cli(tmp_path, "chat", stdin="/brief tunisia\n")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"no database at {tmp_path / 'briefbot.db'}" in result.stderr
    assert "briefbot ingest --once" in result.stderr and "--config" in result.stderr
    assert not (tmp_path / "briefbot.db").exists()  # not silently made


def test_chat_on_an_empty_store_says_so_first(tmp_path: Path) -> None:
    upgrade = _cli(tmp_path, "-q", "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    result = _cli(tmp_path, "chat", stdin="/brief tunisia\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == NO_BRIEFS + "\n"
    assert "No briefs on Tunisia yet" in result.stdout


def test_only_a_missing_sqlite_file_counts_as_missing(tmp_path: Path) -> None:
    absent = tmp_path / "absent.db"
    assert missing_sqlite_file(f"sqlite+aiosqlite:///{absent}") == absent
    (tmp_path / "here.db").touch()
    assert missing_sqlite_file(f"sqlite+aiosqlite:///{tmp_path / 'here.db'}") is None
    assert missing_sqlite_file("sqlite+aiosqlite://") is None
    assert missing_sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert missing_sqlite_file("postgresql+asyncpg://bot@db.invalid/briefbot") is None


# --- log lines -----------------------------------------------------------------------------------


def test_escape_controls_writes_each_control_as_its_escape() -> None:
    assert escape_controls(HOSTILE) == (
        "\\x1b[31mred\\x1b[0m\\r\\nFAKE INFO line\\x00\\x07\\u202eevil\\u2066\\x9b2J"
    )
    assert escape_controls("Tunis — تونس, Sfax\tport") == "Tunis — تونس, Sfax\\tport"
    assert escape_controls("one\ntwo\x1b", keep_newlines=True) == "one\ntwo\\x1b"


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("bot.ingest", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_hostile_feed_title_stays_on_one_line() -> None:
    line = OneLineFormatter("%(levelname)s %(message)s").format(
        _record("feed %s: bad title %r", "https://example.org/feed", HOSTILE)
    )
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert line.startswith("WARNING feed https://example.org/feed: bad title")


def test_a_traceback_keeps_its_lines_but_not_its_controls() -> None:
    try:
        raise ValueError(f"title {HOSTILE}")
    except ValueError as error:
        caught = error
    text = OneLineFormatter("%(message)s").format(
        _record("parse failed for %s", HOSTILE, exc=caught)
    )
    first, *rest = text.split("\n")
    assert first.startswith("parse failed for \\x1b[31mred")
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1].startswith("ValueError: title \\x1b[31mred\\x1b[0m\\r\\nFAKE INFO line")
    assert "\x1b" not in text and "\r" not in text and "\x00" not in text


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_setup_logging_escapes_and_still_redacts(
    root_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    setup_logging("INFO", secrets=["s3cret-value"])
    logging.getLogger("bot.test").info("user %s sent %s", "s3cret-value", HOSTILE)
    assert err.getvalue().count("\n") == 1
    assert "s3cret-value" not in err.getvalue() and "user *** sent \\x1b[31m" in err.getvalue()


def test_the_chat_hides_info_unless_debug(root_logging: None) -> None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    with quiet_unless_debug():
        assert root.level == logging.WARNING
    assert root.level == logging.INFO
    root.setLevel(logging.ERROR)
    with quiet_unless_debug():
        assert root.level == logging.ERROR
    root.setLevel(logging.DEBUG)  # --verbose
    with quiet_unless_debug():
        assert root.level == logging.DEBUG


# --- progress ------------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_counts_then_clears() -> None:
    tty = FakeTerminal()
    with progress("ingest", 3, stream=tty) as advance:
        for _ in range(3):
            advance()
    shown = tty.getvalue()
    assert "ingest" in shown and "3/3" in shown
    assert shown.endswith("\x1b[2K")  # the line is erased once the work is done


def test_progress_without_a_total_spins() -> None:
    tty = FakeTerminal()
    with progress("db upgrade", None, stream=tty) as advance:
        advance()
    assert "db upgrade" in tty.getvalue()


def test_progress_writes_nothing_when_piped() -> None:
    piped = io.StringIO()
    with progress("ingest", 3, stream=piped) as advance:
        advance()
    assert piped.getvalue() == ""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe, progress("ingest", 3, stream=pipe) as advance:
        advance()
    with os.fdopen(read_end) as reading:
        assert reading.read() == ""


def test_log_lines_print_above_the_progress_line(
    root_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    tty = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", tty)
    setup_logging("INFO")
    with progress("ingest", 2, stream=tty) as advance:
        advance()
        logging.getLogger("bot.ingest").warning("feed %s failed", HOSTILE)
        advance()
    assert "feed \\x1b[31mred" in tty.getvalue() and "\x1b[31mred" not in tty.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    setup_logging("INFO")
    with progress("ingest", 1, stream=piped):
        logging.getLogger("bot.ingest").warning("after the bar")
    assert piped.getvalue().endswith("bot.ingest: after the bar\n")


def test_ingest_shows_progress_on_a_terminal_only(demo_folder: Path) -> None:
    piped = _cli(demo_folder, "ingest", "--once", "--force")
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == "" and piped.stdout.startswith("3 sources:")
    terminal, child = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "ingest", "--once", "--force"],
            cwd=demo_folder,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=child,
        )
        os.close(child)
        shown = b""
        while select.select([terminal], [], [], 120)[0]:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the child closed its end: Linux reports EIO
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=120) == 0
        assert process.stdout is not None and process.stdout.read().startswith(b"3 sources:")
        process.stdout.close()
    finally:
        os.close(terminal)
    assert b"ingest" in shown and b"3/3" in shown
