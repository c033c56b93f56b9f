"""What a digest covers, on a fake clock: across midnight, across both DST changes, after a day
the bot was down, a brief stored at the very instant a window ends, and an ingest pass's briefs
stored together. Each case twice: the scheduled digest of a Telegram chat (the sweep queues it,
the outbox composes and sends it) and `/digest` typed in a console chat on the same storage."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.console import ConsoleChat
from bot.analysis.topics import load_topics
from bot.chat import Card, Reply
from bot.delivery.outbox import OutboxWorker
from bot.delivery.sweep import sweep_digests
from bot.domain import ChatKind
from bot.render.plain import render_plain
from bot.storage import chats as chat_store
from bot.storage import db
from bot.storage.models import DigestRow
from handlers.context import Context
from handlers.registry import all_commands
from tests.test_alerts import make_brief

TOPICS = load_topics()
NAS = "north-africa-security"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


CHATS_MADE = datetime(2024, 1, 1, tzinfo=UTC)  # before any brief here


@dataclass
class Clock:
    now: datetime = CHATS_MADE

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Platform:
    """An in-memory Telegram: what the outbox sent, in order."""

    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def send(self, chat: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        self.sent.append((chat, reply))
        return [f"m{len(self.sent)}"]


@dataclass
class Desk:
    """One desk's two chats following the same topics in the same zone: a Telegram group that
    gets the scheduled digest, and a console where an analyst types /digest."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    console: ConsoleChat
    platform: Platform
    worker: OutboxWorker
    group: int = 0
    console_chat: int = 0

    async def setup(self, zone: str, digest_time: time, *topics: str) -> None:
        self.clock.now = CHATS_MADE
        for slug in topics:
            await self.console.say(f"/subscribe {slug}")
        await self.console.say(f"/timezone {zone}")
        async with self.sessions() as session, session.begin():
            group = await chat_store.ensure_chat(
                session,
                "telegram",
                "-100777",
                ChatKind.GROUP,
                self.clock.now,
                timezone=zone,
                digest_time=digest_time,
            )
            for slug in topics:
                await chat_store.subscribe(session, group.id, slug, self.clock.now)
            console = await chat_store.ensure_chat(
                session, "console", "desk", ChatKind.PRIVATE, self.clock.now
            )
        self.group, self.console_chat = group.id, console.id

    async def store(
        self,
        title: str,
        stored: datetime,
        topics: Sequence[str] = ("libya",),
        published: datetime | None = None,
    ) -> int:
        async with self.sessions() as session, session.begin():
            return await make_brief(session, title, topics, published=published, stored=stored)

    async def scheduled(self, now: datetime) -> str | None:
        """Run the sweep and drain the outbox at `now`: the digest the group got, if any."""
        self.clock.now = now
        async with self.sessions() as session, session.begin():
            await sweep_digests(session, TOPICS, now)
        before = len(self.platform.sent)
        await self.worker.drain_once(now)
        sent = self.platform.sent[before:]
        assert len(sent) <= 1
        if not sent:
            return None
        # The console is pull-only: it gets no scheduled digest. Record one for it ending where
        # the group's did, as the sweep does, so its /digest starts at the same place.
        async with self.sessions() as session, session.begin():
            end = await chat_store.last_digest_at(session, self.group)
            assert end is not None
            await chat_store.set_last_digest_at(session, self.console_chat, end)
        return render_plain(sent[0][1])

    async def ask(self, now: datetime) -> str:
        self.clock.now = now
        return await self.console.say("/digest")

    async def listed(self) -> list[list[int]]:
        """The briefs each of the group's digests listed, oldest digest first."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(DigestRow.brief_ids)
                .where(DigestRow.chat_id == self.group)
                .order_by(DigestRow.local_date)
            )
            return [list(ids) for ids in rows]


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    sessions = db.sessions(engine)
    clock, platform = Clock(), Platform()
    context = Context(
        sessions=sessions, clock=clock, topics=TOPICS, admin_ids={}, commands=all_commands()
    )
    worker = OutboxWorker(sessions, {"telegram": platform.send}, TOPICS, clock, name="test")
    yield Desk(sessions, clock, ConsoleChat(context, chat="desk"), platform, worker)
    await engine.dispose()


def titles(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Story ")]


# ----------------------------------------------------------------------------- midnight


async def test_a_digest_runs_across_midnight_on_the_chats_clock(desk: Desk) -> None:
    # Paris is UTC+1 in December: the digest is at 07:00 there, 06:00 UTC.
    await desk.setup("Europe/Paris", time(7, 0), "libya")
    first = utc(2025, 12, 12, 6, 0)
    assert (await desk.scheduled(first) or "").startswith("Nothing new on your topics since")
    await desk.store("Story before midnight", utc(2025, 12, 12, 22, 50))  # 23:50 in Paris
    await desk.store("Story after midnight", utc(2025, 12, 12, 23, 10))  # 00:10 the next day
    asked = await desk.ask(utc(2025, 12, 12, 23, 20))
    assert asked.startswith(
        "Digest so far: 2 new briefs since your last digest, 2025-12-12 07:00 (Europe/Paris)."
    )
    sent = await desk.scheduled(utc(2025, 12, 13, 6, 0))
    assert sent is not None
    assert sent.startswith("Your digest: 2 new briefs since 2025-12-12 07:00 (Europe/Paris).")
    assert titles(sent) == ["Story after midnight", "Story before midnight"]
    assert titles(asked) == titles(sent)


# ----------------------------------------------------------------------------- DST


@pytest.mark.parametrize(
    ("saturday", "sunday", "night", "hours"),
    [
        # 30 March 2025: 02:00 CET becomes 03:00 CEST at 01:00 UTC; Sunday's window is 23 hours.
        (
            utc(2025, 3, 29, 7, 0),
            utc(2025, 3, 30, 6, 0),
            [utc(2025, 3, 30, 0, 59), utc(2025, 3, 30, 1, 0)],  # 01:59 CET, 03:00 CEST
            23,
        ),
        # 26 October 2025: 03:00 CEST becomes 02:00 CET at 01:00 UTC; the window is 25 hours.
        (
            utc(2025, 10, 25, 6, 0),
            utc(2025, 10, 26, 7, 0),
            [utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)],  # 02:30 CEST, 02:30 CET
            25,
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
async def test_a_digest_spans_a_dst_change_at_the_chats_eight_oclock(
    desk: Desk, saturday: datetime, sunday: datetime, night: list[datetime], hours: int
) -> None:
    await desk.setup("Europe/Paris", time(8, 0), "libya")
    assert await desk.scheduled(saturday) is not None
    await desk.store("Story early in the night", night[0])
    await desk.store("Story late in the night", night[1])
    await desk.store("Story at Sunday's eight o'clock", sunday)  # the window's end: Monday's
    assert sunday - saturday == timedelta(hours=hours)
    saturday_eight = f"{saturday.date()} 08:00 (Europe/Paris)"
    asked = await desk.ask(sunday - timedelta(minutes=1))
    assert asked.startswith(
        f"Digest so far: 2 new briefs since your last digest, {saturday_eight}."
    )
    sent = await desk.scheduled(sunday)
    assert sent is not None
    assert sent.startswith(f"Your digest: 2 new briefs since {saturday_eight}.")
    assert "previous digest was" not in sent  # 23 or 25 hours is a day, not a gap
    assert titles(sent) == ["Story late in the night", "Story early in the night"]
    monday = await desk.scheduled(sunday + timedelta(days=1))
    assert monday is not None
    assert monday.startswith(
        f"Your digest: 1 new brief since {sunday.date()} 08:00 (Europe/Paris)."
    )
    assert titles(monday) == ["Story at Sunday's eight o'clock"]


# ----------------------------------------------------------------------------- a missed day


async def test_after_a_day_down_the_digest_covers_everything_since_and_says_so(desk: Desk) -> None:
    await desk.setup("UTC", time(7, 0), "libya")
    assert await desk.scheduled(utc(2025, 12, 12, 7, 0)) is not None
    await desk.store("Story on Friday evening", utc(2025, 12, 12, 20, 0))
    await desk.store("Story on Saturday", utc(2025, 12, 13, 10, 0))  # the bot is down all day
    await desk.store("Story on Sunday morning", utc(2025, 12, 14, 6, 59))
    asked = await desk.ask(utc(2025, 12, 14, 6, 59, 30))
    assert asked.startswith(
        "Digest so far: 3 new briefs since your last digest, 2025-12-12 07:00 (UTC).\n"
        "  The previous digest was 47 hours ago: this covers everything since."
    )
    sent = await desk.scheduled(utc(2025, 12, 14, 7, 0))
    assert sent is not None
    assert sent.startswith(
        "Your digest: 3 new briefs since 2025-12-12 07:00 (UTC).\n"
        "  The previous digest was 2 days ago: this covers everything since."
    )
    assert titles(sent) == [
        "Story on Sunday morning",
        "Story on Saturday",
        "Story on Friday evening",
    ]
    assert len(await desk.listed()) == 2  # Friday's and Sunday's: none was made on Saturday


# ----------------------------------------------------------------------------- the boundary


async def test_a_brief_stored_at_the_instant_a_window_ends_is_in_the_next_one(desk: Desk) -> None:
    await desk.setup("UTC", time(7, 0), "libya")
    friday, saturday, sunday = (utc(2025, 12, day, 7, 0) for day in (12, 13, 14))
    just_before = await desk.store("Story just before Friday's", friday - timedelta(microseconds=1))
    at_friday = await desk.store("Story at Friday's", friday)
    at_saturday = await desk.store("Story at Saturday's", saturday)
    assert titles(await desk.scheduled(friday) or "") == ["Story just before Friday's"]
    assert titles(await desk.ask(saturday)) == ["Story at Friday's"]
    assert titles(await desk.ask(saturday + timedelta(seconds=1))) == [
        "Story at Saturday's",
        "Story at Friday's",
    ]
    assert titles(await desk.scheduled(saturday) or "") == ["Story at Friday's"]
    assert titles(await desk.scheduled(sunday) or "") == ["Story at Saturday's"]
    assert await desk.listed() == [[just_before], [at_friday], [at_saturday]]


# ----------------------------------------------------------------------------- one ingest pass


async def test_one_ingest_passs_briefs_are_all_listed_and_counted_once(desk: Desk) -> None:
    # The report: eight briefs on North Africa security and Libya stored with two more in one
    # pass; the digest listed eight and closed with "Nothing new on …, North Africa security".
    await desk.setup("Europe/Paris", time(7, 0), NAS, "libya", "sahel")
    friday, saturday = utc(2025, 12, 12, 6, 0), utc(2025, 12, 13, 6, 0)
    assert await desk.scheduled(friday) is not None
    stamp = utc(2025, 12, 13, 5, 30)  # what the pass stamps every brief it stores with
    for number in range(8):
        await desk.store(
            f"Story {number} on Libya's security",
            stamp,
            ("libya", NAS),
            published=stamp - timedelta(hours=number + 1),
        )
    for number in (8, 9):
        await desk.store(
            f"Story {number} on the region's security",
            stamp,
            (NAS,),
            published=stamp - timedelta(hours=number + 1),
        )
    await desk.store(
        "Story from a new feed's archive", stamp, (NAS,), published=stamp - timedelta(days=10)
    )
    asked = await desk.ask(saturday - timedelta(minutes=1))
    sent = await desk.scheduled(saturday)
    assert sent is not None
    for text, lead in ((asked, "Digest so far"), (sent, "Your digest")):
        assert text.startswith(f"{lead}: 10 new briefs since")
        assert "Libya — 8 new" in text and "and 3 more — /brief libya 8" in text
        assert "North Africa security — 2 new" in text
        assert "Nothing new on Sahel." in text and text.count("Nothing new") == 1
        assert "Left out: 1 brief published more than 2 days before being stored" in text
        assert len(titles(text)) == 7  # five Libya cards, then both of the region's
        assert "archive" not in text
    [first, second] = await desk.listed()
    assert first == [] and len(second) == len(set(second)) == 10
    cards = [part for part in desk.platform.sent[-1][1].parts if isinstance(part, Card)]
    assert len({card.brief.id for card in cards}) == len(cards) == 7
