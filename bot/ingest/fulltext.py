"""Optional full text: when a feed gives only a teaser, fetch the page and keep its main text.

Page URLs come from feed content, which a third party writes, so every page fetch is guarded
(no file://, public addresses only, except the operator's `[ingest] allow_networks`). A feed
gets at most `max_pages` page fetches per pass and `budget` seconds for all of them: articles
whose page has not arrived by then are stored with the feed's own text, without waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain import Article
from bot.ingest.fetch import Fetcher, FetchError
from bot.ingest.sandbox import Sandbox, SandboxError

log = logging.getLogger(__name__)
# Below this many characters a feed item is treated as a teaser worth completing.
SHORT_TEXT = 600
MAX_PAGE_BYTES = 2_000_000  # a larger page is not an article worth extracting


@dataclass(frozen=True)
class FullTextLimits:
    max_pages: int = 10  # page fetches per feed per pass
    budget: float = 30.0  # seconds for all of a feed's pages
    concurrency: int = 4  # pages of one feed fetched at once


def needs_full_text(article: Article) -> bool:
    return bool(article.url) and len(article.body) < SHORT_TEXT


async def complete_articles(
    fetcher: Fetcher,
    sandbox: Sandbox,
    articles: Sequence[Article],
    limits: FullTextLimits | None = None,
) -> list[Article]:
    """`articles` with `text` filled in from their pages where that worked within the limits."""
    limits = limits or FullTextLimits()
    teasers = [article for article in articles if needs_full_text(article)]
    chosen = teasers[: limits.max_pages]
    if len(teasers) > len(chosen):
        log.info("full text: %d of %d teaser pages fetched", len(chosen), len(teasers))
    gate = asyncio.Semaphore(limits.concurrency)

    async def complete(article: Article) -> Article:
        async with gate:
            return await _complete(fetcher, sandbox, article)

    tasks = [asyncio.create_task(complete(article)) for article in chosen]
    if not tasks:
        return list(articles)
    done, late = await asyncio.wait(tasks, timeout=limits.budget)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late)
        log.info("full text: %d pages not ready within %g s", len(late), limits.budget)
    completed = {
        task.result().identity: task.result()
        for task in done
        if not task.cancelled() and task.exception() is None
    }
    return [completed.get(article.identity, article) for article in articles]


async def _complete(fetcher: Fetcher, sandbox: Sandbox, article: Article) -> Article:
    assert article.url is not None
    try:
        page = await fetcher.fetch(article.url, guarded=True)
    except FetchError as error:
        log.info("full text of %s not fetched: %s", article.identity[:80], error.reason)
        return article
    if page.body is None or len(page.body) > MAX_PAGE_BYTES:
        return article
    try:
        text: str = await sandbox.run("main_text", page.body, article.url)
    except SandboxError as error:
        log.info("full text of %s not read: %s", article.identity[:80], error.reason)
        return article
    return replace(article, text=text) if len(text) > len(article.body) else article
