"""A chat's digest: the briefs first stored since its previous digest, on its topics and watches.

The window. A digest covers the briefs whose `created_at` (when briefbot first stored them,
whatever their publication date) is at or after the window's start and before its end. Windows
are half-open and each starts where the chat's previous one ended, so every brief falls in
exactly one digest: a brief stored at the very instant a digest ends opens the next one.
- The end: when the digest is made — the scheduled one's is recorded as its digest row's
  `created_at` and the chat's `last_digest_at` (`sweep` explains why it can be a little earlier
  than the sweep's clock); `/digest` ends at the moment it is asked.
- The start: where the chat's previous digest ended. A chat's first digest covers the 24 hours
  before its end; a digest never reaches back more than `LONGEST_WINDOW` (it says so).
- Backlog: a brief published more than `BACKLOG_AGE` before it was stored — a new source's or a
  late feed's old items — is left out, and the digest says how many of the chat's were.

`/digest` shows the chat's digest as it would be if made now, with the same window; it moves
nothing, so asking early never makes the scheduled one skip anything.

One query, then two pure steps: `assemble_digest` picks and groups the window's briefs for what
the chat follows, `digest_reply` words it. Every count, "nothing new on …" and "and N more" is
computed from what the digest lists.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.query import MatchDoc, Query, QueryError, compile_query
from bot.analysis.topics import topic_sort_key
from bot.chat import Button, Card, Emphasis, Part, Reply, Text
from bot.domain import Brief, Subscription, Topic
from bot.storage import briefs as brief_store
from bot.storage import chats as chat_store
from bot.storage.briefs import StoredBrief
from bot.storage.chats import Watch

log = logging.getLogger(__name__)

DIGEST_CAP = 5  # briefs shown per topic; the rest are counted, with the command to see them
LIST_MAX = 10  # the most briefs one `/brief` page shows
FIRST_WINDOW = timedelta(hours=24)
LONGEST_WINDOW = timedelta(days=7)
BACKLOG_AGE = timedelta(days=2)
# Longer than a day's window can be when every digest goes out (a DST day, a late sweep): the
# digest then says how long it has been since the previous one.
LONG_GAP = timedelta(hours=30)
WATCH_PREFIX = "Watch "
OTHER = "Other"
_IDS_LISTED = 10

Section = tuple[str, list[Brief]]  # a topic slug or a watch label, and its briefs


# ----------------------------------------------------------------------------- cards, watches


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


# ----------------------------------------------------------------------------- the window


@dataclass(frozen=True, slots=True)
class DigestWindow:
    """Briefs first stored at or after `start` and before `end`. `previous` is where the chat's
    previous digest ended (None: it has had none); `start` is that, unless the digest is the
    chat's first or the previous one is more than `LONGEST_WINDOW` back."""

    start: datetime
    end: datetime
    previous: datetime | None

    @property
    def capped(self) -> bool:
        return self.previous is not None and self.start > self.previous


def digest_window(previous: datetime | None, end: datetime) -> DigestWindow:
    """The window of a chat's digest ending at `end`, given where its previous one ended."""
    if previous is None:
        return DigestWindow(end - FIRST_WINDOW, end, None)
    end = max(end, previous)  # never before the previous digest: an empty window at worst
    return DigestWindow(max(previous, end - LONGEST_WINDOW), end, previous)


def is_backlog(stored: StoredBrief) -> bool:
    """Published more than `BACKLOG_AGE` before briefbot stored it: old news from a feed."""
    return stored.brief.published_at < stored.created_at - BACKLOG_AGE


# ----------------------------------------------------------------------------- what a chat follows


@dataclass(frozen=True, slots=True)
class Follows:
    """What a digest is made of: the chat's unmuted topics still on offer (in the catalogue's
    order) and its watches that parse, each as (section label, compiled query)."""

    topics: tuple[str, ...]
    watches: tuple[tuple[str, Query], ...]

    @property
    def empty(self) -> bool:
        return not self.topics and not self.watches


def follows_of(
    subscriptions: Sequence[Subscription],
    watches: Sequence[Watch],
    topics: Mapping[str, Topic],
    at: datetime,
) -> Follows:
    slugs = sorted(
        {sub.topic for sub in subscriptions if sub.topic in topics and not is_muted(sub, at)},
        key=topic_sort_key,
    )
    compiled: list[tuple[str, Query]] = []
    for watch in watches:
        try:
            compiled.append((watch_label(watch.id, watch.query), compile_query(watch.query)))
        except QueryError:
            log.warning("watch W%s of chat %s does not parse; left out", watch.id, watch.chat_id)
    return Follows(tuple(slugs), tuple(compiled))


# ----------------------------------------------------------------------------- assembling


@dataclass(frozen=True, slots=True)
class Digest:
    """What a digest lists: sections in order — every followed topic, then every watch (empty
    ones too), then, in a stored digest only, the topics of listed briefs the chat no longer
    follows — each brief once; the followed topics and watches none of the listed briefs is
    about; and how many of the chat's briefs in the window were left out as backlog."""

    sections: tuple[Section, ...]
    quiet: tuple[str, ...] = ()
    left_out: int = 0

    @property
    def briefs(self) -> list[Brief]:
        """Every listed brief, in the order the digest shows them."""
        return [brief for _, briefs in self.sections for brief in briefs]


class _Docs:
    """Each brief's watch document, built once."""

    def __init__(self) -> None:
        self._docs: dict[int, MatchDoc] = {}

    def __call__(self, brief: Brief) -> MatchDoc:
        if brief.id not in self._docs:
            self._docs[brief.id] = match_doc(brief)
        return self._docs[brief.id]


def _section_of(brief: Brief, follows: Follows, doc: _Docs) -> str | None:
    """The brief's first topic the chat follows, else the first of its watches that matches."""
    followed = [slug for slug in follows.topics if slug in brief.topics]
    if followed:
        return followed[0]
    return next((label for label, query in follows.watches if query.matches(doc(brief))), None)


def _in_order(candidates: Sequence[StoredBrief], keep: Sequence[int]) -> list[StoredBrief]:
    """The kept briefs first, in the kept order, then the others as they came; each once."""
    rank = {brief_id: index for index, brief_id in enumerate(dict.fromkeys(keep))}
    first: dict[int, StoredBrief] = {}
    for stored in candidates:
        first.setdefault(stored.brief.id, stored)
    unique = list(first.values())
    kept = sorted((s for s in unique if s.brief.id in rank), key=lambda s: rank[s.brief.id])
    return kept + [stored for stored in unique if stored.brief.id not in rank]


def assemble_digest(
    candidates: Sequence[StoredBrief], follows: Follows, keep: Sequence[int] | None = None
) -> Digest:
    """The digest of one window from the window's briefs (one query's result, newest first).

    Without `keep` (making a digest): a brief is listed when it is not backlog and the chat
    follows one of its topics or one of its watches matches it, under its first followed topic
    (the catalogue's order), else under its first matching watch. With `keep` (a digest made
    earlier, being sent): exactly the kept briefs are listed, in that order — a brief whose topic
    the chat stopped following since goes under that topic, never dropped. Either way a brief
    the chat would get but that is backlog is counted as left out."""
    doc = _Docs()
    sections: dict[str, list[Brief]] = {slug: [] for slug in follows.topics}
    sections.update((label, []) for label, _ in follows.watches)
    kept = None if keep is None else set(keep)
    left_out = 0
    for stored in candidates if keep is None else _in_order(candidates, keep):
        brief = stored.brief
        key = _section_of(brief, follows, doc)
        if kept is not None and brief.id in kept:
            fallback = brief.topics[0] if brief.topics else OTHER
            sections.setdefault(key or fallback, []).append(brief)
        elif key is not None and is_backlog(stored):
            left_out += 1
        elif key is not None and kept is None:
            sections[key].append(brief)
    listed = [brief for briefs in sections.values() for brief in briefs]
    return Digest(tuple(sections.items()), _quiet(follows, listed, doc), left_out)


def _quiet(follows: Follows, listed: Sequence[Brief], doc: _Docs) -> tuple[str, ...]:
    """The followed topics no listed brief is filed under, and the watches none matches."""
    topics = [slug for slug in follows.topics if not any(slug in b.topics for b in listed)]
    watches = [
        label
        for label, query in follows.watches
        if not any(query.matches(doc(brief)) for brief in listed)
    ]
    return (*topics, *watches)


def digest_of_sections(sections: Iterable[Section]) -> Digest:
    """A digest from ready-made sections (the demo's): each brief in the first section holding
    it; a topic section is quiet when no listed brief is filed under it, any other when empty."""
    shown: set[int] = set()
    unique: list[Section] = []
    for key, briefs in sections:
        fresh = [brief for brief in dict.fromkeys(briefs) if brief.id not in shown]
        shown.update(brief.id for brief in fresh)
        unique.append((key, fresh))
    listed = [brief for _, briefs in unique for brief in briefs]
    quiet = tuple(
        key
        for key, briefs in unique
        if not briefs and not any(key in brief.topics for brief in listed)
    )
    return Digest(tuple(unique), quiet)


async def collect_digest(
    session: AsyncSession,
    chat_id: int,
    window: DigestWindow,
    topics: Mapping[str, Topic],
    at: datetime,
) -> Digest | None:
    """The chat's digest for this window; None when it follows nothing (no unmuted topic on
    offer, no watch that parses). Muting is read at `at`."""
    follows = follows_of(
        await chat_store.subscriptions(session, chat_id),
        await chat_store.watches(session, chat_id),
        topics,
        at,
    )
    if follows.empty:
        return None
    candidates = await brief_store.briefs_stored_between(
        session, window.start, window.end, topics=None if follows.watches else follows.topics
    )
    return assemble_digest(candidates, follows)


# ----------------------------------------------------------------------------- wording


def zone_of(name: str) -> tzinfo:
    """The chat's zone; UTC when the name is not a known zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_stamp(moment: datetime, zone: str) -> str:
    """`2025-12-12 08:00 (Europe/Paris)`: a moment on the chat's wall clock, in digits."""
    local = zone_of(zone)
    return f"{moment.astimezone(local):%Y-%m-%d %H:%M} ({local})"


def elapsed(span: timedelta) -> str:
    """`30 hours`, `2 days`, `3 days 4 hours` (whole hours, rounded down)."""
    hours = int(span.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} hour{'s' * (hours != 1)}"
    days, rest = divmod(hours, 24)
    return f"{days} days" + (f" {rest} hour{'s' * (rest != 1)}" if rest else "")


def _since(window: DigestWindow, zone: str, on_demand: bool) -> str:
    when = local_stamp(window.start, zone)
    if on_demand and window.previous is not None and not window.capped:
        return f"since your last digest, {when}"
    return f"since {when}"


def window_notes(window: DigestWindow, zone: str, on_demand: bool) -> list[str]:
    """What the header alone does not say about the window: a first digest, a capped one, a
    long gap since the previous digest."""
    if window.previous is None:
        if on_demand:
            return ["No digest has been made for this chat yet: this covers the last 24 hours."]
        return ["Your first digest: it covers the last 24 hours."]
    gap = window.end - window.previous
    if window.capped:
        days = LONGEST_WINDOW.days
        previous = local_stamp(window.previous, zone)
        return [
            f"The previous digest was {elapsed(gap)} ago ({previous}): this covers the last "
            f"{days} days only."
        ]
    if gap > LONG_GAP:
        return [f"The previous digest was {elapsed(gap)} ago: this covers everything since."]
    return []


def _left_out_line(count: int) -> str:
    days = BACKLOG_AGE.days
    briefs = f"{count} brief{'s' * (count != 1)}"
    return (
        f"Left out: {briefs} published more than {days} days before being stored "
        "(a feed's old items)."
    )


def _more_line(key: str, rest: Sequence[Brief], cap: int, topic_names: Mapping[str, str]) -> str:
    if key in topic_names:
        return f"and {len(rest)} more — /brief {key} {min(cap + len(rest), LIST_MAX)}"
    codes = ", ".join(brief.code for brief in rest[:_IDS_LISTED])
    ellipsis = ", …" if len(rest) > _IDS_LISTED else ""
    return f"and {len(rest)} more: {codes}{ellipsis} — /more ID shows one"


def render_digest(
    digest: Digest,
    topic_names: Mapping[str, str],
    since: str,
    *,
    lead: str = "Your digest",
    notes: Sequence[str] = (),
    cap: int = DIGEST_CAP,
) -> Reply:
    """The digest as a Reply: how many briefs, `since` when; `notes` about the window; each
    section with briefs under its heading (at most `cap` cards, then how many more and how to
    see them); which followed topics and watches had nothing; how many were left out. With
    nothing listed, the first line says so."""
    body: list[Part] = []
    cards: list[Card] = []
    for key, briefs in digest.sections:
        if not briefs:
            continue
        body.append(Text(f"{topic_names.get(key, key)} — {len(briefs)} new", Emphasis.HEADING))
        section_cards = [brief_card(brief, topic_names) for brief in briefs[:cap]]
        cards.extend(section_cards)
        body.extend(section_cards)
        if len(briefs) > cap:
            body.append(Text(_more_line(key, briefs[cap:], cap, topic_names), Emphasis.NOTE))
    total = len(digest.briefs)
    if total:
        first = f"{lead}: {total} new brief{'s' * (total != 1)} {since}."
    else:
        first = f"Nothing new on your topics {since}."
    parts: list[Part] = [Text(first), *(Text(note, Emphasis.NOTE) for note in notes), *body]
    if total and digest.quiet:
        names = ", ".join(topic_names.get(key, key) for key in digest.quiet)
        parts.append(Text(f"Nothing new on {names}.", Emphasis.NOTE))
    if digest.left_out:
        parts.append(Text(_left_out_line(digest.left_out), Emphasis.NOTE))
    return Reply(parts=tuple(parts), brief_id=cards[0].brief.id if len(cards) == 1 else None)


def digest_reply(
    digest: Digest,
    window: DigestWindow,
    topic_names: Mapping[str, str],
    zone: str,
    *,
    on_demand: bool = False,
    cap: int = DIGEST_CAP,
) -> Reply:
    """A chat's digest, its window read on the chat's wall clock. On demand it is headed
    "Digest so far" and names the last digest as its start."""
    return render_digest(
        digest,
        topic_names,
        _since(window, zone, on_demand),
        lead="Digest so far" if on_demand else "Your digest",
        notes=window_notes(window, zone, on_demand),
        cap=cap,
    )


def build_digest(
    sections: Sequence[Section],
    topic_names: Mapping[str, str],
    cap: int = DIGEST_CAP,
    since: str = "the last digest",
) -> Reply:
    """A digest of ready-made sections, `since` as given (the demo's)."""
    return render_digest(digest_of_sections(sections), topic_names, f"since {since}", cap=cap)
