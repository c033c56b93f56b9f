"""The outbox: deliveries owed to chats, and the one-digest-per-local-date record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import DeliveryKind, DeliveryStatus
from bot.storage.models import DeliveryRow, DigestRow
from bot.storage.upsert import insert_ignoring_duplicates


async def queue_alert(
    session: AsyncSession, chat_id: int, brief_id: int, now: datetime
) -> int | None:
    """Queue one alert; None when this chat already has this brief queued or sent."""
    return await insert_ignoring_duplicates(
        session,
        DeliveryRow.__table__,
        {
            "chat_id": chat_id,
            "brief_id": brief_id,
            "kind": DeliveryKind.ALERT.value,
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
        },
    )


async def queue_digest(
    session: AsyncSession, chat_id: int, local_date: date, brief_ids: Sequence[int], now: datetime
) -> int | None:
    """Record the chat's digest for `local_date` and queue it; None when that date has one."""
    digest_id = await insert_ignoring_duplicates(
        session,
        DigestRow.__table__,
        {
            "chat_id": chat_id,
            "local_date": local_date,
            "brief_ids": list(brief_ids),
            "created_at": now,
        },
    )
    if digest_id is None:
        return None
    return await insert_ignoring_duplicates(
        session,
        DeliveryRow.__table__,
        {
            "chat_id": chat_id,
            "digest_id": digest_id,
            "kind": DeliveryKind.DIGEST.value,
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
        },
    )
