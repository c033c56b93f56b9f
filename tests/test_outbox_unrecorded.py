"""The outbox worker while the database cannot take outcomes: what was sent is held in memory,
its claims are kept, nothing new is claimed, and no chat hears the same thing twice. On a real
SQLite store with a fault injected into the storage calls, and a fake clock for the lease."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.chat import Reply
from bot.delivery import outbox as worker_module
from bot.delivery.outbox import OutboxWorker
from bot.domain import DeliveryStatus
from bot.storage import db
from bot.storage.models import ChatRow, DeliveryRow
from tests.test_outbox import (
    NOW,
    FakeClock,
    Recorder,
    Sessions,
    add_brief,
    add_chat,
    delivery,
    queue_alert,
    worker_for,
)

CHATS = 30
LEASE = 30.0  # seconds
OUTAGE = "the database is failing"
BACK = "the database answers again"


class Fault:
    """Stands in for a storage call the worker makes: raises OperationalError while `on` for
    sessions on `engine` (one worker's connection), else calls through."""

    def __init__(self, real: Callable[..., Awaitable[Any]], engine: AsyncEngine) -> None:
        self.real = real
        self.engine = engine
        self.on = True
        self.calls = 0

    async def __call__(self, session: AsyncSession, *args: Any) -> Any:
        if session.bind is self.engine:
            self.calls += 1
            if self.on:
                raise OperationalError("UPDATE deliveries", None, ConnectionError("server closed"))
        return await self.real(session, *args)


def inject(monkeypatch: pytest.MonkeyPatch, name: str, engine: AsyncEngine) -> Fault:
    fault = Fault(getattr(worker_module, name), engine)
    monkeypatch.setattr(worker_module, name, fault)
    return fault


@pytest.fixture
def lite(sqlite_engine: AsyncEngine) -> Sessions:
    return db.sessions(sqlite_engine)


@pytest.fixture
async def elsewhere(sqlite_url: str, sqlite_engine: AsyncEngine) -> AsyncIterator[Sessions]:
    """Another worker's own connection to the same database."""
    engine = db.create_engine(sqlite_url)
    yield db.sessions(engine)
    await engine.dispose()


async def queue_one_alert_each(sessions: Sessions, names: list[str]) -> None:
    brief = await add_brief(sessions, "Harbour closed after a storm", ("tunisia",))
    for name in names:
        await queue_alert(sessions, await add_chat(sessions, name), brief)


async def rows_by_chat(sessions: Sessions) -> dict[str, DeliveryRow]:
    query = select(ChatRow.external_id, DeliveryRow).join(
        ChatRow, ChatRow.id == DeliveryRow.chat_id
    )
    async with sessions() as session:
        return {name: row for name, row in await session.execute(query)}


def log_lines(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if text in record.getMessage()]


def sent_ids(platform: Recorder) -> dict[str, str]:
    """The message id the platform answered for each chat (the recorder's last id)."""
    return {chat: f"m{number}" for number, (chat, _, _) in enumerate(platform.sent, start=1)}


async def test_sent_alerts_whose_outcome_cannot_be_written_are_held_and_never_sent_again(
    lite: Sessions,
    elsewhere: Sessions,
    sqlite_engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    names = [f"chat-{index}" for index in range(CHATS)]
    await queue_one_alert_each(lite, names)
    settle = inject(monkeypatch, "settle", sqlite_engine)
    clock, platform, second = FakeClock(), Recorder(), Recorder()
    worker = worker_for(lite, clock, {"telegram": platform.send}, lease=timedelta(seconds=LEASE))
    other = OutboxWorker(
        elsewhere, {"telegram": second.send}, worker.topics, clock, worker.settings, name="other"
    )

    with caplog.at_level(logging.INFO, logger="bot.delivery.outbox"):
        first = await worker.drain_once(clock.now)
        assert (first.claimed, first.sent) == (CHATS, CHATS)
        await queue_one_alert_each(lite, ["late"])
        claimed = []
        for _ in range(8):  # well past the lease, a third of it at a time
            clock.advance(LEASE / 3 + 1)
            claimed.append((await worker.drain_once(clock.now)).claimed)
            claimed.append((await other.drain_once(clock.now)).claimed)

        assert Counter(chat for chat, _, _ in platform.sent) == Counter(names)
        # The other worker took the new alert, and nothing the first one holds.
        assert [chat for chat, _, _ in second.sent] == ["late"]
        assert claimed == [0, 1] + [0] * 14
        assert settle.calls > 1
        held = await rows_by_chat(lite)
        assert {held[name].status for name in names} == {DeliveryStatus.CLAIMED.value}

        settle.on = False
        clock.advance(60)  # past any back-off
        await worker.drain_once(clock.now)

    rows = await rows_by_chat(lite)
    expected = sent_ids(platform)
    for name in names:
        row = rows[name]
        assert (row.status, row.platform_message_id) == ("sent", expected[name])
        assert (row.sent_at, row.resends, row.attempts) == (NOW, 0, 1)  # when it went out
    assert Counter(chat for chat, _, _ in platform.sent + second.sent) == Counter([*names, "late"])
    assert len(log_lines(caplog, OUTAGE)) == 1  # one line for the whole episode
    assert len(log_lines(caplog, BACK)) == 1
    assert not any(record.exc_info for record in caplog.records)
    assert worker.metrics.resent_after_crash == other.metrics.resent_after_crash == 0


async def test_with_the_database_down_the_worker_claims_nothing_not_even_its_own_rows(
    lite: Sessions,
    sqlite_engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    names = [f"chat-{index}" for index in range(CHATS)]
    await queue_one_alert_each(lite, names)
    settle = inject(monkeypatch, "settle", sqlite_engine)
    renew = inject(monkeypatch, "renew_claims", sqlite_engine)
    clock, platform = FakeClock(), Recorder()
    worker = worker_for(lite, clock, {"telegram": platform.send}, lease=timedelta(seconds=LEASE))

    with caplog.at_level(logging.INFO, logger="bot.delivery.outbox"):
        assert (await worker.drain_once(clock.now)).sent == CHATS
        await queue_one_alert_each(lite, ["late"])
        for _ in range(8):
            clock.advance(LEASE / 3 + 1)
            assert (await worker.drain_once(clock.now)).claimed == 0
        assert renew.calls > 1
        assert (await rows_by_chat(lite))["late"].status == "pending"

        settle.on = renew.on = False
        clock.advance(60)
        report = await worker.drain_once(clock.now)  # records what it held, then goes on

    assert (report.claimed, report.sent) == (1, 1)
    assert Counter(chat for chat, _, _ in platform.sent) == Counter([*names, "late"])
    rows = await rows_by_chat(lite)
    expected = sent_ids(platform)
    assert {name: (row.status, row.platform_message_id) for name, row in rows.items()} == {
        name: ("sent", expected[name]) for name in [*names, "late"]
    }
    assert len(log_lines(caplog, OUTAGE)) == 1
    assert len(log_lines(caplog, BACK)) == 1
    assert worker.metrics.resent_after_crash == 0


async def test_stopping_with_outcomes_still_unwritten_names_each_one(
    lite: Sessions,
    sqlite_engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    names = ["a", "b", "c"]
    await queue_one_alert_each(lite, names)
    settle = inject(monkeypatch, "settle", sqlite_engine)
    platform = Recorder()
    stop = asyncio.Event()
    calls_at_stop = 0

    async def send_then_stop(chat: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        ids = await platform.send(chat, reply, thread_id)
        if len(platform.sent) == len(names):
            nonlocal calls_at_stop
            calls_at_stop = settle.calls
            stop.set()
        return ids

    worker = worker_for(lite, FakeClock(), {"telegram": send_then_stop})
    with caplog.at_level(logging.INFO, logger="bot.delivery.outbox"):
        await worker.run(stop)

    assert settle.calls > calls_at_stop  # one more try on the way out
    rows = await rows_by_chat(lite)
    expected = sent_ids(platform)
    unwritten = log_lines(caplog, "could not be recorded")
    assert len(unwritten) == len(names)
    for name in names:
        line = next(
            r.getMessage() for r in unwritten if f"delivery {rows[name].id} " in r.getMessage()
        )
        assert f"message id {expected[name]}" in line
        assert (await delivery(lite, rows[name].id)).status == "claimed"
    assert not any(record.exc_info for record in caplog.records)
    assert len(log_lines(caplog, OUTAGE)) == 1
