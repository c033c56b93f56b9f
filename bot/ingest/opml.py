"""Sources as OPML, the outline format feed readers import and export.

Reading: an OPML file comes from a person, so it is read with care. It must be at most
MAX_OPML_BYTES; a DOCTYPE (and with it every ENTITY declaration) is refused, whatever the file's
encoding, so neither entity expansion nor external entities can happen; element count and
nesting are capped. The standard library's xml.etree reads it, through a builder that makes
those refusals.

Outlines nest: an outline with `xmlUrl` is a feed, one without is a folder. A feed's name is
its `title`, else its `text`; its `category` attribute and the folders above it are the words
that may name topics. Writing gives one outline per source, with its topic slugs as `category`,
so a file written here reads back as the same sources.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from bot.analysis.text import fold
from bot.domain import Source, Topic
from bot.ingest.clean import OUTLET_LIMIT, clean_text

MAX_OPML_BYTES = 5 * 1024 * 1024
MAX_ELEMENTS = 50_000
MAX_DEPTH = 64
MEDIA_TYPE = "text/x-opml"
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OpmlError(ValueError):
    """The file is not OPML this reads; the message is one line."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str | None  # xmlUrl; None for an outline that names only a web page
    name: str | None
    html_url: str | None
    categories: tuple[str, ...] = ()  # the folders above it, then its category attribute


class _Builder(ET.TreeBuilder):
    """A tree builder that refuses a DOCTYPE and caps element count and depth."""

    def __init__(self) -> None:
        super().__init__()
        self.elements = 0
        self.depth = 0

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise OpmlError("the file declares a DOCTYPE, which OPML never needs: refused")

    def start(self, tag: Any, attrs: Any) -> ET.Element:
        self.elements += 1
        self.depth += 1
        if self.elements > MAX_ELEMENTS:
            raise OpmlError(f"more than {MAX_ELEMENTS:,} elements")
        if self.depth > MAX_DEPTH:
            raise OpmlError(f"outlines nested more than {MAX_DEPTH} deep")
        return super().start(tag, attrs)

    def end(self, tag: Any) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


def _parser(builder: _Builder) -> Any:
    return ET.XMLParser(target=builder)  # noqa: S314 - the builder refuses a DOCTYPE


def _root(data: bytes) -> ET.Element:
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"the file is larger than {MAX_OPML_BYTES // 1_048_576} MiB")
    if not data.strip():
        raise OpmlError("the file is empty")
    builder = _Builder()
    parser = _parser(builder)
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except OpmlError:
        raise
    except ET.ParseError as error:
        raise OpmlError(f"not well-formed XML ({error})") from None
    if _local(root.tag) != "opml":
        raise OpmlError(f"the document is <{_local(root.tag)[:40]}>, not <opml>")
    return root


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].lower()


def _attributes(element: ET.Element) -> dict[str, str]:
    return {_local(name): " ".join(value.split()) for name, value in element.attrib.items()}


def _line(value: str | None) -> str | None:
    return " ".join(clean_text(value, OUTLET_LIMIT, html_markup=False).split()) or None


def _categories(value: str | None) -> list[str]:
    """`/Maghreb/Tunisia, libya` → ["Maghreb", "Tunisia", "libya"]."""
    return [part.strip() for item in (value or "").split(",") for part in item.split("/") if part]


def _outlines(parent: ET.Element, folders: tuple[str, ...]) -> Iterator[OpmlFeed]:
    for element in parent:
        if _local(element.tag) != "outline":
            continue
        attrs = _attributes(element)
        url, html_url = attrs.get("xmlurl") or None, attrs.get("htmlurl") or None
        title, text = _line(attrs.get("title")), _line(attrs.get("text"))
        if url or (html_url and len(element) == 0):
            # A text that only repeats the host is how a source without a name is written.
            name = title or (text if text != _host(url) else None)
            categories = (*folders, *_categories(attrs.get("category")))
            yield OpmlFeed(url, name, html_url, tuple(dict.fromkeys(categories)))
        folder = title or text
        inner = folders if url or not folder else (*folders, folder)
        yield from _outlines(element, inner)


def _host(url: str | None) -> str | None:
    try:
        return urlsplit(url or "").hostname
    except ValueError:
        return None


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed outline of an OPML document, in document order; OpmlError if unreadable."""
    root = _root(data)
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OpmlError("the document has no <body>")
    return list(_outlines(body, ()))


def topic_hints(categories: Sequence[str], topics: Mapping[str, Topic]) -> tuple[str, ...]:
    """The topic slugs among folder and category names (by slug or name, any case or accent)."""
    keys = {
        _key(key): slug
        for slug, topic in topics.items()
        for key in (slug, topic.name, *topic.aliases)
    }
    found = (keys.get(_key(name)) for name in categories)
    return tuple(dict.fromkeys(slug for slug in found if slug))


def _key(text: str) -> str:
    return " ".join(fold(text).replace("-", " ").replace("_", " ").split())


def exportable(sources: Sequence[Source]) -> tuple[list[Source], list[Source]]:
    """(sources to write, sources left out): only sources that are on and fetched over http(s)
    travel; an off source or a local file means nothing to another reader."""
    kept = [s for s in sources if s.enabled and urlsplit(s.url).scheme in ("http", "https")]
    return kept, [s for s in sources if s not in kept]


def _xml_text(text: str) -> str:
    return _NOT_XML_CHARS.sub("", text)


def write_opml(sources: Sequence[Source], now: datetime, title: str = "briefbot sources") -> bytes:
    """An OPML 2.0 document with one outline per source, in the order given."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    for source in sources:
        name = _xml_text(source.name or "").strip()
        attributes = {"type": "rss", "text": name or urlsplit(source.url).hostname or source.url}
        if name:
            attributes["title"] = name
        attributes["xmlUrl"] = _xml_text(source.url)
        if source.topics:
            attributes["category"] = ",".join(source.topics)
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
