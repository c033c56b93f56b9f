"""Feed bytes to clean Articles: the formats, broken documents, dates and limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from bot.dates import parse_date
from bot.ingest import parse
from bot.ingest.parse import ParsedFeed, parse_feed

SOURCE = "https://coastal-dispatch.example.org/feed.xml"
NOW = datetime(2025, 12, 14, 12, 0, tzinfo=UTC)
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
CONTENT_NS = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'


def rss(items: str, *, title: str = "Coastal Dispatch", head: str = DECLARATION) -> bytes:
    return (
        f'{head}\n<rss version="2.0" {CONTENT_NS}><channel><title>{title}</title>'
        f"<link>https://coastal-dispatch.example.org/</link>{items}</channel></rss>"
    ).encode()


def item(title: str, *, extra: str = "") -> str:
    return f"<item><title>{title}</title>{extra}</item>"


def read(body: bytes, **options: object) -> ParsedFeed:
    return parse_feed(body, SOURCE, now=NOW, **options)  # type: ignore[arg-type]


# --- formats -------------------------------------------------------------------------------


def test_rss_20_gives_every_field() -> None:
    feed = read(
        rss(
            "<item><title>Fishing fleet stays in port as winds rise</title>"
            "<link>https://coastal-dispatch.example.org/2025/12/fleet-in-port</link>"
            '<guid isPermaLink="false">dispatch-2210</guid>'
            "<description>&lt;p&gt;Harbour officers kept the boats moored.&lt;/p&gt;</description>"
            "<content:encoded><![CDATA[<p>Harbour officers kept the boats moored.</p>"
            "<p>Crews expect to sail again on Thursday.</p>]]></content:encoded>"
            "<pubDate>Sun, 14 Dec 2025 09:30:00 +0100</pubDate></item>"
        )
    )
    assert feed.format == "rss20"
    assert feed.title == "Coastal Dispatch"
    assert feed.link == "https://coastal-dispatch.example.org/"
    assert feed.problems == ()
    [article] = feed.articles
    assert article.identity == "guid:dispatch-2210"
    assert article.title == "Fishing fleet stays in port as winds rise"
    assert article.url == "https://coastal-dispatch.example.org/2025/12/fleet-in-port"
    assert article.summary == "Harbour officers kept the boats moored."
    assert article.text == (
        "Harbour officers kept the boats moored.\n\nCrews expect to sail again on Thursday."
    )
    assert article.outlet == "Coastal Dispatch"
    assert article.published_at == datetime(2025, 12, 14, 8, 30, tzinfo=UTC)
    assert article.source_url == SOURCE


def test_rss_10_rdf() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://valley-notes.example.net/">
    <title>Valley Notes</title><link>https://valley-notes.example.net/</link>
  </channel>
  <item rdf:about="https://valley-notes.example.net/bridge">
    <title>Old bridge reopens to lorries</title>
    <link>https://valley-notes.example.net/bridge</link>
    <description>Engineers signed off the repairs.</description>
    <dc:date>2025-12-02T07:15:00Z</dc:date>
  </item>
</rdf:RDF>"""
    feed = read(body)
    assert feed.format == "rss10"
    [article] = feed.articles
    assert (article.title, article.summary) == (
        "Old bridge reopens to lorries",
        "Engineers signed off the repairs.",
    )
    assert article.url == "https://valley-notes.example.net/bridge"
    assert article.published_at == datetime(2025, 12, 2, 7, 15, tzinfo=UTC)


def test_rss_091() -> None:
    body = b"""<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old Wire</title><link>http://old-wire.example.com/</link>
<description>Headlines</description><language>en</language>
<item><title>Council approves market hall</title>
<link>http://old-wire.example.com/market</link>
<description>The vote passed seven to two.</description></item>
</channel></rss>"""
    feed = read(body)
    assert feed.format == "rss091u"
    [article] = feed.articles
    assert article.identity == "link:http://old-wire.example.com/market"
    assert article.summary == "The vote passed seven to two."


def test_rss_091_netscape_doctype_and_html_entities() -> None:
    body = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old Wire</title>
<item><title>March&eacute; couvert : le conseil vote</title>
<link>http://old-wire.example.com/marche</link></item></channel></rss>"""
    feed = read(body)
    assert feed.format == "rss091n"
    assert [a.title for a in feed.articles] == ["Marché couvert : le conseil vote"]


def test_atom_10() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Ridge Line Review</title>
  <link rel="alternate" href="https://ridge-line.example.com/"/>
  <id>tag:ridge-line.example.com,2025:feed</id>
  <updated>2025-12-10T10:00:00Z</updated>
  <entry>
    <id>tag:ridge-line.example.com,2025:entry-81</id>
    <title type="html">&lt;em&gt;Snow&lt;/em&gt; closes the pass</title>
    <link rel="alternate" href="https://ridge-line.example.com/snow-pass"/>
    <updated>2025-12-10T11:45:00+02:00</updated>
    <summary>Road crews wait for the storm to pass.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>Road crews wait for the storm to pass.</p><ul><li>Pass closed</li><li>Detour open</li></ul>
    </div></content>
  </entry>
</feed>"""
    feed = read(body)
    assert feed.format == "atom10"
    assert feed.title == "Ridge Line Review"
    [article] = feed.articles
    assert article.identity == "guid:tag:ridge-line.example.com,2025:entry-81"
    assert article.title == "Snow closes the pass"
    assert article.url == "https://ridge-line.example.com/snow-pass"
    assert article.text == "Road crews wait for the storm to pass.\n\nPass closed\n\nDetour open"
    assert article.published_at == datetime(2025, 12, 10, 9, 45, tzinfo=UTC)


def json_feed(items: list[object], version: str = "https://jsonfeed.org/version/1.1") -> bytes:
    document = {
        "version": version,
        "title": "Harbour Ledger",
        "home_page_url": "https://harbour-ledger.example.org/",
        "items": items,
    }
    return json.dumps(document).encode()


def test_json_feed_11() -> None:
    body = json_feed(
        [
            {
                "id": "hl-31",
                "url": "https://harbour-ledger.example.org/cranes",
                "title": "New cranes arrive at the container quay",
                "content_html": "<p>Two cranes came by barge.</p><script>track()</script>",
                "summary": "Two cranes came by barge.",
                "date_published": "2025-12-11T16:20:00+01:00",
                "authors": [{"name": "Quay desk"}],
            }
        ]
    )
    feed = read(body, content_type="application/feed+json")
    assert feed.format == "jsonfeed11"
    assert feed.title == "Harbour Ledger"
    assert feed.link == "https://harbour-ledger.example.org/"
    assert feed.problems == ()
    [article] = feed.articles
    assert article.identity == "guid:hl-31"
    assert article.summary == "Two cranes came by barge."
    assert "track" not in article.body
    assert article.published_at == datetime(2025, 12, 11, 15, 20, tzinfo=UTC)


def test_json_feed_10_items_are_checked_one_by_one() -> None:
    body = json_feed(
        [
            {"id": 1041, "url": "/tides", "title": "Spring tides &amp; flooding",
             "content_text": "Low streets <flooded> twice.\nPumps ran all night.",
             "author": {"name": "Tide desk"}, "date_modified": "2025-12-09T05:00:00"},
            "not an item",
            {"id": "no-text", "url": "https://harbour-ledger.example.org/empty"},
            {"id": True, "title": 42, "summary": "Ferry timetable changes in January."},
        ],
        version="https://jsonfeed.org/version/1",
    )  # fmt: skip
    feed = read(b"\xef\xbb\xbf \n" + body)
    assert feed.format == "jsonfeed10"
    first, second = feed.articles
    assert first.identity == "guid:1041"
    assert first.title == "Spring tides & flooding"
    assert first.url == "https://coastal-dispatch.example.org/tides"
    assert first.summary == "Low streets <flooded> twice.\nPumps ran all night."
    assert first.published_at == datetime(2025, 12, 9, 5, 0, tzinfo=UTC)
    assert second.title == "Ferry timetable changes in January."
    assert second.identity.startswith("hash:")
    assert "skipped 1 items that are not JSON objects" in feed.problems
    assert "skipped 1 entries without title or text" in feed.problems


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', None, "invalid JSON"),
        (b'{"error": "rate limited"}', None, "JSON without an items list"),
        (b"[]", "application/json", "JSON without an items list"),
        (b"{" * 100_000, None, "not a JSON Feed"),
    ],
)
def test_json_that_is_not_a_feed(body: bytes, content_type: str | None, problem: str) -> None:
    feed = read(body, content_type=content_type)
    assert feed.articles == ()
    assert feed.format == ""
    assert any(problem in note for note in feed.problems)


# --- broken documents ----------------------------------------------------------------------


def test_truncated_xml_keeps_the_entries_before_the_cut() -> None:
    whole = rss(item("Lighthouse keeper retires") + item("Ferry adds a night crossing"))
    cut = whole[: whole.index(b"</channel>")] + b"<item><title>Market hall ro"
    feed = read(cut)
    assert [a.title for a in feed.articles][:2] == [
        "Lighthouse keeper retires",
        "Ferry adds a night crossing",
    ]
    assert any(note.startswith("malformed XML at line 2") for note in feed.problems)


def test_html_page_is_not_a_feed() -> None:
    page = b"""<!DOCTYPE html>
<html lang="en"><head><title>Coastal Dispatch</title><meta charset="utf-8"></head>
<body><h1>Latest</h1><p>Our feed has moved.<br><a href="/rss">Follow it</a></p></body></html>"""
    feed = read(page, content_type="text/html; charset=utf-8")
    assert feed.articles == ()
    assert feed.format == ""
    assert feed.problems == ("not a feed: the document is an HTML page",)


def test_feed_without_items_is_fine_and_empty() -> None:
    feed = read(rss(""))
    assert (feed.format, feed.articles, feed.problems) == ("rss20", (), ())


@pytest.mark.parametrize("body", [b"", b"  \n\t "])
def test_empty_document(body: bytes) -> None:
    feed = read(body)
    assert feed.articles == ()
    assert feed.problems == ("empty document",)


def test_feedparser_raising_is_a_problem_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(feedparser, "parse", explode)
    feed = read(rss(item("Anything")), fallback_outlet="Backup name")
    assert feed.articles == ()
    assert feed.title == "Backup name"
    assert any("UnicodeEncodeError" in note for note in feed.problems)


def test_oversized_document_is_read_from_its_start(monkeypatch: pytest.MonkeyPatch) -> None:
    body = rss(item("First story") + item("Second story") * 50)
    monkeypatch.setattr(parse, "MAX_FEED_BYTES", body.index(b"Second story"))
    feed = read(body)
    assert [a.title for a in feed.articles] == ["First story"]
    assert any(note.startswith("document over") for note in feed.problems)


# --- dates, limits, skipping ---------------------------------------------------------------


def test_future_dates_are_dropped_but_small_clock_skew_is_kept() -> None:
    def dated(title: str, moment: datetime) -> str:
        return item(
            title, extra=f"<pubDate>{moment.strftime('%a, %d %b %Y %H:%M:%S')} GMT</pubDate>"
        )

    feed = read(
        rss(
            dated("Next week", NOW + timedelta(days=7))
            + dated("In two hours", NOW + timedelta(hours=2))
            + item("Bad date", extra="<pubDate>the day after tomorrow</pubDate>")
        )
    )
    dates = {a.title: a.published_at for a in feed.articles}
    assert dates == {
        "Next week": None,
        "In two hours": NOW + timedelta(hours=2),
        "Bad date": None,
    }
    assert "dropped the date of 1 entries dated in the future" in feed.problems


PARTIAL_DATES = [
    ("2023", datetime(2023, 1, 1, tzinfo=UTC)),
    ("2023-09", datetime(2023, 9, 1, tzinfo=UTC)),
    ("2023-09-14", datetime(2023, 9, 14, tzinfo=UTC)),
    ("2023-09-14T10:00", datetime(2023, 9, 14, 10, 0, tzinfo=UTC)),
    ("2023-09-14T10:00Z", datetime(2023, 9, 14, 10, 0, tzinfo=UTC)),
    ("2023-09-14T10:00+02:00", datetime(2023, 9, 14, 8, 0, tzinfo=UTC)),
]
UNREADABLE_DATES: list[object] = ["soon", "2023-13", "2023-02-30", "", 12345, 2023.5, None, True]


@pytest.mark.parametrize(
    ("value", "expected"), [*PARTIAL_DATES, (" 2023-09 ", PARTIAL_DATES[1][1])]
)
def test_parse_date_reads_whole_and_partial_iso_dates_as_utc(
    value: str, expected: datetime
) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", [*UNREADABLE_DATES, "0001-01-01T00:00+01:00", "2023" * 20])
def test_parse_date_gives_none_for_anything_else(value: object) -> None:
    assert parse_date(value) is None


def test_json_feed_partial_dates_parse_and_bad_ones_are_unknown() -> None:
    values = [value for value, _ in PARTIAL_DATES] + UNREADABLE_DATES
    items = [
        {"id": f"d{n}", "title": f"Item {n}", "date_published": value}
        for n, value in enumerate(values)
    ]
    feed = read(json_feed(items))
    dates = {article.title: article.published_at for article in feed.articles}
    assert dates == {
        f"Item {n}": PARTIAL_DATES[n][1] if n < len(PARTIAL_DATES) else None
        for n in range(len(values))
    }
    assert feed.problems == ()


def test_json_feed_falls_back_to_a_partial_date_modified() -> None:
    items = [
        {"id": "a", "title": "Unreadable published", "date_published": "soon",
         "date_modified": "2023-09"},
        {"id": "b", "title": "Year only", "date_modified": "2023"},
    ]  # fmt: skip
    dates = {article.title: article.published_at for article in read(json_feed(items)).articles}
    assert dates == {
        "Unreadable published": datetime(2023, 9, 1, tzinfo=UTC),
        "Year only": datetime(2023, 1, 1, tzinfo=UTC),
    }


@pytest.mark.parametrize(("value", "expected"), [*PARTIAL_DATES, ("soon", None)])
def test_partial_dates_in_rss_and_atom_parse_through_feedparser(
    value: str, expected: datetime | None
) -> None:
    atom = (
        f'{DECLARATION}<feed xmlns="http://www.w3.org/2005/Atom"><title>Ridge</title>'
        f"<entry><id>e1</id><title>Pass closed</title><updated>{value}</updated></entry></feed>"
    ).encode()
    for body in (rss(item("Pass closed", extra=f"<pubDate>{value}</pubDate>")), atom):
        [article] = read(body).articles
        assert article.published_at == expected, body


def test_max_items_keeps_the_first_ones() -> None:
    feed = read(rss("".join(item(f"Story {number}") for number in range(30))), max_items=5)
    assert [a.title for a in feed.articles] == [f"Story {number}" for number in range(5)]
    assert feed.problems == ("more than 5 entries: kept the first 5",)


def test_entries_without_title_or_text_are_skipped_and_titles_come_from_text() -> None:
    feed = read(
        rss(
            "<item><link>https://coastal-dispatch.example.org/bare</link></item>"
            "<item><description>&lt;p&gt;A short note on the tide tables.&lt;/p&gt;"
            "&lt;p&gt;More later.&lt;/p&gt;</description></item>"
        )
    )
    [article] = feed.articles
    assert article.title == "A short note on the tide tables."
    assert "skipped 1 entries without title or text" in feed.problems


def test_repeated_identities_are_kept_once() -> None:
    guid = "<guid>dispatch-1</guid>"
    feed = read(rss(item("First copy", extra=guid) + item("Second copy", extra=guid)))
    assert [a.title for a in feed.articles] == ["First copy"]
    assert "skipped 1 entries repeating an earlier identity" in feed.problems


def test_fallback_outlet_when_the_feed_has_no_title() -> None:
    feed = read(rss(item("Story"), title=""), fallback_outlet="Coastal Dispatch (configured)")
    assert feed.title == "Coastal Dispatch (configured)"
    assert feed.articles[0].outlet == "Coastal Dispatch (configured)"
