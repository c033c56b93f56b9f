"""The delivery chain in one process: a new brief alerts its subscribers, the sweep queues the
digest at the chat's local time, and the outbox hands both to the platform sender."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from pytest_httpserver import HTTPServer

from bot.app import Runtime
from bot.chat import Card, Reply
from bot.config import Config, DatabaseConfig, SourceConfig
from bot.delivery.outbox import OutboxWorker
from bot.delivery.sweep import sweep_digests
from bot.domain import ChatKind
from bot.render.plain import render_plain
from bot.storage import chats

# 07:05 in Tunis (UTC+1): just after a 07:00 digest time; the feed was read three minutes before.
NOW = datetime(2025, 12, 13, 6, 5, tzinfo=UTC)
INGESTED = NOW - timedelta(minutes=3)
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Desk Wire</title>
<item><guid>g1</guid><title>Tunisian army reinforces the border with Libya</title>
<link>https://desk.example.org/g1</link><pubDate>Sat, 13 Dec 2025 05:00:00 GMT</pubDate>
<description>Tunisia's army sent more troops to the Libyan border on Saturday to stop smugglers,
the defence ministry said. The move could slow fuel smuggling across the frontier.</description>
</item></channel></rss>"""


async def test_alert_then_digest_reach_the_platform(
    httpserver: HTTPServer, sqlite_url: str
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    config = Config(
        database=DatabaseConfig(url=sqlite_url),
        sources=(SourceConfig(url=httpserver.url_for("/feed.xml")),),
    )
    runtime = await Runtime.open(config)
    clock = [INGESTED]
    runtime.clock = lambda: clock[0]
    sent: list[tuple[str, Reply, str | None]] = []

    async def send(chat: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        sent.append((chat, reply, thread_id))
        return [f"m{len(sent)}"]

    try:
        await runtime.sync_sources()
        async with runtime.sessions() as session, session.begin():
            desk = await chats.ensure_chat(
                session,
                "telegram",
                "-100500",
                ChatKind.GROUP,
                NOW,
                timezone="Africa/Tunis",
                digest_time=time(7, 0),
            )
            await chats.subscribe(session, desk.id, "north-africa-security", NOW, thread_id="9")
        report = await runtime.ingest()
        assert report.alerts_queued == 1
        clock[0] = NOW

        worker = OutboxWorker(
            runtime.sessions, {"telegram": send}, runtime.analyser.topics, runtime.clock
        )
        assert (await worker.drain_once()).sent == 1
        chat, alert, thread = sent[0]
        assert (chat, thread) == ("-100500", "9")
        cards = [part for part in alert.parts if isinstance(part, Card)]
        assert cards and cards[0].brief.title == "Tunisian army reinforces the border with Libya"

        async with runtime.sessions() as session, session.begin():
            assert await sweep_digests(session, runtime.analyser.topics, NOW) == 1
        async with runtime.sessions() as session, session.begin():
            assert await sweep_digests(session, runtime.analyser.topics, NOW) == 0
        assert (await worker.drain_once()).sent == 1
        digest = sent[1][1]
        assert [part.brief.id for part in digest.parts if isinstance(part, Card)] == [
            cards[0].brief.id
        ]
        text = render_plain(digest)
        assert text.startswith("Your digest: 1 new brief since 2025-12-12 07:05 (Africa/Tunis).")
        assert "North Africa security — 1 new" in text and "Nothing new" not in text

        later = NOW + timedelta(hours=1)
        async with runtime.sessions() as session, session.begin():
            assert await sweep_digests(session, runtime.analyser.topics, later) == 0
        assert (await worker.drain_once(later)).claimed == 0
    finally:
        await runtime.close()
