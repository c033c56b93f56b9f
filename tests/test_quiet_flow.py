"""Quiet hours end to end, on SQLite and PostgreSQL: alerts queued in a chat's quiet hours are
held, and the real outbox worker sends them as one message when the period ends; /quiet off,
a new period or a new zone moves the release; a digest keeps its own time; a retry or a crash
keeps the group whole, with no alert lost and none sent twice. A fake clock drives it all."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.errors import RetryLater
from bot.analysis.topics import load_topics
from bot.app import Runtime
from bot.chat import Card, Command, Emphasis, Reply, Text
from bot.config import Config, DatabaseConfig, SourceConfig
from bot.delivery.alerts import queue_alerts
from bot.delivery.outbox import OutboxSettings, OutboxWorker
from bot.domain import Analysis, Article, ChatKind
from bot.render.plain import render_plain
from bot.storage import briefs, chats, db, outbox
from bot.storage.held import claim_held
from bot.storage.models import DeliveryRow
from handlers import schedule
from handlers.context import Context
from handlers.dispatch import dispatch

TOPICS = load_topics()
# Saturday 13 December 2025, Paris on UTC+1: quiet 22:00-07:00 is 21:00-06:00 UTC.
EVENING = datetime(2025, 12, 13, 21, 10, tzinfo=UTC)  # 22:10 in Paris
MORNING = datetime(2025, 12, 14, 6, 0, tzinfo=UTC)  # 07:00 in Paris: the quiet period ends
Sessions = async_sessionmaker[AsyncSession]
_numbers = itertools.count(1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Platform:
    """A stub platform: records every send; `refuse` answers the next sends with RetryLater."""

    sent: list[tuple[str, Reply, str | None]] = field(default_factory=list)
    refuse: int = 0

    async def send(self, chat: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        if self.refuse:
            self.refuse -= 1
            raise RetryLater(30.0, "flood control")
        self.sent.append((chat, reply, thread_id))
        return [f"m{len(self.sent)}"]

    def cards(self, index: int) -> list[int]:
        return [part.brief.id for part in self.sent[index][1].parts if isinstance(part, Card)]


@dataclass
class Desk:
    sessions: Sessions
    clock: Clock
    platform: Platform
    worker: OutboxWorker
    context: Context

    async def chat(
        self, name: str, *topics: str, zone: str = "Europe/Paris", quiet: str | None = None
    ) -> int:
        async with self.sessions() as session, session.begin():
            chat = await chats.ensure_chat(
                session, "telegram", name, ChatKind.PRIVATE, EVENING, timezone=zone
            )
            for topic in topics or ("tunisia",):
                await chats.subscribe(session, chat.id, topic, EVENING)
        if quiet is not None:
            assert (await self.say(name, f"quiet {quiet}")).startswith("Quiet hours ")
        return chat.id

    async def say(self, chat: str, line: str) -> str:
        name, *args = line.split()
        command = Command("telegram", chat, ChatKind.PRIVATE, "u1", name, tuple(args))
        return render_plain(await dispatch(command, self.context))

    async def news(self, title: str, topics: Sequence[str] = ("tunisia",)) -> int:
        """A new brief at the clock's time, alerted as ingest does."""
        number = next(_numbers)
        now = self.clock.now
        article = Article(
            identity=f"quiet-{number}",
            title=title,
            url=f"https://wire.example.org/quiet/{number}",
            summary=f"{title}.",
            text="",
            outlet="Night Wire",
            published_at=now - timedelta(minutes=5),
        )
        analysis = Analysis("en", tuple(topics), (), f"{title}.", ())
        async with self.sessions() as session, session.begin():
            brief_id = await briefs.create_brief(session, article, analysis, None, now)
            await queue_alerts(session, [brief_id], TOPICS, now)
        return brief_id

    async def at(self, moment: datetime) -> int:
        """Move the clock and run one outbox round; how many messages went out."""
        self.clock.now = moment
        before = len(self.platform.sent)
        await self.worker.drain_once(moment)
        return len(self.platform.sent) - before

    async def rows(self, chat_id: int) -> list[DeliveryRow]:
        async with self.sessions() as session:
            found = await session.scalars(
                select(DeliveryRow).where(DeliveryRow.chat_id == chat_id).order_by(DeliveryRow.id)
            )
            return list(found)


def _desk(sessions: Sessions) -> Desk:
    clock, platform = Clock(EVENING), Platform()
    worker = OutboxWorker(
        sessions, {"telegram": platform.send}, TOPICS, clock, OutboxSettings(), name="w"
    )
    context = Context(
        sessions=sessions, clock=clock, topics=TOPICS, admin_ids={}, commands=schedule.COMMANDS
    )
    return Desk(sessions, clock, platform, worker, context)


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    yield _desk(db.sessions(engine))
    await engine.dispose()


@pytest.fixture
async def lite(sqlite_url: str) -> AsyncIterator[Desk]:
    engine = db.create_engine(sqlite_url)
    await db.upgrade(engine)
    yield _desk(db.sessions(engine))
    await engine.dispose()


# --- held, then one message ---


async def test_alerts_in_quiet_hours_go_out_as_one_message_when_they_end(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="22:00-07:00")
    awake = await desk.chat("day-and-night")
    first = await desk.news("Coast guard intercepts boats off Sfax")
    assert await desk.at(EVENING + timedelta(minutes=1)) == 1  # only the chat without quiet hours
    chat, alone, _ = desk.platform.sent[0]
    assert chat == "day-and-night"
    assert alone.parts[0] == Text("Alert · Tunisia", Emphasis.HEADING) and alone.brief_id == first

    desk.clock.now = datetime(2025, 12, 14, 1, 30, tzinfo=UTC)  # 02:30 in Paris
    second = await desk.news("Tunis court adjourns the conspiracy trial")
    desk.clock.now = datetime(2025, 12, 14, 5, 59, tzinfo=UTC)  # 06:59
    third = await desk.news("Gabes chemical plant halts output")
    assert await desk.at(desk.clock.now) == 1  # the awake chat's alerts, one at a time
    assert await desk.at(desk.clock.now + timedelta(seconds=1)) == 1
    assert [chat for chat, _, _ in desk.platform.sent] == ["day-and-night"] * 3
    held = await desk.rows(night)
    assert [(row.status, row.not_before) for row in held] == [("held", MORNING)] * 3

    assert await desk.at(MORNING) == 1
    chat, merged, thread = desk.platform.sent[3]
    assert (chat, thread) == ("night-desk", None)
    assert desk.platform.cards(3) == [first, second, third]
    text = render_plain(merged)
    assert text.startswith("While you were quiet: 3 alerts.\n\nAlert · Tunisia\n")
    rows = await desk.rows(night)
    assert {(row.status, row.platform_message_id, row.sent_at) for row in rows} == {
        ("sent", "m4", MORNING)
    }
    assert await desk.at(MORNING + timedelta(minutes=5)) == 0
    assert [row.status for row in await desk.rows(awake)] == ["sent"] * 3


async def test_alerts_after_the_quiet_period_are_sent_as_usual(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="22:00-07:00")
    desk.clock.now = MORNING
    brief = await desk.news("Morning protest in Kasserine")
    assert await desk.at(MORNING) == 1
    _, reply, _ = desk.platform.sent[0]
    assert reply.parts[0] == Text("Alert · Tunisia", Emphasis.HEADING) and reply.brief_id == brief
    assert [row.status for row in await desk.rows(night)] == ["sent"]


async def test_a_digest_in_quiet_hours_keeps_its_own_time(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="22:00-07:00")
    held = await desk.news("Patrol boat runs aground near Zarzis")
    dawn = datetime(2025, 12, 14, 5, 30, tzinfo=UTC)  # 06:30 in Paris, still quiet
    desk.clock.now = dawn
    async with desk.sessions() as session, session.begin():
        digest = await outbox.queue_digest(session, night, date(2025, 12, 14), [held], dawn)
    assert await desk.at(dawn) == 1  # the digest: held alerts hold up nothing
    statuses = [(row.id == digest, row.status) for row in await desk.rows(night)]
    assert statuses == [(False, "held"), (True, "sent")]
    assert await desk.at(MORNING) == 1
    assert render_plain(desk.platform.sent[1][1]).startswith("While you were quiet: 1 alert.")


async def test_each_thread_gets_one_message(lite: Desk) -> None:
    night = await lite.chat("forum", "tunisia", quiet="22:00-07:00")
    async with lite.sessions() as session, session.begin():
        await chats.subscribe(session, night, "libya", EVENING, thread_id="42")
    tunisia = await lite.news("Sfax port reopens")
    libya = await lite.news("Tripoli budget vote delayed", ("libya",))
    later = await lite.news("Sousse hotel strike ends")
    assert await lite.at(MORNING) == 2
    assert [thread for _, _, thread in lite.platform.sent] == [None, "42"]
    assert (lite.platform.cards(0), lite.platform.cards(1)) == ([tunisia, later], [libya])
    rows = await lite.rows(night)
    assert [(row.brief_id, row.platform_message_id) for row in rows] == [
        (tunisia, "m1"),
        (libya, "m2"),
        (later, "m1"),
    ]


# --- changing quiet hours while alerts are held ---


async def test_quiet_off_releases_the_held_alerts_now(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="22:00-07:00")
    await desk.news("Kairouan council resigns")
    await desk.news("Bizerte bridge contract signed")
    midnight = datetime(2025, 12, 13, 23, 0, tzinfo=UTC)
    assert await desk.at(midnight) == 0
    assert "Quiet hours: 22:00-07:00 Europe/Paris (2 alerts held until 07:00)" in await desk.say(
        "night-desk", "settings"
    )
    answer = await desk.say("night-desk", "quiet off")
    assert (
        answer == "Quiet hours off: alerts come as they happen.\n  Held alerts: 2, going out now."
    )
    assert await desk.at(midnight + timedelta(seconds=2)) == 1
    assert len(desk.platform.cards(0)) == 2
    assert [row.status for row in await desk.rows(night)] == ["sent", "sent"]
    assert "Quiet hours: off\n" in await desk.say("night-desk", "settings")
    await desk.news("Late night alert, now unheld")
    assert await desk.at(midnight + timedelta(seconds=4)) == 1
    assert desk.platform.sent[1][1].parts[0] == Text("Alert · Tunisia", Emphasis.HEADING)


async def test_new_quiet_hours_move_the_release_to_their_end(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="22:00-07:00")
    await desk.news("Monastir airport strike called")
    desk.clock.now = datetime(2025, 12, 14, 2, 0, tzinfo=UTC)  # 03:00 in Paris
    answer = await desk.say("night-desk", "quiet 23:00-05:30")
    assert answer == (
        "Quiet hours 23:00-05:30 Europe/Paris: alerts in those hours wait, then come as one "
        "message at 05:30.\n  Held alerts: 1, going out at 05:30."
    )
    early = datetime(2025, 12, 14, 4, 30, tzinfo=UTC)  # 05:30 in Paris
    assert [row.not_before for row in await desk.rows(night)] == [early]
    assert await desk.at(early - timedelta(seconds=1)) == 0
    assert await desk.at(early) == 1
    # A period that does not cover the present releases at once.
    await desk.say("night-desk", "quiet 22:00-07:00")
    desk.clock.now = datetime(2025, 12, 14, 23, 0, tzinfo=UTC)
    await desk.news("Djerba ferry cancelled")
    answer = await desk.say("night-desk", "quiet 01:00-06:00")
    assert answer.endswith("Held alerts: 1, going out now.")
    assert await desk.at(desk.clock.now) == 1


async def test_a_new_time_zone_moves_the_release(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="22:00-07:00")
    await desk.news("Tozeur oasis water study")
    answer = await desk.say("night-desk", "timezone Asia/Tokyo")  # 06:10 there: still quiet
    assert "Quiet hours 22:00-07:00 Asia/Tokyo." in answer
    tokyo_seven = datetime(2025, 12, 13, 22, 0, tzinfo=UTC)
    assert [row.not_before for row in await desk.rows(night)] == [tokyo_seven]
    assert await desk.at(tokyo_seven) == 1


async def test_a_paused_chat_keeps_its_held_alerts_until_resume(lite: Desk) -> None:
    night = await lite.chat("night-desk", quiet="22:00-07:00")
    await lite.news("Siliana dam inspection")
    await lite.say("night-desk", "pause")
    assert await lite.at(MORNING) == 0
    assert [row.status for row in await lite.rows(night)] == ["held"]
    await lite.say("night-desk", "resume")
    assert await lite.at(MORNING + timedelta(hours=1)) == 1


# --- retries and crashes ---


async def test_a_retried_merge_goes_out_whole_later(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="22:00-07:00")
    briefs_held = [await desk.news(f"Overnight story {n}") for n in range(3)]
    desk.platform.refuse = 1
    assert await desk.at(MORNING) == 0
    rows = await desk.rows(night)
    assert {(row.status, row.not_before) for row in rows} == {
        ("pending", MORNING + timedelta(seconds=30))
    }
    assert await desk.at(MORNING + timedelta(seconds=10)) == 0  # still waiting to retry
    assert await desk.at(MORNING + timedelta(seconds=30)) == 1
    assert desk.platform.cards(0) == briefs_held
    rows = await desk.rows(night)
    assert {(row.status, row.platform_message_id, row.attempts) for row in rows} == {
        ("sent", "m1", 2)
    }


async def test_a_crash_before_sending_loses_nothing_and_sends_each_once(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="22:00-07:00")
    held = [await desk.news(f"Story before the crash {n}") for n in range(3)]
    lease = desk.worker.settings.lease
    async with desk.sessions() as session, session.begin():  # a worker claims, then dies
        claimed = await claim_held(session, MORNING, 100, lease, "dead#1", {"telegram"})
    assert [claim.brief_id for claim in claimed] == held
    assert await desk.at(MORNING + lease / 2) == 0  # its claim still holds
    desk.clock.now = MORNING + lease + timedelta(seconds=1)
    report = await desk.worker.drain_once(desk.clock.now)
    assert (report.sent, report.resent_after_crash, len(desk.platform.sent)) == (3, 3, 1)
    assert desk.platform.cards(0) == held
    rows = await desk.rows(night)
    assert {(row.status, row.platform_message_id, row.resends) for row in rows} == {
        ("sent", "m1", 1)
    }
    assert await desk.at(desk.clock.now + lease * 2) == 0


async def test_a_group_cut_short_by_a_crash_goes_on_as_one_message(lite: Desk) -> None:
    night = await lite.chat("night-desk", quiet="22:00-07:00")
    held = [await lite.news(f"Story {n}") for n in range(3)]
    lease = lite.worker.settings.lease
    async with lite.sessions() as session, session.begin():
        await claim_held(session, MORNING, 100, lease, "dead#1", {"telegram"})
        first = await session.get(DeliveryRow, (await lite.rows(night))[0].id)
        assert first is not None
        first.status, first.platform_message_id = "sent", "m0"  # settled before the crash
    assert await lite.at(MORNING + lease + timedelta(seconds=1)) == 1
    assert lite.platform.cards(0) == held[1:]
    assert render_plain(lite.platform.sent[0][1]).startswith("While you were quiet: 2 alerts.")


async def test_a_long_night_goes_out_in_parts_each_brief_once(lite: Desk) -> None:
    night = await lite.chat("night-desk", quiet="22:00-07:00")
    held = [await lite.news(f"Night story number {n}") for n in range(23)]
    assert await lite.at(MORNING) == 3
    parts = [lite.platform.cards(index) for index in range(3)]
    assert [len(part) for part in parts] == [10, 10, 3]
    assert [brief for part in parts for brief in part] == held
    rows = await lite.rows(night)
    assert [row.brief_id for row in rows] == held
    assert [row.platform_message_id for row in rows] == ["m1"] * 10 + ["m2"] * 10 + ["m3"] * 3


# --- the whole chain: feed, ingest, outbox ---

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Desk Wire</title>
<item><guid>g1</guid><title>Tunisian army reinforces the border with Libya</title>
<link>https://desk.example.org/g1</link><pubDate>Sat, 13 Dec 2025 22:00:00 GMT</pubDate>
<description>Tunisia's army sent more troops to the Libyan border on Saturday to stop smugglers,
the defence ministry said. The move could slow fuel smuggling across the frontier.</description>
</item>
<item><guid>g2</guid><title>Libyan coast guard intercepts migrant boats off Zuwara</title>
<link>https://desk.example.org/g2</link><pubDate>Sat, 13 Dec 2025 22:10:00 GMT</pubDate>
<description>Libya's coast guard stopped three boats carrying migrants off Zuwara overnight,
officials in Tripoli said, as crossings toward Italy rose again.</description>
</item></channel></rss>"""


async def test_ingested_alerts_at_night_reach_the_platform_as_one_message(
    httpserver: HTTPServer, sqlite_url: str
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    config = Config(
        database=DatabaseConfig(url=sqlite_url),
        sources=(SourceConfig(url=httpserver.url_for("/feed.xml")),),
    )
    runtime = await Runtime.open(config)
    clock = Clock(datetime(2025, 12, 13, 22, 30, tzinfo=UTC))  # 23:30 in Paris
    runtime.clock = clock
    platform = Platform()
    try:
        await runtime.sync_sources()
        context = runtime.context()
        for args in (("Europe/Paris",), ("22:00-07:00",)):
            name = "timezone" if len(args[0]) > 11 else "quiet"
            command = Command("telegram", "-100500", ChatKind.GROUP, "7", name, args, True)
            assert "Europe/Paris" in render_plain(await dispatch(command, context))
        async with runtime.sessions() as session, session.begin():
            desk = await chats.ensure_chat(
                session, "telegram", "-100500", ChatKind.GROUP, clock.now
            )
            for topic in ("tunisia", "libya", "north-africa-security"):
                await chats.subscribe(session, desk.id, topic, clock.now)
        report = await runtime.ingest()
        assert report.alerts_queued == 2

        worker = OutboxWorker(
            runtime.sessions, {"telegram": platform.send}, runtime.analyser.topics, clock
        )
        assert (await worker.drain_once()).sent == 0
        clock.now = MORNING
        assert (await worker.drain_once()).sent == 2
        assert len(platform.sent) == 1
        chat, reply, _ = platform.sent[0]
        assert chat == "-100500"
        titles = [part.brief.title for part in reply.parts if isinstance(part, Card)]
        assert titles == [
            "Tunisian army reinforces the border with Libya",
            "Libyan coast guard intercepts migrant boats off Zuwara",
        ]
        assert render_plain(reply).startswith("While you were quiet: 2 alerts.")
    finally:
        await runtime.close()


async def test_quiet_hours_persist_and_do_not_touch_other_chats(desk: Desk) -> None:
    night = await desk.chat("night-desk", quiet="10pm-7am")
    await desk.chat("other-desk")
    async with desk.sessions() as session:
        hours = await chats.quiet_hours(session, night)
        assert hours == chats.QuietHours(time(22, 0), time(7, 0), "Europe/Paris")
        assert list((await chats.quiet_hours_of(session, [night, night + 1])).keys()) == [night]
