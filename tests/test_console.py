"""The console adapter: line parsing, the follow-up memory, and `briefbot chat` as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.adapters.console import ConsoleChat, split_line, to_command
from bot.analysis.query import parse_chat_query
from bot.app import Runtime
from bot.chat import Card
from bot.config import Config, DatabaseConfig
from bot.delivery.digest import watch_matches
from bot.domain import Brief, ChatKind
from bot.storage.briefs import to_brief
from bot.storage.models import BriefRow


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


# --- one query language for /watch and /search -------------------------------------------------


async def _newest_briefs(console: ConsoleChat) -> list[Brief]:
    async with console.context.sessions() as session:
        rows = await session.scalars(select(BriefRow))
        briefs = [to_brief(row) for row in rows]
    return sorted(briefs, key=lambda brief: (brief.published_at, brief.id), reverse=True)


async def _codes(console: ConsoleChat, line: str) -> list[str]:
    reply = await console.reply(line)
    assert reply is not None
    return [part.brief.code for part in reply.parts if isinstance(part, Card)]


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("/watch wagner or libya", "Watch W1: wagner OR libya"),
        ("/watch libya NOT haftar", "Watch W1: libya AND NOT haftar"),
        ("/watch libya -haftar", "Watch W1: libya AND NOT haftar"),
        ('/watch "coast guard" or garde-côtes', 'Watch W1: "coast guard" OR garde-côtes'),
        (
            "/watch haftar NEAR wagner",
            'That watch query has a problem: "NEAR" is not supported: use AND, OR, NOT, '
            '"phrases" and ( ).',
        ),
        (
            "/watch title:haftar",
            'That watch query has a problem: fields such as "title:" are not supported: every '
            "term is looked for in the headline, the event and the implications.",
        ),
        ("/watch NOT libya", "That watch query only excludes: a brief with none of its words"),
        ("/watch -libya", "That watch query only excludes: a brief with none of its words"),
        ("/search -libya", "That search query only excludes: a brief with none of its words"),
        ("/search NOT libya", "That search query only excludes: a brief with none of its words"),
        ("/search libya NEAR haftar", 'That search query has a problem: "NEAR" is not supported'),
        ("/search title:libya", 'That search query has a problem: fields such as "title:"'),
    ],
)
async def test_transcript_watch_and_search_read_queries_alike(
    console: ConsoleChat, line: str, answer: str
) -> None:
    assert (await console.say(line)).startswith(answer)
    saved = await console.say("/watches")
    assert ("W1: " in saved) is answer.startswith("Watch W1")


async def test_transcript_watches_lists_what_watch_saved(console: ConsoleChat) -> None:
    assert (await console.say("/watches")).startswith("This chat has no watches.")
    await console.say("/watch wagner or libya")
    await console.say("/watch haftar NEAR wagner")  # refused: nothing saved
    await console.say("/watch libya -haftar")
    listed = await console.say("/watches")
    assert "W1: wagner OR libya\nW2: libya AND NOT haftar\n" in listed
    assert "NEAR" not in listed
    assert await console.say("/watch") == listed


async def test_transcript_search_answers_what_the_watch_would(console: ConsoleChat) -> None:
    every = await _newest_briefs(console)
    for typed in [
        "libya NOT haftar",
        "coast OR libya",
        "wagner or libya",
        "libya",
        "(tunisia or tunisie) and not libya",
        '"coast guard" OR garde-côtes',
        "khaled -nouri",
    ]:
        written = parse_chat_query(typed).canonical()
        expected = [brief.code for brief in every if watch_matches(written, brief)]
        assert expected, typed  # the sample store has something for each
        assert await _codes(console, f"/search {typed}") == expected[:5], typed
    heading = (await console.say("/search libya NOT haftar")).split("\n")[0]
    assert heading == "Briefs matching libya AND NOT haftar, newest first"


def test_piped_chat_reads_watch_and_search_queries(tmp_path: Path) -> None:
    lines = [
        "watch wagner or libya",
        "watch haftar NEAR wagner",
        "watch title:haftar",
        "watch NOT libya",
        "watches",
        "search coast OR libya",
        "search -libya",
    ]
    upgrade = subprocess.run(  # an empty store: chat makes no database of its own
        [sys.executable, "-m", "bot.cli", "-q", "db", "upgrade"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    result = _chat(tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Watch W1: wagner OR libya" in out
    assert 'That watch query has a problem: "NEAR" is not supported' in out
    assert 'That watch query has a problem: fields such as "title:" are not supported' in out
    assert "That watch query only excludes" in out
    assert "W1: wagner OR libya" in out.split("Watches\n=======")[1]
    assert "No briefs match coast OR libya." in out
    assert "That search query only excludes" in out
    assert "Traceback" not in result.stderr and "incident" not in out


# --- quiet hours ---------------------------------------------------------------------------------


async def test_transcript_quiet_hours(console: ConsoleChat) -> None:
    assert await console.say("/quiet 22:00-07:00") == (
        "Quiet hours 22:00-07:00 UTC: alerts in those hours wait, then come as one message at "
        "07:00."
    )
    assert "Quiet hours: 22:00-07:00 UTC\n" in await console.say("/settings")
    assert (await console.say("/quiet 7am-7am")).startswith("Usage: /quiet HH:MM-HH:MM")
    assert await console.say("/quiet off") == "Quiet hours off: alerts come as they happen."


# --- files sent with a reply ---------------------------------------------------------------------


async def test_transcript_sources_opml_shows_the_file_or_saves_a_large_one(
    console: ConsoleChat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console user is an admin; the export is shown in the transcript while it is short,
    and saved under the temporary directory, its path shown, once it is large."""
    sources = BriefRow.metadata.tables["sources"]
    now = console.context.clock()

    async def add_feeds(*names: str) -> None:
        rows = [
            {"url": f"https://feeds.example.org/{name}.xml", "name": name, "topics": ["libya"]}
            for name in names
        ]
        async with console.context.sessions() as session, session.begin():
            await session.execute(sources.insert(), [{**row, "created_at": now} for row in rows])

    await add_feeds("desk-wire")
    shown = await console.say("/sources opml")
    text, _, rest = shown.partition("\n\n--- briefbot-sources.opml (text/x-opml, ")
    assert text.startswith("Sources as OPML: 1 feed, in the file briefbot-sources.opml.")
    assert rest.endswith("\n--- end of briefbot-sources.opml ---")
    assert '<opml version="2.0">' in rest and "<title>briefbot sources</title>" in rest
    assert (
        '<outline type="rss" text="desk-wire" title="desk-wire" '
        'xmlUrl="https://feeds.example.org/desk-wire.xml" category="libya" />'
    ) in rest

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    await add_feeds(*(f"regional-wire-{number:04d}-{'x' * 80}" for number in range(400)))
    shown = await console.say("/sources opml")
    assert shown.startswith("Sources as OPML: 401 feeds")
    assert "<outline" not in shown
    saved = Path(shown.rsplit(" saved as ", 1)[1])
    assert saved.name == "briefbot-sources.opml" and saved.parent.parent == tmp_path
    assert _outlines_in(saved) == 401


def _outlines_in(path: Path) -> int:
    return path.read_bytes().count(b"<outline ")
