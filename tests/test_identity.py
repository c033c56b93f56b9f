"""Identities of feed items: guid, then normalised link, then a hash of the text."""

from __future__ import annotations

import re

import pytest

from bot.ingest.identity import (
    IDENTITY_LIMIT,
    article_identity,
    content_fingerprint,
    normalise_link,
)

ARTICLE_PATH = "/2025/12/port-workers-vote"
ARTICLE = f"https://news.example.org{ARTICLE_PATH}"


def test_guid_wins_over_link_and_text() -> None:
    identity = article_identity("  item-4711  ", ARTICLE, "Port workers vote", "They voted.")
    assert identity == "guid:item-4711"


def test_blank_guid_falls_back_to_the_normalised_link() -> None:
    identity = article_identity(" \t\n", ARTICLE + "?utm_source=rss", "Port workers vote", "")
    assert identity == f"link:{ARTICLE}"


def test_without_guid_or_usable_link_the_text_is_hashed() -> None:
    identity = article_identity(None, "javascript:alert(1)", "Port workers vote", "They voted.")
    assert re.fullmatch(r"hash:[0-9a-f]{32}", identity)
    assert identity == article_identity("", None, "Port workers vote", "They voted.")
    assert identity != article_identity(None, None, "Port workers vote", "They struck.")


def test_text_hash_ignores_case_accents_and_spacing() -> None:
    first = article_identity(None, None, "Le général  arrive à Tunis", "Visite officielle.")
    second = article_identity(None, None, "LE GENERAL arrive a tunis", "visite  officielle.")
    assert first == second


def test_same_article_with_tracking_parameters_has_one_identity() -> None:
    plain = article_identity(None, ARTICLE, "Port workers vote", "")
    tracked = article_identity(
        None,
        f"HTTPS://News.Example.org:443{ARTICLE_PATH}?utm_source=feed&utm_medium=rss&fbclid=abc"
        "#comments",
        "Port workers vote (updated)",
        "",
    )
    assert tracked == plain


def test_long_guids_are_bounded_and_stay_distinct() -> None:
    first = article_identity("x" * 5_000 + "1", None, "t", "")
    second = article_identity("x" * 5_000 + "2", None, "t", "")
    assert len(first) <= IDENTITY_LIMIT
    assert first.startswith("guid-sha256:")
    assert first != second
    assert first == article_identity("x" * 5_000 + "1", None, "other title", "")


def test_control_characters_do_not_reach_the_identity() -> None:
    assert article_identity("abc\x00\x07def", None, "t", "") == "guid:abcdef"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("HTTP://Example.ORG/Path/Page.html", "http://example.org/Path/Page.html"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a/index.html", "https://example.org/a/index.html"),
        ("https://example.org/a?", "https://example.org/a"),
        ("https://example.org/a#section-2", "https://example.org/a"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org/a?q=caf%C3%A9+noir&x", "https://example.org/a?q=caf%C3%A9+noir&x"),
        (
            "https://example.org/a?id=7&utm_campaign=winter&UTM_Source=x&gclid=1&mc_cid=2&mc_eid=3"
            "&ref=home&ref_src=twsrc&igshid=4&cmpid=5&ocid=6&at_medium=7&at_campaign=8&xtor=9"
            "&_ga=10&s_cid=11",
            "https://example.org/a?id=7",
        ),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ("  https://example.org/a  ", "https://example.org/a"),
    ],
)
def test_normalise_link(link: str, expected: str) -> None:
    assert normalise_link(link) == expected


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/hostname",
        "ftp://example.org/a",
        "/relative/path",
        "https://example.org:99999/a",
        "",
    ],
)
def test_normalise_link_refuses_anything_but_http(link: str) -> None:
    assert normalise_link(link) == ""


def test_fingerprint_changes_when_the_article_is_edited() -> None:
    original = content_fingerprint("Harbour strike ends", "Dockers returned to work on Monday.")
    respaced = content_fingerprint("Harbour  strike ends", "dockers returned to work on Monday. ")
    edited = content_fingerprint("Harbour strike ends", "Dockers returned to work on Tuesday.")
    assert re.fullmatch(r"[0-9a-f]{16}", original)
    assert respaced == original
    assert edited != original
