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

What a digest holds: the briefs first stored in its window (`bot.delivery.digest`), which starts
where the chat's previous digest ended and ends when this one is made — recorded as the digest
row's `created_at` and the chat's `last_digest_at`, all in the same transaction as the delivery.
Ingest stamps a pass's briefs with the time the pass started but commits them source by source,
so a sweep can run while a pass stamped before it is still storing. The window's end therefore
stops short of the earliest moment an enabled source fell due and has not been read since
(looking back `SETTLE_LOOKBACK`): a pass that may still be storing stamps everything at or after
that moment, so its briefs all go into the next digest together, and everything stamped before
it is already committed. No brief is in two digests or in none.

A day with nothing new: the digest row is queued with no briefs when the chat wants the short line
(`empty_digest_line`), else recorded without a delivery, so it is not reconsidered every minute.
A chat with no topic and no watch is treated the same as a quiet day for a chat without the line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.digest import collect_digest, digest_window, zone_of
from bot.domain import Chat, Topic
from bot.storage import briefs as brief_store
from bot.storage import chats as chat_store
from bot.storage import outbox

log = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=2)
# How long a source may have been due, unread, and still hold a digest's end back: longer than
# an ingest pass and the wait for it; a source stuck for longer no longer does.
SETTLE_LOOKBACK = timedelta(hours=6)
SWEEP_LIMIT = 500  # digests made per sweep; the rest wait for the next minute


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
    made = await chat_store.made_digests(
        session, [(due.chat.id, due.local_date) for due in candidates]
    )
    return [due for due in candidates if (due.chat.id, due.local_date) not in made]


async def window_end(session: AsyncSession, now: datetime) -> datetime:
    """Where digests made at `now` end: `now`, or the moment a source fell due and has not
    been read since, when that is earlier (see the module's docstring)."""
    pending = await brief_store.first_pending_fetch(session, now, SETTLE_LOOKBACK)
    return now if pending is None else min(now, pending)


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
    due = (await due_digests(session, now))[:limit]
    if not due:
        return 0
    end = await window_end(session, now)
    queued = 0
    for one in due:
        try:
            if await make_digest(session, one, topics, now, end):
                queued += 1
        except SQLAlchemyError:
            raise
        except Exception:
            log.exception(
                "digest of chat %s for %s failed; retried next sweep", one.chat.id, one.local_date
            )
    if queued:
        log.info("digest sweep queued %d digests", queued)
    return queued


async def make_digest(
    session: AsyncSession,
    due: DueDigest,
    topics: Mapping[str, Topic],
    now: datetime,
    end: datetime,
) -> bool:
    """Record one chat's digest for its local date, its window ending at `end`; True when it
    was queued for delivery, False when there was nothing to send or another sweep made it
    first."""
    chat_id = due.chat.id
    window = digest_window(due.last_digest_at, end)
    digest = await collect_digest(session, chat_id, window, topics, now)
    brief_ids = [] if digest is None else [brief.id for brief in digest.briefs]
    send = digest is not None and (bool(brief_ids) or due.chat.empty_digest_line)
    if send:
        made = await outbox.queue_digest(session, chat_id, due.local_date, brief_ids, window.end)
    else:
        made = await chat_store.record_unsent_digest(session, chat_id, due.local_date, window.end)
    if made is None:
        return False
    await chat_store.set_last_digest_at(session, chat_id, window.end)
    return send
