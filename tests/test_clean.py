"""clean_text and clean_url: untrusted strings to bounded text and safe links."""

from __future__ import annotations

import pytest

from bot.ingest.clean import URL_LIMIT, clean_text, clean_url


def test_clean_text_keeps_paragraphs_and_drops_hidden_elements() -> None:
    markup = (
        "<div>Intro&nbsp;line</div><p>First&#x20;para<br/>second   line</p>"
        "<style>p { color: red }</style><ul><li>One</li><li>Two</li></ul>"
        "<script type='text/javascript'>var x = '<p>';</script><!-- note -->Tail &amp; end"
    )
    assert clean_text(markup, 1_000) == (
        "Intro line\n\nFirst para\n\nsecond line\n\nOne\n\nTwo\n\nTail & end"
    )


def test_clean_text_characters() -> None:
    dirty = "a\x00b\x1bc\u202edef\ufeff \ud800g\r\nh\u2028i\t\tj"
    assert clean_text(dirty, 100, html_markup=False) == "abcdef g\nh\ni j"
    assert clean_text("x < y and a<b", 100) == "x < y and a<b"
    assert clean_text("<script>never closed", 100) == ""
    assert clean_text(None, 100) == ""


def test_clean_text_cuts_on_a_word_boundary() -> None:
    assert clean_text("alpha beta gamma delta", 15) == "alpha beta…"
    assert clean_text("x" * 40, 10) == "x" * 9 + "…"
    assert clean_text("short", 10) == "short"


def test_clean_text_reads_tag_soup() -> None:
    assert clean_text("<a" * 200_000, 20) == "<a" * 9 + "<…"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("  http://example.org/a b  ", "http://example.org/a%20b"),
        ("https://exa\nmple.org/", "https://example.org/"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("data:text/html,hi", None),
        ("file:///etc/hostname", None),
        ("ftp://example.org/a", None),
        ("//example.org/a", None),
        ("https://", None),
        ("https://example.org:port/", None),
        ("https://example.org/\x00", None),
        ("https://example.org/" + "a" * URL_LIMIT, None),
        (None, None),
    ],
)
def test_clean_url(value: str | None, expected: str | None) -> None:
    assert clean_url(value) == expected
