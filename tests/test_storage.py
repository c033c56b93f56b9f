"""Storage contract, run against SQLite and PostgreSQL: migrations, round trips, unique keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Actor, ActorKind, Analysis, Article, ChatKind
from bot.storage import briefs, chats, db, outbox, sources
from bot.storage.models import ArticleRow

NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)


def _article(
    identity: str = "guid:1", title: str = "Tunisia and U.S. discuss border security"
) -> Article:
    return Article(
        identity=identity,
        title=title,
        url="https://news.example.org/a1",
        summary="Officials discussed equipment for border units.",
        text="",
        outlet="Example News",
        published_at=NOW - timedelta(hours=3),
    )


def _analysis() -> Analysis:
    return Analysis(
        language="en",
        topics=("tunisia", "north-africa-security"),
        actors=(
            Actor("Khaled Shtili", ActorKind.PERSON, "Defence Minister"),
            Actor("Tunisia", ActorKind.STATE),
        ),
        event="Officials discussed equipment for border units.",
        implications=("The deal could speed up deliveries.",),
    )


async def test_migrations_from_empty_create_every_table(database_url: str) -> None:
    engine = db.create_engine(database_url)
    try:
        assert await db.current_revision(engine) is None
        applied = await db.upgrade(engine)
        assert applied[:2] == ["0001", "0002"]
        assert await db.upgrade(engine) == []
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        assert {
            "sources",
            "articles",
            "briefs",
            "brief_topics",
            "chats",
            "subscriptions",
            "watches",
            "digests",
            "deliveries",
            "alembic_version",
        } <= tables
    finally:
        await engine.dispose()


async def test_brief_round_trip_keeps_every_field(engine: AsyncEngine) -> None:
    sessions = db.sessions(engine)
    async with sessions() as session, session.begin():
        source = await sources.ensure_source(session, "https://news.example.org/feed", NOW)
        row = await briefs.save_article(session, source.id, _article(), "fp1", "en", NOW)
        brief_id = await briefs.create_brief(session, _article(), _analysis(), [1, 2, 3], NOW)
        row.brief_id = brief_id
    async with sessions() as session:
        brief = await briefs.get_brief(session, brief_id)
        latest = await briefs.latest_briefs(session, ["north-africa-security"])
        other_topic = await briefs.latest_briefs(session, ["libya"])
        signatures = await briefs.recent_signatures(session, NOW - timedelta(days=1))
    assert brief is not None
    assert brief.code == f"B{brief_id}"
    assert brief.actors[0] == Actor("Khaled Shtili", ActorKind.PERSON, "Defence Minister")
    assert brief.implications == ("The deal could speed up deliveries.",)
    assert brief.published_at == NOW - timedelta(hours=3)
    assert brief.published_at.tzinfo is not None
    assert brief.primary.outlet == "Example News"
    assert [b.id for b in latest] == [brief_id]
    assert other_topic == []
    assert signatures == [(brief_id, [1, 2, 3], NOW - timedelta(hours=3))]


async def test_article_identity_is_unique_per_source(engine: AsyncEngine) -> None:
    sessions = db.sessions(engine)
    async with sessions() as session, session.begin():
        first = await sources.ensure_source(session, "https://a.example.org/feed", NOW)
        second = await sources.ensure_source(session, "https://b.example.org/feed", NOW)
        await briefs.save_article(session, first.id, _article(), "fp", "en", NOW)
        await briefs.save_article(session, second.id, _article(), "fp", "en", NOW)
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(
                ArticleRow(
                    source_id=first.id,
                    identity="guid:1",
                    title="again",
                    fingerprint="x",
                    fetched_at=NOW,
                )
            )


async def test_one_alert_per_chat_brief_and_one_digest_per_local_date(engine: AsyncEngine) -> None:
    sessions = db.sessions(engine)
    async with sessions() as session, session.begin():
        chat = await chats.ensure_chat(session, "console", "analyst", ChatKind.PRIVATE, NOW)
        brief_id = await briefs.create_brief(session, _article(), _analysis(), None, NOW)
        assert await outbox.queue_alert(session, chat.id, brief_id, NOW) is not None
        assert await outbox.queue_alert(session, chat.id, brief_id, NOW) is None
        today = date(2025, 12, 13)
        assert await outbox.queue_digest(session, chat.id, today, [brief_id], NOW) is not None
        assert await outbox.queue_digest(session, chat.id, today, [brief_id], NOW) is None
        assert await outbox.queue_digest(session, chat.id, today + timedelta(days=1), [], NOW)


async def test_chat_and_subscriptions(engine: AsyncEngine) -> None:
    sessions = db.sessions(engine)
    async with sessions() as session, session.begin():
        chat = await chats.ensure_chat(
            session, "telegram", "-100123", ChatKind.GROUP, NOW, timezone="Africa/Tunis"
        )
        again = await chats.ensure_chat(session, "telegram", "-100123", ChatKind.GROUP, NOW)
        assert again.id == chat.id and again.timezone == "Africa/Tunis"
        assert await chats.subscribe(session, chat.id, "tunisia", NOW)
        assert not await chats.subscribe(session, chat.id, "tunisia", NOW)
        assert [s.topic for s in await chats.subscriptions(session, chat.id)] == ["tunisia"]
        assert await chats.unsubscribe(session, chat.id, "tunisia")
        assert not await chats.unsubscribe(session, chat.id, "tunisia")


async def test_source_failures_back_off_then_disable(engine: AsyncEngine) -> None:
    sessions = db.sessions(engine)
    async with sessions() as session, session.begin():
        source = await sources.ensure_source(
            session, "https://slow.example.org/rss", NOW, interval_minutes=10
        )
        assert [s.id for s in await sources.due_sources(session, NOW)] == [source.id]
        failed = await sources.record_failure(session, source.id, NOW, "timed out", 3)
        assert failed.failures == 1 and failed.enabled
        assert await sources.due_sources(session, NOW + timedelta(minutes=19)) == []
        assert await sources.due_sources(session, NOW + timedelta(minutes=21)) != []
        await sources.record_failure(session, source.id, NOW, "timed out", 3)
        disabled = await sources.record_failure(session, source.id, NOW, "timed out", 3)
        assert not disabled.enabled and disabled.last_error == "timed out"
        assert await sources.due_sources(session, NOW + timedelta(days=30)) == []


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    sessions = db.sessions(engine)
    with pytest.raises(Exception, match="naive datetime"):
        async with sessions() as session, session.begin():
            await sources.ensure_source(session, "https://x.example.org", NOW.replace(tzinfo=None))


async def test_pruning_keeps_rows_and_drops_old_text(engine: AsyncEngine) -> None:
    sessions = db.sessions(engine)
    async with sessions() as session, session.begin():
        source = await sources.ensure_source(session, "https://old.example.org/feed", NOW)
        old = await briefs.save_article(
            session, source.id, _article("guid:old"), "fp", "en", NOW - timedelta(days=200)
        )
        await briefs.save_article(session, source.id, _article("guid:new"), "fp", "en", NOW)
        old.fetched_at = NOW - timedelta(days=200)
    async with sessions() as session, session.begin():
        assert await briefs.prune_article_text(session, NOW - timedelta(days=180)) == 1
        assert await briefs.prune_article_text(session, NOW - timedelta(days=180)) == 0
        kept = await briefs.find_article(session, source.id, "guid:old")
        fresh = await briefs.find_article(session, source.id, "guid:new")
    assert kept is not None and kept.summary == "" and kept.title
    assert fresh is not None and fresh.summary
