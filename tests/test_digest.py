"""The digest: which briefs are new for a chat, how they group and cap, and the /digest command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.chat import Card, Emphasis, Text
from bot.delivery.digest import (
    build_digest,
    collect_digest,
    digest_start,
    has_news,
    since_phrase,
    watch_label,
)
from bot.domain import Actor, ActorKind, Brief, SourceRef
from bot.render.plain import render_plain
from bot.storage.models import ChatRow, WatchRow
from handlers.context import Context
from tests.test_handlers_briefs import NOW, add_brief, ask, cards, open_context, say, subscribe

NAMES = {"tunisia": "Tunisia", "libya": "Libya", "sahel": "Sahel"}
YESTERDAY_8 = datetime(2025, 12, 12, 8, 0, tzinfo=UTC)


@pytest.fixture
async def context(sqlite_url: str) -> AsyncIterator[Context]:
    async for made in open_context(sqlite_url):
        yield made


@pytest.fixture
async def both(database_url: str) -> AsyncIterator[Context]:
    async for made in open_context(database_url):
        yield made


def brief(number: int, *topics: str) -> Brief:
    return Brief(
        id=number,
        title=f"Story {number}",
        event=f"Event {number}.",
        actors=(),
        implications=(),
        topics=topics,
        language="en",
        primary=SourceRef("https://wire.example.net/1", "Desert Wire"),
        source_count=1,
        published_at=NOW - timedelta(hours=number),
    )


async def set_last_digest(context: Context, chat_id: int, when: datetime | None) -> None:
    async with context.sessions() as session, session.begin():
        await session.execute(
            update(ChatRow).where(ChatRow.id == chat_id).values(last_digest_at=when)
        )


async def add_watch(context: Context, chat_id: int, query: str) -> int:
    async with context.sessions() as session, session.begin():
        row = WatchRow(chat_id=chat_id, query=query, created_by="console", created_at=NOW)
        session.add(row)
        await session.flush()
        return row.id


# ----------------------------------------------------------------------------- pure parts


def test_build_digest_groups_by_topic_caps_each_and_shows_a_brief_once() -> None:
    tunisia = [brief(n, "tunisia", "libya") for n in range(1, 8)]
    libya = [brief(1, "tunisia", "libya"), brief(8, "libya")]
    watch = watch_label(3, 'wagner   OR "africa corps"')
    watched = [brief(n) for n in range(20, 32)]
    sections = [("tunisia", tunisia), ("libya", libya), ("sahel", []), (watch, watched)]
    reply = build_digest(sections, NAMES, 5, "08:00 yesterday")
    assert [card.brief.id for card in cards(reply)] == [1, 2, 3, 4, 5, 8, *range(20, 25)]
    assert reply.parts[0] == Text("Your digest: 20 new briefs since 08:00 yesterday.")
    headings = [
        p.text for p in reply.parts if isinstance(p, Text) and p.emphasis is Emphasis.HEADING
    ]
    assert headings == [
        "Tunisia — 7 new",
        "Libya — 1 new",
        'Watch W3: wagner OR "africa corps" — 12 new',
    ]
    text = render_plain(reply)
    assert "and 2 more — /brief tunisia 7" in text
    assert "and 7 more: B25, B26, B27, B28, B29, B30, B31 — /more ID shows one" in text
    assert "Nothing new on Sahel." in text
    assert "[Mute Tunisia: mute tunisia]" in text and reply.brief_id is None
    assert has_news(sections) and not has_news([("sahel", [])])


def test_build_digest_with_one_brief_names_it_and_without_any_is_one_line() -> None:
    one = build_digest([("libya", [brief(4, "libya")])], NAMES, 5, "08:00 yesterday")
    assert one.brief_id == 4 and "Your digest: 1 new brief since" in render_plain(one)
    empty = build_digest([("tunisia", []), ("libya", [])], NAMES, 5, "08:00 yesterday")
    assert render_plain(empty) == "Nothing new on your topics since 08:00 yesterday."
    assert (
        render_plain(build_digest([], NAMES)) == "Nothing new on your topics since the last digest."
    )


def test_since_phrase_reads_in_the_chats_zone() -> None:
    assert since_phrase(YESTERDAY_8, NOW, "UTC") == "08:00 yesterday"
    assert since_phrase(NOW - timedelta(hours=2), NOW, "UTC") == "07:30 today"
    assert since_phrase(YESTERDAY_8, NOW, "Africa/Tunis") == "09:00 yesterday"
    assert since_phrase(datetime(2025, 12, 12, 23, 30, tzinfo=UTC), NOW, "Africa/Tunis") == (
        "00:30 today"
    )
    assert since_phrase(datetime(2025, 12, 8, 8, 0, tzinfo=UTC), NOW, "UTC") == "08:00 on Mon 8 Dec"
    assert since_phrase(datetime(2024, 12, 30, 6, 5, tzinfo=UTC), NOW, "UTC") == (
        "06:05 on Mon 30 Dec 2024"
    )
    assert since_phrase(YESTERDAY_8, NOW, "Mars/Olympus") == "08:00 yesterday"


# ----------------------------------------------------------------------------- from storage


async def test_collect_digest_picks_the_new_briefs_per_topic_and_watch(both: Context) -> None:
    chat_id = await subscribe(both, "tunisia", "libya")
    await subscribe(both, "sahel", muted_until=NOW + timedelta(days=1))
    wagner = await add_watch(both, chat_id, "wagner")
    await add_watch(both, chat_id, "(unclosed")
    stored = NOW - timedelta(hours=2)
    fresh = await add_brief(both, "Tunisian port strike ends", stored=stored)
    shared = await add_brief(
        both,
        "Tunisia and Libya reopen Ras Jedir",
        topics=("libya", "tunisia"),
        published=NOW - timedelta(hours=3),
        stored=stored,
    )
    late = await add_brief(
        both,
        "Tripoli council meets",
        topics=("libya",),
        published=NOW - timedelta(hours=30),
        stored=stored,
    )
    watched = await add_brief(
        both,
        "Wagner convoy spotted in Fezzan",
        topics=("egypt",),
        actors=(Actor("Wagner Group", ActorKind.ARMED_GROUP),),
        stored=stored,
    )
    both_ways = await add_brief(
        both, "Wagner advisers leave Tunisia", published=NOW - timedelta(hours=4), stored=stored
    )
    await add_brief(both, "Sahel brief while muted", topics=("sahel",), stored=stored)
    await add_brief(
        both,
        "Old news on Tunisia",
        published=NOW - timedelta(hours=40),
        stored=NOW - timedelta(hours=30),
    )  # stored before the window
    await add_brief(
        both, "A feed's week-old item", published=NOW - timedelta(days=7), stored=stored
    )
    await add_brief(both, "Stored after now", stored=NOW + timedelta(minutes=5))
    async with both.sessions() as session:
        since = await digest_start(session, chat_id, NOW)
        sections = await collect_digest(session, chat_id, since, NOW, both.topics)
    assert since == NOW - timedelta(hours=24)
    assert [(key, [b.id for b in briefs]) for key, briefs in sections] == [
        ("tunisia", [fresh, shared, both_ways]),
        ("libya", [late]),
        (watch_label(wagner, "wagner"), [watched]),
    ]


async def test_collect_digest_starts_at_the_previous_digest(context: Context) -> None:
    chat_id = await subscribe(context, "tunisia")
    await set_last_digest(context, chat_id, YESTERDAY_8 + timedelta(days=1))
    await add_brief(context, "Before the last digest", stored=NOW - timedelta(hours=3))
    after = await add_brief(context, "After the last digest", stored=NOW - timedelta(hours=1))
    async with context.sessions() as session:
        since = await digest_start(session, chat_id, NOW)
        sections = await collect_digest(session, chat_id, since, NOW, context.topics)
    assert since == YESTERDAY_8 + timedelta(days=1)
    assert [[b.id for b in briefs] for _, briefs in sections] == [[after]]


# ----------------------------------------------------------------------------- /digest


async def test_digest_command_shows_it_and_leaves_the_last_digest_time(both: Context) -> None:
    chat_id = await subscribe(both, "tunisia", "libya")
    await subscribe(both, "sahel", muted_until=NOW + timedelta(hours=5))
    await set_last_digest(both, chat_id, YESTERDAY_8)
    made = [
        await add_brief(
            both,
            f"Tunisia story {n}",
            published=NOW - timedelta(hours=n),
            stored=NOW - timedelta(hours=n),
        )
        for n in range(1, 8)
    ]
    reply = await ask(both, "/digest")
    text = render_plain(reply)
    assert text.startswith("Your digest: 7 new briefs since 08:00 yesterday.")
    assert [card.brief.id for card in cards(reply)] == made[:5]
    assert "and 2 more — /brief tunisia 7" in text
    assert "Nothing new on Libya." in text and "Muted, so left out: Sahel." in text
    async with both.sessions() as session:
        last = await session.scalar(select(ChatRow.last_digest_at).where(ChatRow.id == chat_id))
    assert last == YESTERDAY_8


async def test_digest_command_on_a_quiet_day_is_one_line(context: Context) -> None:
    chat_id = await subscribe(context, "libya")
    await set_last_digest(context, chat_id, YESTERDAY_8)
    await add_brief(context, "Tunisia only", stored=NOW - timedelta(hours=1))
    assert await say(context, "/digest") == "Nothing new on your topics since 08:00 yesterday."


async def test_digest_command_without_topics_or_with_all_muted(context: Context) -> None:
    text = await say(context, "/digest")
    assert "follows no topics" in text and "/topics to pick one, or /brief tunisia" in text
    await subscribe(context, "libya", muted_until=NOW + timedelta(days=2))
    assert "Every topic here is muted: Libya." in await say(context, "/digest")
    assert "takes no arguments" in await say(context, "/digest now")


async def test_digest_cards_carry_buttons_that_fit_telegram(context: Context) -> None:
    await subscribe(context, "mediterranean-migration")
    await add_brief(
        context, "Crossings rise in the central Mediterranean", topics=("mediterranean-migration",)
    )
    reply = await ask(context, "/digest")
    [card] = [part for part in reply.parts if isinstance(part, Card)]
    assert [b.data for b in card.buttons][-1] == "mute mediterranean-migration"
    assert reply.brief_id == card.brief.id
