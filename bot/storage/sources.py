"""Feed sources: registered from config or chat, with fetch state and failure history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Source
from bot.storage.models import SourceRow


def to_source(row: SourceRow) -> Source:
    return Source(
        id=row.id,
        url=row.url,
        name=row.name,
        topics=tuple(row.topics or ()),
        interval_minutes=row.interval_minutes,
        etag=row.etag,
        last_modified=row.last_modified,
        failures=row.failures,
        last_error=row.last_error,
        enabled=row.enabled,
        origin=row.origin,
    )


async def ensure_source(
    session: AsyncSession,
    url: str,
    now: datetime,
    name: str | None = None,
    topics: Sequence[str] = (),
    interval_minutes: int = 15,
    origin: str = "config",
    added_by: str | None = None,
) -> Source:
    """The source with this url, created if new; name, topics and interval follow the caller."""
    row = await session.scalar(select(SourceRow).where(SourceRow.url == url))
    if row is None:
        row = SourceRow(
            url=url,
            name=name,
            topics=list(topics),
            interval_minutes=interval_minutes,
            origin=origin,
            added_by=added_by,
            enabled=True,
            failures=0,
            created_at=now,
            next_fetch_at=now,
        )
        session.add(row)
    else:
        row.name, row.topics, row.interval_minutes = name, list(topics), interval_minutes
    await session.flush()
    return to_source(row)


async def list_sources(session: AsyncSession) -> list[Source]:
    rows = await session.scalars(select(SourceRow).order_by(SourceRow.id))
    return [to_source(row) for row in rows]


async def due_sources(session: AsyncSession, now: datetime) -> list[Source]:
    rows = await session.scalars(
        select(SourceRow)
        .where(SourceRow.enabled.is_(True))
        .where(or_(SourceRow.next_fetch_at.is_(None), SourceRow.next_fetch_at <= now))
        .order_by(SourceRow.next_fetch_at, SourceRow.id)
    )
    return [to_source(row) for row in rows]


async def record_success(
    session: AsyncSession,
    source_id: int,
    now: datetime,
    etag: str | None,
    last_modified: str | None,
    next_fetch_at: datetime,
) -> None:
    row = await session.get_one(SourceRow, source_id)
    row.etag, row.last_modified = etag, last_modified
    row.last_fetched_at, row.next_fetch_at = now, next_fetch_at
    row.failures, row.last_error = 0, None


async def record_failure(
    session: AsyncSession,
    source_id: int,
    now: datetime,
    reason: str,
    max_failures: int,
    retry_after: float | None = None,
) -> Source:
    """Count a failure and back off exponentially; after `max_failures` the source is disabled."""
    row = await session.get_one(SourceRow, source_id)
    row.failures += 1
    row.last_error = reason[:500]
    row.last_fetched_at = now
    backoff = timedelta(minutes=row.interval_minutes * 2 ** min(row.failures, 8))
    if retry_after:
        backoff = max(backoff, timedelta(seconds=retry_after))
    row.next_fetch_at = now + min(backoff, timedelta(days=1))
    if row.failures >= max_failures:
        row.enabled = False
    return to_source(row)
