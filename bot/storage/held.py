"""Alerts held for a chat's quiet hours: outbox rows that wait, then go out together.

A held alert is a delivery row in the status `held`, with `not_before` set to when the chat's
quiet period ends. It keeps the outbox's unique key (chat, brief, kind), so holding queues
nothing twice; and since `held` is neither pending nor claimed, it holds up nothing else of its
chat: a digest (or an alert queued after the quiet period) goes out at its own time.

`claim_held` runs at the start of every outbox round, before `claim_due`, and claims whole
groups at once, all with the round's token:

- a chat's held alerts once their `not_before` has passed (the chat on a platform this worker
  sends to, and not paused: a paused chat's held alerts wait for /resume);
- the rest of a group already claimed together once: two or more alert rows of one chat
  sharing a claim token are a group (`claim_due` takes at most one row per chat per token).
  Rows of a group back to pending (a retry, or handed back at shutdown) and due, or claimed
  and lapsed (their worker crashed before recording the send), are claimed again together,
  so a group stays one message through retries and crashes.

A chat with a delivery in flight (claimed by another round, not lapsed) waits for it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import DeliveryKind, DeliveryStatus
from bot.storage.models import ChatRow, DeliveryRow
from bot.storage.outbox import ClaimedDelivery, as_claimed, claim_picked, claim_update
from bot.storage.upsert import insert_ignoring_duplicates

HELD = "held"
_TABLE: Any = DeliveryRow.__table__
_ALERT = DeliveryKind.ALERT.value
_PENDING = DeliveryStatus.PENDING.value
_CLAIMED = DeliveryStatus.CLAIMED.value


async def hold_alert(
    session: AsyncSession, chat_id: int, brief_id: int, now: datetime, until: datetime
) -> int | None:
    """Queue one alert held until `until`; None when this chat already has this brief queued."""
    return await insert_ignoring_duplicates(
        session,
        _TABLE,
        {
            "chat_id": chat_id,
            "brief_id": brief_id,
            "kind": _ALERT,
            "status": HELD,
            "attempts": 0,
            "not_before": until,
            "created_at": now,
        },
    )


async def release_held_at(session: AsyncSession, chat_id: int, at: datetime) -> int:
    """Move the release of the chat's held alerts to `at` (now: at the next outbox round);
    returns how many are held."""
    result = await session.execute(
        update(_TABLE)
        .where(_TABLE.c.chat_id == chat_id, _TABLE.c.status == HELD)
        .values(not_before=at)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def held_alerts(session: AsyncSession, chat_id: int) -> tuple[int, datetime | None]:
    """How many alerts the chat has held, and when the first of them is released."""
    count, first = (
        await session.execute(
            select(func.count(), func.min(_TABLE.c.not_before)).where(
                _TABLE.c.chat_id == chat_id, _TABLE.c.status == HELD
            )
        )
    ).one()
    return int(count or 0), first


def _held_due(table: Any, now: datetime) -> ColumnElement[bool]:
    return and_(table.c.status == HELD, table.c.not_before <= now)


def _group_rest(table: Any, now: datetime, lease: timedelta, lapsed: bool) -> ColumnElement[bool]:
    """Rows of a group claimed together before, due again: back to pending and due, or
    (`lapsed`) still claimed by a worker that stopped answering. A pending group row always has
    a `not_before` (its quiet period's end, or its retry time): rows queued fresh have none, so
    the outbox index on (status, not_before) leaves them out of the scan."""
    if lapsed:
        state = and_(table.c.status == _CLAIMED, table.c.claimed_at < now - lease)
    else:
        state = and_(table.c.status == _PENDING, table.c.not_before <= now)
    mate = _TABLE.alias("mate")
    return and_(
        table.c.kind == _ALERT,
        table.c.claimed_by.is_not(None),
        state,
        exists().where(
            mate.c.chat_id == table.c.chat_id,
            mate.c.claimed_by == table.c.claimed_by,
            mate.c.kind == _ALERT,
            mate.c.id != table.c.id,
        ),
    )


def _chat_takes(
    table: Any,
    platforms: Collection[str],
    unpaused: bool,
    now: datetime,
    lease: timedelta,
    token: str,
) -> ColumnElement[bool]:
    """The row's chat is on one of `platforms` (and, `unpaused`, not paused), with nothing in
    flight but this round's own claims."""
    chat = [ChatRow.id == table.c.chat_id, ChatRow.platform.in_(sorted(platforms))]
    if unpaused:
        chat.append(ChatRow.paused.is_(False))
    flying = _TABLE.alias("flying")
    in_flight = exists().where(
        flying.c.chat_id == table.c.chat_id,
        flying.c.status == _CLAIMED,
        flying.c.claimed_at >= now - lease,
        or_(flying.c.claimed_by.is_(None), flying.c.claimed_by != token),
    )
    return and_(exists().where(*chat), ~in_flight)


def _due(
    table: Any,
    lapsed: bool | None,
    now: datetime,
    lease: timedelta,
    token: str,
    platforms: Collection[str],
) -> ColumnElement[bool]:
    """What `claim_held` takes. `lapsed` True: lapsed group rows; False: held alerts due and
    group rows back to pending and due; None: any of them."""
    takes_held = _chat_takes(table, platforms, True, now, lease, token)
    takes_rest = _chat_takes(table, platforms, False, now, lease, token)
    choices: list[ColumnElement[bool]] = []
    if lapsed is not True:
        choices.append(and_(_held_due(table, now), takes_held))
        choices.append(and_(_group_rest(table, now, lease, False), takes_rest))
    if lapsed is not False:
        choices.append(and_(_group_rest(table, now, lease, True), takes_rest))
    return or_(*choices)


def _chats_due(
    lapsed: bool | None,
    now: datetime,
    lease: timedelta,
    token: str,
    platforms: Collection[str],
    limit: int,
) -> Any:
    candidate = _TABLE.alias("candidate")
    return (
        select(candidate.c.chat_id)
        .where(_due(candidate, lapsed, now, lease, token, platforms))
        .distinct()
        .order_by(candidate.c.chat_id)
        .limit(limit)
    )


async def claim_held(
    session: AsyncSession,
    now: datetime,
    limit: int,
    lease: timedelta,
    token: str,
    platforms: Collection[str],
) -> list[ClaimedDelivery]:
    """Claim the due held alerts (and due rest of earlier groups) of up to `limit` chats, all
    of a chat's at once, with `token`; oldest first. Call inside the round's transaction,
    before `claim_due`. PostgreSQL: the chosen chats' rows are locked (`FOR NO KEY UPDATE SKIP
    LOCKED`) so two workers never split one chat's group, and rows another worker holds are
    skipped; SQLite (one writer at a time): `UPDATE … WHERE id IN (SELECT …) RETURNING`."""
    if not platforms or limit < 1:
        return []
    if session.get_bind().dialect.name == "postgresql":
        claims = await _claim_postgresql(session, now, limit, lease, token, platforms)
    else:
        claims = []
        for lapsed in (True, False):
            chats = _chats_due(lapsed, now, lease, token, platforms, limit)
            candidate = _TABLE.alias("candidate")
            chosen = select(candidate.c.id).where(
                _due(candidate, lapsed, now, lease, token, platforms),
                candidate.c.chat_id.in_(chats),
            )
            result = await session.execute(claim_update(now, token).where(_TABLE.c.id.in_(chosen)))
            claims += as_claimed(result, token, lapsed)
    claims.sort(key=lambda claim: claim.id)
    return claims


async def _claim_postgresql(
    session: AsyncSession,
    now: datetime,
    limit: int,
    lease: timedelta,
    token: str,
    platforms: Collection[str],
) -> list[ClaimedDelivery]:
    chats = _chats_due(None, now, lease, token, platforms, limit)
    locked = list(
        await session.scalars(
            select(ChatRow.id)
            .where(ChatRow.id.in_(chats))
            .with_for_update(skip_locked=True, key_share=True)
        )
    )
    if not locked:
        return []
    picked = list(
        await session.execute(
            select(_TABLE.c.id, _TABLE.c.status)
            .where(_due(_TABLE, None, now, lease, token, platforms), _TABLE.c.chat_id.in_(locked))
            .order_by(_TABLE.c.id)
            .with_for_update(skip_locked=True, of=_TABLE)
        )
    )
    return await claim_picked(session, picked, now, token)
