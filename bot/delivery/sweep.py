"""The digest sweep, run every minute: queue each chat's daily digest once its local time comes.

When a digest is due, by the chat's wall clock (its zone through zoneinfo, so DST is followed):
- on its local date, from the digest time until `CATCH_UP` later. A sweep that was down at the
  digest time catches up within that window (across midnight too: a 23:30 digest swept at 00:40
  is the previous date's). A chat that sets `/schedule 07:00` at 15:00 gets nothing today and its
  first digest tomorrow at 07:00; one that sets 14:00 at 15:00 gets today's at once.
- A digest time that does not exist that day (02:30 when clocks jump from 02:00 to 03:00) goes
  out at the first minute the wall clock is past it: 03:00. A time that happens twice (clocks
  going back) goes out the first time; the second finds that date's digest made.

At most one digest per chat and local date: the digests table's unique key, whatever the number
of sweeps running. Paused and inactive chats are skipped (nothing is recorded; after /resume the
next digest covers everything since the previous one).

What a digest holds: the briefs made since the chat's previous digest, on its topics and watches
(`collect_digest`). Ingest stamps a pass's briefs with the time the pass started but commits them
as it goes, so a sweep can run while briefs stamped before it are still uncommitted; to miss none,
a digest also looks `OVERLAP` behind the previous one and drops the briefs that one listed.

A day with nothing new: the digest row is queued with no briefs when the chat wants the short line
(`empty_digest_line`), else recorded without a delivery, so it is not reconsidered every minute.
A chat with no topic and no watch is treated the same as a quiet day for a chat without the line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, tuple_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.digest import Section, collect_digest, digest_start, zone_of
from bot.domain import Chat, Topic
from bot.storage import chats as chat_store
from bot.storage import outbox
from bot.storage.models import DigestRow
from bot.storage.upsert import insert_ignoring_duplicates

log = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=2)
OVERLAP = timedelta(hours=1)
SWEEP_LIMIT = 500  # digests made per sweep; the rest wait for the next minute
_ID_CHUNK = 500


@dataclass(frozen=True, slots=True)
class DueDigest:
    chat: Chat
    local_date: date
    last_digest_at: datetime | None


def due_local_date(
    digest_time: time, zone: str, now: datetime, catch_up: timedelta = CATCH_UP
) -> date | None:
    """The local date whose digest is due at `now`, or None: the chat's wall clock is at or past
    the digest time on that date, by less than `catch_up`."""
    wall = now.astimezone(zone_of(zone)).replace(tzinfo=None)
    for day in (wall.date(), wall.date() - timedelta(days=1)):
        late = wall - datetime.combine(day, digest_time)
        if timedelta(0) <= late < catch_up:
            return day
    return None


async def due_digests(session: AsyncSession, now: datetime) -> list[DueDigest]:
    """Chats whose digest is due at `now` and not made yet for that local date, by chat id."""
    candidates = [
        DueDigest(chat, day, last_digest_at)
        for chat, last_digest_at in await chat_store.digest_chats(session)
        if chat.digest_time is not None
        and (day := due_local_date(chat.digest_time, chat.timezone, now)) is not None
    ]
    made = await _made_digests(session, candidates)
    return [due for due in candidates if (due.chat.id, due.local_date) not in made]


async def sweep_digests(
    session: AsyncSession,
    topics: Mapping[str, Topic],
    now: datetime,
    *,
    limit: int = SWEEP_LIMIT,
) -> int:
    """Make every digest due at `now` (at most `limit`); returns how many were queued for
    delivery. Run it in one transaction: the digest rows, their deliveries and the chats'
    `last_digest_at` are committed together or not at all."""
    queued = 0
    for due in (await due_digests(session, now))[:limit]:
        try:
            if await make_digest(session, due, topics, now):
                queued += 1
        except SQLAlchemyError:
            raise
        except Exception:
            log.exception(
                "digest of chat %s for %s failed; retried next sweep", due.chat.id, due.local_date
            )
    if queued:
        log.info("digest sweep queued %d digests", queued)
    return queued


async def make_digest(
    session: AsyncSession, due: DueDigest, topics: Mapping[str, Topic], now: datetime
) -> bool:
    """Record one chat's digest for its local date; True when it was queued for delivery, False
    when there was nothing to send or another sweep made it first."""
    chat_id = due.chat.id
    since = await digest_start(session, chat_id, now)
    if due.last_digest_at is not None:
        since -= OVERLAP
    listed = await _previous_brief_ids(session, chat_id, due.local_date)
    sections = drop_briefs(await collect_digest(session, chat_id, since, now, topics), listed)
    brief_ids = digest_brief_ids(sections)
    send = bool(sections) and (bool(brief_ids) or due.chat.empty_digest_line)
    if send:
        made = await outbox.queue_digest(session, chat_id, due.local_date, brief_ids, now)
    else:
        made = await insert_ignoring_duplicates(
            session,
            DigestRow.__table__,
            {"chat_id": chat_id, "local_date": due.local_date, "brief_ids": [], "created_at": now},
        )
    if made is None:
        return False
    await chat_store.set_last_digest_at(session, chat_id, now)
    return send


def drop_briefs(sections: Sequence[Section], brief_ids: set[int]) -> list[Section]:
    """The sections without these briefs (empty sections stay: they name the quiet topics)."""
    return [
        (key, [brief for brief in briefs if brief.id not in brief_ids]) for key, briefs in sections
    ]


def digest_brief_ids(sections: Sequence[Section]) -> list[int]:
    """Every brief of the digest, once each, in the order the digest shows them."""
    return list(dict.fromkeys(brief.id for _, briefs in sections for brief in briefs))


async def _previous_brief_ids(session: AsyncSession, chat_id: int, local_date: date) -> set[int]:
    ids = await session.scalar(
        select(DigestRow.brief_ids)
        .where(DigestRow.chat_id == chat_id, DigestRow.local_date < local_date)
        .order_by(DigestRow.local_date.desc())
        .limit(1)
    )
    return set(ids or ())


async def _made_digests(
    session: AsyncSession, candidates: Sequence[DueDigest]
) -> set[tuple[int, date]]:
    made: set[tuple[int, date]] = set()
    for start in range(0, len(candidates), _ID_CHUNK):
        chunk = candidates[start : start + _ID_CHUNK]
        rows = await session.execute(
            select(DigestRow.chat_id, DigestRow.local_date).where(
                tuple_(DigestRow.chat_id, DigestRow.local_date).in_(
                    [(due.chat.id, due.local_date) for due in chunk]
                )
            )
        )
        made.update((chat_id, local_date) for chat_id, local_date in rows)
    return made
