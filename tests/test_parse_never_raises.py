"""parse_feed never raises: bad encodings, wrong JSON types, absurd dates, random damage."""

from __future__ import annotations

import json
import logging
import random
from importlib.resources import files

import pytest

from bot.ingest import parse
from bot.ingest.parse import ParsedFeed
from tests.test_parse import item, json_feed, read, rss

TITLE = "Grève évitée au port de Sète"


def declared(encoding: str) -> bytes:
    return rss(item(TITLE), head=f'<?xml version="1.0" encoding="{encoding}"?>')


# --- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["undefined", "punycode"])
def test_a_declared_codec_that_raises_is_read_as_utf8(encoding: str) -> None:
    feed = read(declared(encoding))
    assert [a.title for a in feed.articles] == [TITLE]
    assert any(encoding in note for note in feed.problems)


@pytest.mark.parametrize("charset", ["undefined", "x-unknown-999", "punycode", "base64", "rot13"])
def test_an_unusable_http_charset_is_ignored(charset: str) -> None:
    feed = read(rss(item(TITLE)), content_type=f"application/rss+xml; charset={charset}")
    assert [a.title for a in feed.articles] == [TITLE]
    assert any(charset in note for note in feed.problems)


@pytest.mark.parametrize(
    ("declaration", "encoding"),
    [
        ("utf-7", "utf-7"),
        ("utf-32", "utf-32"),
        ("utf-32be", "utf-32-be"),
        ("utf-32le", "utf-32-le"),
        ("cp500", "cp500"),  # EBCDIC
        ("ibm037", "cp037"),  # EBCDIC
    ],
)
def test_wide_and_ebcdic_encodings(declaration: str, encoding: str) -> None:
    feed = read(declared(declaration).decode().encode(encoding))
    assert [a.title for a in feed.articles] == [TITLE]


@pytest.mark.parametrize("declaration", ["utf-16", "UTF-32", "utf-16le"])
def test_a_utf8_document_declared_as_a_wide_encoding_is_read(declaration: str) -> None:
    feed = read(declared(declaration))
    assert [a.title for a in feed.articles] == [TITLE]
    assert any(f"declared as {declaration}" in note for note in feed.problems)


def test_encoded_lone_surrogates_in_utf8_and_utf16() -> None:
    as_utf8 = declared("utf-8").replace("Sète".encode(), b"S\xed\xa0\x80te")
    as_utf16 = declared("utf-16").decode().replace("Sète", "S\ud800te")
    for body in (as_utf8, as_utf16.encode("utf-16", "surrogatepass")):
        [article] = read(body).articles
        assert "au port de S" in article.title


def test_lone_surrogates_in_json() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "Ledger \\udfff",'
        b' "items": [{"id": "\\ud800", "title": "Quay \\ud800\\ud800works",'
        b' "url": "https://harbour-ledger.example.org/\\udc00"}]}'
    )
    feed = read(body)
    assert feed.title == "Ledger"
    [article] = feed.articles
    assert (article.title, article.url) == ("Quay works", None)
    article.identity.encode()


# --- JSON Feed of the wrong shape ----------------------------------------------------------

WRONG_JSON = {
    "a list": b"[1, 2, 3]",
    "a string": b'"items"',
    "a number": b"1e999",
    "items an object": b'{"items": {"title": "x"}}',
    "items a string": b'{"items": "[]"}',
    "items null": b'{"items": null}',
    "deep arrays": b"[" * 100_000,
    "deep objects": b'{"items": [' + b'{"a":' * 100_000,
    "deep inside an item": b'{"items": [{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}",
    "huge integer": b'{"items": [{"id": ' + b"9" * 5_000 + b"}]}",
    "NaN and Infinity": b'{"title": NaN, "items": [{"id": Infinity, "title": -Infinity}]}',
    "wrong field types": json.dumps(
        {
            "version": 1.1,
            "title": 42,
            "home_page_url": ["https://a.example/"],
            "items": [
                {"id": {"a": 1}, "url": 7, "title": ["x"], "summary": None, "content_html": 3},
                {"id": 1e308, "title": "Number id", "date_published": 1_700_000_000},
                {"id": -0.0, "title": "Odd id", "date_modified": ["2025-12-01"]},
                None,
                [],
            ],
        }
    ).encode(),
}


@pytest.mark.parametrize("name", WRONG_JSON)
def test_json_of_any_shape_is_a_problem_not_a_crash(name: str) -> None:
    feed = read(WRONG_JSON[name], content_type="application/feed+json")
    assert isinstance(feed, ParsedFeed)
    assert feed.problems
    assert len(feed.articles) <= 2


# --- dates ---------------------------------------------------------------------------------

ABSURD_DATES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-23:59",
    "0000-00-00T00:00:00Z",
    "-2000-01-01T00:00:00Z",
    "99999-01-01T00:00:00Z",
    "2025-02-30T25:61:61Z",
    "Sun, 31 Dec 99999 23:59:59 +9999",
    "Mon, 01 Jan 0001 00:00:00 +2400",
    "1" * 60,
    "٢٠٢٥-١٢-٠١",
]


@pytest.mark.parametrize("moment", ABSURD_DATES)
def test_absurd_dates_are_dropped(moment: str) -> None:
    xml = rss(item("Dated", extra=f"<pubDate>{moment}</pubDate><dc:date>{moment}</dc:date>"))
    xml = xml.replace(b"<rss ", b'<rss xmlns:dc="http://purl.org/dc/elements/1.1/" ')
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Dated</title>'
        f"<updated>{moment}</updated><published>{moment}</published></entry></feed>"
    ).encode()
    jsonfeed = json_feed([{"title": "Dated", "date_published": moment}])
    for body in (xml, atom, jsonfeed):
        [article] = read(body).articles
        assert article.title == "Dated"


# --- whatever goes wrong inside --------------------------------------------------------------


def test_a_reader_bug_is_a_problem_and_a_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("reader bug")

    monkeypatch.setattr(parse, "read_json_feed", broken)
    with caplog.at_level(logging.WARNING, logger="bot.ingest.parse"):
        feed = read(json_feed([{"title": "x"}]), fallback_outlet="Harbour Ledger (configured)")
    assert (feed.articles, feed.format) == ((), "")
    assert feed.title == "Harbour Ledger (configured)"
    assert any("RuntimeError" in note for note in feed.problems)
    assert any("https://coastal-dispatch.example.org/feed.xml" in r.message for r in caplog.records)


def test_an_entry_that_cannot_be_made_an_article_is_a_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("article bug")

    monkeypatch.setattr(parse, "to_article", broken)
    feed = read(rss(item("Anything")))
    assert feed.articles == ()
    assert any("ValueError" in note for note in feed.problems)


# --- random damage to the bundled sample feeds -----------------------------------------------

SAMPLES = ["maghreb-wire.xml", "sahel-mediterranean-monitor.xml", "le-courrier-du-sud.json"]
SNIPPETS = [
    b'<?xml version="1.0" encoding="undefined"?>',
    b'<?xml version="1.0" encoding="utf-16"?>',
    b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaa">]>',
    b"<!ENTITY b SYSTEM 'file:///etc/hostname'>",
    b"&a;&b;&#xD800;&#0;&#1114112;&#99999999999;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"<item>",
    b"</entry>",
    b'<a b="1" c=">">',
    b"\x00\xff\xfe\xed\xa0\x80\xc3",
    b"\xef\xbb\xbf",
    b'{"items": [',
    b'"date_published": "9999-99-99"',
    b"[" * 2_000,
]


def damaged(body: bytes, rng: random.Random) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(1, 6)):
        position = rng.randrange(len(data) + 1)
        action = rng.randrange(5)
        if action == 0 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif action == 1:
            data[position:position] = rng.choice(SNIPPETS)
        elif action == 2:
            del data[position : position + rng.randint(1, 400)]
        elif action == 3:
            end = position + rng.randint(1, 400)
            data[end:end] = data[position:end]
        else:
            del data[position:]
    return bytes(data)


def test_randomly_damaged_samples_never_raise() -> None:
    rng = random.Random(20251214)
    content_types = [None, "application/json", "text/xml; charset=undefined", "text/html"]
    for round_number in range(240):
        name = SAMPLES[round_number % len(SAMPLES)]
        body = damaged((files("bot.ingest") / "samples" / name).read_bytes(), rng)
        feed = read(body, content_type=rng.choice(content_types), max_items=rng.randint(0, 15))
        assert isinstance(feed, ParsedFeed), (round_number, name)
        assert all(isinstance(note, str) for note in feed.problems)
