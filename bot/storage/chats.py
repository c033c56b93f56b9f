"""Chats and what they subscribe to."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Chat, ChatKind, Subscription
from bot.storage.models import ChatRow, DigestRow, SubscriptionRow, WatchRow
from bot.storage.upsert import insert_ignoring_duplicates


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
    return [_to_subscription(row) for row in rows]


@dataclass(frozen=True, slots=True)
class Watch:
    """A chat's own keyword topic: a query in the topic packs' language."""

    id: int
    chat_id: int
    query: str
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """Everything that decides what a chat hears and when."""

    chat: Chat
    subscriptions: tuple[Subscription, ...]
    watches: tuple[Watch, ...]


def _to_subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        chat_id=row.chat_id,
        topic=row.topic,
        alerts=row.alerts,
        muted_until=row.muted_until,
        thread_id=row.thread_id,
    )


def _to_watch(row: WatchRow) -> Watch:
    return Watch(row.id, row.chat_id, row.query, row.created_by, row.created_at)


async def _chat_row(session: AsyncSession, chat_id: int) -> ChatRow:
    row = await session.get(ChatRow, chat_id)
    if row is None:
        raise LookupError(f"no chat with id {chat_id}")
    return row


async def update_chat(
    session: AsyncSession,
    chat_id: int,
    *,
    timezone: str | None = None,
    paused: bool | None = None,
    alerts: bool | None = None,
    empty_digest_line: bool | None = None,
) -> Chat:
    """Change the settings given (None leaves one as it is); returns the chat as it now is."""
    row = await _chat_row(session, chat_id)
    if timezone is not None:
        row.timezone = timezone
    if paused is not None:
        row.paused = paused
    if alerts is not None:
        row.alerts = alerts
    if empty_digest_line is not None:
        row.empty_digest_line = empty_digest_line
    await session.flush()
    return to_chat(row)


async def set_digest_time(session: AsyncSession, chat_id: int, digest_time: time | None) -> Chat:
    """The chat's local daily digest time; None turns the digest off."""
    row = await _chat_row(session, chat_id)
    row.digest_time = digest_time.strftime("%H:%M") if digest_time else None
    await session.flush()
    return to_chat(row)


async def _subscription_row(
    session: AsyncSession, chat_id: int, topic: str
) -> SubscriptionRow | None:
    return await session.scalar(
        select(SubscriptionRow).where(
            SubscriptionRow.chat_id == chat_id, SubscriptionRow.topic == topic
        )
    )


async def subscription(session: AsyncSession, chat_id: int, topic: str) -> Subscription | None:
    row = await _subscription_row(session, chat_id, topic)
    return None if row is None else _to_subscription(row)


async def update_subscription(
    session: AsyncSession,
    chat_id: int,
    topic: str,
    *,
    alerts: bool | None = None,
    thread_id: str | None = None,
) -> Subscription | None:
    """Change the settings given (None leaves one as it is); None when not subscribed."""
    row = await _subscription_row(session, chat_id, topic)
    if row is None:
        return None
    if alerts is not None:
        row.alerts = alerts
    if thread_id is not None:
        row.thread_id = thread_id
    await session.flush()
    return _to_subscription(row)


async def set_muted_until(
    session: AsyncSession, chat_id: int, topic: str, until: datetime | None
) -> Subscription | None:
    """Mute the topic until `until` (None unmutes); None when the chat is not subscribed."""
    row = await _subscription_row(session, chat_id, topic)
    if row is None:
        return None
    row.muted_until = until
    await session.flush()
    return _to_subscription(row)


async def add_watch(
    session: AsyncSession, chat_id: int, query: str, created_by: str | None, now: datetime
) -> Watch:
    row = WatchRow(chat_id=chat_id, query=query, created_by=created_by, created_at=now)
    session.add(row)
    await session.flush()
    return _to_watch(row)


async def watches(session: AsyncSession, chat_id: int) -> list[Watch]:
    rows = await session.scalars(
        select(WatchRow).where(WatchRow.chat_id == chat_id).order_by(WatchRow.id)
    )
    return [_to_watch(row) for row in rows]


async def remove_watch(session: AsyncSession, chat_id: int, watch_id: int) -> bool:
    """False when this chat has no watch with that id (another chat's watch included)."""
    result = await session.execute(
        delete(WatchRow).where(WatchRow.chat_id == chat_id, WatchRow.id == watch_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def settings_of(session: AsyncSession, chat_id: int) -> ChatSettings:
    chat = to_chat(await _chat_row(session, chat_id))
    return ChatSettings(
        chat, tuple(await subscriptions(session, chat_id)), tuple(await watches(session, chat_id))
    )


# The console has no push channel: its chats ask for briefs and digests, nothing is sent to them.
PULL_ONLY_PLATFORMS = ("console",)


def _hears_alerts() -> ColumnElement[bool]:
    return and_(
        ChatRow.active.is_(True),
        ChatRow.paused.is_(False),
        ChatRow.alerts.is_(True),
        ChatRow.platform.not_in(PULL_ONLY_PLATFORMS),
    )


async def alert_subscriptions(
    session: AsyncSession, topics: Collection[str], now: datetime
) -> list[tuple[Chat, Subscription]]:
    """Who gets an alert for a brief on these topics: active, unpaused chats with alerts on,
    whose subscription to one of the topics has alerts on and is not muted at `now`."""
    if not topics:
        return []
    result = await session.execute(
        select(ChatRow, SubscriptionRow)
        .join(SubscriptionRow, SubscriptionRow.chat_id == ChatRow.id)
        .where(
            _hears_alerts(),
            SubscriptionRow.topic.in_(sorted(set(topics))),
            SubscriptionRow.alerts.is_(True),
            or_(SubscriptionRow.muted_until.is_(None), SubscriptionRow.muted_until <= now),
        )
        .order_by(ChatRow.id, SubscriptionRow.id)
    )
    return [(to_chat(chat), _to_subscription(sub)) for chat, sub in result.all()]


async def alert_watches(session: AsyncSession) -> list[tuple[Chat, Watch]]:
    """Every watch whose chat takes alerts (active, not paused, alerts on)."""
    result = await session.execute(
        select(ChatRow, WatchRow)
        .join(WatchRow, WatchRow.chat_id == ChatRow.id)
        .where(_hears_alerts())
        .order_by(ChatRow.id, WatchRow.id)
    )
    return [(to_chat(chat), _to_watch(watch)) for chat, watch in result.all()]


async def set_chat_active(
    session: AsyncSession, platform: str, external_id: str, active: bool
) -> bool:
    """Mark a chat reachable or not (bot added, removed, blocked); False for an unknown chat."""
    row = await session.scalar(
        select(ChatRow).where(ChatRow.platform == platform, ChatRow.external_id == external_id)
    )
    if row is None:
        return False
    row.active = active
    return True


async def digest_chats(session: AsyncSession) -> list[tuple[Chat, datetime | None]]:
    """Chats that take a daily digest — active, not paused, with a digest time — each with when
    its previous scheduled digest was made (None: never), in chat id order."""
    rows = await session.scalars(
        select(ChatRow)
        .where(
            ChatRow.active.is_(True),
            ChatRow.paused.is_(False),
            ChatRow.digest_time.is_not(None),
            ChatRow.platform.not_in(PULL_ONLY_PLATFORMS),
        )
        .order_by(ChatRow.id)
    )
    return [(to_chat(row), row.last_digest_at) for row in rows]


async def set_last_digest_at(session: AsyncSession, chat_id: int, when: datetime) -> None:
    """Where the chat's next digest starts: set when a scheduled digest is made."""
    await session.execute(update(ChatRow).where(ChatRow.id == chat_id).values(last_digest_at=when))


async def last_digest_at(session: AsyncSession, chat_id: int) -> datetime | None:
    """Where the chat's previous digest ended (None: it has had none): where its next one starts."""
    return await session.scalar(select(ChatRow.last_digest_at).where(ChatRow.id == chat_id))


_DIGEST_KEY_CHUNK = 500


async def made_digests(
    session: AsyncSession, keys: Sequence[tuple[int, date]]
) -> set[tuple[int, date]]:
    """Which of these (chat id, local date) pairs already have their digest row."""
    made: set[tuple[int, date]] = set()
    for start in range(0, len(keys), _DIGEST_KEY_CHUNK):
        chunk = list(keys[start : start + _DIGEST_KEY_CHUNK])
        rows = await session.execute(
            select(DigestRow.chat_id, DigestRow.local_date).where(
                tuple_(DigestRow.chat_id, DigestRow.local_date).in_(chunk)
            )
        )
        made.update((chat_id, local_date) for chat_id, local_date in rows)
    return made


async def record_unsent_digest(
    session: AsyncSession, chat_id: int, local_date: date, end: datetime
) -> int | None:
    """A digest made with nothing to send (a quiet day for a chat without the short line): its
    row ends the window all the same. None when that date already has its digest."""
    return await insert_ignoring_duplicates(
        session,
        DigestRow.__table__,
        {"chat_id": chat_id, "local_date": local_date, "brief_ids": [], "created_at": end},
    )


@dataclass(frozen=True, slots=True)
class DigestRecord:
    """A stored digest: the briefs it lists, in order, and its window. A digest row's
    `created_at` is where its window ends; the chat's previous digest row's is where it starts
    (None: the chat's first digest)."""

    id: int
    chat_id: int
    brief_ids: tuple[int, ...]
    created_at: datetime
    previous_at: datetime | None


async def digest_records(session: AsyncSession, digest_ids: Sequence[int]) -> list[DigestRecord]:
    """These digests, each with the end of the same chat's previous one."""
    earlier = DigestRow.__table__.alias("earlier")
    previous = (
        select(func.max(earlier.c.created_at))
        .where(earlier.c.chat_id == DigestRow.chat_id, earlier.c.local_date < DigestRow.local_date)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            DigestRow.id, DigestRow.chat_id, DigestRow.brief_ids, DigestRow.created_at, previous
        ).where(DigestRow.id.in_(list(digest_ids)))
    )
    return [
        DigestRecord(
            digest_id, chat_id, tuple(int(i) for i in brief_ids or ()), created_at, previous_at
        )
        for digest_id, chat_id, brief_ids, created_at, previous_at in rows
    ]


# ----------------------------------------------------------------------------- quiet hours


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A chat's daily quiet period on its own clock (`timezone`): from `start` up to `end`,
    crossing midnight when `end` comes first. Alerts in it are held until it ends."""

    start: time
    end: time
    timezone: str


def _quiet_of(start: str | None, end: str | None, timezone: str) -> QuietHours | None:
    if not start or not end:
        return None
    return QuietHours(time.fromisoformat(start), time.fromisoformat(end), timezone)


async def quiet_hours(session: AsyncSession, chat_id: int) -> QuietHours | None:
    """The chat's quiet hours, on its current zone; None when it has none."""
    row = await _chat_row(session, chat_id)
    return _quiet_of(row.quiet_start, row.quiet_end, row.timezone)


async def set_quiet_hours(
    session: AsyncSession, chat_id: int, start: time | None, end: time | None
) -> QuietHours | None:
    """Set the chat's quiet hours (both None: none); returns them as now stored."""
    if (start is None) != (end is None):
        raise ValueError("quiet hours need both a start and an end, or neither")
    row = await _chat_row(session, chat_id)
    row.quiet_start = start.strftime("%H:%M") if start else None
    row.quiet_end = end.strftime("%H:%M") if end else None
    await session.flush()
    return _quiet_of(row.quiet_start, row.quiet_end, row.timezone)


_QUIET_CHUNK = 500


async def quiet_hours_of(session: AsyncSession, chat_ids: Collection[int]) -> dict[int, QuietHours]:
    """The quiet hours of those of these chats that have some."""
    unique = sorted(set(chat_ids))
    found: dict[int, QuietHours] = {}
    for start in range(0, len(unique), _QUIET_CHUNK):
        rows = await session.execute(
            select(ChatRow.id, ChatRow.quiet_start, ChatRow.quiet_end, ChatRow.timezone).where(
                ChatRow.id.in_(unique[start : start + _QUIET_CHUNK]),
                ChatRow.quiet_start.is_not(None),
                ChatRow.quiet_end.is_not(None),
            )
        )
        for chat_id, quiet_start, quiet_end, timezone in rows:
            hours = _quiet_of(quiet_start, quiet_end, timezone)
            if hours is not None:
                found[chat_id] = hours
    return found
