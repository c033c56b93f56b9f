"""The main text of a web page (trafilatura), for feeds that only give a teaser."""

from __future__ import annotations

import trafilatura

from bot.ingest.clean import TEXT_LIMIT, clean_text


def main_text(html: bytes, url: str | None) -> str:
    """The article text of an HTML page, as plain paragraphs ("" when none is found)."""
    extracted = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    return clean_text(extracted, TEXT_LIMIT, html_markup=False) if extracted else ""
