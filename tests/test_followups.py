"""Bare follow-ups (`more`, `actors`, `source`) in console transcripts: after a reply that shows
briefs they are about its first brief; after one that shows none they ask which brief."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.adapters.console import ConsoleChat, to_command
from bot.app import Runtime
from bot.chat import Card
from bot.config import Config, DatabaseConfig
from handlers.dispatch import dispatch

WHICH = "Which brief? Usage: /more ID\n  Reply to a brief, or give its id like B12."
NOW = datetime(2025, 12, 14, 12, 0, tzinfo=UTC)  # just after the newest sample item
_CODE = re.compile(r"#(B\d+)")


@pytest.fixture
async def runtime(sqlite_url: str) -> AsyncIterator[Runtime]:
    """The bundled sample feeds ingested, as `briefbot demo` leaves them."""
    opened = await Runtime.open(Config(database=DatabaseConfig(url=sqlite_url)))
    opened.clock = lambda: NOW
    await opened.sync_sources()
    await opened.ingest(force=True)
    yield opened
    await opened.close()


@pytest.fixture
def console(runtime: Runtime) -> ConsoleChat:
    return ConsoleChat(runtime.context(), chat="desk")


def codes(text: str) -> list[str]:
    return _CODE.findall(text)


async def test_more_after_a_list_is_about_its_first_brief(console: ConsoleChat) -> None:
    listed = codes(await console.say("/brief tunisia 3"))
    assert len(listed) == 3
    more = await console.say("more")
    assert codes(more) == [listed[0]] and "Published " in more
    assert (await console.say("actors")).startswith(f"Actors in {listed[0]}: ")
    assert (await console.say("source")).startswith(f"Sources for {listed[0]}: ")


async def test_more_after_a_search_is_about_the_first_result(console: ConsoleChat) -> None:
    await console.say("/brief libya 1")  # an older brief shown first must not win
    found = codes(await console.say("/search tunisia"))
    assert len(found) > 1
    assert codes(await console.say("more")) == [found[0]]


async def test_more_after_a_reply_without_briefs_asks_which_one(console: ConsoleChat) -> None:
    assert await console.say("more") == WHICH  # nothing shown yet
    listed = codes(await console.say("/brief tunisia 3"))
    assert listed
    assert "/subscribe" in await console.say("/help")
    assert await console.say("more") == WHICH
    assert (await console.say("actors")).startswith("Which brief? Usage: /actors ID")
    codes(await console.say("/brief tunisia 3"))
    assert "I don't know /mroe" in await console.say("/mroe")
    assert (await console.say("source")).startswith("Which brief? Usage: /source ID")


async def test_an_explicit_id_wins_and_becomes_the_brief_shown(console: ConsoleChat) -> None:
    listed = codes(await console.say("/brief tunisia 3"))
    assert codes(await console.say(f"more {listed[2]}")) == [listed[2]]
    assert (await console.say("actors")).startswith(f"Actors in {listed[2]}: ")


async def test_more_after_a_later_page_is_about_its_first_brief(console: ConsoleChat) -> None:
    first_page = codes(await console.say("/brief tunisia 2"))
    second_page = codes(await console.say("/brief tunisia 2 p2"))
    assert second_page and set(second_page).isdisjoint(first_page)
    assert codes(await console.say("more")) == [second_page[0]]


async def test_a_list_reply_stands_for_its_first_brief_on_every_platform(
    runtime: Runtime,
) -> None:
    """What Telegram and Slack record for the message: a reply to a list asks about its first."""
    command = to_command("/brief tunisia 3", "desk")
    assert command is not None
    reply = await dispatch(command, runtime.context())
    cards = [part.brief.id for part in reply.parts if isinstance(part, Card)]
    assert len(cards) == 3 and reply.brief_id == cards[0]
    help_command = to_command("/help", "desk")
    assert help_command is not None
    assert (await dispatch(help_command, runtime.context())).brief_id is None
