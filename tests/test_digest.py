"""The digest: its window, which briefs it lists and where, what it says about them, and the
/digest command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.analysis.topics import load_topics
from bot.chat import Card, Emphasis, Reply, Text
from bot.delivery.digest import (
    Digest,
    Follows,
    assemble_digest,
    build_digest,
    collect_digest,
    digest_reply,
    digest_window,
    elapsed,
    follows_of,
    is_backlog,
    local_stamp,
    watch_label,
)
from bot.domain import Actor, ActorKind, Brief, SourceRef, Subscription
from bot.render.plain import render_plain
from bot.storage import chats as chat_store
from bot.storage.briefs import StoredBrief
from bot.storage.chats import Watch
from bot.storage.models import ChatRow, WatchRow
from handlers.context import Context
from tests.test_handlers_briefs import NOW, add_brief, ask, cards, open_context, say, subscribe

TOPICS = load_topics()
NAMES = {slug: topic.name for slug, topic in TOPICS.items()}
YESTERDAY_8 = datetime(2025, 12, 12, 8, 0, tzinfo=UTC)
NAS = "north-africa-security"


@pytest.fixture
async def context(sqlite_url: str) -> AsyncIterator[Context]:
    async for made in open_context(sqlite_url):
        yield made


@pytest.fixture
async def both(database_url: str) -> AsyncIterator[Context]:
    async for made in open_context(database_url):
        yield made


def brief(
    number: int, *topics: str, title: str | None = None, age: timedelta | None = None
) -> Brief:
    return Brief(
        id=number,
        title=title or f"Story {number}",
        event=f"Event {number}.",
        actors=(),
        implications=(),
        topics=topics,
        language="en",
        primary=SourceRef("https://wire.example.net/1", "Desert Wire"),
        source_count=1,
        published_at=NOW - (age if age is not None else timedelta(hours=number)),
    )


def stored(item: Brief, at: datetime = NOW) -> StoredBrief:
    return StoredBrief(item, at)


def follows(*topics: str, watches: tuple[Watch, ...] = ()) -> Follows:
    return follows_of([Subscription(1, slug) for slug in topics], watches, TOPICS, NOW)


def sent_since_yesterday(digest: Digest) -> Reply:
    """The digest as sent at NOW, the previous one made at 08:00 yesterday."""
    return digest_reply(digest, digest_window(YESTERDAY_8, NOW), NAMES, "UTC")


async def set_last_digest(context: Context, chat_id: int, when: datetime) -> None:
    async with context.sessions() as session, session.begin():
        await chat_store.set_last_digest_at(session, chat_id, when)


async def add_watch(context: Context, chat_id: int, query: str) -> int:
    async with context.sessions() as session, session.begin():
        row = WatchRow(chat_id=chat_id, query=query, created_by="console", created_at=NOW)
        session.add(row)
        await session.flush()
        return row.id


# ----------------------------------------------------------------------------- the window


def test_a_window_starts_where_the_previous_digest_ended() -> None:
    first = digest_window(None, NOW)
    assert (first.start, first.end, first.previous, first.capped) == (
        NOW - timedelta(hours=24),
        NOW,
        None,
        False,
    )
    usual = digest_window(YESTERDAY_8, NOW)
    assert (usual.start, usual.end, usual.capped) == (YESTERDAY_8, NOW, False)
    long_ago = NOW - timedelta(days=40)
    capped = digest_window(long_ago, NOW)
    assert (capped.start, capped.previous, capped.capped) == (
        NOW - timedelta(days=7),
        long_ago,
        True,
    )
    # An end before the previous digest's (a clock set back) makes an empty window, not a
    # negative one that would hand the next digest briefs already shown.
    back = digest_window(NOW, NOW - timedelta(minutes=5))
    assert back.start == back.end == NOW


def test_backlog_is_what_was_published_more_than_two_days_before_it_was_stored() -> None:
    assert not is_backlog(stored(brief(1, age=timedelta(days=2)), NOW))
    assert is_backlog(stored(brief(1, age=timedelta(days=2, seconds=1)), NOW))
    # Old news stored long ago is judged by when it was stored, not by the window.
    assert not is_backlog(stored(brief(1, age=timedelta(days=3)), NOW - timedelta(days=1)))


def test_stamps_are_digits_on_the_chats_wall_clock() -> None:
    assert local_stamp(YESTERDAY_8, "UTC") == "2025-12-12 08:00 (UTC)"
    assert local_stamp(YESTERDAY_8, "Africa/Tunis") == "2025-12-12 09:00 (Africa/Tunis)"
    assert local_stamp(datetime(2025, 12, 12, 23, 30, tzinfo=UTC), "Africa/Tunis") == (
        "2025-12-13 00:30 (Africa/Tunis)"
    )
    assert local_stamp(YESTERDAY_8, "Mars/Olympus") == "2025-12-12 08:00 (UTC)"
    # Either side of the spring change in Paris: 01:00 UTC is 02:00 CET, then 03:00 CEST.
    assert local_stamp(datetime(2025, 3, 30, 0, 59, tzinfo=UTC), "Europe/Paris") == (
        "2025-03-30 01:59 (Europe/Paris)"
    )
    assert local_stamp(datetime(2025, 3, 30, 1, 0, tzinfo=UTC), "Europe/Paris") == (
        "2025-03-30 03:00 (Europe/Paris)"
    )
    assert [elapsed(timedelta(hours=h, minutes=59)) for h in (1, 31, 48, 73)] == [
        "1 hour",
        "31 hours",
        "2 days",
        "3 days 1 hour",
    ]


# ----------------------------------------------------------------------------- assembling


def test_a_brief_on_several_followed_topics_is_listed_and_counted_once() -> None:
    # The report: eight briefs on North Africa security and Libya, listed under Libya (first in
    # the catalogue), and a closing "Nothing new on …, North Africa security". Under its first
    # followed topic they go, and a topic they are filed under is not quiet.
    both_ways = [brief(n, "libya", NAS) for n in range(1, 9)]
    security = [brief(n, NAS) for n in (9, 10)]
    digest = assemble_digest(
        [stored(b) for b in both_ways + security], follows(NAS, "libya", "sahel", "egypt")
    )
    assert [(key, [b.id for b in found]) for key, found in digest.sections] == [
        ("libya", list(range(1, 9))),
        ("egypt", []),
        ("sahel", []),
        (NAS, [9, 10]),
    ]
    assert digest.quiet == ("egypt", "sahel")
    text = render_plain(sent_since_yesterday(digest))
    assert text.startswith("Your digest: 10 new briefs since 2025-12-12 08:00 (UTC).")
    assert "Libya — 8 new" in text and "and 3 more — /brief libya 8" in text
    assert "North Africa security — 2 new" in text
    assert text.count("Nothing new") == 1 and "Nothing new on Egypt, Sahel." in text
    only_both = assemble_digest([stored(b) for b in both_ways], follows(NAS, "libya"))
    assert only_both.quiet == ()  # every listed brief is also on North Africa security


def test_watches_take_what_no_followed_topic_took_and_backlog_is_counted() -> None:
    wagner = Watch(3, 1, "wagner", "u", NOW)
    broken = Watch(4, 1, "(unclosed", "u", NOW)
    items = [
        stored(brief(1, "tunisia", title="Wagner advisers leave Tunisia")),
        stored(brief(2, "egypt", title="Wagner convoy spotted in Fezzan")),
        stored(brief(3, "egypt", title="Suez tolls rise")),
        stored(brief(4, "tunisia", age=timedelta(days=5))),  # a new feed's backlog
        stored(brief(5, "egypt", title="Wagner payroll leaked", age=timedelta(days=9))),
        stored(brief(6, "tunisia", age=timedelta(days=1, hours=23))),  # late, not backlog
    ]
    digest = assemble_digest(items, follows("tunisia", watches=(wagner, broken)))
    label = watch_label(3, "wagner")
    assert [(key, [b.id for b in found]) for key, found in digest.sections] == [
        ("tunisia", [1, 6]),
        (label, [2]),
    ]
    assert (digest.quiet, digest.left_out) == ((), 2)
    text = render_plain(sent_since_yesterday(digest))
    assert "Your digest: 3 new briefs" in text
    assert "Left out: 2 briefs published more than 2 days before being stored" in text


def test_a_stored_digest_lists_exactly_its_briefs_in_their_order() -> None:
    kept = [brief(7, "egypt"), brief(2, "libya"), brief(5, "libya", "sahel")]
    backlog = stored(brief(9, "libya", age=timedelta(days=4)))
    digest = assemble_digest(
        [*(stored(b) for b in kept), backlog], follows("libya", "sahel"), keep=[2, 5, 7]
    )
    # egypt: followed when the digest was made, not any more — still shown, under its topic.
    assert [(key, [b.id for b in found]) for key, found in digest.sections] == [
        ("libya", [2, 5]),
        ("sahel", []),
        ("egypt", [7]),
    ]
    assert (digest.quiet, digest.left_out) == ((), 1)


def test_build_digest_of_ready_sections_shows_a_brief_once() -> None:
    tunisia = [brief(n, "tunisia", "libya") for n in range(1, 8)]
    libya = [brief(1, "tunisia", "libya"), brief(8, "libya")]
    watch = watch_label(3, 'wagner   OR "africa corps"')
    watched = [brief(n) for n in range(20, 32)]
    sections = [("tunisia", tunisia), ("libya", libya), ("sahel", []), (watch, watched)]
    reply = build_digest(sections, NAMES, 5, "the sample feeds began")
    assert [card.brief.id for card in cards(reply)] == [1, 2, 3, 4, 5, 8, *range(20, 25)]
    assert reply.parts[0] == Text("Your digest: 20 new briefs since the sample feeds began.")
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
    one = build_digest([("libya", [brief(4, "libya")])], NAMES, 5, "08:00")
    assert one.brief_id == 4 and "Your digest: 1 new brief since 08:00." in render_plain(one)
    empty = build_digest([("tunisia", []), ("libya", [])], NAMES, 5, "08:00")
    assert render_plain(empty) == "Nothing new on your topics since 08:00."


# ----------------------------------------------------------------------------- from storage


async def test_collect_digest_lists_what_was_stored_in_the_window(both: Context) -> None:
    chat_id = await subscribe(both, "tunisia", "libya")
    await subscribe(both, "sahel", muted_until=NOW + timedelta(days=1))
    wagner = await add_watch(both, chat_id, "wagner")
    await add_watch(both, chat_id, "(unclosed")
    start = NOW - timedelta(hours=24)
    fresh = await add_brief(both, "Tunisian port strike ends", stored=NOW - timedelta(hours=2))
    shared = await add_brief(
        both,
        "Tunisia and Libya reopen Ras Jedir",
        topics=("libya", "tunisia"),
        published=NOW - timedelta(hours=3),
        stored=NOW - timedelta(hours=2),
    )
    at_start = await add_brief(
        both,
        "Tripoli council meets",
        topics=("libya",),
        published=NOW - timedelta(hours=30),
        stored=start,
    )
    watched = await add_brief(
        both,
        "Wagner convoy spotted in Fezzan",
        topics=("egypt",),
        actors=(Actor("Wagner Group", ActorKind.ARMED_GROUP),),
        stored=NOW - timedelta(hours=2),
    )
    await add_brief(
        both, "Sahel brief while muted", topics=("sahel",), stored=NOW - timedelta(hours=2)
    )
    await add_brief(both, "Stored just before", stored=start - timedelta(microseconds=1))
    await add_brief(both, "Stored at the end", stored=NOW)  # the next window's
    await add_brief(
        both,
        "A feed's week-old item",
        published=NOW - timedelta(days=7),
        stored=NOW - timedelta(hours=2),
    )
    async with both.sessions() as session:
        window = digest_window(None, NOW)
        digest = await collect_digest(session, chat_id, window, both.topics, NOW)
    assert digest is not None
    assert [(key, [b.id for b in found]) for key, found in digest.sections] == [
        ("tunisia", [fresh, shared]),
        ("libya", [at_start]),
        (watch_label(wagner, "wagner"), [watched]),
    ]
    assert (digest.quiet, digest.left_out) == ((), 1)


async def test_collect_digest_of_a_chat_that_follows_nothing_is_none(context: Context) -> None:
    chat_id = await subscribe(context, "sahel", muted_until=NOW + timedelta(days=1))
    async with context.sessions() as session:
        assert await collect_digest(session, chat_id, digest_window(None, NOW), TOPICS, NOW) is None


# ----------------------------------------------------------------------------- /digest


async def test_digest_command_starts_at_the_last_digest_and_says_so(both: Context) -> None:
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
    await add_brief(both, "Shown in the last digest", stored=YESTERDAY_8 - timedelta(minutes=1))
    reply = await ask(both, "/digest")
    text = render_plain(reply)
    assert text.startswith(
        "Digest so far: 7 new briefs since your last digest, 2025-12-12 08:00 (UTC)."
    )
    assert [card.brief.id for card in cards(reply)] == made[:5]
    assert "and 2 more — /brief tunisia 7" in text
    assert "Nothing new on Libya." in text and "Muted, so left out: Sahel." in text
    async with both.sessions() as session:
        last = await session.scalar(select(ChatRow.last_digest_at).where(ChatRow.id == chat_id))
    assert last == YESTERDAY_8


async def test_digest_command_without_a_digest_yet_covers_a_day(context: Context) -> None:
    await subscribe(context, "libya")
    await add_brief(context, "Tunisia only", stored=NOW - timedelta(hours=1))
    assert await say(context, "/digest") == (
        "Nothing new on your topics since 2025-12-12 09:30 (UTC).\n"
        "  No digest has been made for this chat yet: this covers the last 24 hours."
    )


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
