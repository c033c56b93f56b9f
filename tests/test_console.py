"""The console adapter: line parsing, the follow-up memory, and `briefbot chat` as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleChat, split_line, to_command
from bot.app import Runtime
from bot.config import Config, DatabaseConfig
from bot.domain import ChatKind


def test_split_line_handles_quotes_and_slashes() -> None:
    assert split_line("/subscribe north africa security") == (
        "subscribe",
        ("north", "africa", "security"),
        "north africa security",
    )
    assert split_line('watch "wagner OR \\"africa corps\\""')[1] == ('wagner OR "africa corps"',)
    assert split_line('watch "unbalanced')[1] == ('"unbalanced',)
    assert split_line("help") == ("help", (), "")


def test_to_command_marks_the_console_user_as_chat_admin() -> None:
    command = to_command("more", "desk", reply_to_brief=7)
    assert command is not None
    assert (command.platform, command.chat_id, command.chat_kind) == (
        "console",
        "desk",
        ChatKind.PRIVATE,
    )
    assert command.user_is_chat_admin and command.reply_to_brief == 7
    subscribe = to_command("/subscribe tunisia", "desk", reply_to_brief=7)
    assert subscribe is not None and subscribe.reply_to_brief is None
    assert to_command("   ", "desk") is None
    assert to_command("# a comment", "desk") is None


@pytest.fixture
async def console(sqlite_url: str) -> AsyncIterator[ConsoleChat]:
    runtime = await Runtime.open(Config(database=DatabaseConfig(url=sqlite_url)))
    await runtime.sync_sources()
    await runtime.ingest(force=True)
    yield ConsoleChat(runtime.context())
    await runtime.close()


async def test_transcript_subscribe_brief_and_follow_up(console: ConsoleChat) -> None:
    assert "Subscribed to Tunisia" in await console.say("/subscribe tunisia")
    shown = await console.say("/brief tunisia 1")
    assert "Event: " in shown and "#B" in shown
    follow_up = await console.say("source")
    assert "http" in follow_up and "There is no brief" not in follow_up
    assert "did you mean /subscribe" in (await console.say("/subscibe tunisia")).lower()


async def test_no_traceback_ever_reaches_the_chat(console: ConsoleChat) -> None:
    for line in [
        "/brief " + "x" * 5000,
        "/more B999999999999999",
        "/schedule 25:99 Mars/Base",
        "/watch (",
        "/search \"' OR 1=1 --",
        "/mute tunisia for forever",
        "/" * 300,
        "/timezone",
        "/subscribe",
        "/unwatch W0",
        "/related",
        "\x00\x1b[31m",
    ]:
        text = await console.say(line)
        assert "Traceback" not in text and "incident" not in text, line


def _chat(cwd: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=stdin,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_piped_chat_prints_both_replies_and_exits_0(tmp_path: Path) -> None:
    demo = subprocess.run(
        [sys.executable, "-m", "bot.cli", "-q", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    result = _chat(tmp_path, "/subscribe tunisia\nbrief tunisia\n")
    assert result.returncode == 0, result.stderr
    assert "Subscribed to Tunisia" in result.stdout
    assert "Event: " in result.stdout and "#B" in result.stdout
    assert "Traceback" not in result.stderr
