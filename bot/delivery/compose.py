"""What a claimed delivery says: an alert is one brief card under an "Alert · Topic" heading; a
digest is the briefs its sweep chose (stored in the digest row), grouped by topic.

`load_batch` reads everything a batch of claims needs in a few queries; `compose` is pure and
turns one claim into a `Message`, or into `Unsendable` when it can never go out (the chat is
inactive, its brief or digest is gone) — the worker marks that delivery failed with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.query import QueryError, compile_query
from bot.analysis.topics import topic_sort_key
from bot.chat import Emphasis, Reply, Text
from bot.delivery.digest import (
    FIRST_DIGEST_WINDOW,
    Section,
    brief_card,
    build_digest,
    is_muted,
    match_doc,
    since_phrase,
    watch_label,
)
from bot.domain import Brief, DeliveryKind, Subscription, Topic
from bot.storage.briefs import to_brief
from bot.storage.chats import Watch
from bot.storage.models import BriefRow, ChatRow, DigestRow, SubscriptionRow, WatchRow
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
class StoredDigest:
    id: int
    chat_id: int
    brief_ids: tuple[int, ...]  # in the order the sweep chose
    created_at: datetime
    previous_at: datetime | None  # when the chat's previous digest was queued


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
    digests: dict[int, StoredDigest] = field(default_factory=dict)


async def load_batch(session: AsyncSession, claims: Sequence[ClaimedDelivery]) -> BatchData:
    """Everything composing these claims needs, in five queries (plain rows, no ORM objects:
    this runs for every batch)."""
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
        data.briefs = {row.id: to_brief(row) for row in rows}
    return data


async def _load_digests(session: AsyncSession, digest_ids: Sequence[int], data: BatchData) -> None:
    earlier = DigestRow.__table__.alias("earlier")
    previous = (
        select(func.max(earlier.c.created_at))
        .where(earlier.c.chat_id == DigestRow.chat_id, earlier.c.local_date < DigestRow.local_date)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            DigestRow.id, DigestRow.chat_id, DigestRow.brief_ids, DigestRow.created_at, previous
        ).where(DigestRow.id.in_(digest_ids))
    )
    for digest_id, chat_id, brief_ids, created_at, previous_at in rows:
        stored = tuple(int(brief_id) for brief_id in brief_ids or ())
        data.digests[digest_id] = StoredDigest(digest_id, chat_id, stored, created_at, previous_at)


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
    briefs = [data.briefs[i] for i in digest.brief_ids if i in data.briefs]
    sections = digest_sections(briefs, subscriptions, watches, topics, digest.created_at)
    since = digest.previous_at or digest.created_at - FIRST_DIGEST_WINDOW
    phrase = since_phrase(since, digest.created_at, chat.timezone)
    return Message(
        chat.platform, chat.external_id, build_digest(sections, topic_names, since=phrase)
    )


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
    """The digest's sections, as `collect_digest` makes them: each unmuted subscribed topic on
    offer (catalogue order, quiet ones included), then each watch; every stored brief in the
    first section it fits, in the stored order. A brief that fits none (the chat unsubscribed
    since) goes under its own first topic: a queued brief is never dropped."""
    slugs = sorted(
        {sub.topic for sub in subscriptions if sub.topic in topics and not is_muted(sub, at)},
        key=topic_sort_key,
    )
    sections: dict[str, list[Brief]] = {slug: [] for slug in slugs}
    queries = []
    for watch in watches:
        try:
            queries.append((watch_label(watch.id, watch.query), compile_query(watch.query)))
        except QueryError:
            continue
    for label, _ in queries:
        sections.setdefault(label, [])
    for brief in briefs:
        key = next((slug for slug in slugs if slug in brief.topics), None)
        if key is None and queries:
            doc = match_doc(brief)
            key = next((label for label, query in queries if query.matches(doc)), None)
        if key is None:
            key = brief.topics[0] if brief.topics else "Other"
        sections.setdefault(key, []).append(brief)
    return list(sections.items())
