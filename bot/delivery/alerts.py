"""Alerts: each new brief, queued at once for every chat that asked to hear about it.

The ingest pass collects the ids of the briefs it *created* (a report that joined an existing
story adds a source to that brief and never alerts again) and, after the pass, calls

    async with sessions() as session, session.begin():
        await queue_alerts(session, report.new_brief_ids, topics, now)

Who hears about a brief:
- chats subscribed to one of its topics (still in the catalogue), where the chat is active, not
  paused, has alerts on, and that subscription has alerts on and is not muted at `now`;
- chats with a watch whose query matches the brief (the query is read as in the digest), where the
  chat is active, not paused and has alerts on. A watch is the chat's own explicit interest, so it
  alerts even when the brief's topic is muted or has alerts off in that chat.

A brief published more than `ALERT_MAX_AGE` before `now` never alerts: a new feed's backlog, or an
old story a feed surfaces late, goes to the digest and `/brief` instead of flooding chats.

One delivery row per (chat, brief, alert) — the outbox's unique key — so calling this twice for
the same briefs (a retried pass, two processes) queues nothing twice.

Quiet hours (`/quiet 22:00-07:00`, on the chat's clock, possibly across midnight): an alert
queued while its chat is quiet is held (`bot.storage.held`) until the quiet period ends —
`quiet_end`, worked out with zoneinfo on the right local day, so a night when the clocks change
is an hour shorter or longer. When it ends, the outbox worker claims all the chat's held alerts
at once and sends them as one message (`merge_held`): "While you were quiet: 5 alerts", then
the briefs under their alert headings, each brief once. Digests keep their own time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.query import Query, QueryError, compile_query
from bot.chat import Emphasis, Part, Reply, Text
from bot.delivery.compose import ALERT, Message
from bot.delivery.digest import match_doc
from bot.domain import Brief, Chat, Topic
from bot.storage import chats as chat_store
from bot.storage import held as held_store
from bot.storage import outbox
from bot.storage.briefs import to_brief
from bot.storage.chats import QuietHours, Watch
from bot.storage.models import BriefRow

log = logging.getLogger(__name__)

ALERT_MAX_AGE = timedelta(hours=24)
HELD_PER_MESSAGE = 10  # briefs in one "While you were quiet" message; more make numbered parts
WHILE_QUIET = "While you were quiet"
_ID_CHUNK = 500
_Claim = TypeVar("_Claim")


async def queue_alerts(
    session: AsyncSession,
    brief_ids: Sequence[int],
    topics: Mapping[str, Topic],
    now: datetime,
) -> int:
    """Queue an alert per (chat, brief) for these newly created briefs; returns how many rows
    were queued now (those already queued before are not counted)."""
    briefs = [brief for brief in await _load_briefs(session, brief_ids) if is_fresh(brief, now)]
    if not briefs:
        return 0
    watchers = _compiled_watches(await chat_store.alert_watches(session))
    plan = [
        (brief, await alert_chat_ids(session, brief, topics, watchers, now)) for brief in briefs
    ]
    quiet = await chat_store.quiet_hours_of(session, {i for _, ids in plan for i in ids})
    until = {chat_id: quiet_end(hours, now) for chat_id, hours in quiet.items()}
    queued = held = 0
    for brief, chat_ids in plan:
        for chat_id in chat_ids:
            end = until.get(chat_id)
            if end is None:
                row = await outbox.queue_alert(session, chat_id, brief.id, now)
            else:
                row = await held_store.hold_alert(session, chat_id, brief.id, now, end)
                held += row is not None
            queued += row is not None
    if queued:
        log.info(
            "queued %d alerts for %d new briefs (%d held for quiet hours)",
            queued,
            len(briefs),
            held,
        )
    return queued


def is_fresh(brief: Brief, now: datetime) -> bool:
    """Whether a brief is recent enough to alert about."""
    return brief.published_at >= now - ALERT_MAX_AGE


async def alert_chat_ids(
    session: AsyncSession,
    brief: Brief,
    topics: Mapping[str, Topic],
    watchers: Sequence[tuple[int, Query]],
    now: datetime,
) -> list[int]:
    """The chats that hear about this brief, each once, subscribers first, in chat id order."""
    offered = [slug for slug in brief.topics if slug in topics]
    chat_ids = dict.fromkeys(
        chat.id for chat, _ in await chat_store.alert_subscriptions(session, offered, now)
    )
    if watchers:
        doc = match_doc(brief)
        chat_ids.update(
            (chat_id, None)
            for chat_id, query in watchers
            if chat_id not in chat_ids and query.matches(doc)
        )
    return list(chat_ids)


def _compiled_watches(watches: Sequence[tuple[Chat, Watch]]) -> list[tuple[int, Query]]:
    compiled: list[tuple[int, Query]] = []
    for _, watch in watches:
        try:
            compiled.append((watch.chat_id, compile_query(watch.query)))
        except QueryError:
            log.warning("watch W%s of chat %s does not parse; left out", watch.id, watch.chat_id)
    return compiled


async def _load_briefs(session: AsyncSession, brief_ids: Sequence[int]) -> list[Brief]:
    unique = sorted(set(brief_ids))
    found: list[Brief] = []
    for start in range(0, len(unique), _ID_CHUNK):
        chunk = unique[start : start + _ID_CHUNK]
        rows = await session.scalars(
            select(BriefRow).where(BriefRow.id.in_(chunk)).order_by(BriefRow.id)
        )
        found.extend(to_brief(row) for row in rows)
    return found


# ----------------------------------------------------------------------------- quiet hours


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`; UTC when this system does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def wall_clock(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The first moment (UTC) the zone's clocks read `clock` on `day`. An hour the clocks go
    through twice (autumn) counts from its first time; in an hour they skip (spring), the
    first moment they read later than `clock` is the jump itself."""
    local = datetime.combine(day, clock, tzinfo=zone)  # fold 0: the first of two readings
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return moment
    after_jump = local.replace(fold=1).astimezone(UTC)  # read with the offset after the jump
    return _offset_change(min(moment, after_jump), max(moment, after_jump), zone)


def _offset_change(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The moment, to the second, between `before` and `after` when the zone's offset changes."""
    offset = before.astimezone(zone).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            before = middle
        else:
            after = middle
    return after.replace(microsecond=0)


def quiet_end(hours: QuietHours, now: datetime) -> datetime | None:
    """When the quiet period `now` falls in ends (UTC); None when `now` is not in quiet hours.
    The start is in the period, the end is not; a period whose end comes before its start on
    the clock crosses midnight."""
    if hours.start == hours.end:
        return None
    zone = zone_named(hours.timezone)
    today = now.astimezone(zone).date()
    for day in (today - timedelta(days=1), today):
        start = wall_clock(day, hours.start, zone)
        end_day = day if hours.end > hours.start else day + timedelta(days=1)
        end = wall_clock(end_day, hours.end, zone)
        if start <= now < end:
            return end
    return None


def merge_held(
    alerts: Sequence[tuple[_Claim, Message]], per_message: int = HELD_PER_MESSAGE
) -> list[tuple[list[_Claim], Message]]:
    """A chat's held alerts (each composed as it would have gone alone) as few messages: one
    per thread they post to, in the order of their first alert, at most `per_message` briefs
    each (a longer run is cut into numbered parts). Each message with the claims it carries."""
    by_thread: dict[str | None, list[tuple[_Claim, Message]]] = {}
    for claim, message in alerts:
        by_thread.setdefault(message.thread_id, []).append((claim, message))
    merged: list[tuple[list[_Claim], Message]] = []
    for items in by_thread.values():
        chunks = [items[start : start + per_message] for start in range(0, len(items), per_message)]
        for number, chunk in enumerate(chunks, 1):
            first = chunk[0][1]
            reply = held_reply(
                [message.reply for _, message in chunk], len(items), number, len(chunks)
            )
            claims = [claim for claim, _ in chunk]
            merged.append(
                (claims, Message(first.platform, first.chat_external_id, reply, first.thread_id))
            )
    return merged


def held_reply(alerts: Sequence[Reply], total: int, part: int = 1, parts: int = 1) -> Reply:
    """`While you were quiet: 5 alerts.`, then the alerts' briefs under their headings
    (`Alert · Tunisia`), each heading once, in the order it first came."""
    sections: dict[str, list[Part]] = {}
    for alert in alerts:
        headings = [
            p for p in alert.parts if isinstance(p, Text) and p.emphasis is Emphasis.HEADING
        ]
        heading = headings[0].text if headings else ALERT
        sections.setdefault(heading, []).extend(p for p in alert.parts if p not in headings)
    lead = f"{WHILE_QUIET}: {total} alert{'s' * (total != 1)}"
    if parts > 1:
        lead += f" ({part}/{parts})"
    body: list[Part] = [Text(f"{lead}.")]
    for heading, shown in sections.items():
        body += [Text(heading, Emphasis.HEADING), *shown]
    ids = [alert.brief_id for alert in alerts if alert.brief_id is not None]
    return Reply(parts=tuple(body), brief_id=ids[0] if len(ids) == 1 else None)
