"""What a feed reader hands on (raw strings), and the step that makes an Article of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import Article
from bot.ingest.clean import (
    SUMMARY_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    clean_text,
    clean_url,
    truncate_words,
)
from bot.ingest.identity import article_identity


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One feed item as its reader found it: untrusted, unbounded, HTML allowed."""

    guid: str | None
    link: str | None
    title: str
    summary: str
    content: tuple[str, ...] = ()  # HTML bodies
    content_text: str = ""  # a plain-text body (JSON Feed's content_text)
    published: datetime | None = None  # aware, UTC


@dataclass(frozen=True, slots=True)
class RawFeed:
    format: str
    title: str = ""
    link: str | None = None
    entries: tuple[RawEntry, ...] = ()
    problems: tuple[str, ...] = ()


def to_article(entry: RawEntry, *, outlet: str | None, source_url: str) -> Article | None:
    """The cleaned, bounded Article, or None when the entry has neither title nor text."""
    title = clean_text(entry.title, TITLE_LIMIT)
    bodies = [clean_text(value, TEXT_LIMIT) for value in entry.content]
    bodies.append(clean_text(entry.content_text, TEXT_LIMIT, html_markup=False))
    text = max(bodies, key=len)
    summary = clean_text(entry.summary, SUMMARY_LIMIT) or truncate_words(text, SUMMARY_LIMIT)
    if not title and not summary:
        return None
    title = title or truncate_words(summary.partition("\n")[0], TITLE_LIMIT)
    url = clean_url(entry.link)
    return Article(
        identity=article_identity(entry.guid, url, title, summary),
        title=title,
        url=url,
        summary=summary,
        text=text if text != summary else "",
        outlet=outlet,
        published_at=entry.published,
        source_url=source_url,
    )
