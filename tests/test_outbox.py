"""The outbox worker against real storage (SQLite and PostgreSQL) and a loopback stub platform:
claiming, per-chat order, composing, retries with back-off and retry_after, chats gone,
lapsed claims, shutdown, and two workers sharing one PostgreSQL outbox."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.errors import RetryLater
from bot.analysis.topics import load_topics
from bot.bench.stub_platform import HttpSender
from bot.chat import Card, Emphasis, Reply, Text
from bot.delivery.compose import alert_label, digest_sections
from bot.delivery.outbox import RESENT, OutboxSettings, OutboxWorker
from bot.domain import Analysis, Article, Brief, ChatKind, SourceRef, Subscription
from bot.render.plain import render_plain
from bot.storage import briefs, chats, db, outbox
from bot.storage.chats import Watch
from bot.storage.models import ChatRow, DeliveryRow
from tests.loopback import serve_post

NOW = datetime(2025, 12, 13, 9, 0, tzinfo=UTC)
TOPICS = load_topics()
Sessions = async_sessionmaker[AsyncSession]


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Recorder:
    """An in-memory platform: records every send, answers with two message ids."""

    sent: list[tuple[str, Reply, str | None]] = field(default_factory=list)

    async def send(self, chat: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        self.sent.append((chat, reply, thread_id))
        number = len(self.sent)
        await asyncio.sleep(0)  # a real send yields to the loop
        return [f"m{number}a", f"m{number}"]


async def _sessions(url: str) -> AsyncIterator[Sessions]:
    engine = db.create_engine(url)
    await db.upgrade(engine)
    yield db.sessions(engine)
    await engine.dispose()


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    """Both backends: for what depends on the claim queries."""
    async for made in _sessions(database_url):
        yield made


@pytest.fixture
async def lite(sqlite_url: str) -> AsyncIterator[Sessions]:
    """SQLite only: for the worker's own logic, the same on either backend."""
    async for made in _sessions(sqlite_url):
        yield made


def worker_for(
    sessions: Sessions, clock: FakeClock, senders: dict[str, Any], **settings: Any
) -> OutboxWorker:
    return OutboxWorker(sessions, senders, TOPICS, clock, OutboxSettings(**settings), name="w")


async def add_chat(
    sessions: Sessions,
    external_id: str,
    subscriptions: Sequence[tuple[str, str | None]] = (("tunisia", None),),
    platform: str = "telegram",
) -> int:
    async with sessions() as session, session.begin():
        chat = await chats.ensure_chat(session, platform, external_id, ChatKind.PRIVATE, NOW)
        for topic, thread in subscriptions:
            await chats.subscribe(session, chat.id, topic, NOW, thread_id=thread)
        return chat.id


_numbers = iter(range(1, 10_000))


async def add_brief(sessions: Sessions, title: str, topics: Sequence[str]) -> int:
    number = next(_numbers)
    article = Article(
        identity=f"outbox-{number}",
        title=title,
        url=f"https://coastal.example.org/{number}",
        summary=title,
        text="",
        outlet="Coastal Courier",
        published_at=NOW - timedelta(hours=number),
    )
    analysis = Analysis("en", tuple(topics), (), f"{title}.", ())
    async with sessions() as session, session.begin():
        return await briefs.create_brief(session, article, analysis, None, NOW)


async def queue_alert(sessions: Sessions, chat_id: int, brief_id: int) -> int:
    async with sessions() as session, session.begin():
        made = await outbox.queue_alert(session, chat_id, brief_id, NOW)
    assert made is not None
    return made


async def queue_digest(
    sessions: Sessions, chat_id: int, brief_ids: Sequence[int], day: date = date(2025, 12, 13)
) -> int:
    async with sessions() as session, session.begin():
        made = await outbox.queue_digest(session, chat_id, day, brief_ids, NOW)
    assert made is not None
    return made


async def delivery(sessions: Sessions, delivery_id: int) -> DeliveryRow:
    async with sessions() as session:
        row = await session.get(DeliveryRow, delivery_id)
    assert row is not None
    return row


async def chat_active(sessions: Sessions, chat_id: int) -> bool:
    async with sessions() as session:
        return bool(await session.scalar(select(ChatRow.active).where(ChatRow.id == chat_id)))


# ------------------------------------------------------------------ sending and composing


async def test_alerts_and_digests_go_out_one_per_chat_at_a_time_in_order(
    sessions: Sessions,
) -> None:
    coast = await add_brief(sessions, "Patrols widen along the coast", ("tunisia", "libya"))
    border = await add_brief(sessions, "Border post reopens for trucks", ("libya",))
    port = await add_brief(sessions, "Port workers end their strike", ("tunisia",))
    analyst = await add_chat(sessions, "100", [("libya", "thread-9"), ("sahel", None)])
    desk = await add_chat(sessions, "200", [("libya", None)])
    alert = await queue_alert(sessions, analyst, coast)
    digest = await queue_digest(sessions, analyst, [port, border, coast])
    other = await queue_digest(sessions, desk, [border])
    clock, platform = FakeClock(), Recorder()
    worker = worker_for(sessions, clock, {"telegram": platform.send})

    first = await worker.drain_once(clock.now)
    assert (first.claimed, first.sent) == (2, 2)  # the analyst's digest waits for its alert
    assert [chat for chat, _, _ in platform.sent] == ["100", "200"]
    _, reply, thread = platform.sent[0]
    assert reply.parts[0] == Text("Alert · Libya", Emphasis.HEADING)
    assert isinstance(reply.parts[1], Card) and reply.parts[1].brief.id == coast
    assert (reply.brief_id, thread) == (coast, "thread-9")
    sent = await delivery(sessions, alert)
    assert (sent.status, sent.platform_message_id, sent.sent_at) == ("sent", "m1", NOW)
    assert (await delivery(sessions, digest)).status == "pending"
    assert (await delivery(sessions, other)).status == "sent"

    clock.advance(1)
    second = await worker.drain_once(clock.now)
    assert (second.claimed, second.sent) == (1, 1)
    text = render_plain(platform.sent[2][1])
    assert text.startswith("Your digest: 3 new briefs since 2025-12-12 09:00 (UTC).")
    # The chat's topics in catalogue order (quiet ones named), stored order within a section,
    # and a brief on a topic the chat no longer follows still shown, under that topic.
    order = [
        text.index(part)
        for part in (
            "Libya — 2 new",
            "Border post reopens",
            "Patrols widen",
            "Tunisia — 1 new",
            "Port workers",
            "Nothing new on Sahel.",
        )
    ]
    assert order == sorted(order)
    assert (await delivery(sessions, digest)).sent_at == NOW + timedelta(seconds=1)
    assert (await worker.drain_once(clock.now)).claimed == 0
    assert worker.metrics.sent == 3


async def test_a_digest_names_the_time_of_the_previous_one(lite: Sessions) -> None:
    chat = await add_chat(lite, "300")
    async with lite() as session, session.begin():
        await outbox.queue_digest(session, chat, date(2025, 12, 12), [], NOW - timedelta(hours=20))
    clock, platform = FakeClock(), Recorder()
    worker = worker_for(lite, clock, {"telegram": platform.send})
    await worker.drain_once(clock.now)
    await queue_digest(lite, chat, [])
    await worker.drain_once(clock.now)
    assert render_plain(platform.sent[-1][1]) == (
        "Nothing new on your topics since 2025-12-12 13:00 (UTC)."
    )


async def test_an_inactive_chat_gets_nothing_and_its_rows_fail_with_the_reason(
    lite: Sessions,
) -> None:
    chat = await add_chat(lite, "400")
    queued = await queue_digest(lite, chat, [])
    async with lite() as session, session.begin():
        await chats.set_chat_active(session, "telegram", "400", False)
    platform = Recorder()
    report = await worker_for(lite, FakeClock(), {"telegram": platform.send}).drain_once()
    assert (report.claimed, report.failed, platform.sent) == (1, 1, [])
    row = await delivery(lite, queued)
    assert (row.status, row.error) == ("failed", "chat inactive")


async def test_a_platform_with_no_sender_keeps_its_rows_pending_and_says_so_once(
    lite: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await add_chat(lite, "C42", platform="slack")
    queued = await queue_digest(lite, chat, [])
    clock, platform = FakeClock(), Recorder()
    worker = worker_for(lite, clock, {"telegram": platform.send})
    with caplog.at_level(logging.WARNING, logger="bot.delivery.outbox"):
        for _ in range(3):
            assert (await worker.drain_once(clock.now)).claimed == 0
            clock.advance(120)
    row = await delivery(lite, queued)
    assert (row.status, row.attempts, platform.sent) == ("pending", 0, [])
    warnings = [
        r.getMessage() for r in caplog.records if "slack is not configured" in r.getMessage()
    ]
    assert len(warnings) == 1


# ---------------------------------------------------------------- a loopback stub platform


@dataclass
class StubPlatform:
    """Answers each chat from a script of (status, body), then 200; records every hit."""

    scripts: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    url: str = ""

    async def send(self, request: web.Request) -> web.Response:
        chat = (await request.json())["chat"]
        self.hits.append(chat)
        script = self.scripts.get(chat)
        status, body = script.pop(0) if script else (200, {"message_id": len(self.hits)})
        return web.json_response(body, status=status)


@pytest.fixture
async def stub() -> AsyncIterator[StubPlatform]:
    made = StubPlatform()
    async with serve_post("/send", made.send) as url:
        made.url = url
        yield made


async def test_a_429_puts_the_delivery_back_until_retry_after_has_passed(
    sessions: Sessions, stub: StubPlatform
) -> None:
    chat = await add_chat(sessions, "500")
    queued = await queue_digest(sessions, chat, [])
    stub.scripts["500"] = [(429, {"retry_after": 30}), (200, {"message_id": 77})]
    clock = FakeClock()
    async with HttpSender(stub.url) as sender:
        worker = worker_for(sessions, clock, {"telegram": sender.send})
        first = await worker.drain_once(clock.now)
        assert (first.claimed, first.retried) == (1, 1)
        row = await delivery(sessions, queued)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.not_before == NOW + timedelta(seconds=30)  # retry_after beats the 5 s back-off
        assert row.error == "rate limited (429)"

        clock.advance(29)
        assert (await worker.drain_once(clock.now)).claimed == 0
        assert stub.hits == ["500"]

        clock.advance(1)
        assert (await worker.drain_once(clock.now)).sent == 1
    row = await delivery(sessions, queued)
    assert (row.status, row.platform_message_id, row.attempts) == ("sent", "77", 2)
    assert stub.hits == ["500", "500"]
    assert (worker.metrics.retried, worker.metrics.sent) == (1, 1)


async def test_a_403_fails_the_delivery_and_marks_the_chat_inactive(
    lite: Sessions, stub: StubPlatform
) -> None:
    chat = await add_chat(lite, "600")
    brief = await add_brief(lite, "Ferry service resumes", ("tunisia",))
    first = await queue_alert(lite, chat, brief)
    second = await queue_digest(lite, chat, [brief])
    stub.scripts["600"] = [(403, {"description": "Forbidden: bot was blocked by the user"})]
    clock = FakeClock()
    async with HttpSender(stub.url) as sender:
        worker = worker_for(lite, clock, {"telegram": sender.send})
        assert (await worker.drain_once(clock.now)).failed == 1
        assert (await worker.drain_once(clock.now)).failed == 1
    gone = await delivery(lite, first)
    assert (gone.status, gone.error) == (
        "failed",
        "chat gone: Forbidden: bot was blocked by the user",
    )
    assert not await chat_active(lite, chat)
    later = await delivery(lite, second)
    assert (later.status, later.error) == ("failed", "chat inactive")
    assert stub.hits == ["600"]


async def test_retries_back_off_and_give_up_after_max_attempts(lite: Sessions) -> None:
    chat = await add_chat(lite, "700")
    queued = await queue_digest(lite, chat, [])
    calls: list[datetime] = []
    clock = FakeClock()

    async def busy(chat_id: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        calls.append(clock.now)
        raise RetryLater(0)

    worker = worker_for(lite, clock, {"telegram": busy}, max_attempts=3, backoff_base=5)
    assert (await worker.drain_once(clock.now)).claimed == 1
    for backoff in (5, 10):  # doubling after each failure
        clock.advance(backoff - 0.5)
        assert (await worker.drain_once(clock.now)).claimed == 0
        clock.advance(0.5)
        assert (await worker.drain_once(clock.now)).claimed == 1
    row = await delivery(lite, queued)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.error == "gave up after 3 attempts: retry after 0 s"
    assert (worker.metrics.retried, worker.metrics.failed) == (2, 1)
    assert calls == [NOW, NOW + timedelta(seconds=5), NOW + timedelta(seconds=15)]


async def test_an_unexpected_error_is_logged_with_its_traceback_and_retried(
    lite: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await add_chat(lite, "800")
    queued = await queue_digest(lite, chat, [])

    async def broken(chat_id: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        raise ValueError("token 123:SECRET in a message")

    clock = FakeClock()
    worker = worker_for(lite, clock, {"telegram": broken})
    with caplog.at_level(logging.ERROR, logger="bot.delivery.outbox"):
        report = await worker.drain_once(clock.now)
    assert report.retried == 1
    row = await delivery(lite, queued)
    assert (row.status, row.not_before) == ("pending", NOW + timedelta(seconds=5))
    assert row.error == "unexpected error: ValueError"  # the exception's text stays in the log
    assert any(record.exc_info for record in caplog.records)


# ------------------------------------------------------------------ claims, crashes, stops


async def test_a_lapsed_claim_is_taken_over_counted_and_logged(
    sessions: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await add_chat(sessions, "900")
    queued = await queue_digest(sessions, chat, [])
    async with sessions() as session, session.begin():  # a worker that then dies
        (dead,) = await outbox.claim_due(
            session, NOW, 10, timedelta(seconds=90), "dead#1", ["telegram"]
        )
    clock, platform = FakeClock(NOW + timedelta(seconds=60)), Recorder()
    worker = worker_for(sessions, clock, {"telegram": platform.send})
    assert (await worker.drain_once(clock.now)).claimed == 0  # still within the lease

    clock.advance(31)
    with caplog.at_level(logging.WARNING, logger="bot.delivery.outbox"):
        report = await worker.drain_once(clock.now)
    assert (report.claimed, report.sent, report.resent_after_crash) == (1, 1, 1)
    assert worker.metrics.resent_after_crash == 1
    assert any(RESENT in record.getMessage() for record in caplog.records)
    row = await delivery(sessions, queued)
    assert (row.status, row.resends, row.attempts, row.platform_message_id) == ("sent", 1, 2, "m1")

    # The dead worker's word, arriving late, does not overwrite the new claim's outcome.
    async with sessions() as session, session.begin():
        await outbox.settle(session, [outbox.Outcome.failed(dead, "late")])
    assert (await delivery(sessions, queued)).status == "sent"


async def test_stopping_hands_back_claims_not_yet_sent(lite: Sessions) -> None:
    first, second = await add_chat(lite, "1001"), await add_chat(lite, "1002")
    await queue_digest(lite, first, [])
    waiting = await queue_digest(lite, second, [])
    stop = asyncio.Event()
    platform = Recorder()

    async def send_then_stop(chat: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        stop.set()
        return await platform.send(chat, reply, thread_id)

    worker = worker_for(lite, FakeClock(), {"telegram": send_then_stop}, concurrency=1)
    await worker.run(stop)
    assert [chat for chat, _, _ in platform.sent] == ["1001"]
    assert (worker.metrics.sent, worker.metrics.released) == (1, 1)
    row = await delivery(lite, waiting)
    assert (row.status, row.attempts) == ("pending", 0)


async def test_run_wakes_when_nudged(lite: Sessions) -> None:
    chat = await add_chat(lite, "1100")
    stop, idle, arrived = asyncio.Event(), asyncio.Event(), asyncio.Event()
    platform = Recorder()

    async def send(chat: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        arrived.set()
        return await platform.send(chat, reply, thread_id)

    worker = worker_for(lite, FakeClock(), {"telegram": send}, idle_seconds=3600)
    drain = worker.drain_once

    async def noting_idle(now: datetime | None = None) -> Any:
        report = await drain(now)
        if not report.claimed:
            idle.set()
        return report

    worker.drain_once = noting_idle  # type: ignore[method-assign]
    running = asyncio.create_task(worker.run(stop))
    async with asyncio.timeout(10):
        await idle.wait()
        await queue_digest(lite, chat, [])
        worker.nudge()
        await arrived.wait()
    stop.set()
    await running
    assert [chat for chat, _, _ in platform.sent] == ["1100"]


async def test_two_workers_share_one_postgresql_outbox_without_duplicates(pg_url: str) -> None:
    engines = [db.create_engine(pg_url) for _ in range(2)]
    await db.upgrade(engines[0])
    first_sessions, second_sessions = (db.sessions(engine) for engine in engines)
    try:
        brief = await add_brief(first_sessions, "Fishing fleet stays in port", ("tunisia",))
        expected: Counter[str] = Counter()
        async with first_sessions() as session, session.begin():
            for index in range(100):
                name = f"pg-{index}"
                chat = await chats.ensure_chat(session, "telegram", name, ChatKind.PRIVATE, NOW)
                await outbox.queue_digest(session, chat.id, date(2025, 12, 13), [brief], NOW)
                expected[name] += 1
                if index % 4 == 0:  # some chats owe two messages: they go one at a time
                    await outbox.queue_alert(session, chat.id, brief, NOW)
                    expected[name] += 1
        platform = Recorder()
        workers = [
            worker_for(s, FakeClock(), {"telegram": platform.send}, batch_size=10, concurrency=4)
            for s in (first_sessions, second_sessions)
        ]

        async def drain(worker: OutboxWorker) -> None:
            while (await worker.drain_once()).claimed:
                pass

        # The last worker to stop found nothing to claim while the other held nothing.
        await asyncio.gather(*(drain(worker) for worker in workers))
        got = Counter(chat for chat, _, _ in platform.sent)
        assert got == expected
        assert len({(chat, render_plain(reply)) for chat, reply, _ in platform.sent}) == sum(
            expected.values()
        )
        assert all(worker.metrics.sent > 0 for worker in workers)
        firsts: dict[str, str] = {}
        for recipient, reply, _ in platform.sent:
            firsts.setdefault(recipient, render_plain(reply))
        assert all(text.startswith("Your digest") for text in firsts.values())  # queued first
        async with first_sessions() as session:
            statuses = set(await session.scalars(select(DeliveryRow.status)))
        assert statuses == {"sent"}
    finally:
        for engine in engines:
            await engine.dispose()


# ------------------------------------------------------------------------- pure composing


def story(number: int, *topics: str, title: str = "") -> Brief:
    return Brief(
        id=number,
        title=title or f"Story {number}",
        event=f"Event {number}.",
        actors=(),
        implications=(),
        topics=topics,
        language="en",
        primary=SourceRef("https://coastal.example.org/1", "Coastal Courier"),
        source_count=1,
        published_at=NOW,
    )


def test_digest_sections_follow_the_catalogue_and_keep_the_stored_order() -> None:
    subscriptions = [
        Subscription(1, "sahel"),
        Subscription(1, "libya"),
        Subscription(1, "egypt", muted_until=NOW + timedelta(days=1)),
    ]
    watch = Watch(4, 1, "smugglers", "console", NOW)
    stored = [
        story(3, "libya"),
        story(1, "sahel", "libya"),
        story(7, "egypt"),
        story(5, title="Smugglers caught at dawn"),
    ]
    sections = digest_sections(stored, subscriptions, [watch], TOPICS, NOW)
    assert [(key, [b.id for b in found]) for key, found in sections] == [
        ("libya", [3, 1]),
        ("sahel", []),
        ("Watch W4: smugglers", [5]),
        ("egypt", [7]),  # muted since it was queued: still shown, never dropped
    ]


def test_an_alert_is_headed_by_the_followed_topic_or_the_matching_watch() -> None:
    names = {slug: topic.name for slug, topic in TOPICS.items()}
    both = story(2, "tunisia", "libya")
    following = [Subscription(1, "libya", thread_id="t-1")]
    assert alert_label(both, following, [], names) == ("Libya", "t-1")
    watched = story(3, "egypt", title="Smugglers caught at dawn")
    watch = Watch(9, 1, "smugglers", "console", NOW)
    assert alert_label(watched, following, [watch], names) == ("Watch W9: smugglers", None)
    assert alert_label(watched, [], [], names) == ("Egypt", None)
