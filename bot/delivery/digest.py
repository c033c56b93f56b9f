"""A chat's digest: what is new on its topics and watches since its previous digest.

`collect_digest` reads storage; `build_digest` is pure and turns the sections into a Reply. The
`digest` command shows a digest on demand without moving the chat's `last_digest_at`; only the
scheduled digest does that, so asking early never makes the daily one skip anything.

"New" means stored by briefbot after the previous digest (a story a feed surfaced late still
counts), unless it was published more than a day before that: a feed's old items are old news.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.query import MatchDoc, QueryError, compile_query
from bot.analysis.topics import topic_sort_key
from bot.chat import Button, Card, Emphasis, Part, Reply, Text
from bot.domain import Brief, Subscription, Topic
from bot.storage import briefs as brief_store
from bot.storage import chats as chat_store
from bot.storage.models import ChatRow, WatchRow

log = logging.getLogger(__name__)

DIGEST_CAP = 5  # briefs shown per topic; the rest are counted, with the command to see them
LIST_MAX = 10  # the most briefs one `/brief` page shows
FIRST_DIGEST_WINDOW = timedelta(hours=24)
STALE_AFTER = timedelta(days=1)
WATCH_PREFIX = "Watch "
_IDS_LISTED = 10

Section = tuple[str, list[Brief]]  # a topic slug or a watch label, and its briefs, newest first


def brief_buttons(brief: Brief, topic_names: Mapping[str, str]) -> tuple[Button, ...]:
    """More, Source, Related, and Mute for the brief's first topic."""
    buttons = [
        Button("More", "more", (brief.code,)),
        Button("Source", "source", (brief.code,)),
        Button("Related", "related", (brief.code,)),
    ]
    if brief.topics:
        first = brief.topics[0]
        buttons.append(Button(f"Mute {topic_names.get(first, first)}", "mute", (first,)))
    return tuple(buttons)


def brief_card(brief: Brief, topic_names: Mapping[str, str]) -> Card:
    names = tuple(topic_names.get(slug, slug) for slug in brief.topics)
    return Card(brief, topic_names=names, buttons=brief_buttons(brief, topic_names))


def is_muted(subscription: Subscription, now: datetime) -> bool:
    return subscription.muted_until is not None and subscription.muted_until > now


def watch_label(watch_id: int, query: str) -> str:
    """`Watch W3: wagner OR "africa corps"`: how a watch's section is headed."""
    shown = " ".join(query.split())
    return f"{WATCH_PREFIX}W{watch_id}: {shown[:60]}{'…' * (len(shown) > 60)}"


def match_doc(brief: Brief) -> MatchDoc:
    """What a watch is matched against: the headline, then the event and the implications."""
    return MatchDoc.build(brief.title, brief.event + " " + " ".join(brief.implications))


def watch_matches(query: str, brief: Brief) -> bool:
    """Whether a watch's query holds for a brief; QueryError when the query does not parse."""
    return compile_query(query).matches(match_doc(brief))


async def digest_start(session: AsyncSession, chat_id: int, now: datetime) -> datetime:
    """Where this chat's next digest starts: its previous digest, else 24 hours ago."""
    previous = await session.scalar(select(ChatRow.last_digest_at).where(ChatRow.id == chat_id))
    return previous or now - FIRST_DIGEST_WINDOW


async def collect_digest(
    session: AsyncSession,
    chat_id: int,
    since: datetime,
    now: datetime,
    topics: Mapping[str, Topic],
) -> list[Section]:
    """One section per unmuted subscribed topic still on offer (in the catalogue's order), then
    one per watch; a brief appears once, in the first section it matches. Empty sections are
    kept, so the digest can say which topics were quiet."""
    subscribed = [
        sub.topic
        for sub in await chat_store.subscriptions(session, chat_id)
        if sub.topic in topics and not is_muted(sub, now)
    ]
    slugs = sorted(dict.fromkeys(subscribed), key=topic_sort_key)
    watches = list(
        await session.execute(
            select(WatchRow.id, WatchRow.query)
            .where(WatchRow.chat_id == chat_id)
            .order_by(WatchRow.id)
        )
    )
    if not slugs and not watches:
        return []
    candidates = await brief_store.briefs_since(
        session,
        since,
        now,
        topics=None if watches else slugs,
        published_after=since - STALE_AFTER,
    )
    seen: set[int] = set()
    sections: list[Section] = []
    for slug in slugs:
        found = [b for b in candidates if slug in b.topics and b.id not in seen]
        seen.update(brief.id for brief in found)
        sections.append((slug, found))
    docs: dict[int, MatchDoc] = {}

    def doc(brief: Brief) -> MatchDoc:
        if brief.id not in docs:
            docs[brief.id] = match_doc(brief)
        return docs[brief.id]

    for watch_id, query in watches:
        try:
            compiled = compile_query(query)
        except QueryError:
            log.warning("watch W%s of chat %s does not parse; left out", watch_id, chat_id)
            continue
        found = [b for b in candidates if b.id not in seen and compiled.matches(doc(b))]
        seen.update(brief.id for brief in found)
        sections.append((watch_label(watch_id, query), found))
    return sections


def zone_of(name: str) -> tzinfo:
    """The chat's zone; UTC when the name is not a known zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def since_phrase(since: datetime, now: datetime, zone: str) -> str:
    """`08:00 yesterday`, `14:30 today`, `08:00 on Mon 8 Dec`: a start as the chat reads it."""
    local_since = since.astimezone(zone_of(zone))
    days = (now.astimezone(zone_of(zone)).date() - local_since.date()).days
    clock = f"{local_since:%H:%M}"
    if days == 0:
        return f"{clock} today"
    if days == 1:
        return f"{clock} yesterday"
    year = "" if local_since.year == now.astimezone(zone_of(zone)).year else f" {local_since.year}"
    return f"{clock} on {local_since:%a} {local_since.day} {local_since:%b}{year}"


def has_news(sections: Sequence[Section]) -> bool:
    """Whether a digest has any brief (the delivery stage may skip an empty one)."""
    return any(briefs for _, briefs in sections)


def _more_line(key: str, rest: Sequence[Brief], cap: int, topic_names: Mapping[str, str]) -> str:
    if key in topic_names:
        return f"and {len(rest)} more — /brief {key} {min(cap + len(rest), LIST_MAX)}"
    codes = ", ".join(brief.code for brief in rest[:_IDS_LISTED])
    ellipsis = ", …" if len(rest) > _IDS_LISTED else ""
    return f"and {len(rest)} more: {codes}{ellipsis} — /more ID shows one"


def build_digest(
    sections: Sequence[Section],
    topic_names: Mapping[str, str],
    cap: int = DIGEST_CAP,
    since: str = "the last digest",
) -> Reply:
    """The digest as a Reply: a count, then each section with news under its heading (at most
    `cap` cards, then how many more and how to see them), then which topics were quiet. With no
    news at all: one short line."""
    shown: set[int] = set()
    body: list[Part] = []
    quiet: list[str] = []
    cards: list[Card] = []
    total = 0
    for key, briefs in sections:
        fresh = [brief for brief in briefs if brief.id not in shown]
        shown.update(brief.id for brief in fresh)
        name = topic_names.get(key, key)
        if not fresh:
            quiet.append(name)
            continue
        total += len(fresh)
        body.append(Text(f"{name} — {len(fresh)} new", Emphasis.HEADING))
        section_cards = [brief_card(brief, topic_names) for brief in fresh[:cap]]
        cards.extend(section_cards)
        body.extend(section_cards)
        if len(fresh) > cap:
            body.append(Text(_more_line(key, fresh[cap:], cap, topic_names), Emphasis.NOTE))
    if not total:
        return Reply.text(f"Nothing new on your topics since {since}.")
    counted = f"{total} new brief{'s' * (total != 1)}"
    parts: list[Part] = [Text(f"Your digest: {counted} since {since}."), *body]
    if quiet:
        parts.append(Text(f"Nothing new on {', '.join(quiet)}.", Emphasis.NOTE))
    return Reply(parts=tuple(parts), brief_id=cards[0].brief.id if len(cards) == 1 else None)
