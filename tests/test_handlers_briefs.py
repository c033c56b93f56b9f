"""The briefs family through the console's parsing, dispatch and the plain renderer, against
real storage: /brief with pages, /more, /actors, /source, /related, and message references."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.adapters.console import to_command
from bot.analysis.topics import load_topics
from bot.chat import Button, ButtonRow, Card, Reply
from bot.domain import Actor, ActorKind, Analysis, Article, ChatKind
from bot.render.plain import render_plain
from bot.render.telegram import render_telegram
from bot.storage import briefs as brief_store
from bot.storage import chats as chat_store
from bot.storage import db, messages, sources
from bot.storage.models import ArticleRow, SubscriptionRow
from handlers import briefs as brief_handlers
from handlers.context import Context
from handlers.dispatch import dispatch

NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)
CHAT = "desk"
_identities = itertools.count(1)

WAGNER = Actor(
    "Wagner Group", ActorKind.ARMED_GROUP, None, "Russian mercenary group active in Libya."
)
HAFTAR = Actor("Khalifa Haftar", ActorKind.PERSON, "commander of the Libyan National Army")
LIBYA = Actor("Libya", ActorKind.STATE)
TUNISIA = Actor("Tunisia", ActorKind.STATE)


def make_context(engine_sessions: object) -> Context:
    return Context(
        sessions=engine_sessions,  # type: ignore[arg-type]
        clock=lambda: NOW,
        topics=load_topics(),
        admin_ids={"console": frozenset({"admin"})},
        commands=brief_handlers.COMMANDS,
    )


async def open_context(url: str) -> AsyncIterator[Context]:
    engine = db.create_engine(url)
    await db.upgrade(engine)
    yield make_context(db.sessions(engine))
    await engine.dispose()


@pytest.fixture
async def context(sqlite_url: str) -> AsyncIterator[Context]:
    async for made in open_context(sqlite_url):
        yield made


@pytest.fixture
async def both(database_url: str) -> AsyncIterator[Context]:
    """The same, on SQLite and on PostgreSQL."""
    async for made in open_context(database_url):
        yield made


async def add_brief(
    context: Context,
    title: str,
    *,
    event: str = "",
    topics: Sequence[str] = ("tunisia",),
    actors: Sequence[Actor] = (),
    implications: Sequence[str] = (),
    outlets: Sequence[tuple[str, str]] = (("Maghreb Ledger", "https://ledger.example.org"),),
    published: datetime | None = None,
    stored: datetime | None = None,
) -> int:
    """A brief made the way ingest makes one: an article per outlet, the first one primary."""
    published = published or NOW - timedelta(hours=1)
    stored = stored or published
    analysis = Analysis("en", tuple(topics), tuple(actors), event or title, tuple(implications))
    async with context.sessions() as session, session.begin():
        brief_id = 0
        for number, (outlet, site) in enumerate(outlets):
            identity = f"item-{next(_identities)}"
            article = Article(
                identity=identity,
                title=title,
                url=f"{site}/{identity}",
                summary=event or title,
                text="",
                outlet=outlet,
                published_at=published + timedelta(minutes=number),
            )
            source = await sources.ensure_source(session, f"{site}/feed", stored)
            row: ArticleRow = await brief_store.save_article(
                session, source.id, article, identity, "en", stored
            )
            if number == 0:
                brief_id = await brief_store.create_brief(session, article, analysis, None, stored)
                row.brief_id = brief_id
            else:
                row.brief_id = brief_id
                await session.flush()
                await brief_store.add_source_to_brief(session, brief_id, article, analysis, stored)
    return brief_id


async def subscribe(context: Context, *slugs: str, muted_until: datetime | None = None) -> int:
    async with context.sessions() as session, session.begin():
        chat = await chat_store.ensure_chat(session, "console", CHAT, ChatKind.PRIVATE, NOW)
        for slug in slugs:
            await chat_store.subscribe(session, chat.id, slug, NOW)
        if muted_until is not None:
            await session.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.chat_id == chat.id, SubscriptionRow.topic.in_(slugs))
                .values(muted_until=muted_until)
            )
    return chat.id


async def ask(context: Context, line: str, reply_to: int | None = None) -> Reply:
    command = to_command(line, CHAT, reply_to_brief=reply_to)
    assert command is not None
    return await dispatch(command, context)


async def say(context: Context, line: str, reply_to: int | None = None) -> str:
    return render_plain(await ask(context, line, reply_to))


def cards(reply: Reply) -> list[Card]:
    return [part for part in reply.parts if isinstance(part, Card)]


def buttons(reply: Reply) -> list[Button]:
    found = [b for part in reply.parts if isinstance(part, Card | ButtonRow) for b in part.buttons]
    return found + ([reply.next_page] if reply.next_page else [])


def assert_fits_telegram(reply: Reply) -> None:
    assert all(len(button.data.encode()) <= 64 for button in buttons(reply))
    assert render_telegram(reply)  # raises on callback data that does not fit


# ----------------------------------------------------------------------------- /brief


async def test_brief_for_a_topic_shows_its_newest_cards_with_buttons(context: Context) -> None:
    old = await add_brief(
        context,
        "Tunisian coast guard intercepts boats near Sfax",
        published=NOW - timedelta(hours=5),
    )
    new = await add_brief(context, "Tunisia extends the state of emergency by a month")
    await add_brief(context, "Tripoli clashes close the airport", topics=("libya",))
    reply = await ask(context, "/brief tunisia")
    assert [card.brief.id for card in cards(reply)] == [new, old]
    text = render_plain(reply)
    assert "Latest on Tunisia" in text and "Tripoli" not in text
    assert f"[More: more B{new}]" in text and f"[Related: related B{new}]" in text
    assert "[Mute Tunisia: mute tunisia]" in text
    assert reply.next_page is None and reply.brief_id == new and not reply.edit
    assert_fits_telegram(reply)


async def test_brief_takes_a_topic_name_in_any_case_and_a_count(context: Context) -> None:
    for hour in range(3):
        await add_brief(
            context,
            f"Border patrols story {hour}",
            topics=("north-africa-security",),
            published=NOW - timedelta(hours=hour + 1),
        )
    reply = await ask(context, "/brief North Africa SÉCURITY 1")
    assert len(cards(reply)) == 1 and reply.brief_id == cards(reply)[0].brief.id
    assert "Latest on North Africa security" in render_plain(reply)
    assert reply.next_page == Button("Older", "brief", ("north-africa-security", "1", "p2"))


async def test_brief_pages_turn_with_older_and_edit_the_message(context: Context) -> None:
    made = [
        await add_brief(
            context, f"Tunisian budget debate day {day}", published=NOW - timedelta(days=day)
        )
        for day in range(7)
    ]
    first = await ask(context, "/brief tunisia 3")
    assert [c.brief.id for c in cards(first)] == made[:3] and not first.edit
    assert first.next_page is not None and first.next_page.data == "brief tunisia 3 p2"
    second = await ask(context, "/" + first.next_page.data)
    assert [c.brief.id for c in cards(second)] == made[3:6] and second.edit
    assert "Latest on Tunisia — page 2" in render_plain(second)
    assert second.next_page is not None and second.next_page.data == "brief tunisia 3 p3"
    third = await ask(context, "/brief tunisia 3 p3")
    assert [c.brief.id for c in cards(third)] == made[6:]
    assert third.next_page is None and third.brief_id == made[6]
    beyond = await ask(context, "/brief tunisia 3 p9")
    assert render_plain(beyond) == "No older briefs on Tunisia." and beyond.edit


async def test_brief_without_a_topic_covers_every_subscribed_topic(context: Context) -> None:
    await subscribe(context, "tunisia", "libya")
    ids = [
        await add_brief(context, f"Story {n}", topics=(topic,), published=NOW - timedelta(hours=n))
        for n, topic in enumerate(["tunisia", "libya", "egypt", "libya", "tunisia", "libya"], 1)
    ]
    reply = await ask(context, "/brief")
    assert [c.brief.id for c in cards(reply)] == [ids[0], ids[1], ids[3], ids[4], ids[5]]
    assert "Latest on Tunisia · Libya" in render_plain(reply)
    assert reply.next_page is None
    paged = await ask(context, "/brief 2")
    assert paged.next_page is not None and paged.next_page.data == "brief 2 p2"
    assert [c.brief.id for c in cards(await ask(context, "/brief 2 p2"))] == [ids[3], ids[4]]


async def test_brief_without_subscriptions_gives_a_hint(context: Context) -> None:
    text = await say(context, "/brief")
    assert "follows no topics" in text and "/topics to pick one, or /brief tunisia" in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/brief tunisa", "Did you mean Tunisia?"),
        ("/brief north africa securty", "North Africa security"),
        ("/brief atlantis", 'There is no topic "atlantis"'),
        ("/brief tunisia 0", "Ask for 1 to 10 briefs"),
        ("/brief tunisia -4", "Ask for 1 to 10 briefs"),
        ("/brief tunisia p0", "Pages run from p1 to p1000"),
        ("/brief tunisia p99999999", "Pages run from p1 to p1000"),
        ("/brief libya", "No briefs on Libya yet."),
        ("/brief " + "x" * 5000, "There is no topic"),
    ],
)
async def test_brief_bad_input_gets_a_specific_answer(
    context: Context, line: str, expected: str
) -> None:
    await add_brief(context, "Tunisia story")
    text = await say(context, line)
    assert expected in text
    assert "incident" not in text


async def test_brief_caps_the_count_at_ten(context: Context) -> None:
    for hour in range(12):
        await add_brief(context, f"Story {hour}", published=NOW - timedelta(hours=hour + 1))
    reply = await ask(context, "/brief tunisia 50")
    assert len(cards(reply)) == 10 and "At most 10 at a time." in render_plain(reply)
    assert reply.next_page is not None and reply.next_page.data == "brief tunisia 10 p2"
    assert_fits_telegram(reply)


# ----------------------------------------------------------------------------- follow-ups


async def test_more_shows_everything_with_every_source_primary_first(both: Context) -> None:
    brief_id = await add_brief(
        both,
        "Libyan rivals agree on a joint border force",
        event="Rival Libyan commanders agreed to form a joint force for the southern border.",
        topics=("libya", "north-africa-security"),
        actors=(HAFTAR, WAGNER, LIBYA),
        implications=("The deal could slow smuggling routes.", "Talks on oil revenue follow."),
        outlets=(
            ("Desert Wire", "https://wire.example.net"),
            ("Sahel Monitor", "https://monitor.example.com"),
        ),
    )
    reply = await ask(both, f"/more B{brief_id}")
    text = render_plain(reply)
    assert reply.brief_id == brief_id
    assert "Khalifa Haftar (commander of the Libyan National Army) · Wagner Group" in text
    assert "• The deal could slow smuggling routes." in text and "Talks on oil revenue" in text
    assert text.index("Desert Wire — https://wire.example.net/") < text.index("Sahel Monitor")
    assert "2 sources" in text and f"[Actors: actors B{brief_id}]" in text
    assert f"more B{brief_id}]" not in text
    assert_fits_telegram(reply)


async def test_follow_ups_use_the_brief_replied_to(context: Context) -> None:
    brief_id = await add_brief(
        context,
        "Tunis hosts migration talks",
        actors=(WAGNER, TUNISIA),
        outlets=(
            ("Maghreb Ledger", "https://ledger.example.org"),
            ("Coastline Post", "https://coast.example.org"),
        ),
    )
    sources_text = await say(context, "source", reply_to=brief_id)
    assert f"Sources for B{brief_id}: Tunis hosts migration talks" in sources_text
    assert "1. Maghreb Ledger (primary) — https://ledger.example.org/" in sources_text
    assert "2. Coastline Post — https://coast.example.org/" in sources_text
    actors_text = await say(context, "actors", reply_to=brief_id)
    assert "• Wagner Group — armed group. Russian mercenary group active in Libya." in actors_text
    assert "• Tunisia — state" in actors_text
    assert (await ask(context, "more", reply_to=brief_id)).brief_id == brief_id


async def test_actors_says_so_when_the_source_names_none(context: Context) -> None:
    brief_id = await add_brief(context, "Quiet day on the border")
    assert "The source names no actors." in await say(context, f"/actors b{brief_id}")


@pytest.mark.parametrize("name", ["more", "actors", "source", "related"])
async def test_follow_ups_refuse_a_missing_bad_or_unknown_id(context: Context, name: str) -> None:
    await add_brief(context, "Tunisia story")
    missing = await say(context, f"/{name}")
    assert f"Usage: /{name} ID" in missing
    assert "Reply to a brief, or give its id like B12" in missing
    assert '"xyz" is not a brief id.' in await say(context, f"/{name} xyz")
    assert "is not a brief id" in await say(context, f"/{name} B9999999999999999")
    assert "There is no brief B99." in await say(context, f"/{name} B99")
    assert "There is no brief B99." in await say(context, f"/{name}", reply_to=99)
    assert "at most 1" in await say(context, f"/{name} B1 B2")


async def test_related_ranks_shared_actors_over_states_and_topics(both: Context) -> None:
    base = await add_brief(
        both,
        "Wagner fighters seen near Sirte",
        topics=("libya",),
        actors=(WAGNER, LIBYA),
        published=NOW - timedelta(days=10),
    )
    by_group = await add_brief(
        both,
        "Wagner convoy crosses into Niger",
        topics=("sahel",),
        actors=(WAGNER,),
        published=NOW - timedelta(days=30),
    )
    by_state_and_topic = await add_brief(
        both,
        "Libya reopens a crossing",
        topics=("libya",),
        actors=(LIBYA,),
        published=NOW - timedelta(days=8),
    )
    by_topic = await add_brief(
        both,
        "Libyan court rules on elections",
        topics=("libya",),
        published=NOW - timedelta(days=12),
    )
    await add_brief(
        both, "Libyan bank governor named", topics=("libya",), published=NOW - timedelta(days=25)
    )  # same topic, but weeks apart
    await add_brief(
        both, "Egypt floats a bond", topics=("egypt",), actors=(Actor("Egypt", ActorKind.STATE),)
    )
    reply = await ask(both, f"/related B{base}")
    text = render_plain(reply)
    order = [text.index(f"B{other} · ") for other in (by_group, by_state_and_topic, by_topic)]
    assert order == sorted(order)
    assert "shares Wagner Group" in text and "shares Libya; same topic: Libya" in text
    assert "bank governor" not in text and "Egypt" not in text
    assert f"[More B{by_group}: more B{by_group}]" in text and reply.brief_id == base


async def test_related_says_so_when_nothing_is(context: Context) -> None:
    brief_id = await add_brief(context, "A lone story", topics=("morocco",))
    assert "Nothing related yet." in await say(context, f"/related B{brief_id}")


# ----------------------------------------------------------------------------- message refs


async def test_message_refs_remember_which_message_shows_which_brief(both: Context) -> None:
    first = await add_brief(both, "First story")
    second = await add_brief(both, "Second story")
    async with both.sessions() as session, session.begin():
        await messages.remember_message(session, "telegram", "-100", "501", first, NOW)
        await messages.remember_message(session, "telegram", "-100", "501", first, NOW)
        await messages.remember_message(session, "telegram", "-100", "502", second, NOW)
    async with both.sessions() as session, session.begin():
        assert await messages.brief_for_message(session, "telegram", "-100", "501") == first
        assert await messages.brief_for_message(session, "telegram", "-200", "501") is None
        assert await messages.brief_for_message(session, "slack", "-100", "501") is None
        await messages.remember_message(session, "telegram", "-100", "501", second, NOW)
    async with both.sessions() as session:
        assert await messages.brief_for_message(session, "telegram", "-100", "501") == second
