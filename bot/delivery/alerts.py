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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.query import Query, QueryError, compile_query
from bot.delivery.digest import match_doc
from bot.domain import Brief, Chat, Topic
from bot.storage import chats as chat_store
from bot.storage import outbox
from bot.storage.briefs import to_brief
from bot.storage.chats import Watch
from bot.storage.models import BriefRow

log = logging.getLogger(__name__)

ALERT_MAX_AGE = timedelta(hours=24)
_ID_CHUNK = 500


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
    queued = 0
    for brief in briefs:
        for chat_id in await alert_chat_ids(session, brief, topics, watchers, now):
            if await outbox.queue_alert(session, chat_id, brief.id, now) is not None:
                queued += 1
    if queued:
        log.info("queued %d alerts for %d new briefs", queued, len(briefs))
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
