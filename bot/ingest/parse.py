"""Fetched feed bytes in, clean and bounded Articles out: no network, no database."""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.domain import Article
from bot.ingest.clean import OUTLET_LIMIT, clean_text, clean_url
from bot.ingest.entry import RawFeed, to_article
from bot.ingest.jsonfeed import read_json_feed
from bot.ingest.xmlfeed import read_xml_feed

logger = logging.getLogger(__name__)

MAX_FEED_BYTES = 10 * 1024 * 1024
FUTURE_TOLERANCE = timedelta(days=1)
_JSON_TYPES = ("application/feed+json", "application/json")


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None  # the outlet: the feed's own title, else the fallback name
    link: str | None
    articles: tuple[Article, ...]
    problems: tuple[str, ...]  # notes for the operator, e.g. "malformed XML at line 12: ..."
    format: str  # "rss20", "rss10", "rss091u", "atom10", "jsonfeed11"...; "" when not a feed


def parse_feed(
    body: bytes,
    source_url: str,
    content_type: str | None = None,
    fallback_outlet: str | None = None,
    max_items: int = 500,
    *,
    now: datetime | None = None,
) -> ParsedFeed:
    """Read RSS 0.9x/1.0/2.0, Atom or JSON Feed; never raises, whatever the feed contains.

    Entries without title and text are skipped, dates more than a day ahead of `now` are
    dropped (None), repeated identities are kept once, and only the first `max_items`
    entries are read. Everything the reader had to repair or leave out is in `problems`;
    an error while reading is logged and becomes the feed's only problem.
    """
    try:
        return _parse(body, source_url, content_type, fallback_outlet, max_items, now)
    except Exception as error:  # one feed's surprise must not stop the others
        logger.warning("reading the feed of %s failed", source_url, exc_info=True)
        outlet = clean_text(fallback_outlet, OUTLET_LIMIT) or None
        problem = f"the feed could not be read ({type(error).__name__}): no entries read"
        return ParsedFeed(outlet, None, (), (problem,), "")


def _parse(
    body: bytes,
    source_url: str,
    content_type: str | None,
    fallback_outlet: str | None,
    max_items: int,
    now: datetime | None,
) -> ParsedFeed:
    problems: list[str] = []
    if len(body) > MAX_FEED_BYTES:
        problems.append(f"document over {MAX_FEED_BYTES // 1_048_576} MiB: read the start only")
        body = body[:MAX_FEED_BYTES]
    if not body.strip():
        return ParsedFeed(None, None, (), (*problems, "empty document"), "")
    if _is_json(body, content_type):
        feed = read_json_feed(body, source_url, max_items)
    else:
        feed = read_xml_feed(body, source_url, content_type, max_items)
    problems.extend(feed.problems)
    outlet = clean_text(feed.title, OUTLET_LIMIT) or clean_text(fallback_outlet, OUTLET_LIMIT)
    articles = _articles(
        feed, outlet or None, source_url, max_items=max(max_items, 0), now=now, problems=problems
    )
    return ParsedFeed(
        title=outlet or None,
        link=clean_url(feed.link),
        articles=articles,
        problems=tuple(problems),
        format=feed.format,
    )


def _articles(
    feed: RawFeed,
    outlet: str | None,
    source_url: str,
    *,
    max_items: int,
    now: datetime | None,
    problems: list[str],
) -> tuple[Article, ...]:
    entries = feed.entries
    if len(entries) > max_items:
        problems.append(f"{len(entries)} entries: kept the first {max_items}")
        entries = entries[:max_items]
    latest = (now or datetime.now(UTC)) + FUTURE_TOLERANCE
    articles: dict[str, Article] = {}
    empty = future = repeated = 0
    for entry in entries:
        dated = entry
        if entry.published is not None and entry.published > latest:
            dated = replace(entry, published=None)
            future += 1
        article = to_article(dated, outlet=outlet, source_url=source_url)
        if article is None:
            empty += 1
        elif article.identity in articles:
            repeated += 1
        else:
            articles[article.identity] = article
    if empty:
        problems.append(f"skipped {empty} entries without title or text")
    if future:
        problems.append(f"dropped the date of {future} entries dated in the future")
    if repeated:
        problems.append(f"skipped {repeated} entries repeating an earlier identity")
    return tuple(articles.values())


def _is_json(body: bytes, content_type: str | None) -> bool:
    start = body[:1024].removeprefix(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"{"):
        return True
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return media_type in _JSON_TYPES and not start.startswith(b"<")
