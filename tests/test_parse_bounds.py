"""What a hostile document can make the parser spend: attributes, entries, regex work."""

from __future__ import annotations

import json
import re

import pytest

from bot.ingest import jsonfeed
from bot.ingest.clean import TEXT_LIMIT, clean_text
from bot.ingest.xmlfeed import MAX_ATTRIBUTES
from tests.test_parse import item, json_feed, read, rss


def attributes(count: int, value: str = "x") -> str:
    return "".join(f' a{number}="{value}"' for number in range(count))


# --- attributes ----------------------------------------------------------------------------


def test_thousands_of_attributes_on_one_element_refuse_the_feed(
    handed_to_feedparser: list[bytes],
) -> None:
    body = rss(item("Crowded") + item("Calm")).replace(
        b"<item>", f"<item{attributes(5_000)}>".encode(), 1
    )
    feed = read(body)
    assert (feed.articles, feed.format) == ((), "")
    assert (
        f"more than {MAX_ATTRIBUTES} attributes on one element at line 2: refused" in feed.problems
    )
    assert handed_to_feedparser == []


@pytest.mark.parametrize(
    "spelling",
    [
        attributes(MAX_ATTRIBUTES + 1, value=">"),
        attributes(MAX_ATTRIBUTES + 1).replace(" ", "\n\t "),
        "".join(f" x:a{number} = '1'" for number in range(MAX_ATTRIBUTES + 1)),
    ],
    ids=["'>' in values", "spread over lines", "single quotes and prefixes"],
)
def test_any_spelling_of_too_many_attributes_is_refused(spelling: str) -> None:
    feed = read(rss(f"<item{spelling}><title>Crowded</title></item>"))
    assert feed.articles == ()
    assert any(
        note.endswith("attributes on one element at line 2: refused") for note in feed.problems
    )


def test_many_attributes_under_the_limit_and_long_values_are_fine() -> None:
    body = rss(
        f"<item{attributes(MAX_ATTRIBUTES)}><title>Busy</title></item>"
        f'<item><title a="{"x" * 2_000_000}">Long</title></item>'
        + "".join(f"<item{attributes(50)}><title>Story {n}</title></item>" for n in range(40))
    )
    feed = read(body)
    assert [a.title for a in feed.articles][:2] == ["Busy", "Long"]
    assert len(feed.articles) == 42
    assert feed.problems == ()


def test_a_huge_tag_that_is_not_attributes_is_read_in_linear_time() -> None:
    junk = "<item " + 'a="' * 300_000 + "b= " * 300_000 + "c" * 300_000
    feed = read(rss(item("Before") + junk))
    assert [a.title for a in feed.articles][:1] == ["Before"]


# --- entries -------------------------------------------------------------------------------


def items_in(document: bytes) -> int:
    return len(re.findall(rb"<(?:\w+:)?(?:item|entry)[\s>/]", document, re.IGNORECASE))


RSS10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns{prefix}="http://purl.org/rss/1.0/">
<{p}channel rdf:about="https://valley-notes.example.net/"><{p}title>Valley Notes</{p}title>
<{p}items><rdf:Seq><rdf:li rdf:resource="https://valley-notes.example.net/1"/></rdf:Seq></{p}items>
</{p}channel>
{items}
</rdf:RDF>"""
RSS10_ITEM = (
    '<{p}item rdf:about="https://valley-notes.example.net/{n}">\n'
    "<{p}title>Story {n}</{p}title>\n</{p}item>\n"
)
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<{p}feed xmlns{prefix}="http://www.w3.org/2005/Atom"><{p}title>Ridge Line</{p}title>
{items}
<{p}link href="https://ridge-line.example.com/"/></{p}feed>"""
ATOM_ENTRY = "<{p}entry><{p}id>tag:ridge,{n}</{p}id><{p}title>Story {n}</{p}title></{p}entry>\n"


def feed_of(template: str, entry: str, prefix: str, count: int) -> bytes:
    p = f"{prefix}:" if prefix else ""
    entries = "".join(entry.format(p=p, n=n) for n in range(count))
    return template.format(p=p, prefix=f":{prefix}" if prefix else "", items=entries).encode()


@pytest.mark.parametrize(
    "body",
    [
        rss("".join(item(f"Story {n}") for n in range(3_000))),
        rss("".join(item(f"Story {n}").upper() for n in range(3_000))).replace(b"STORY", b"Story"),
        feed_of(RSS10, RSS10_ITEM, "", 3_000),
        feed_of(RSS10, RSS10_ITEM, "rss", 3_000),
        feed_of(ATOM, ATOM_ENTRY, "", 3_000),
        feed_of(ATOM, ATOM_ENTRY, "atom", 3_000),
    ],
    ids=["rss 2.0", "upper-case rss", "rss 1.0", "prefixed rss 1.0", "atom", "prefixed atom"],
)
def test_entries_past_max_items_never_reach_feedparser(
    body: bytes, handed_to_feedparser: list[bytes]
) -> None:
    feed = read(body, max_items=5)
    assert [a.title for a in feed.articles] == [f"Story {n}" for n in range(5)]
    assert feed.problems == ("more than 5 entries: kept the first 5",)
    [document] = handed_to_feedparser
    assert items_in(document) == 5
    assert document.count(b"\n") == body.count(b"\n")


def test_the_cut_keeps_what_follows_the_entries() -> None:
    body = feed_of(ATOM, ATOM_ENTRY, "", 20)
    feed = read(body, max_items=3)
    assert feed.link == "https://ridge-line.example.com/"
    assert len(feed.articles) == 3


def test_self_closing_entries_after_the_last_closed_one_are_cut(
    handed_to_feedparser: list[bytes],
) -> None:
    body = rss("".join(item(f"Story {n}") for n in range(3)) + "<item/>" * 5_000)
    feed = read(body, max_items=4)
    assert [a.title for a in feed.articles] == ["Story 0", "Story 1", "Story 2"]
    assert items_in(handed_to_feedparser[0]) <= 4
    assert "more than 4 entries: kept the first 4" in feed.problems


def test_items_written_inside_cdata_are_text_not_entries() -> None:
    sample = "<![CDATA[<item><title>not an entry</title></item>]]>"
    body = rss(
        "".join(item(f"Story {n}", extra=f"<description>{sample}</description>") for n in range(4))
    )
    feed = read(body, max_items=4)
    assert len(feed.articles) == 4
    assert feed.problems == ()


def test_json_feed_reads_only_max_items(monkeypatch: pytest.MonkeyPatch) -> None:
    read_entries = 0
    real_entry = jsonfeed._entry

    def counting(*args: object) -> object:
        nonlocal read_entries
        read_entries += 1
        return real_entry(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(jsonfeed, "_entry", counting)
    items: list[object] = [{"id": str(n), "title": f"Story {n}"} for n in range(3_000)]
    feed = read(json_feed(["not an item", *items]), max_items=5)
    assert [a.title for a in feed.articles] == [f"Story {n}" for n in range(4)]
    assert read_entries == 4
    assert "3001 entries: kept the first 5" in feed.problems
    assert "skipped 1 items that are not JSON objects" in feed.problems


def test_json_feed_with_no_max_items_reads_nothing() -> None:
    feed = read(json.dumps({"items": [{"title": "x"}]}).encode(), max_items=0)
    assert feed.articles == ()


# --- regular expressions on hostile text -----------------------------------------------------


def test_an_unclosed_tag_name_as_long_as_a_body_is_read_in_linear_time() -> None:
    text = clean_text("<a" + "b" * 400_000, TEXT_LIMIT)
    assert text.startswith("<abbb") and len(text) == TEXT_LIMIT


def test_an_unclosed_tag_in_a_feed_body_is_read_in_linear_time() -> None:
    body = rss(item("Tag soup", extra=f"<content:encoded>&lt;a{'b' * 400_000}</content:encoded>"))
    [article] = read(body).articles
    assert article.text.startswith("<abbb") and len(article.text) == TEXT_LIMIT
