"""Admin commands through dispatch and the plain renderer, against real storage."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.console import to_command
from bot.analysis.topics import load_topics
from bot.domain import Analysis, Article, ChatKind, Source
from bot.ingest import checker
from bot.ingest.checker import FeedChecker
from bot.ingest.discover import WORKER_MODULE
from bot.ingest.fetch import Fetcher
from bot.ingest.sandbox import Sandbox, SandboxLimits
from bot.render.plain import render_plain
from bot.storage import briefs, chats, db, outbox, sources
from bot.storage.models import ArticleRow, ChatRow, DeliveryRow, SourceRow, WatchRow
from bot.storage.stats import Stats, collect_stats
from handlers import admin, onboarding
from handlers.context import Context
from handlers.dispatch import dispatch

NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)
ADMIN = "console"
GUEST = "guest"
Install = Callable[[Mapping[str, Sequence[str]]], None]


LOOPBACK = ("127.0.0.1/32",)
FEED = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Notes</title><link>https://harbour.example.net/</link>
<item><title>Coast guard expands patrols near Sfax</title><link>https://harbour.example.net/a1</link>
<description>Patrol boats were moved south.</description></item>
<item><title>Port of Sfax reopens</title><link>https://harbour.example.net/a2</link>
<description>The port reopened on Monday.</description></item>
</channel></rss>"""


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """The checker's worker pool: started on the first check, stopped after the test."""
    pool = Sandbox(SandboxLimits(workers=1, timeout=30, module=WORKER_MODULE))
    yield pool
    await pool.aclose()


def allowing(context: Context, sandbox: Sandbox, allow: Sequence[str] = LOOPBACK) -> Context:
    """The context with a feed checker that may fetch from the `allow` networks."""
    feeds = FeedChecker(lambda: Fetcher.create(guard_allow=allow), sandbox, allow=allow)
    return replace(context, feed_checker=feeds)


def _context(engine: AsyncEngine, sandbox: Sandbox) -> Context:
    context = Context(
        sessions=db.sessions(engine),
        clock=lambda: NOW,
        topics=load_topics(),
        admin_ids={"console": frozenset({ADMIN})},
        commands=(*onboarding.COMMANDS, *admin.COMMANDS),
    )
    return allowing(context, sandbox, ())


@pytest.fixture
async def context(engine: AsyncEngine, sandbox: Sandbox) -> Context:
    """On SQLite and on PostgreSQL."""
    return _context(engine, sandbox)


@pytest.fixture
def lite(sqlite_engine: AsyncEngine, sandbox: Sandbox) -> Context:
    """On SQLite only: for refusals, where the backend makes no difference."""
    return _context(sqlite_engine, sandbox)


@pytest.fixture
async def dns(monkeypatch: pytest.MonkeyPatch) -> Install:
    """A resolver answering from a table; a name outside it fails as a host that doesn't exist."""
    loop = asyncio.get_running_loop()

    def install(table: Mapping[str, Sequence[str]]) -> None:
        async def getaddrinfo(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
            if host not in table:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in table[host]
            ]

        monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)

    install({})
    return install


async def say(context: Context, line: str, user: str = ADMIN) -> str:
    command = to_command(line, "desk")
    assert command is not None
    return render_plain(await dispatch(replace(command, user_id=user), context))


async def stored_sources(context: Context) -> list[Source]:
    async with context.sessions() as session:
        return await sources.list_sources(session)


async def add_source(context: Context, url: str, name: str | None = None) -> Source:
    async with context.sessions() as session, session.begin():
        return await sources.ensure_source(session, url, NOW - timedelta(days=3), name=name)


def _article(identity: str) -> Article:
    return Article(
        identity=identity,
        title="Coast guard expands patrols near Sfax",
        url=f"https://harbour.example.net/{identity}",
        summary="Patrol boats were moved south after a week of crossings.",
        text="",
        outlet="Harbour Notes",
        published_at=NOW - timedelta(hours=2),
    )


def _analysis() -> Analysis:
    return Analysis(
        language="en",
        topics=("tunisia",),
        actors=(),
        event="Patrol boats were moved south after a week of crossings.",
        implications=(),
    )


@pytest.mark.parametrize(
    "line", ["sources", "addsource http://93.184.216.34/feed", "removesource S1", "stats"]
)
async def test_members_are_refused_every_admin_command(lite: Context, line: str) -> None:
    await add_source(lite, "https://wire.example.org/rss")
    text = await say(lite, line, user=GUEST)
    assert f"/{line.split(maxsplit=1)[0]} is for briefbot's admins only." in text
    assert [s.url for s in await stored_sources(lite)] == ["https://wire.example.org/rss"]
    assert (await stored_sources(lite))[0].enabled


async def test_a_bot_without_a_feed_checker_adds_nothing(lite: Context) -> None:
    text = await say(replace(lite, feed_checker=None), "addsource https://93.184.216.34/feed")
    assert text == "This bot was started without a feed checker, so it can't add feeds."
    assert await stored_sources(lite) == []


async def test_sources_when_there_are_none(lite: Context) -> None:
    text = await say(lite, "sources")
    assert "There are no sources yet." in text and "/addsource https://" in text


async def test_sources_show_failing_ones_first_with_their_error(context: Context) -> None:
    healthy = await add_source(context, "https://wire.example.org/rss", name="Desert Wire")
    failing = await add_source(context, "https://flaky.example.com/atom.xml")
    dead = await add_source(context, "https://gone.example.com/feed")
    async with context.sessions() as session, session.begin():
        await sources.record_success(
            session, healthy.id, NOW - timedelta(minutes=5), None, None, NOW + timedelta(minutes=10)
        )
        article = await briefs.save_article(session, healthy.id, _article("a1"), "fp", "en", NOW)
        assert article.id
        await sources.record_failure(
            session,
            failing.id,
            NOW - timedelta(minutes=20),
            "HTTP 503 from flaky.example.com",
            max_failures=8,
        )
        await sources.record_failure(
            session,
            failing.id,
            NOW - timedelta(minutes=2),
            "HTTP 503 from\nflaky.example.com",
            max_failures=8,
        )
        await sources.record_failure(
            session, dead.id, NOW - timedelta(hours=1), "timed out after 30 s", max_failures=1
        )
    text = await say(context, "sources")
    assert text.startswith("Sources: 3 — 2 on (1 failing), 1 off\n")
    lines = text.splitlines()
    first, second, third = (i for i, line in enumerate(lines) if re.match(r"S\d", line))
    assert lines[first] == f"S{failing.id}  ⚠ FAILING  flaky.example.com"
    assert "last fetch 13 Dec 09:28 UTC · 2 failures · next try" in lines[first + 2]
    assert lines[first + 3] == "  last error: HTTP 503 from flaky.example.com"
    assert lines[second] == f"S{dead.id}  ⚠ FAILING, off  gone.example.com"
    assert "last error: timed out after 30 s" in text
    assert lines[third] == f"S{healthy.id}  on  Desert Wire — wire.example.org"
    assert lines[third + 1] == "  https://wire.example.org/rss"
    assert lines[third + 2] == "  last fetch 13 Dec 09:25 UTC · 1 article"
    assert "More:" not in text


async def test_sources_are_paginated_by_twenty(context: Context) -> None:
    for number in range(1, 26):
        await add_source(context, f"https://feeds.example.org/{number}.xml")
    first = await say(context, "sources")
    assert "page 1 of 2" in first
    assert "S20  on" in first and "S21  on" not in first and "S1  on" in first
    assert first.endswith("More: /sources 2")
    second = await say(context, "sources 2")
    assert "S21  on" in second and "S25  on" in second and "S20  on" not in second
    assert "More:" not in second
    assert "There is no page 3: the sources fill 2 pages." in await say(context, "sources 3")
    assert "“first” is not a page number." in await say(context, "sources first")


async def test_addsource_stores_a_checked_feed_with_topic_hints(
    context: Context, sandbox: Sandbox, server: HTTPServer
) -> None:
    server.expect_request("/rss.xml").respond_with_data(FEED, content_type="application/rss+xml")
    url = server.url_for("/rss.xml")
    text = await say(allowing(context, sandbox), f"addsource {url} tunisia North Africa security")
    assert text.startswith("Added S1: Harbour Notes — 2 items.")
    assert "topics hint: Tunisia, North Africa security" in text
    assert "[Sources: sources] [Remove S1: removesource S1]" in text
    async with context.sessions() as session:
        row = await session.get_one(SourceRow, 1)
    assert (row.url, row.name, row.origin, row.added_by, row.interval_minutes, row.enabled) == (
        url,
        "Harbour Notes",
        "chat",
        ADMIN,
        15,
        True,
    )
    assert row.topics == ["tunisia", "north-africa-security"]


async def test_addsource_resolves_a_name_through_the_guard(
    context: Context, sandbox: Sandbox, server: HTTPServer, dns: Install
) -> None:
    dns({"news.example.org": ["127.0.0.1"]})
    server.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    url = f"http://News.Example.org:{server.port}/feed"
    text = await say(allowing(context, sandbox), f"addsource {url} libya,sahel")
    assert "Added S1: Harbour Notes — 2 items." in text
    [stored] = await stored_sources(context)
    assert stored.url == f"http://news.example.org:{server.port}/feed"
    assert stored.topics == ("libya", "sahel")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1/feed", "Refused: 127.0.0.1 is a loopback address"),
        ("http://10.0.0.8/rss", "Refused: 10.0.0.8 is a private address"),
        ("http://intranet.example.org/rss", "intranet.example.org (192.168.4.4) is a private"),
        ("http://missing.example.org/rss", "The host missing.example.org did not resolve."),
        ("file:///etc/passwd", "I can't use that URL: unsupported scheme 'file'"),
        ("not-a-url", "I can't use that URL: unsupported scheme none"),
        ("http://", "I can't use that URL: URL has no host."),
        ("http://reader:hunter2@93.184.216.34/", "credentials in the URL are not allowed"),
        ("https://93.184.216.34/" + "a" * 2001, "That URL is too long"),
    ],
)
async def test_addsource_refuses_unsafe_or_broken_urls(
    lite: Context, dns: Install, url: str, expected: str
) -> None:
    dns({"intranet.example.org": ["192.168.4.4"]})
    text = await say(lite, f"addsource {url}")
    assert expected in text
    assert "hunter2" not in text and "incident" not in text
    assert await stored_sources(lite) == []


async def test_an_allowlisted_network_may_be_added(
    lite: Context, sandbox: Sandbox, server: HTTPServer
) -> None:
    server.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    allowed = allowing(lite, sandbox)
    assert "Added S1: Harbour Notes" in await say(allowed, f"addsource {server.url_for('/feed')}")
    assert "loopback" in await say(allowed, "addsource http://127.0.0.2/feed")


async def test_addsource_of_a_known_url_names_the_existing_source(context: Context) -> None:
    existing = await add_source(context, "https://93.184.216.34/feed", name="Relay")
    text = await say(context, "addsource HTTPS://93.184.216.34/feed")
    assert f"That feed is already there as S{existing.id} (Relay — 93.184.216.34)." in text
    assert len(await stored_sources(context)) == 1


async def test_addsource_turns_a_source_that_is_off_back_on(context: Context) -> None:
    source = await add_source(context, "https://93.184.216.34/feed")
    async with context.sessions() as session, session.begin():
        await sources.record_failure(session, source.id, NOW, "HTTP 500", max_failures=1)
    text = await say(context, "addsource https://93.184.216.34/feed")
    assert f"S{source.id} was already listed but off; it is back on" in text
    [stored] = await stored_sources(context)
    assert stored.enabled and stored.failures == 0 and stored.last_error is None


async def test_addsource_with_an_unknown_topic_suggests_close_ones(lite: Context) -> None:
    text = await say(lite, "addsource https://93.184.216.34/feed tunsia")
    assert "I don't know the topic “tunsia”." in text and "Did you mean tunisia" in text
    text = await say(lite, "addsource https://93.184.216.34/feed libya zzzzqqq")
    assert "I don't know the topic “zzzzqqq”." in text
    assert await stored_sources(lite) == []


async def test_removesource_turns_the_source_off_and_keeps_its_articles(context: Context) -> None:
    source = await add_source(context, "https://wire.example.org/rss", name="Desert Wire")
    async with context.sessions() as session, session.begin():
        await briefs.save_article(session, source.id, _article("a1"), "fp", "en", NOW)
    text = await say(context, f"removesource S{source.id}")
    assert f"S{source.id} (Desert Wire — wire.example.org) is off" in text
    assert "Its articles and briefs stay." in text
    assert f"S{source.id}  off  Desert Wire" in await say(context, "sources")
    assert "is already off" in await say(context, f"removesource {source.id}")
    async with context.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ArticleRow)) == 1
        assert await sources.due_sources(session, NOW + timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("removesource S99", "There is no source S99."),
        ("removesource 99", "There is no source S99."),
        ("removesource feed", "“feed” is not a source id."),
        ("removesource", "/removesource needs more"),
    ],
)
async def test_removesource_refuses_what_it_cannot_find(
    lite: Context, line: str, expected: str
) -> None:
    await add_source(lite, "https://wire.example.org/rss")
    assert expected in await say(lite, line)
    assert (await stored_sources(lite))[0].enabled


async def test_stats_count_everything_the_bot_holds(context: Context) -> None:
    healthy = await add_source(context, "https://wire.example.org/rss")
    failing = await add_source(context, "https://flaky.example.com/atom.xml")
    off = await add_source(context, "https://gone.example.com/feed")
    async with context.sessions() as session, session.begin():
        await sources.record_failure(session, failing.id, NOW, "HTTP 502", max_failures=8)
        await sources.disable_source(session, off.id)
        for identity in ("a1", "a2", "a3"):
            await briefs.save_article(session, healthy.id, _article(identity), "fp", "en", NOW)
        fresh = await briefs.create_brief(
            session, _article("a1"), _analysis(), None, NOW - timedelta(hours=3)
        )
        old = await briefs.create_brief(
            session, _article("a2"), _analysis(), None, NOW - timedelta(days=2)
        )
        desk = await chats.ensure_chat(session, "console", "desk", ChatKind.PRIVATE, NOW)
        gone = await chats.ensure_chat(session, "telegram", "-1001", ChatKind.GROUP, NOW)
        await session.execute(update(ChatRow).where(ChatRow.id == gone.id).values(active=False))
        await chats.subscribe(session, desk.id, "tunisia", NOW)
        await chats.subscribe(session, desk.id, "libya", NOW)
        await chats.subscribe(session, gone.id, "sahel", NOW)
        session.add(WatchRow(chat_id=desk.id, query="wagner", created_by=ADMIN, created_at=NOW))
        await outbox.queue_alert(session, desk.id, fresh, NOW)
        sent = await outbox.queue_alert(session, desk.id, old, NOW)
        failed = await outbox.queue_alert(session, gone.id, fresh, NOW)
        await session.execute(
            update(DeliveryRow).where(DeliveryRow.id == sent).values(status="sent")
        )
        await session.execute(
            update(DeliveryRow).where(DeliveryRow.id == failed).values(status="failed")
        )
    async with context.sessions() as session:
        counts = await collect_stats(session, NOW)
    assert counts == Stats(
        sources_enabled=2,
        sources_failing=1,
        sources_off=1,
        articles=3,
        briefs=2,
        briefs_recent=1,
        chats_active=1,
        chats_total=2,
        subscriptions=3,
        watches=1,
        deliveries_pending=1,
        deliveries_claimed=0,
        deliveries_sent=1,
        deliveries_failed=1,
    )
    text = await say(context, "stats")
    assert text.startswith("briefbot at 13 Dec 2025 09:30 UTC")
    assert "Sources: 3 — 2 on (1 failing), 1 off" in text
    assert "Articles: 3" in text
    assert "Briefs: 2 — 1 in the last 24 hours" in text
    assert "Chats: 1 active of 2" in text
    assert "Subscriptions: 3 · Watches: 1" in text
    assert "Deliveries: 1 pending · 0 being sent · 1 sent · 1 failed" in text


async def test_stats_of_an_empty_database(context: Context) -> None:
    text = await say(context, "stats")
    assert "Sources: 0 — 0 on (0 failing), 0 off" in text and "Articles: 0" in text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("S3", 3),
        ("s3", 3),
        ("#S3", 3),
        ("3", 3),
        ("B3", None),
        ("S", None),
        ("S-1", None),
        ("", None),
    ],
)
def test_source_codes(typed: str, expected: int | None) -> None:
    assert admin.parse_source_code(typed) == expected


async def test_addsource_gives_up_on_a_lookup_that_never_answers(
    lite: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def silent(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        await asyncio.Event().wait()
        return []

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", silent)
    monkeypatch.setattr(checker, "LOOKUP_TIMEOUT", 0.01)
    text = await say(lite, "addsource https://slow.example.org/feed")
    assert "The host slow.example.org did not resolve." in text
    assert await stored_sources(lite) == []


async def test_a_url_that_grows_past_the_limit_when_encoded_is_refused(lite: Context) -> None:
    text = await say(lite, "addsource https://93.184.216.34/" + "é" * 1000)
    assert "That URL is too long" in text
    assert await stored_sources(lite) == []


async def test_stats_shows_this_process_figures_when_the_service_provides_them(
    sqlite_url: str,
) -> None:
    from dataclasses import replace

    from bot.adapters.console import ConsoleChat
    from bot.app import Runtime
    from bot.config import Config, DatabaseConfig

    runtime = await Runtime.open(Config(database=DatabaseConfig(url=sqlite_url)))
    try:
        runtime.metrics.ingested(articles=7, briefs=5)
        runtime.metrics.delivered("retried", 2)
        runtime.metrics.set_outbox_depth(3)
        await runtime.metrics.timed("ingest", _nothing)
        console = ConsoleChat(runtime.context())
        shown = await console.say("/stats")
        assert "Articles fetched: 7" in shown and "Briefs made: 5" in shown
        assert "Deliveries retried: 2" in shown and "Outbox depth: 3" in shown
        assert "Last ingest: " in shown
        without = ConsoleChat(replace(runtime.context(), process_stats=None))
        assert "This process" not in await without.say("/stats")
    finally:
        await runtime.close()


async def _nothing() -> None:
    return None
