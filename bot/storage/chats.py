"""Chats and what they subscribe to."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Chat, ChatKind, Subscription
from bot.storage.models import ChatRow, SubscriptionRow


def to_chat(row: ChatRow) -> Chat:
    digest_time = time.fromisoformat(row.digest_time) if row.digest_time else None
    return Chat(
        id=row.id,
        platform=row.platform,
        external_id=row.external_id,
        kind=ChatKind(row.kind),
        title=row.title,
        timezone=row.timezone,
        digest_time=digest_time,
        paused=row.paused,
        alerts=row.alerts,
        empty_digest_line=row.empty_digest_line,
        active=row.active,
    )


async def ensure_chat(
    session: AsyncSession,
    platform: str,
    external_id: str,
    kind: ChatKind,
    now: datetime,
    timezone: str = "UTC",
    digest_time: time | None = None,
    title: str | None = None,
) -> Chat:
    """The chat for this platform id, created with the given defaults the first time it is seen."""
    row = await session.scalar(
        select(ChatRow).where(ChatRow.platform == platform, ChatRow.external_id == external_id)
    )
    if row is None:
        row = ChatRow(
            platform=platform,
            external_id=external_id,
            kind=kind.value,
            title=title,
            timezone=timezone,
            digest_time=digest_time.strftime("%H:%M") if digest_time else None,
            paused=False,
            alerts=True,
            empty_digest_line=True,
            active=True,
            created_at=now,
        )
        session.add(row)
        await session.flush()
    return to_chat(row)


async def subscribe(
    session: AsyncSession, chat_id: int, topic: str, now: datetime, thread_id: str | None = None
) -> bool:
    """True when the subscription is new, False when the chat already had it."""
    existing = await session.scalar(
        select(SubscriptionRow).where(
            SubscriptionRow.chat_id == chat_id, SubscriptionRow.topic == topic
        )
    )
    if existing is not None:
        return False
    session.add(
        SubscriptionRow(
            chat_id=chat_id, topic=topic, alerts=True, thread_id=thread_id, created_at=now
        )
    )
    await session.flush()
    return True


async def unsubscribe(session: AsyncSession, chat_id: int, topic: str) -> bool:
    result = await session.execute(
        delete(SubscriptionRow).where(
            SubscriptionRow.chat_id == chat_id, SubscriptionRow.topic == topic
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def subscriptions(session: AsyncSession, chat_id: int) -> list[Subscription]:
    rows = await session.scalars(
        select(SubscriptionRow)
        .where(SubscriptionRow.chat_id == chat_id)
        .order_by(SubscriptionRow.id)
    )
    return [
        Subscription(
            chat_id=row.chat_id,
            topic=row.topic,
            alerts=row.alerts,
            muted_until=row.muted_until,
            thread_id=row.thread_id,
        )
        for row in rows
    ]
