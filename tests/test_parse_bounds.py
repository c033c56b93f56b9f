"""What a hostile document can make the parser spend: attributes, entries, regex work."""

from __future__ import annotations

from bot.ingest.clean import TEXT_LIMIT, clean_text
from tests.test_parse import item, read, rss

# --- regular expressions on hostile text -----------------------------------------------------


def test_an_unclosed_tag_name_as_long_as_a_body_is_read_in_linear_time() -> None:
    text = clean_text("<a" + "b" * 400_000, TEXT_LIMIT)
    assert text.startswith("<abbb") and len(text) == TEXT_LIMIT


def test_an_unclosed_tag_in_a_feed_body_is_read_in_linear_time() -> None:
    body = rss(item("Tag soup", extra=f"<content:encoded>&lt;a{'b' * 400_000}</content:encoded>"))
    [article] = read(body).articles
    assert article.text.startswith("<abbb") and len(article.text) == TEXT_LIMIT
