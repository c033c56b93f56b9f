"""Ingest end to end against a loopback HTTP server: store, 304, edits, failures, full text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.app import Runtime
from bot.config import Config, DatabaseConfig, IngestConfig, SourceConfig
from bot.storage import briefs as brief_store
from bot.storage import sources as source_store

NOW = datetime(2025, 12, 13, 12, 0, tzinfo=UTC)


def rss(*items: tuple[str, str, str]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://news.example.org/{guid}</link>"
        f"<pubDate>Fri, 12 Dec 2025 09:00:00 GMT</pubDate><description>{text}</description></item>"
        for guid, title, text in items
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>Loop News</title>'
    return f"{head}{body}</channel></rss>"


CALL = (
    "call-1",
    "Defence Minister Khaled Shtili discusses border security with U.S. official",
    "Tunisia's Defence Minister Khaled Shtili discussed border security and equipment for the "
    "army with a U.S. official on Friday, the ministry said. The aid could strengthen patrols "
    "along the Libyan border.",
)
MATCH = ("match-1", "Late goal settles the derby", "The home side won 2-1 after a late goal.")


def _config(url: str, sources: list[SourceConfig], **ingest: object) -> Config:
    return Config(
        database=DatabaseConfig(url=url),
        sources=tuple(sources),
        ingest=IngestConfig(**ingest),  # type: ignore[arg-type]
    )


@pytest.fixture
async def runtime_factory(sqlite_url: str) -> AsyncIterator[object]:
    opened: list[Runtime] = []

    async def make(sources: list[SourceConfig], **ingest: object) -> Runtime:
        runtime = await Runtime.open(_config(sqlite_url, sources, **ingest))
        runtime.clock = lambda: NOW
        await runtime.sync_sources()
        opened.append(runtime)
        return runtime

    yield make
    for runtime in opened:
        await runtime.close()


def _etag_feed(server: HTTPServer, path: str, body: str, etag: str) -> list[bool]:
    """Serve `body` with an ETag; records, per request, whether it was answered 304."""
    answered: list[bool] = []

    def handler(request: Request) -> Response:
        unchanged = request.headers.get("If-None-Match") == etag
        answered.append(unchanged)
        if unchanged:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="application/rss+xml", headers={"ETag": etag})

    server.expect_request(path).respond_with_handler(handler)
    return answered


async def test_first_pass_stores_briefs_and_304_costs_nothing(
    httpserver: HTTPServer, runtime_factory
) -> None:
    answered = _etag_feed(httpserver, "/feed.xml", rss(CALL, MATCH), '"v1"')
    runtime = await runtime_factory([SourceConfig(url=httpserver.url_for("/feed.xml"))])
    first = await runtime.ingest()
    assert (first.fetched, first.articles_new, first.briefs_new) == (1, 2, 2)
    async with runtime.sessions() as session:
        tunisia = await brief_store.latest_briefs(session, ["tunisia"])
        assert [brief.title for brief in tunisia] == [CALL[1]]
        assert "north-africa-security" in tunisia[0].topics
        assert tunisia[0].actors[0].name == "Khaled Shtili"
        assert tunisia[0].primary.outlet == "Loop News"

    runtime.clock = lambda: NOW + timedelta(hours=1)
    second = await runtime.ingest()
    assert (second.not_modified, second.articles_new) == (1, 0)
    assert answered == [False, True]


async def test_an_edited_article_updates_its_brief(httpserver: HTTPServer, runtime_factory) -> None:
    edited = (CALL[0], CALL[1] + " and training", CALL[2] + " Training was also discussed.")
    httpserver.expect_ordered_request("/feed.xml").respond_with_data(rss(CALL))
    httpserver.expect_ordered_request("/feed.xml").respond_with_data(rss(edited))
    runtime = await runtime_factory([SourceConfig(url=httpserver.url_for("/feed.xml"))])
    await runtime.ingest(force=True)
    report = await runtime.ingest(force=True)
    assert (report.articles_new, report.articles_updated, report.briefs_new) == (0, 1, 0)
    async with runtime.sessions() as session:
        assert await brief_store.count_briefs(session) == 1
        [brief] = await brief_store.latest_briefs(session)
    assert brief.title.endswith("and training")


async def test_one_failing_source_does_not_stop_the_others_and_is_switched_off(
    httpserver: HTTPServer, runtime_factory
) -> None:
    httpserver.expect_request("/ok.xml").respond_with_data(rss(CALL))
    httpserver.expect_request("/broken.xml").respond_with_data("oops", status=500)
    runtime = await runtime_factory(
        [
            SourceConfig(url=httpserver.url_for("/ok.xml")),
            SourceConfig(url=httpserver.url_for("/broken.xml"), name="Broken"),
        ],
        max_failures=2,
    )
    report = await runtime.ingest()
    assert (report.fetched, report.failed, report.briefs_new) == (1, 1, 1)
    assert report.problems and report.problems[0].startswith("Broken: ")
    async with runtime.sessions() as session:
        broken = next(s for s in await source_store.list_sources(session) if s.name == "Broken")
    assert broken.failures == 1 and broken.enabled and "500" in (broken.last_error or "")

    runtime.clock = lambda: NOW + timedelta(hours=2)
    await runtime.ingest()
    async with runtime.sessions() as session:
        broken = next(s for s in await source_store.list_sources(session) if s.name == "Broken")
    assert not broken.enabled and broken.failures == 2


async def test_partial_and_hostile_feeds_keep_what_is_recoverable(
    httpserver: HTTPServer, runtime_factory
) -> None:
    truncated = rss(CALL, MATCH)[:-60]
    httpserver.expect_request("/partial.xml").respond_with_data(truncated)
    httpserver.expect_request("/page.html").respond_with_data(
        "<html><body><h1>Not a feed</h1></body></html>", content_type="text/html"
    )
    runtime = await runtime_factory(
        [
            SourceConfig(url=httpserver.url_for("/partial.xml")),
            SourceConfig(url=httpserver.url_for("/page.html")),
        ]
    )
    report = await runtime.ingest()
    assert report.failed == 0
    assert report.articles_new >= 1


async def test_full_text_fetches_the_page_of_a_teaser(
    httpserver: HTTPServer, runtime_factory
) -> None:
    teaser = (
        "tease-1",
        "Tunisian army reinforces the Libyan border",
        "Read the full story on our site.",
    )
    feed = rss(teaser).replace("https://news.example.org/tease-1", httpserver.url_for("/story"))
    paragraphs = "".join(
        f"<p>Tunisia's army sent additional units to the border with Libya on Friday, "
        f"officials said, in paragraph {n} of a long report on border security.</p>"
        for n in range(8)
    )
    httpserver.expect_request("/feed.xml").respond_with_data(feed)
    httpserver.expect_request("/story").respond_with_data(
        f"<html><head><title>x</title></head><body><nav>Home</nav><article>{paragraphs}"
        "</article><footer>Contact</footer></body></html>",
        content_type="text/html",
    )
    runtime = await runtime_factory(
        [SourceConfig(url=httpserver.url_for("/feed.xml"))],
        full_text=True,
        allow_networks=["127.0.0.1/32"],  # the operator's exemption covers pages too
    )
    await runtime.ingest()
    async with runtime.sessions() as session:
        [brief] = await brief_store.latest_briefs(session)
    assert "additional units" in brief.event
    assert "north-africa-security" in brief.topics


async def test_new_briefs_queue_alerts_for_subscribed_chats(
    httpserver: HTTPServer, runtime_factory
) -> None:
    from sqlalchemy import select

    from bot.domain import ChatKind
    from bot.storage import chats
    from bot.storage.models import DeliveryRow

    fresh = rss(CALL, MATCH).replace("Fri, 12 Dec 2025 09:00:00", "Sat, 13 Dec 2025 09:00:00")
    httpserver.expect_request("/feed.xml").respond_with_data(fresh)
    runtime = await runtime_factory([SourceConfig(url=httpserver.url_for("/feed.xml"))])
    async with runtime.sessions() as session, session.begin():
        analyst = await chats.ensure_chat(session, "telegram", "analyst", ChatKind.PRIVATE, NOW)
        await chats.subscribe(session, analyst.id, "tunisia", NOW)
        other = await chats.ensure_chat(session, "telegram", "sports", ChatKind.PRIVATE, NOW)
        await chats.subscribe(session, other.id, "libya", NOW)
    report = await runtime.ingest()
    assert report.alerts_queued == 1
    await runtime.ingest(force=True)
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(DeliveryRow))).all()
    assert [(row.chat_id, row.kind) for row in rows] == [(analyst.id, "alert")]


async def test_console_chats_are_never_pushed_to(httpserver: HTTPServer, runtime_factory) -> None:
    from sqlalchemy import select

    from bot.domain import ChatKind
    from bot.storage import chats
    from bot.storage.models import DeliveryRow

    fresh = rss(CALL).replace("Fri, 12 Dec 2025 09:00:00", "Sat, 13 Dec 2025 09:00:00")
    httpserver.expect_request("/feed.xml").respond_with_data(fresh)
    runtime = await runtime_factory([SourceConfig(url=httpserver.url_for("/feed.xml"))])
    async with runtime.sessions() as session, session.begin():
        console = await chats.ensure_chat(
            session, "console", "desk", ChatKind.PRIVATE, NOW, digest_time=time(8, 0)
        )
        await chats.subscribe(session, console.id, "tunisia", NOW)
        assert await chats.digest_chats(session) == []
    report = await runtime.ingest()
    assert report.briefs_new == 1 and report.alerts_queued == 0
    async with runtime.sessions() as session:
        assert (await session.scalars(select(DeliveryRow))).all() == []
