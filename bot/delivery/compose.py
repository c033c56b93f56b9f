"""What a claimed delivery says: an alert is one brief card under an "Alert · Topic" heading; a
digest is the briefs its sweep chose (stored in the digest row, in order), grouped by topic and
worded by the same functions as when it was made (`bot.delivery.digest`), from the stored briefs
and the backlog of its window, so its counts and quiet topics say what it lists.

`load_batch` reads everything a batch of claims needs in a few queries; `compose` is pure and
turns one claim into a `Message`, or into `Unsendable` when it can never go out (the chat is
inactive, its brief or digest is gone) — the worker marks that delivery failed with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.query import QueryError, compile_query
from bot.chat import Emphasis, Reply, Text
from bot.delivery.digest import (
    BACKLOG_AGE,
    Section,
    assemble_digest,
    brief_card,
    digest_reply,
    digest_window,
    follows_of,
    match_doc,
    watch_label,
)
from bot.domain import Brief, DeliveryKind, Subscription, Topic
from bot.storage.briefs import StoredBrief, backlog_stored_between, to_brief
from bot.storage.chats import DigestRecord, Watch, digest_records
from bot.storage.models import BriefRow, ChatRow, SubscriptionRow, WatchRow
from bot.storage.outbox import ClaimedDelivery

ALERT = "Alert"


@dataclass(frozen=True, slots=True)
class Message:
    platform: str
    chat_external_id: str
    reply: Reply
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class Unsendable:
    reason: str


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    platform: str
    external_id: str
    timezone: str
    active: bool


@dataclass
class BatchData:
    chats: dict[int, Recipient] = field(default_factory=dict)
    subscriptions: dict[int, list[Subscription]] = field(default_factory=dict)
    watches: dict[int, list[Watch]] = field(default_factory=dict)
    briefs: dict[int, Brief] = field(default_factory=dict)
    stored_at: dict[int, datetime] = field(default_factory=dict)  # each brief's created_at
    digests: dict[int, DigestRecord] = field(default_factory=dict)
    old_briefs: list[StoredBrief] = field(default_factory=list)  # backlog of the digests' windows


async def load_batch(session: AsyncSession, claims: Sequence[ClaimedDelivery]) -> BatchData:
    """Everything composing these claims needs, in five queries, six with digests (plain rows,
    no ORM objects: this runs for every batch)."""
    data = BatchData()
    chat_ids = sorted({claim.chat_id for claim in claims})
    if not chat_ids:
        return data
    chats = await session.execute(
        select(
            ChatRow.id, ChatRow.platform, ChatRow.external_id, ChatRow.timezone, ChatRow.active
        ).where(ChatRow.id.in_(chat_ids))
    )
    data.chats = {row[0]: Recipient(*row) for row in chats}
    subscriptions = await session.execute(
        select(
            SubscriptionRow.chat_id,
            SubscriptionRow.topic,
            SubscriptionRow.alerts,
            SubscriptionRow.muted_until,
            SubscriptionRow.thread_id,
        )
        .where(SubscriptionRow.chat_id.in_(chat_ids))
        .order_by(SubscriptionRow.id)
    )
    for sub in subscriptions:
        data.subscriptions.setdefault(sub[0], []).append(Subscription(*sub))
    watches = await session.execute(
        select(
            WatchRow.id, WatchRow.chat_id, WatchRow.query, WatchRow.created_by, WatchRow.created_at
        )
        .where(WatchRow.chat_id.in_(chat_ids))
        .order_by(WatchRow.id)
    )
    for watch in watches:
        data.watches.setdefault(watch[1], []).append(Watch(*watch))
    digest_ids = sorted({claim.digest_id for claim in claims if claim.digest_id is not None})
    if digest_ids:
        await _load_digests(session, digest_ids, data)
    brief_ids = {claim.brief_id for claim in claims if claim.brief_id is not None}
    for digest in data.digests.values():
        brief_ids.update(digest.brief_ids)
    if brief_ids:
        rows = await session.scalars(select(BriefRow).where(BriefRow.id.in_(sorted(brief_ids))))
        for row in rows:
            data.briefs[row.id] = to_brief(row)
            data.stored_at[row.id] = row.created_at
    return data


async def _load_digests(session: AsyncSession, digest_ids: Sequence[int], data: BatchData) -> None:
    """The digests, and the backlog stored within any of their windows: rarely more than a few
    briefs, and what a digest counts as left out."""
    data.digests = {record.id: record for record in await digest_records(session, digest_ids)}
    windows = [digest_window(d.previous_at, d.created_at) for d in data.digests.values()]
    if windows:
        start = min(window.start for window in windows)
        end = max(window.end for window in windows)
        data.old_briefs = await backlog_stored_between(session, start, end, BACKLOG_AGE)


def compose(
    claim: ClaimedDelivery, data: BatchData, topics: Mapping[str, Topic]
) -> Message | Unsendable:
    chat = data.chats.get(claim.chat_id)
    if chat is None:
        return Unsendable("chat no longer stored")
    if not chat.active:
        return Unsendable("chat inactive")
    topic_names = {slug: topic.name for slug, topic in topics.items()}
    subscriptions = data.subscriptions.get(chat.id, [])
    watches = data.watches.get(chat.id, [])
    if claim.kind is DeliveryKind.ALERT:
        brief = data.briefs.get(claim.brief_id or 0)
        if brief is None:
            return Unsendable("brief no longer stored")
        reply, thread_id = alert_reply(brief, subscriptions, watches, topic_names)
        return Message(chat.platform, chat.external_id, reply, thread_id)
    digest = data.digests.get(claim.digest_id or 0)
    if digest is None:
        return Unsendable("digest no longer stored")
    window = digest_window(digest.previous_at, digest.created_at)
    listed = [
        StoredBrief(data.briefs[i], data.stored_at[i]) for i in digest.brief_ids if i in data.briefs
    ]
    old = [s for s in data.old_briefs if window.start <= s.created_at < window.end]
    follows = follows_of(subscriptions, watches, topics, digest.created_at)
    made = assemble_digest([*listed, *old], follows, keep=digest.brief_ids)
    reply = digest_reply(made, window, topic_names, chat.timezone)
    return Message(chat.platform, chat.external_id, reply)


def alert_label(
    brief: Brief,
    subscriptions: Sequence[Subscription],
    watches: Sequence[Watch],
    topic_names: Mapping[str, str],
) -> tuple[str, str | None]:
    """Why the chat hears of this brief, and the thread its subscription posts to: the first of
    the brief's topics the chat follows, else the first watch it matches, else its first topic."""
    followed = {sub.topic: sub for sub in subscriptions}
    for slug in brief.topics:
        if slug in followed:
            return topic_names.get(slug, slug), followed[slug].thread_id
    doc = match_doc(brief) if watches else None
    for watch in watches:
        try:
            if doc is not None and compile_query(watch.query).matches(doc):
                return watch_label(watch.id, watch.query), None
        except QueryError:
            continue
    if brief.topics:
        return topic_names.get(brief.topics[0], brief.topics[0]), None
    return "", None


def alert_reply(
    brief: Brief,
    subscriptions: Sequence[Subscription],
    watches: Sequence[Watch],
    topic_names: Mapping[str, str],
) -> tuple[Reply, str | None]:
    label, thread_id = alert_label(brief, subscriptions, watches, topic_names)
    heading = Text(f"{ALERT} · {label}" if label else ALERT, Emphasis.HEADING)
    return Reply(parts=(heading, brief_card(brief, topic_names)), brief_id=brief.id), thread_id


def digest_sections(
    briefs: Sequence[Brief],
    subscriptions: Sequence[Subscription],
    watches: Sequence[Watch],
    topics: Mapping[str, Topic],
    at: datetime,
) -> list[Section]:
    """A stored digest's sections (`assemble_digest` with every brief kept): each unmuted
    subscribed topic on offer (catalogue order, quiet ones included), then each watch; every
    stored brief once, in the stored order, under its first followed topic, else its first
    matching watch, else its own first topic (the chat stopped following it since: a queued
    brief is never dropped)."""
    follows = follows_of(subscriptions, watches, topics, at)
    stored = [StoredBrief(brief, at) for brief in briefs]
    return list(assemble_digest(stored, follows, keep=[b.id for b in briefs]).sections)
