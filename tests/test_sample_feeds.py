"""The bundled offline sample feeds that `briefbot demo` ingests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from itertools import product
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

RSS = "maghreb-wire.xml"
ATOM = "sahel-mediterranean-monitor.xml"
JSON_FEED = "le-courrier-du-sud.json"
EXPECTED_COUNTS = {RSS: 12, ATOM: 12, JSON_FEED: 10}
FIRST_DAY = datetime(2025, 12, 1, tzinfo=UTC)
DAY_AFTER_LAST = datetime(2025, 12, 15, tzinfo=UTC)
FRENCH_WORDS = frozenset({"le", "la", "les", "des", "du", "une", "et", "dans", "pour", "au", "aux"})
SHARED_STORY_FACTS = frozenset({"sfax", "14", "486", "37", "jebabli"})


@dataclass(frozen=True)
class SampleItem:
    id: str
    link: str
    title: str
    body: str
    published: datetime


def read_sample(name: str) -> bytes:
    return (files("bot.ingest") / "samples" / name).read_bytes()


def parse_xml(name: str) -> Any:
    return feedparser.parse(read_sample(name))


def load_json_feed() -> dict[str, Any]:
    feed: dict[str, Any] = json.loads(read_sample(JSON_FEED))
    return feed


def xml_items(name: str) -> list[SampleItem]:
    return [
        SampleItem(
            id=entry.get("id", ""),
            link=entry.get("link", ""),
            title=entry.get("title", ""),
            body=entry.get("summary", ""),
            published=datetime(*entry.published_parsed[:6], tzinfo=UTC),
        )
        for entry in parse_xml(name).entries
    ]


def json_items() -> list[SampleItem]:
    return [
        SampleItem(
            id=item["id"],
            link=item["url"],
            title=item["title"],
            body=item.get("content_text") or item["content_html"],
            published=datetime.fromisoformat(item["date_published"]),
        )
        for item in load_json_feed()["items"]
    ]


def all_items() -> list[SampleItem]:
    return xml_items(RSS) + xml_items(ATOM) + json_items()


def tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", text).casefold()))


def reads_french(item: SampleItem) -> bool:
    return len(tokens(item.body) & FRENCH_WORDS) >= 3


def title_similarity(first: SampleItem, second: SampleItem) -> float:
    first_words, second_words = tokens(first.title), tokens(second.title)
    return len(first_words & second_words) / len(first_words | second_words)


@pytest.mark.parametrize(
    ("name", "title", "version"),
    [(RSS, "Maghreb Wire", "rss20"), (ATOM, "Sahel & Mediterranean Monitor", "atom10")],
)
def test_xml_feed_parses_cleanly(name: str, title: str, version: str) -> None:
    parsed = parse_xml(name)

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    assert parsed.feed.title == title
    assert len(parsed.entries) == EXPECTED_COUNTS[name]


def test_json_feed_has_the_version_1_1_shape() -> None:
    feed = load_json_feed()

    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Le Courrier du Sud"
    assert feed["language"] == "fr"
    assert len(feed["items"]) == EXPECTED_COUNTS[JSON_FEED]
    for item in feed["items"]:
        assert {"id", "url", "title", "date_published"} <= item.keys()
        assert item.get("content_text") or item.get("content_html")
        assert all(author["name"] for author in item.get("authors", []))


def test_every_item_has_a_unique_id_an_example_link_and_a_december_date() -> None:
    items = all_items()

    assert len(items) == sum(EXPECTED_COUNTS.values()) >= 30
    assert len({item.id for item in items}) == len(items)
    assert len({item.link for item in items}) == len(items)
    for item in items:
        host = urlsplit(item.link).hostname or ""
        assert item.link.startswith("https://"), item.link
        assert host.endswith((".example.org", ".example.net")), item.link
        assert item.title and item.body, item.id
        assert item.published.tzinfo is not None, item.id
        assert FIRST_DAY <= item.published < DAY_AFTER_LAST, item.id


@pytest.mark.parametrize("name", [RSS, ATOM])
def test_xml_feeds_are_mostly_english_with_a_few_french_items(name: str) -> None:
    french = [item for item in xml_items(name) if reads_french(item)]

    assert 2 <= len(french) <= 3, [item.title for item in french]


def test_json_feed_items_are_all_french() -> None:
    assert all(reads_french(item) for item in json_items())


def test_one_story_is_carried_by_both_xml_feeds() -> None:
    pairs = sorted(
        product(xml_items(RSS), xml_items(ATOM)),
        key=lambda pair: title_similarity(*pair),
        reverse=True,
    )
    (wire, monitor), runner_up = pairs[0], pairs[1]

    assert title_similarity(wire, monitor) >= 0.5
    assert title_similarity(*runner_up) < 0.3
    assert tokens(wire.body) & tokens(monitor.body) >= SHARED_STORY_FACTS
