"""The outbox: deliveries owed to chats, and the one-digest-per-local-date record.

Producers queue rows (`queue_alert`, `queue_digest`); outbox workers `claim_due` a batch, send
it, and `settle` each claim. A claim is (status `claimed`, `claimed_at`, a token in
`claimed_by`); a claim older than the lease counts as abandoned — its worker crashed or stalled
— and is claimed again, so after a crash nothing queued is lost, and at most the messages in
flight at the crash go out twice. Settling checks the token, so a worker whose claim lapsed
and was taken over cannot overwrite the new claim.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import DeliveryKind, DeliveryStatus
from bot.storage.models import ChatRow, DeliveryRow, DigestRow
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


_TABLE: Any = DeliveryRow.__table__
_PENDING = DeliveryStatus.PENDING.value
_CLAIMED = DeliveryStatus.CLAIMED.value
_UNFINISHED = (_PENDING, _CLAIMED)


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery a worker now holds. `reclaimed`: the previous claim lapsed unconfirmed (its
    worker crashed or stalled), so the chat may already have this message."""

    id: int
    chat_id: int
    kind: DeliveryKind
    brief_id: int | None
    digest_id: int | None
    attempts: int  # this attempt included
    token: str
    reclaimed: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one claimed delivery ended: sent, back to pending (a retry, or handed back unsent at
    shutdown), or failed for good."""

    delivery_id: int
    token: str
    status: DeliveryStatus
    at: datetime | None = None  # sent_at when sent, not_before when retried
    message_id: str | None = None
    error: str | None = None
    released: bool = False  # handed back unsent: the attempt does not count

    @classmethod
    def sent(cls, claim: ClaimedDelivery, at: datetime, message_id: str | None) -> Outcome:
        return cls(claim.id, claim.token, DeliveryStatus.SENT, at, message_id=message_id)

    @classmethod
    def retry(cls, claim: ClaimedDelivery, not_before: datetime, error: str) -> Outcome:
        return cls(claim.id, claim.token, DeliveryStatus.PENDING, not_before, error=error[:500])

    @classmethod
    def failed(cls, claim: ClaimedDelivery, error: str) -> Outcome:
        return cls(claim.id, claim.token, DeliveryStatus.FAILED, error=error[:500])

    @classmethod
    def release(cls, claim: ClaimedDelivery) -> Outcome:
        return cls(claim.id, claim.token, DeliveryStatus.PENDING, released=True)


def _claimable(table: Any, lapsed: bool, now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """Due pending rows, or (`lapsed`) claims older than the lease; each only while it is its
    chat's oldest unfinished delivery, so a chat's messages go out one at a time, in order."""
    if lapsed:
        state = and_(table.c.status == _CLAIMED, table.c.claimed_at < now - lease)
    else:
        state = and_(
            table.c.status == _PENDING,
            or_(table.c.not_before.is_(None), table.c.not_before <= now),
        )
    earlier = _TABLE.alias("earlier")
    first_in_chat = ~exists().where(
        earlier.c.chat_id == table.c.chat_id,
        earlier.c.status.in_(_UNFINISHED),
        earlier.c.id < table.c.id,
    )
    return and_(state, first_in_chat)


def _on_platforms(table: Any, platforms: Collection[str]) -> ColumnElement[bool]:
    # A per-row primary-key lookup: a join here lets PostgreSQL pick a ruinous plan while the
    # table's statistics are young (a freshly filled outbox).
    platform = select(ChatRow.platform).where(ChatRow.id == table.c.chat_id).scalar_subquery()
    return platform.in_(sorted(platforms))


def claim_update(now: datetime, token: str) -> Any:
    """The UPDATE … RETURNING that claims delivery rows for `token` (add the WHERE)."""
    return (
        update(_TABLE)
        .values(
            status=_CLAIMED,
            claimed_at=now,
            claimed_by=token,
            attempts=_TABLE.c.attempts + 1,
            resends=_TABLE.c.resends + case((_TABLE.c.status == _CLAIMED, 1), else_=0),
        )
        .returning(
            _TABLE.c.id,
            _TABLE.c.chat_id,
            _TABLE.c.kind,
            _TABLE.c.brief_id,
            _TABLE.c.digest_id,
            _TABLE.c.attempts,
        )
    )


def as_claimed(rows: Any, token: str, lapsed: Collection[int] | bool) -> list[ClaimedDelivery]:
    """The rows `claim_update` returned, as claims; `lapsed` marks those taken over."""
    return [
        ClaimedDelivery(
            id=row_id,
            chat_id=chat_id,
            kind=DeliveryKind(kind),
            brief_id=brief_id,
            digest_id=digest_id,
            attempts=attempts,
            token=token,
            reclaimed=lapsed if isinstance(lapsed, bool) else row_id in lapsed,
        )
        for row_id, chat_id, kind, brief_id, digest_id, attempts in rows
    ]


async def claim_picked(
    session: AsyncSession, picked: Sequence[Any], now: datetime, token: str
) -> list[ClaimedDelivery]:
    """Claim the (id, status) rows picked under lock; those already claimed were taken over."""
    if not picked:
        return []
    lapsed = {row_id for row_id, status in picked if status == _CLAIMED}
    ids = [row_id for row_id, _ in picked]
    result = await session.execute(claim_update(now, token).where(_TABLE.c.id.in_(ids)))
    return as_claimed(result, token, lapsed)


async def claim_due(
    session: AsyncSession,
    now: datetime,
    limit: int,
    lease: timedelta,
    token: str,
    platforms: Collection[str],
) -> list[ClaimedDelivery]:
    """Claim up to `limit` deliveries for chats on `platforms`, oldest first, at most one per
    chat. Call inside a transaction; the claim holds once it commits. PostgreSQL: `FOR UPDATE
    SKIP LOCKED`, so workers neither wait for nor take each other's rows; SQLite (one writer at
    a time): `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`, lapsed claims first."""
    if not platforms or limit < 1:
        return []
    if session.get_bind().dialect.name == "postgresql":
        due = or_(_claimable(_TABLE, True, now, lease), _claimable(_TABLE, False, now, lease))
        picked = list(
            await session.execute(
                select(_TABLE.c.id, _TABLE.c.status)
                .where(due, _on_platforms(_TABLE, platforms))
                .order_by(_TABLE.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=_TABLE)
            )
        )
        claims = await claim_picked(session, picked, now, token)
    else:
        claims = []
        for lapsed_ones in (True, False):
            if len(claims) >= limit:
                break
            candidate = _TABLE.alias("candidate")
            chosen = (
                select(candidate.c.id)
                .where(
                    _claimable(candidate, lapsed_ones, now, lease),
                    _on_platforms(candidate, platforms),
                )
                .order_by(candidate.c.id)
                .limit(limit - len(claims))
            )
            result = await session.execute(claim_update(now, token).where(_TABLE.c.id.in_(chosen)))
            claims += as_claimed(result, token, lapsed_ones)
    claims.sort(key=lambda claim: claim.id)
    return claims


def _settle_statement(**values: Any) -> Any:
    return (
        update(_TABLE)
        .where(
            _TABLE.c.id == bindparam("b_id"),
            _TABLE.c.claimed_by == bindparam("b_token"),
            _TABLE.c.status == _CLAIMED,
        )
        .values(**values)
    )


_AT = _TABLE.c.sent_at.type
_SENT = _settle_statement(
    status=DeliveryStatus.SENT.value,
    sent_at=bindparam("b_at", type_=_AT),
    platform_message_id=bindparam("b_message"),
)
_RETRY = _settle_statement(
    status=_PENDING, not_before=bindparam("b_at", type_=_AT), error=bindparam("b_error")
)
_FAILED = _settle_statement(status=DeliveryStatus.FAILED.value, error=bindparam("b_error"))
_RELEASED = _settle_statement(status=_PENDING, attempts=_TABLE.c.attempts - 1)


def _statement_for(outcome: Outcome) -> Any:
    if outcome.released:
        return _RELEASED
    if outcome.status is DeliveryStatus.SENT:
        return _SENT
    if outcome.status is DeliveryStatus.FAILED:
        return _FAILED
    return _RETRY


async def settle(session: AsyncSession, outcomes: Sequence[Outcome]) -> None:
    """Record how claimed deliveries ended. A claim that lapsed and was taken over by another
    worker (its token no longer matches) is left to that worker."""
    groups: dict[int, tuple[Any, list[dict[str, Any]]]] = {}
    for outcome in outcomes:
        statement = _statement_for(outcome)
        params = {
            "b_id": outcome.delivery_id,
            "b_token": outcome.token,
            "b_at": outcome.at,
            "b_message": outcome.message_id,
            "b_error": outcome.error,
        }
        groups.setdefault(id(statement), (statement, []))[1].append(params)
    for statement, rows in groups.values():
        await session.execute(statement, rows)


async def renew_claims(
    session: AsyncSession, ids: Collection[int], token: str, now: datetime
) -> None:
    """Keep a long batch's unsettled claims from lapsing while its worker is alive."""
    if ids:
        await session.execute(
            update(_TABLE)
            .where(
                _TABLE.c.id.in_(sorted(ids)),
                _TABLE.c.claimed_by == token,
                _TABLE.c.status == _CLAIMED,
            )
            .values(claimed_at=now)
        )


async def stranded_platforms(session: AsyncSession, platforms: Collection[str]) -> list[str]:
    """Platforms with deliveries waiting but no sender among `platforms` (not configured here)."""
    rows = await session.scalars(
        select(ChatRow.platform)
        .join(DeliveryRow, DeliveryRow.chat_id == ChatRow.id)
        .where(DeliveryRow.status == _PENDING, ChatRow.platform.not_in(sorted(platforms)))
        .distinct()
        .order_by(ChatRow.platform)
    )
    return list(rows)


async def outbox_depth(session: AsyncSession) -> int:
    """Deliveries not yet settled: pending (due or waiting to retry) and claimed."""
    count = await session.scalar(
        select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status.in_(_UNFINISHED))
    )
    return count or 0
