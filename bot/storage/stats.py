"""Counts for the admins' `/stats`: how much the bot holds and how delivery is going."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import DeliveryStatus
from bot.storage.models import (
    ArticleRow,
    BriefRow,
    ChatRow,
    DeliveryRow,
    SourceRow,
    SubscriptionRow,
    WatchRow,
)

RECENT = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Stats:
    sources_enabled: int  # fetched on schedule, failing ones included
    sources_failing: int  # enabled, but the last fetch failed
    sources_off: int  # turned off by an admin or after too many failures
    articles: int
    briefs: int
    briefs_recent: int  # made in the 24 hours before `now`
    chats_active: int
    chats_total: int
    subscriptions: int
    watches: int
    deliveries_pending: int
    deliveries_claimed: int
    deliveries_sent: int
    deliveries_failed: int

    @property
    def sources(self) -> int:
        return self.sources_enabled + self.sources_off


async def _count(session: AsyncSession, table: type[Any], *conditions: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(table)
    if conditions:
        query = query.where(*conditions)
    return await session.scalar(query) or 0


async def _deliveries_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
    )
    return {status: count for status, count in rows}


async def collect_stats(session: AsyncSession, now: datetime) -> Stats:
    deliveries = await _deliveries_by_status(session)
    enabled = SourceRow.enabled.is_(True)
    return Stats(
        sources_enabled=await _count(session, SourceRow, enabled),
        sources_failing=await _count(session, SourceRow, enabled, SourceRow.failures > 0),
        sources_off=await _count(session, SourceRow, SourceRow.enabled.is_(False)),
        articles=await _count(session, ArticleRow),
        briefs=await _count(session, BriefRow),
        briefs_recent=await _count(session, BriefRow, BriefRow.created_at > now - RECENT),
        chats_active=await _count(session, ChatRow, ChatRow.active.is_(True)),
        chats_total=await _count(session, ChatRow),
        subscriptions=await _count(session, SubscriptionRow),
        watches=await _count(session, WatchRow),
        deliveries_pending=deliveries.get(DeliveryStatus.PENDING.value, 0),
        deliveries_claimed=deliveries.get(DeliveryStatus.CLAIMED.value, 0),
        deliveries_sent=deliveries.get(DeliveryStatus.SENT.value, 0),
        deliveries_failed=deliveries.get(DeliveryStatus.FAILED.value, 0),
    )


async def articles_per_source(session: AsyncSession) -> dict[int, int]:
    """How many articles each source has stored."""
    rows = await session.execute(
        select(ArticleRow.source_id, func.count()).group_by(ArticleRow.source_id)
    )
    return {source_id: count for source_id, count in rows}


async def stored_text_contains(session: AsyncSession, needle: str) -> bool:
    """Whether any article text, brief event or brief search text contains `needle`."""
    in_articles = select(ArticleRow.id).where(ArticleRow.text.contains(needle)).limit(1)
    in_briefs = (
        select(BriefRow.id)
        .where(BriefRow.event.contains(needle) | BriefRow.search_text.contains(needle.lower()))
        .limit(1)
    )
    return (await session.scalar(in_articles)) is not None or (
        await session.scalar(in_briefs)
    ) is not None
