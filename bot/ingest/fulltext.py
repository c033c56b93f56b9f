"""Optional full text: when a feed gives only a summary, fetch the page and keep its main text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

import trafilatura

from bot.domain import Article
from bot.ingest.clean import TEXT_LIMIT, clean_text
from bot.ingest.fetch import Fetcher, FetchError

log = logging.getLogger(__name__)
# Below this many characters a feed item is treated as a teaser worth completing.
SHORT_TEXT = 600
MAX_PAGE_FETCHES = 8


def main_text(html: bytes, url: str | None) -> str:
    """The article text of an HTML page, as plain paragraphs ("" when none is found)."""
    extracted = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    return clean_text(extracted, TEXT_LIMIT, html_markup=False) if extracted else ""


def needs_full_text(article: Article) -> bool:
    return bool(article.url) and len(article.body) < SHORT_TEXT


async def complete_articles(
    fetcher: Fetcher, articles: Sequence[Article], guarded: bool
) -> list[Article]:
    """Fill in `text` for teaser items from their pages; an article whose page fails stays."""
    gate = asyncio.Semaphore(MAX_PAGE_FETCHES)

    async def complete(article: Article) -> Article:
        if not needs_full_text(article) or article.url is None:
            return article
        try:
            async with gate:
                page = await fetcher.fetch(article.url, guarded=guarded)
        except FetchError as error:
            log.info("full text of %s not fetched: %s", article.identity[:80], error.reason)
            return article
        if page.body is None:
            return article
        text = await asyncio.to_thread(main_text, page.body, article.url)
        return replace(article, text=text) if len(text) > len(article.body) else article

    return list(await asyncio.gather(*(complete(article) for article in articles)))
