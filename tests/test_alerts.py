"""Alerts for new briefs, against SQLite and PostgreSQL: who hears about a brief (subscriptions,
watches), who does not (paused, inactive, alerts off per chat or per topic, muted), old briefs,
and nothing queued twice."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.analysis.topics import load_topics
from bot.delivery.alerts import ALERT_MAX_AGE, queue_alerts
from bot.domain import Analysis, Article, ChatKind, DeliveryKind, DeliveryStatus
from bot.storage import briefs as brief_store
from bot.storage import chats as chat_store
from bot.storage import db
from bot.storage.models import DeliveryRow

NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)
TOPICS = load_topics()
_numbers = itertools.count(1)


async def make_brief(
    session: AsyncSession,
    title: str,
    topics: Sequence[str] = ("tunisia",),
    *,
    published: datetime | None = None,
    stored: datetime = NOW,
) -> int:
    """A brief as ingest creates one: `stored` is when briefbot made it."""
    number = next(_numbers)
    article = Article(
        identity=f"item-{number}",
        title=title,
        url=f"https://wire.example.org/{number}",
        summary=f"{title}.",
        text="",
        outlet="Coastal Wire",
        published_at=published or stored - timedelta(hours=1),
    )
    analysis = Analysis("en", tuple(topics), (), f"{title}.", ())
    return await brief_store.create_brief(session, article, analysis, None, stored)


async def make_chat(
    session: AsyncSession,
    name: str,
    *topics: str,
    timezone: str = "UTC",
    digest_time: str | None = None,
) -> int:
    chat = await chat_store.ensure_chat(
        session,
        "telegram",
        name,
        ChatKind.PRIVATE,
        NOW - timedelta(days=30),
        timezone=timezone,
        digest_time=time.fromisoformat(digest_time) if digest_time else None,
    )
    for topic in topics:
        await chat_store.subscribe(session, chat.id, topic, NOW - timedelta(days=30))
    return chat.id


async def alerts_queued(session: AsyncSession) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(
            DeliveryRow.chat_id, DeliveryRow.brief_id, DeliveryRow.kind, DeliveryRow.status
        ).order_by(DeliveryRow.chat_id, DeliveryRow.brief_id)
    )
    found = []
    for chat_id, brief_id, kind, status in rows:
        assert kind == DeliveryKind.ALERT.value
        assert status == DeliveryStatus.PENDING.value
        assert brief_id is not None
        found.append((chat_id, brief_id))
    return found


def sessions_of(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return db.sessions(engine)


async def test_subscribers_of_a_new_brief_get_one_alert_each(engine: AsyncEngine) -> None:
    sessions = sessions_of(engine)
    async with sessions() as session, session.begin():
        both = await make_chat(session, "both", "tunisia", "libya")
        tunisia = await make_chat(session, "tunisia-desk", "tunisia")
        sahel = await make_chat(session, "sahel-desk", "sahel")
        await make_chat(session, "no-topics")
        shared = await make_brief(
            session, "Border talks between Tunisia and Libya", ("tunisia", "libya")
        )
        only_libya = await make_brief(session, "Tripoli budget vote", ("libya",))
        queued = await queue_alerts(session, [shared, only_libya], TOPICS, NOW)
    async with sessions() as session:
        rows = await alerts_queued(session)
    assert queued == 3
    assert rows == [(both, shared), (both, only_libya), (tunisia, shared)]
    assert sahel not in {chat for chat, _ in rows}


async def test_calling_twice_queues_nothing_twice(engine: AsyncEngine) -> None:
    sessions = sessions_of(engine)
    async with sessions() as session, session.begin():
        chat = await make_chat(session, "desk", "tunisia")
        brief = await make_brief(session, "Tunis port strike ends")
        first = await queue_alerts(session, [brief, brief], TOPICS, NOW)
    async with sessions() as session, session.begin():
        second = await queue_alerts(session, [brief], TOPICS, NOW + timedelta(minutes=5))
    async with sessions() as session:
        rows = await alerts_queued(session)
    assert (first, second) == (1, 0)
    assert rows == [(chat, brief)]


async def test_paused_inactive_alerts_off_and_muted_chats_hear_nothing(engine: AsyncEngine) -> None:
    sessions = sessions_of(engine)
    async with sessions() as session, session.begin():
        hears = await make_chat(session, "hears", "tunisia")
        paused = await make_chat(session, "paused", "tunisia")
        await chat_store.update_chat(session, paused, paused=True)
        gone = await make_chat(session, "gone", "tunisia")
        await chat_store.set_chat_active(session, "telegram", "gone", False)
        quiet_chat = await make_chat(session, "quiet-chat", "tunisia")
        await chat_store.update_chat(session, quiet_chat, alerts=False)
        quiet_topic = await make_chat(session, "quiet-topic", "tunisia")
        await chat_store.update_subscription(session, quiet_topic, "tunisia", alerts=False)
        muted = await make_chat(session, "muted", "tunisia")
        await chat_store.set_muted_until(session, muted, "tunisia", NOW + timedelta(hours=3))
        mute_over = await make_chat(session, "mute-over", "tunisia")
        await chat_store.set_muted_until(session, mute_over, "tunisia", NOW - timedelta(minutes=1))
        mute_ends_now = await make_chat(session, "mute-ends-now", "tunisia")
        await chat_store.set_muted_until(session, mute_ends_now, "tunisia", NOW)
        brief = await make_brief(session, "Sfax fishing fleet stays in port")
        queued = await queue_alerts(session, [brief], TOPICS, NOW)
    async with sessions() as session:
        chats = [chat for chat, _ in await alerts_queued(session)]
    assert chats == [hears, mute_over, mute_ends_now]
    assert queued == 3
    assert {paused, gone, quiet_chat, quiet_topic, muted}.isdisjoint(chats)


async def test_alerts_off_for_one_topic_still_alerts_through_another(engine: AsyncEngine) -> None:
    sessions = sessions_of(engine)
    async with sessions() as session, session.begin():
        chat = await make_chat(session, "desk", "tunisia", "libya")
        await chat_store.update_subscription(session, chat, "tunisia", alerts=False)
        await chat_store.set_muted_until(session, chat, "libya", NOW + timedelta(days=1))
        tunisia_only = await make_brief(session, "Tunisian court sets a date", ("tunisia",))
        both = await make_brief(session, "Ras Jedir crossing reopens", ("tunisia", "libya"))
        assert await queue_alerts(session, [tunisia_only, both], TOPICS, NOW) == 0
        await chat_store.set_muted_until(session, chat, "libya", None)
        assert await queue_alerts(session, [tunisia_only, both], TOPICS, NOW) == 1
    async with sessions() as session:
        assert await alerts_queued(session) == [(chat, both)]


async def test_watches_alert_their_chats_once(engine: AsyncEngine) -> None:
    sessions = sessions_of(engine)
    async with sessions() as session, session.begin():
        watcher = await make_chat(session, "watcher")
        await chat_store.add_watch(session, watcher, 'wagner OR "africa corps"', "u1", NOW)
        # Subscribed and watching: still one alert; the muted topic does not silence the watch.
        both = await make_chat(session, "both", "sahel")
        await chat_store.set_muted_until(session, both, "sahel", NOW + timedelta(days=2))
        await chat_store.add_watch(session, both, "africa corps", "u2", NOW)
        await chat_store.add_watch(session, both, "bamako", "u2", NOW)
        elsewhere = await make_chat(session, "elsewhere")
        await chat_store.add_watch(session, elsewhere, "phosphate", "u3", NOW)
        paused = await make_chat(session, "paused")
        await chat_store.add_watch(session, paused, "wagner", "u4", NOW)
        await chat_store.update_chat(session, paused, paused=True)
        no_alerts = await make_chat(session, "no-alerts")
        await chat_store.add_watch(session, no_alerts, "wagner", "u5", NOW)
        await chat_store.update_chat(session, no_alerts, alerts=False)
        broken = await make_chat(session, "broken")
        await chat_store.add_watch(session, broken, '"unclosed', "u6", NOW)
        await chat_store.add_watch(session, broken, "bamako", "u6", NOW)
        brief = await make_brief(
            session, "Africa Corps convoy reaches Bamako after Wagner exit", ("sahel",)
        )
        queued = await queue_alerts(session, [brief], TOPICS, NOW)
    async with sessions() as session:
        rows = await alerts_queued(session)
    assert rows == [(watcher, brief), (both, brief), (broken, brief)]
    assert queued == 3


async def test_old_briefs_never_alert(engine: AsyncEngine) -> None:
    sessions = sessions_of(engine)
    async with sessions() as session, session.begin():
        chat = await make_chat(session, "desk", "tunisia")
        backlog = await make_brief(
            session,
            "Last year's election count",
            published=NOW - ALERT_MAX_AGE - timedelta(hours=1),
        )
        day_old = await make_brief(
            session, "Yesterday's cabinet meeting", published=NOW - ALERT_MAX_AGE
        )
        fresh = await make_brief(
            session, "Morning protest in Gabes", published=NOW - timedelta(hours=2)
        )
        queued = await queue_alerts(session, [backlog, day_old, fresh], TOPICS, NOW)
    async with sessions() as session:
        rows = await alerts_queued(session)
    assert queued == 2
    assert rows == [(chat, day_old), (chat, fresh)]


async def test_topics_out_of_the_catalogue_and_unknown_ids_are_ignored(engine: AsyncEngine) -> None:
    sessions = sessions_of(engine)
    async with sessions() as session, session.begin():
        await make_chat(session, "desk", "tunisia", "retired-topic")
        retired = await make_brief(session, "A story under a retired topic", ("retired-topic",))
        queued = await queue_alerts(session, [retired, 987654], TOPICS, NOW)
        nothing = await queue_alerts(session, [], TOPICS, NOW)
    async with sessions() as session:
        assert await alerts_queued(session) == []
    assert (queued, nothing) == (0, 0)
