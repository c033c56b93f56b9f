"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org), read with json and checked field by field.

feedparser does not read JSON Feed. Every field is optional here: one of the wrong type is
ignored, an item that is not an object is skipped and counted in the problems. Only the first
`max_items` items are read.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from bot.dates import parse_date
from bot.ingest.entry import RawEntry, RawFeed

_VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
_FORMATS = {"1": "jsonfeed10", "1.0": "jsonfeed10", "1.1": "jsonfeed11"}


def read_json_feed(body: bytes, source_url: str, max_items: int = 500) -> RawFeed:
    text = body.decode("utf-8-sig", errors="replace")
    problems: list[str] = []
    if text.count("\ufffd") > body.count("\ufffd".encode()):
        problems.append("invalid UTF-8 bytes were replaced")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return _not_a_feed(problems, f"invalid JSON at line {error.lineno}")
    except (ValueError, RecursionError) as error:
        return _not_a_feed(problems, f"unreadable JSON ({type(error).__name__})")
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return _not_a_feed(problems, "JSON without an items list")
    version = _string(document, "version")
    feed_format = _FORMATS.get(_version_number(version), "jsonfeed")
    if feed_format == "jsonfeed":
        problems.append(f"unknown JSON Feed version {version[:80]!r}: read as 1.1")
    items: list[Any] = document["items"]
    max_items = max(max_items, 0)
    if len(items) > max_items:
        problems.append(f"{len(items)} entries: kept the first {max_items}")
    entries = _entries(items[:max_items], source_url, problems)
    return RawFeed(
        format=feed_format,
        title=_string(document, "title"),
        link=_link(_string(document, "home_page_url"), source_url),
        entries=entries,
        problems=tuple(problems),
    )


def _entries(items: list[Any], source_url: str, problems: list[str]) -> tuple[RawEntry, ...]:
    entries = tuple(_entry(item, source_url) for item in items if isinstance(item, dict))
    if len(entries) < len(items):
        problems.append(f"skipped {len(items) - len(entries)} items that are not JSON objects")
    return entries


def _entry(item: dict[str, Any], source_url: str) -> RawEntry:
    identifier = item.get("id")
    if isinstance(identifier, int | float) and not isinstance(identifier, bool):
        identifier = str(identifier)  # the spec asks readers to coerce numeric ids
    content_html = _string(item, "content_html")
    return RawEntry(
        guid=identifier if isinstance(identifier, str) else None,
        link=_link(_string(item, "url") or _string(item, "external_url"), source_url),
        title=_string(item, "title"),
        summary=_string(item, "summary"),
        content=(content_html,) if content_html else (),
        content_text=_string(item, "content_text"),
        published=parse_date(item.get("date_published")) or parse_date(item.get("date_modified")),
    )


def _not_a_feed(problems: list[str], reason: str) -> RawFeed:
    return RawFeed(format="", problems=(*problems, f"not a JSON Feed: {reason}"))


def _string(mapping: dict[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def _version_number(version: str) -> str:
    for prefix in _VERSION_PREFIXES:
        if version.startswith(prefix):
            return version.removeprefix(prefix).rstrip("/")
    return ""


def _link(url: str, base: str) -> str | None:
    if not url:
        return None
    try:
        return urljoin(base, url.strip())
    except ValueError:
        return None
