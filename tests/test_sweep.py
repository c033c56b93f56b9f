"""The digest sweep on a fake clock: when each chat's digest falls due (zones, the date line,
DST), once per local date however often or concurrently the sweep runs, who is skipped, quiet
days, and what a digest lists. Storage parts run on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.delivery import sweep as sweep_module
from bot.delivery.sweep import CATCH_UP, SETTLE_LOOKBACK, due_local_date, sweep_digests
from bot.domain import DeliveryKind, DeliveryStatus, Topic
from bot.storage import chats as chat_store
from bot.storage import db, sources
from bot.storage.models import ChatRow, DeliveryRow, DigestRow
from tests.test_alerts import TOPICS, make_brief, make_chat

DAY = datetime(2025, 12, 13, tzinfo=UTC)


def minutes(
    start: datetime, end: datetime, step: timedelta = timedelta(minutes=1)
) -> Iterator[datetime]:
    moment = start
    while moment < end:
        yield moment
        moment += step


def firings(
    digest_time: str, zone: str, start: datetime, end: datetime
) -> list[tuple[date, datetime]]:
    """Sweep every minute from `start` to `end`, recording dates like the digests table does:
    (local date, UTC moment) of each digest made."""
    made: dict[date, datetime] = {}
    clock = time.fromisoformat(digest_time)
    for now in minutes(start, end):
        day = due_local_date(clock, zone, now)
        if day is not None and day not in made:
            made[day] = now
    return sorted(made.items())


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# ----------------------------------------------------------------------------- when it is due


@pytest.mark.parametrize(
    ("zone", "first", "second"),
    [
        ("Africa/Tunis", utc(2025, 12, 13, 6, 0), utc(2025, 12, 14, 6, 0)),  # UTC+1 all year
        ("America/New_York", utc(2025, 12, 13, 12, 0), utc(2025, 12, 14, 12, 0)),  # EST
        ("Asia/Kolkata", utc(2025, 12, 13, 1, 30), utc(2025, 12, 14, 1, 30)),  # +05:30
        ("UTC", utc(2025, 12, 13, 7, 0), utc(2025, 12, 14, 7, 0)),
    ],
)
def test_digest_falls_due_at_the_chats_own_seven_oclock(
    zone: str, first: datetime, second: datetime
) -> None:
    made = firings("07:00", zone, DAY, DAY + timedelta(days=2))
    assert made == [(date(2025, 12, 13), first), (date(2025, 12, 14), second)]


def test_auckland_is_a_day_ahead_across_the_date_line() -> None:
    # NZ daylight time is UTC+13: 07:00 on the 14th there is 18:00 on the 13th in UTC.
    made = firings("07:00", "Pacific/Auckland", DAY, DAY + timedelta(days=1))
    assert made == [(date(2025, 12, 14), utc(2025, 12, 13, 18, 0))]
    assert due_local_date(time(7, 0), "Pacific/Auckland", utc(2025, 12, 13, 17, 59)) is None


def test_new_york_follows_daylight_time() -> None:
    july = utc(2025, 7, 1)
    assert firings("07:00", "America/New_York", july, july + timedelta(days=1)) == [
        (date(2025, 7, 1), utc(2025, 7, 1, 11, 0))
    ]


def test_paris_spring_forward_sends_a_missing_time_at_three_and_others_as_usual() -> None:
    # 30 March 2025: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 never happens.
    start, end = utc(2025, 3, 28, 12, 0), utc(2025, 4, 1, 0, 0)
    assert firings("02:30", "Europe/Paris", start, end) == [
        (date(2025, 3, 29), utc(2025, 3, 29, 1, 30)),
        (date(2025, 3, 30), utc(2025, 3, 30, 1, 0)),  # 03:00 CEST, the first minute past 02:30
        (date(2025, 3, 31), utc(2025, 3, 31, 0, 30)),
    ]
    assert firings("08:00", "Europe/Paris", start, end) == [
        (date(2025, 3, 29), utc(2025, 3, 29, 7, 0)),
        (date(2025, 3, 30), utc(2025, 3, 30, 6, 0)),
        (date(2025, 3, 31), utc(2025, 3, 31, 6, 0)),
    ]


def test_paris_fall_back_sends_a_repeated_time_once() -> None:
    # 26 October 2025: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens twice.
    start, end = utc(2025, 10, 25, 12, 0), utc(2025, 10, 28, 0, 0)
    assert firings("02:30", "Europe/Paris", start, end) == [
        (date(2025, 10, 26), utc(2025, 10, 26, 0, 30)),  # the first 02:30, still CEST
        (date(2025, 10, 27), utc(2025, 10, 27, 1, 30)),
    ]
    # The second 02:30 is due again by the wall clock; only the digests table stops it.
    assert due_local_date(time(2, 30), "Europe/Paris", utc(2025, 10, 26, 1, 30)) == date(
        2025, 10, 26
    )
    assert firings("08:00", "Europe/Paris", start, end) == [
        (date(2025, 10, 26), utc(2025, 10, 26, 7, 0)),
        (date(2025, 10, 27), utc(2025, 10, 27, 7, 0)),
    ]


def test_catch_up_window_and_a_time_set_after_it_passed() -> None:
    seven = time(7, 0)
    assert due_local_date(seven, "UTC", utc(2025, 12, 13, 6, 59)) is None
    assert due_local_date(seven, "UTC", utc(2025, 12, 13, 7, 0)) == date(2025, 12, 13)
    last_minute = utc(2025, 12, 13, 7, 0) + CATCH_UP - timedelta(minutes=1)
    assert due_local_date(seven, "UTC", last_minute) == date(2025, 12, 13)
    assert due_local_date(seven, "UTC", utc(2025, 12, 13, 7, 0) + CATCH_UP) is None
    # `/schedule 07:00` sent at 15:00: nothing today, tomorrow at 07:00.
    assert due_local_date(seven, "UTC", utc(2025, 12, 13, 15, 0)) is None
    # A late-evening digest swept after midnight belongs to the day before.
    assert due_local_date(time(23, 30), "Asia/Kolkata", utc(2025, 12, 13, 19, 10)) == date(
        2025, 12, 13
    )  # 00:40 on the 14th in Kolkata


def test_an_unknown_zone_reads_as_utc() -> None:
    assert due_local_date(time(7, 0), "Mars/Olympus", utc(2025, 12, 13, 7, 5)) == date(2025, 12, 13)


# ----------------------------------------------------------------------------- the sweep, stored


async def sweep(
    engine: AsyncEngine, now: datetime, topics: Mapping[str, Topic] = TOPICS, **kw: int
) -> int:
    async with db.sessions(engine)() as session, session.begin():
        return await sweep_digests(session, topics, now, **kw)


async def digests(session: AsyncSession) -> list[tuple[int, date, list[int], datetime]]:
    rows = await session.execute(
        select(
            DigestRow.chat_id, DigestRow.local_date, DigestRow.brief_ids, DigestRow.created_at
        ).order_by(DigestRow.chat_id, DigestRow.local_date)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def digest_deliveries(session: AsyncSession) -> list[tuple[int, int]]:
    """(chat id, digest id) of every digest delivery."""
    rows = await session.execute(
        select(
            DeliveryRow.chat_id, DeliveryRow.digest_id, DeliveryRow.kind, DeliveryRow.status
        ).order_by(DeliveryRow.chat_id, DeliveryRow.digest_id)
    )
    found = []
    for chat_id, digest_id, kind, status in rows:
        assert (kind, status) == (DeliveryKind.DIGEST.value, DeliveryStatus.PENDING.value)
        assert digest_id is not None
        found.append((chat_id, digest_id))
    return found


async def last_digest_at(session: AsyncSession, chat_id: int) -> datetime | None:
    return await session.scalar(select(ChatRow.last_digest_at).where(ChatRow.id == chat_id))


async def test_a_due_digest_is_queued_once_with_its_briefs_in_display_order(
    engine: AsyncEngine,
) -> None:
    seven = utc(2025, 12, 13, 7, 0)
    async with db.sessions(engine)() as session, session.begin():
        chat = await make_chat(session, "desk", "libya", "tunisia", digest_time="07:00")
        await chat_store.add_watch(session, chat, "wagner", "u1", seven)
        older = await make_brief(
            session,
            "Sousse hotel season opens early",
            ("tunisia",),
            published=seven - timedelta(hours=5),
            stored=seven - timedelta(hours=4),
        )
        newer = await make_brief(
            session,
            "Tunis bank raises its rate",
            ("tunisia",),
            published=seven - timedelta(hours=2),
            stored=seven - timedelta(hours=1),
        )
        libya = await make_brief(
            session,
            "Misrata port expands",
            ("libya",),
            published=seven - timedelta(hours=3),
            stored=seven - timedelta(hours=3),
        )
        watched = await make_brief(
            session,
            "Wagner veterans seen near Kufra",
            ("sahel",),
            published=seven - timedelta(hours=6),
            stored=seven - timedelta(hours=2),
        )
        await make_brief(
            session, "Made after the sweep", ("tunisia",), stored=seven + timedelta(minutes=1)
        )
        await make_brief(
            session, "Made two days ago", ("tunisia",), stored=seven - timedelta(days=2)
        )
    assert await sweep(engine, seven - timedelta(minutes=1)) == 0
    assert await sweep(engine, seven) == 1
    for later in (timedelta(minutes=1), timedelta(minutes=30), CATCH_UP - timedelta(minutes=1)):
        assert await sweep(engine, seven + later) == 0
    async with db.sessions(engine)() as session:
        made = await digests(session)
        deliveries = await digest_deliveries(session)
        last = await last_digest_at(session, chat)
        digest_id = await session.scalar(select(DigestRow.id))
    # Topics in the catalogue's order (Tunisia before Libya), newest first, then the watch.
    assert made == [(chat, date(2025, 12, 13), [newer, older, libya, watched], seven)]
    assert deliveries == [(chat, digest_id)]
    assert last == seven


async def test_chats_across_zones_each_get_one_digest_per_local_date(engine: AsyncEngine) -> None:
    zones = ["Africa/Tunis", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
    async with db.sessions(engine)() as session, session.begin():
        ids = {
            zone: await make_chat(session, zone, "tunisia", timezone=zone, digest_time="07:00")
            for zone in zones
        }
    for now in minutes(DAY, DAY + timedelta(days=2), timedelta(minutes=30)):
        await sweep(engine, now)
    async with db.sessions(engine)() as session:
        made = {(chat, day): created for chat, day, _, created in await digests(session)}
        deliveries = await digest_deliveries(session)
    assert made == {
        (ids["Africa/Tunis"], date(2025, 12, 13)): utc(2025, 12, 13, 6, 0),
        (ids["Africa/Tunis"], date(2025, 12, 14)): utc(2025, 12, 14, 6, 0),
        (ids["America/New_York"], date(2025, 12, 13)): utc(2025, 12, 13, 12, 0),
        (ids["America/New_York"], date(2025, 12, 14)): utc(2025, 12, 14, 12, 0),
        (ids["Asia/Kolkata"], date(2025, 12, 13)): utc(2025, 12, 13, 1, 30),
        (ids["Asia/Kolkata"], date(2025, 12, 14)): utc(2025, 12, 14, 1, 30),
        (ids["Pacific/Auckland"], date(2025, 12, 14)): utc(2025, 12, 13, 18, 0),
        (ids["Pacific/Auckland"], date(2025, 12, 15)): utc(2025, 12, 14, 18, 0),
    }
    assert len(deliveries) == len(made)  # the empty-day line is on by default


async def test_paris_fall_back_day_stores_one_digest(engine: AsyncEngine) -> None:
    async with db.sessions(engine)() as session, session.begin():
        chat = await make_chat(
            session, "paris", "tunisia", timezone="Europe/Paris", digest_time="02:30"
        )
    first, second = utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)  # 02:30 CEST, 02:30 CET
    assert await sweep(engine, first) == 1
    assert await sweep(engine, second) == 0
    async with db.sessions(engine)() as session:
        assert [(c, d) for c, d, _, _ in await digests(session)] == [(chat, date(2025, 10, 26))]


async def test_paused_inactive_and_unscheduled_chats_are_skipped(engine: AsyncEngine) -> None:
    seven = utc(2025, 12, 13, 7, 0)
    async with db.sessions(engine)() as session, session.begin():
        active = await make_chat(session, "active", "tunisia", digest_time="07:00")
        paused = await make_chat(session, "paused", "tunisia", digest_time="07:00")
        await chat_store.update_chat(session, paused, paused=True)
        await make_chat(session, "gone", "tunisia", digest_time="07:00")
        await chat_store.set_chat_active(session, "telegram", "gone", False)
        await make_chat(session, "unscheduled", "tunisia")
        await make_brief(session, "Kairouan water cuts", stored=seven - timedelta(hours=1))
    assert await sweep(engine, seven) == 1
    async with db.sessions(engine)() as session:
        assert [chat for chat, *_ in await digests(session)] == [active]
        assert await last_digest_at(session, paused) is None
    async with db.sessions(engine)() as session, session.begin():
        await chat_store.update_chat(session, paused, paused=False)
    assert await sweep(engine, seven + timedelta(minutes=10)) == 1  # resumed within the window


async def test_quiet_day_line_on_and_off(engine: AsyncEngine) -> None:
    seven = utc(2025, 12, 13, 7, 0)
    async with db.sessions(engine)() as session, session.begin():
        wants_line = await make_chat(session, "wants-line", "sahel", digest_time="07:00")
        no_line = await make_chat(session, "no-line", "sahel", digest_time="07:00")
        await chat_store.update_chat(session, no_line, empty_digest_line=False)
        no_topics = await make_chat(session, "no-topics", digest_time="07:00")
        await make_brief(
            session, "A Tunisian story none of them follow", stored=seven - timedelta(hours=1)
        )
    assert await sweep(engine, seven) == 1
    assert await sweep(engine, seven + timedelta(minutes=1)) == 0
    async with db.sessions(engine)() as session:
        made = [(chat, ids) for chat, _, ids, _ in await digests(session)]
        deliveries = [chat for chat, _ in await digest_deliveries(session)]
        stamps = [await last_digest_at(session, chat) for chat in (wants_line, no_line, no_topics)]
    assert made == [(wants_line, []), (no_line, []), (no_topics, [])]
    assert deliveries == [wants_line]
    assert stamps == [seven, seven, seven]


async def test_a_pass_still_storing_at_the_sweep_goes_whole_into_the_next_digest(
    engine: AsyncEngine,
) -> None:
    day1, day2 = utc(2025, 12, 13, 7, 0), utc(2025, 12, 14, 7, 0)
    pass_start = day1 - timedelta(seconds=30)  # ingest stamps what a pass stores with this
    slow_due = pass_start - timedelta(minutes=5)
    async with db.sessions(engine)() as session, session.begin():
        await make_chat(session, "desk", "tunisia", digest_time="07:00")
        earlier = await make_brief(
            session, "Bizerte bridge works start", stored=day1 - timedelta(minutes=15)
        )
        fast = await sources.ensure_source(session, "https://fast.example.org/rss", pass_start)
        slow = await sources.ensure_source(session, "https://slow.example.org/rss", slow_due)
        # The 06:59:30 pass has stored the fast source's item; the slow source, due since
        # 06:54:30, is still being read when the sweep runs.
        await sources.record_success(session, fast.id, pass_start, None, None, day2)
        first = await make_brief(session, "Gabes refinery restarts", stored=pass_start)
    assert await sweep(engine, day1) == 1
    async with db.sessions(engine)() as session, session.begin():
        await sources.record_success(session, slow.id, pass_start, None, None, day2)
        second = await make_brief(session, "Sfax port dredging begins", stored=pass_start)
        later = await make_brief(
            session, "Djerba airport adds routes", stored=day1 + timedelta(hours=3)
        )
    assert await sweep(engine, day2) == 1
    async with db.sessions(engine)() as session:
        made = [(day, ids, created) for _, day, ids, created in await digests(session)]
        chat_last = await session.scalar(select(ChatRow.last_digest_at))
    # The first digest ends where the slow source fell due: everything stamped before is in it,
    # the whole pass (both sources) is in the next one, and nothing is in both.
    assert made == [
        (date(2025, 12, 13), [earlier], slow_due),
        (date(2025, 12, 14), [later, second, first], day2),
    ]
    assert chat_last == day2


async def test_a_source_due_long_ago_no_longer_holds_the_end_back(engine: AsyncEngine) -> None:
    seven = utc(2025, 12, 13, 7, 0)
    async with db.sessions(engine)() as session, session.begin():
        await make_chat(session, "desk", "tunisia", digest_time="07:00")
        await sources.ensure_source(
            session, "https://stuck.example.org/rss", seven - SETTLE_LOOKBACK
        )
        recent = await make_brief(
            session, "Kasserine road reopens", stored=seven - timedelta(hours=1)
        )
    assert await sweep(engine, seven) == 1
    async with db.sessions(engine)() as session:
        assert [(ids, created) for *_, ids, created in await digests(session)] == [
            ([recent], seven)
        ]


async def test_a_first_digest_covers_the_last_day(engine: AsyncEngine) -> None:
    seven = utc(2025, 12, 13, 7, 0)
    async with db.sessions(engine)() as session, session.begin():
        await make_chat(session, "desk", "tunisia", digest_time="07:00")
        recent = await make_brief(
            session, "Monastir clinic opens", stored=seven - timedelta(hours=23)
        )
        await make_brief(session, "Older than a day", stored=seven - timedelta(hours=25))
    await sweep(engine, seven)
    async with db.sessions(engine)() as session:
        assert [ids for _, _, ids, _ in await digests(session)] == [[recent]]


async def test_the_limit_leaves_the_rest_for_the_next_minute(engine: AsyncEngine) -> None:
    seven = utc(2025, 12, 13, 7, 0)
    async with db.sessions(engine)() as session, session.begin():
        for name in ("a", "b", "c"):
            await make_chat(session, name, "tunisia", digest_time="07:00")
    assert await sweep(engine, seven, limit=2) == 2
    assert await sweep(engine, seven + timedelta(minutes=1), limit=2) == 1
    assert await sweep(engine, seven + timedelta(minutes=2), limit=2) == 0


async def test_one_failing_chat_does_not_stop_the_others(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seven = utc(2025, 12, 13, 7, 0)
    async with db.sessions(engine)() as session, session.begin():
        broken = await make_chat(session, "broken", "tunisia", digest_time="07:00")
        fine = await make_chat(session, "fine", "tunisia", digest_time="07:00")
    real_collect = sweep_module.collect_digest

    async def collect(session: AsyncSession, chat_id: int, *args: object) -> object:
        if chat_id == broken:
            raise RuntimeError("a bug in one chat's data")
        return await real_collect(session, chat_id, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sweep_module, "collect_digest", collect)
    assert await sweep(engine, seven) == 1
    async with db.sessions(engine)() as session:
        assert [chat for chat, *_ in await digests(session)] == [fine]
    assert f"digest of chat {broken}" in caplog.text
    monkeypatch.setattr(sweep_module, "collect_digest", real_collect)
    assert await sweep(engine, seven + timedelta(minutes=1)) == 1


async def test_two_sweeps_at_once_make_each_digest_once(pg_url: str) -> None:
    engine = db.create_engine(pg_url)
    try:
        await db.upgrade(engine)
        seven = utc(2025, 12, 13, 7, 0)
        async with db.sessions(engine)() as session, session.begin():
            chats = [
                await make_chat(session, f"chat-{n}", "tunisia", digest_time="07:00")
                for n in range(20)
            ]
            await make_brief(
                session, "Nabeul olive harvest doubles", stored=seven - timedelta(hours=1)
            )
        counts = await asyncio.gather(*(sweep(engine, seven) for _ in range(3)))
        async with db.sessions(engine)() as session:
            made = [chat for chat, *_ in await digests(session)]
            deliveries = [chat for chat, _ in await digest_deliveries(session)]
        assert sum(counts) == 20
        assert made == chats
        assert deliveries == chats
    finally:
        await engine.dispose()
