"""Feed sources: registered from config or chat, with fetch state and failure history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Source
from bot.storage.models import ArticleRow, SourceRow


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source as an admin sees it: the source plus its fetch history and article count."""

    source: Source
    last_fetched_at: datetime | None
    next_fetch_at: datetime | None
    added_by: str | None
    created_at: datetime
    articles: int

    @property
    def failing(self) -> bool:
        return self.source.failures > 0


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


async def add_new_source(
    session: AsyncSession,
    url: str,
    now: datetime,
    *,
    name: str | None = None,
    topics: Sequence[str] = (),
    interval_minutes: int = 15,
    origin: str = "opml",
    spellings: Sequence[str] = (),
) -> tuple[Source, bool]:
    """(the source stored under `url` or one of its other `spellings`, whether it was created
    now). One that is there already, on or off, is left as it is: an import never renames or
    turns on what an admin set."""
    existing = await find_source_by_url(session, url, *spellings)
    if existing is not None:
        return existing, False
    return await ensure_source(
        session,
        url,
        now,
        name=name,
        topics=topics,
        interval_minutes=interval_minutes,
        origin=origin,
    ), True


async def count_enabled(session: AsyncSession) -> int:
    """How many sources are on: what a forced ingest pass fetches."""
    total = await session.scalar(
        select(func.count()).select_from(SourceRow).where(SourceRow.enabled.is_(True))
    )
    return int(total or 0)


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


async def get_source(session: AsyncSession, source_id: int) -> Source | None:
    row = await session.get(SourceRow, source_id)
    return to_source(row) if row else None


async def find_source_by_url(session: AsyncSession, *urls: str) -> Source | None:
    """The source stored under any of these spellings of a url, if there is one."""
    row = await session.scalar(
        select(SourceRow).where(SourceRow.url.in_(list(urls))).order_by(SourceRow.id).limit(1)
    )
    return to_source(row) if row else None


async def source_statuses(session: AsyncSession) -> list[SourceStatus]:
    """Every source with its fetch state: failing ones first, then by id."""
    counts = (
        select(ArticleRow.source_id, func.count().label("articles"))
        .group_by(ArticleRow.source_id)
        .subquery()
    )
    rows = await session.execute(
        select(SourceRow, func.coalesce(counts.c.articles, 0))
        .outerjoin(counts, counts.c.source_id == SourceRow.id)
        .order_by((SourceRow.failures > 0).desc(), SourceRow.id)
    )
    return [
        SourceStatus(
            source=to_source(row),
            last_fetched_at=row.last_fetched_at,
            next_fetch_at=row.next_fetch_at,
            added_by=row.added_by,
            created_at=row.created_at,
            articles=articles,
        )
        for row, articles in rows
    ]


async def disable_source(session: AsyncSession, source_id: int) -> Source | None:
    """Stop fetching a source, keeping its articles and failure history; None if unknown."""
    row = await session.get(SourceRow, source_id)
    if row is None:
        return None
    row.enabled = False
    await session.flush()
    return to_source(row)


async def enable_source(session: AsyncSession, source_id: int, now: datetime) -> Source | None:
    """Fetch a source again from the next round, with a clean failure count; None if unknown."""
    row = await session.get(SourceRow, source_id)
    if row is None:
        return None
    row.enabled, row.failures, row.last_error, row.next_fetch_at = True, 0, None, now
    await session.flush()
    return to_source(row)
