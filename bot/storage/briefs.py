"""Articles and the briefs made from them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Interval,
    Text,
    cast,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.text import fold
from bot.domain import Actor, ActorKind, Analysis, Article, Brief, SourceRef
from bot.storage.models import ArticleRow, BriefRow, BriefTopicRow, SourceRow


def to_brief(row: BriefRow) -> Brief:
    return Brief(
        id=row.id,
        title=row.title,
        event=row.event,
        actors=tuple(_actor(item) for item in row.actors or ()),
        implications=tuple(row.implications or ()),
        topics=tuple(row.topics or ()),
        language=row.language,
        primary=SourceRef(url=row.primary_url, outlet=row.primary_outlet),
        source_count=row.source_count,
        published_at=row.published_at,
    )


def _actor(item: dict[str, Any]) -> Actor:
    return Actor(
        name=item["name"],
        kind=ActorKind(item["kind"]),
        role=item.get("role"),
        description=item.get("description"),
        key=item.get("key"),
    )


def _actor_json(actor: Actor) -> dict[str, Any]:
    return {
        "name": actor.name,
        "kind": actor.kind.value,
        "role": actor.role,
        "description": actor.description,
        "key": actor.key,
    }


async def find_article(session: AsyncSession, source_id: int, identity: str) -> ArticleRow | None:
    return await session.scalar(
        select(ArticleRow).where(ArticleRow.source_id == source_id, ArticleRow.identity == identity)
    )


async def known_identities(
    session: AsyncSession, source_id: int, identities: Sequence[str]
) -> set[str]:
    if not identities:
        return set()
    rows = await session.scalars(
        select(ArticleRow.identity).where(
            ArticleRow.source_id == source_id, ArticleRow.identity.in_(list(identities))
        )
    )
    return set(rows)


async def save_article(
    session: AsyncSession,
    source_id: int,
    article: Article,
    fingerprint: str,
    language: str,
    now: datetime,
    existing: ArticleRow | None = None,
) -> ArticleRow:
    """Insert a new article, or refresh an existing one in place (an edit, not a duplicate)."""
    row = existing or ArticleRow(source_id=source_id, identity=article.identity, fetched_at=now)
    row.url, row.title, row.outlet = article.url, article.title, article.outlet
    row.summary, row.text = article.summary, article.text
    row.published_at, row.language, row.fingerprint = article.published_at, language, fingerprint
    if existing is None:
        session.add(row)
    await session.flush()
    return row


EVIDENCE_KEPT = 8  # reports per brief whose evidence is stored (the earliest ones)


async def create_brief(
    session: AsyncSession,
    article: Article,
    analysis: Analysis,
    signature: Sequence[int] | None,
    now: datetime,
    evidence: Mapping[str, Any] | None = None,
) -> int:
    """A new brief from its first report; `evidence` is that report's, as JSON."""
    row = BriefRow(
        source_count=1,
        signature=list(signature) if signature else None,
        evidence=[dict(evidence)] if evidence is not None else None,
        created_at=now,
    )
    _fill_brief(row, article, analysis, now)
    session.add(row)
    await session.flush()
    await _set_topics(session, row)
    return row.id


async def refresh_brief(
    session: AsyncSession,
    brief_id: int,
    article: Article,
    analysis: Analysis,
    now: datetime,
    previous_url: str | None,
) -> bool:
    """An article of this brief was edited; when it is the primary one, the brief follows it."""
    row = await session.get_one(BriefRow, brief_id)
    if row.primary_url != previous_url:
        return False
    _fill_brief(row, article, analysis, now)
    await session.flush()
    await _set_topics(session, row)
    return True


async def add_source_to_brief(
    session: AsyncSession,
    brief_id: int,
    article: Article,
    analysis: Analysis,
    now: datetime,
    evidence: Mapping[str, Any] | None = None,
) -> None:
    """Another outlet carried the same story: count it, widen the topics, keep its evidence
    (up to EVIDENCE_KEPT reports) and let the earliest report be the primary one."""
    row = await session.get_one(BriefRow, brief_id)
    kept = list(row.evidence or ())
    if evidence is not None and len(kept) < EVIDENCE_KEPT:
        row.evidence = [*kept, dict(evidence)]  # a new list: JSON columns track assignment only
    row.source_count = (
        await session.scalar(
            select(func.count()).select_from(ArticleRow).where(ArticleRow.brief_id == brief_id)
        )
        or 1
    )
    topics = list(dict.fromkeys([*row.topics, *analysis.topics]))
    earlier = article.published_at is not None and article.published_at < row.published_at
    if earlier:
        _fill_brief(row, article, analysis, now)
    changed = earlier or topics != row.topics
    row.topics = topics
    row.updated_at = now
    await session.flush()
    if changed:
        await _set_topics(session, row)


def _fill_brief(row: BriefRow, article: Article, analysis: Analysis, now: datetime) -> None:
    row.title = article.title
    row.event = analysis.event
    row.actors = [_actor_json(actor) for actor in analysis.actors]
    row.implications = list(analysis.implications)
    row.topics = list(analysis.topics)
    row.language = analysis.language
    row.primary_url, row.primary_outlet = article.url, article.outlet
    row.published_at = article.published_at or now
    row.updated_at = now
    row.search_text = search_text(row)


def search_text(row: BriefRow) -> str:
    """What full-text search looks at: headline, event, actors, implications, outlet — folded
    (case, accents) like the search terms, so `securite` finds "sécurité" on every backend."""
    actors = " ".join(f"{item['name']} {item.get('role') or ''}" for item in row.actors)
    return fold(
        " ".join([row.title, row.event, actors, *row.implications, row.primary_outlet or ""])
    )


async def _set_topics(session: AsyncSession, row: BriefRow) -> None:
    await session.execute(delete(BriefTopicRow).where(BriefTopicRow.brief_id == row.id))
    session.add_all(
        BriefTopicRow(brief_id=row.id, topic=topic, published_at=row.published_at)
        for topic in row.topics
    )
    await session.flush()


@dataclass(frozen=True, slots=True)
class RecentStory:
    """What clustering needs of a recent brief: its signature and its reports' evidence."""

    brief_id: int
    signature: list[int] | None
    evidence: list[dict[str, Any]]
    published_at: datetime


async def recent_stories(session: AsyncSession, since: datetime) -> list[RecentStory]:
    """Briefs published since `since` that carry a signature or evidence: two JSON columns of
    each, read once per ingest pass (a few hundred bytes of evidence per report)."""
    rows = await session.execute(
        select(BriefRow.id, BriefRow.signature, BriefRow.evidence, BriefRow.published_at).where(
            BriefRow.published_at >= since,
            or_(BriefRow.signature.is_not(None), BriefRow.evidence.is_not(None)),
        )
    )
    return [
        RecentStory(brief_id, signature, evidence or [], published)
        for brief_id, signature, evidence, published in rows
        if signature is not None or evidence
    ]


async def recent_signatures(
    session: AsyncSession, since: datetime
) -> list[tuple[int, list[int], datetime]]:
    """(id, signature, published) of the briefs published since `since` that have one."""
    return [
        (story.brief_id, story.signature, story.published_at)
        for story in await recent_stories(session, since)
        if story.signature is not None
    ]


async def get_brief(session: AsyncSession, brief_id: int) -> Brief | None:
    row = await session.get(BriefRow, brief_id)
    return to_brief(row) if row else None


async def latest_briefs(
    session: AsyncSession,
    topics: Sequence[str] | None = None,
    limit: int = 5,
    since: datetime | None = None,
) -> list[Brief]:
    """Newest first; restricted to `topics` when given, and to briefs published after `since`."""
    query = select(BriefRow)
    if topics is not None:
        query = query.where(_newest_in_topics(topics, limit))
    if since is not None:
        query = query.where(BriefRow.published_at > since)
    rows = await session.scalars(
        query.order_by(BriefRow.published_at.desc(), BriefRow.id.desc()).limit(limit)
    )
    return [to_brief(row) for row in rows]


def _newest_in_topics(topics: Sequence[str], depth: int) -> ColumnElement[bool]:
    """Filed under one of `topics` and among the newest `depth` briefs of that topic. For a query
    keeping the newest `depth` briefs this is the same as "filed under one of `topics`" (a brief
    among the newest `depth` of all of them is among the newest `depth` of each of its topics),
    but it reads only the head of each topic's index, not every brief ever filed under it.
    brief_topics.published_at is always the brief's own (`_set_topics`)."""
    heads = [
        select(BriefTopicRow.brief_id)
        .where(BriefTopicRow.topic == topic)
        .order_by(BriefTopicRow.published_at.desc(), BriefTopicRow.brief_id.desc())
        .limit(depth)
        .subquery()
        for topic in dict.fromkeys(topics)
    ]
    if not heads:
        return false()
    return BriefRow.id.in_(union_all(*(select(head.c.brief_id) for head in heads)))


async def brief_sources(session: AsyncSession, brief_id: int) -> list[SourceRef]:
    """Every outlet that carried this brief's story, earliest first."""
    rows = await session.execute(
        select(ArticleRow.url, ArticleRow.outlet)
        .where(ArticleRow.brief_id == brief_id)
        .order_by(ArticleRow.published_at, ArticleRow.id)
    )
    return [SourceRef(url=url, outlet=outlet) for url, outlet in rows]


async def count_briefs(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(BriefRow)) or 0


async def brief_page(
    session: AsyncSession, topics: Sequence[str] | None, limit: int, offset: int = 0
) -> list[Brief]:
    """One page of `latest_briefs`: newest first, `offset` briefs skipped."""
    query = select(BriefRow)
    if topics is not None:
        query = query.where(_newest_in_topics(topics, limit + offset))
    rows = await session.scalars(
        query.order_by(BriefRow.published_at.desc(), BriefRow.id.desc()).limit(limit).offset(offset)
    )
    return [to_brief(row) for row in rows]


@dataclass(frozen=True, slots=True)
class StoredBrief:
    """A brief and when briefbot first stored it: what decides the digest it belongs to."""

    brief: Brief
    created_at: datetime


async def briefs_stored_between(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    topics: Sequence[str] | None = None,
) -> list[StoredBrief]:
    """Briefs first stored at or after `start` and before `end`, whatever their publication date,
    newest published first; only those filed under one of `topics` when given. The window is
    half-open, so back-to-back windows hold every brief exactly once."""
    query = select(BriefRow).where(BriefRow.created_at >= start, BriefRow.created_at < end)
    if topics is not None:
        matching = select(BriefTopicRow.brief_id).where(BriefTopicRow.topic.in_(list(topics)))
        query = query.where(BriefRow.id.in_(matching))
    rows = await session.scalars(query.order_by(BriefRow.published_at.desc(), BriefRow.id.desc()))
    return [StoredBrief(to_brief(row), row.created_at) for row in rows]


async def backlog_stored_between(
    session: AsyncSession, start: datetime, end: datetime, age: timedelta
) -> list[StoredBrief]:
    """The briefs of `briefs_stored_between(start, end)` published more than `age` before they
    were stored."""
    rows = await session.scalars(
        select(BriefRow)
        .where(
            BriefRow.created_at >= start,
            BriefRow.created_at < end,
            _published_long_before_stored(session, age),
        )
        .order_by(BriefRow.published_at.desc(), BriefRow.id.desc())
    )
    return [StoredBrief(to_brief(row), row.created_at) for row in rows]


def _published_long_before_stored(session: AsyncSession, age: timedelta) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return BriefRow.published_at + literal(age, Interval()) < BriefRow.created_at
    days = age.total_seconds() / 86400  # SQLite keeps times as text: compare Julian days
    return func.julianday(BriefRow.published_at) < func.julianday(BriefRow.created_at) - days


async def first_pending_fetch(
    session: AsyncSession, now: datetime, lookback: timedelta
) -> datetime | None:
    """The earliest moment, within `lookback` before `now`, at which an enabled source fell due
    and has not been read since; None when there is none. Ingest stamps what a pass stores with
    the time the pass started, and a pass only reads sources already due then: briefs stamped
    before this moment are all committed, while a pass still running may yet add briefs
    stamped at or after it."""
    due_at = func.coalesce(SourceRow.next_fetch_at, SourceRow.created_at)
    return await session.scalar(
        select(func.min(due_at)).where(
            SourceRow.enabled.is_(True), due_at <= now, due_at > now - lookback
        )
    )


ACTOR_WEIGHTS = {
    ActorKind.PERSON: 3,
    ActorKind.ARMED_GROUP: 3,
    ActorKind.ORGANISATION: 3,
    ActorKind.INSTITUTION: 2,
    ActorKind.STATE: 1,
}
TOPIC_WEIGHT = 1
TOPIC_WINDOW = timedelta(days=7)  # a shared topic counts only this close in time
ACTOR_WINDOW = timedelta(days=30)  # how far related briefs are looked for at all
RELATED_CANDIDATES = 2000


@dataclass(frozen=True, slots=True)
class RelatedBrief:
    brief: Brief
    score: int
    actors: tuple[str, ...]  # the shared actors, as this brief names them
    topics: tuple[str, ...]  # the shared topics (slugs), when close enough in time


def relatedness(brief: Brief, other: Brief) -> RelatedBrief | None:
    """How strongly `other` relates to `brief`: shared actors (people, armed groups and
    organisations weigh more than states) and, within a week, shared topics. None: unrelated.
    Actors are the same by canonical key whatever the script ("خليفة حفتر" is Khalifa
    Haftar); actors outside the gazetteer by folded name."""
    weights = _actor_weights(brief)
    shared = [
        (actor.name, weights[identity])
        for actor in other.actors
        if (identity := actor_identity(actor.key, actor.name)) in weights
    ]
    topics = _shared_topics(brief, other.topics, other.published_at)
    score = sum(weight for _, weight in shared) + TOPIC_WEIGHT * len(topics)
    if score <= 0:
        return None
    return RelatedBrief(other, score, tuple(dict.fromkeys(name for name, _ in shared)), topics)


def actor_identity(key: str | None, name: str) -> str:
    """Who an actor is, for matching: its folded canonical key, else its folded name."""
    return fold(key or name)


def _actor_weights(brief: Brief) -> dict[str, int]:
    """What sharing each of this brief's actors is worth, by identity."""
    return {
        actor_identity(actor.key, actor.name): ACTOR_WEIGHTS[actor.kind] for actor in brief.actors
    }


def _shared_topics(brief: Brief, topics: Sequence[str], published_at: datetime) -> tuple[str, ...]:
    if abs(published_at - brief.published_at) > TOPIC_WINDOW:
        return ()
    return tuple(topic for topic in topics if topic in brief.topics)


async def related_briefs(session: AsyncSession, brief: Brief, limit: int = 5) -> list[RelatedBrief]:
    """Other briefs about the same actors or topics, best first (closest in time on a tie).
    Candidates are scored from their actors, topics and date alone, as `relatedness` scores
    them, reading their JSON here (topics only when within the topic window); only the best
    are loaded whole."""
    rows = await session.execute(
        select(
            BriefRow.id,
            cast(BriefRow.actors, Text),
            cast(BriefRow.topics, Text),
            BriefRow.published_at,
        )
        .where(
            BriefRow.id != brief.id,
            BriefRow.published_at >= brief.published_at - ACTOR_WINDOW,
            BriefRow.published_at <= brief.published_at + ACTOR_WINDOW,
        )
        .order_by(BriefRow.published_at.desc(), BriefRow.id.desc())
        .limit(RELATED_CANDIDATES)
    )
    weights = _actor_weights(brief)
    folded: dict[str, str] = {}  # the same actors recur across candidates: fold each one once
    ranked = []
    for brief_id, actors, topics, published_at in rows:
        distance = abs(published_at - brief.published_at)
        score = 0
        if distance <= TOPIC_WINDOW:
            shared = _shared_topics(brief, json.loads(topics) or (), published_at)
            score += TOPIC_WEIGHT * len(shared)
        for item in json.loads(actors) or ():
            written = item.get("key") or item["name"]
            identity = folded.get(written)
            if identity is None:
                identity = folded[written] = actor_identity(None, written)
            score += weights.get(identity, 0)
        if score > 0:
            ranked.append((-score, distance, -brief_id))
    best = [-brief_id for *_, brief_id in sorted(ranked)[:limit]]
    loaded = await session.scalars(select(BriefRow).where(BriefRow.id.in_(best)))
    others = {row.id: to_brief(row) for row in loaded}
    return [
        found for brief_id in best if (found := relatedness(brief, others[brief_id])) is not None
    ]


async def prune_article_text(session: AsyncSession, before: datetime) -> int:
    """Drop the stored text of articles fetched before `before`; the rows stay, so a feed that
    still lists an old item does not bring it back as new, and briefs keep their sources."""
    result = await session.execute(
        update(ArticleRow)
        .where(ArticleRow.fetched_at < before, or_(ArticleRow.text != "", ArticleRow.summary != ""))
        .values(text="", summary="")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
