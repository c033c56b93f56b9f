"""Topics answer to their names in English, French and Arabic, in every command that takes one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.console import ConsoleChat
from bot.analysis.topics import load_topics
from bot.app import Runtime
from bot.config import Config, DatabaseConfig


@pytest.fixture
async def console(sqlite_url: str) -> AsyncIterator[ConsoleChat]:
    runtime = await Runtime.open(Config(database=DatabaseConfig(url=sqlite_url)))
    yield ConsoleChat(runtime.context(), chat="desk")
    await runtime.close()


def test_every_bundled_topic_has_a_french_and_an_arabic_name() -> None:
    for slug, topic in load_topics().items():
        assert any(any("\u0600" <= ch <= "\u06ff" for ch in alias) for alias in topic.aliases), slug
        assert any(alias.isascii() or not alias[0].isascii() for alias in topic.aliases), slug


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Tunisie", "Tunisia"),
        ("تونس", "Tunisia"),
        ("libye", "Libya"),
        ("الجزائر", "Algeria"),
        ("Maroc", "Morocco"),
        ("مصر", "Egypt"),
    ],
)
async def test_subscribe_takes_the_topic_in_any_of_its_languages(
    console: ConsoleChat, typed: str, name: str
) -> None:
    answer = await console.say(f"/subscribe {typed}")
    assert name in answer and "There is no topic" not in answer


async def test_brief_and_unsubscribe_take_french_names(console: ConsoleChat) -> None:
    assert "There is no topic" not in await console.say("/brief libye 2")
    await console.say("/subscribe Tunisie")
    answer = await console.say("/unsubscribe tunisie")
    assert "Tunisia" in answer and "There is no topic" not in answer


async def test_a_misspelt_french_name_gets_a_suggestion(console: ConsoleChat) -> None:
    answer = await console.say("/subscribe Tunisi")
    assert "Did you mean Tunisia?" in answer
