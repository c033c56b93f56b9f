"""Feed autodiscovery: the feeds a web page names in its head.

    <link rel="alternate" type="application/rss+xml" href="/feed.xml" title="News">

`feed_links` reads only the start of the page (at most HEAD_BYTES) with the standard library's
html.parser and stops at `</head>` or `<body>`. It runs in a sandbox worker, never in the bot's
own process: this module is also the worker, serving the ingest jobs plus `feed_links`:

    python -m bot.ingest.discover MEMORY_BYTES
"""

from __future__ import annotations

import codecs
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

HEAD_BYTES = 1024 * 1024
MAX_LINKS = 10
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
WORKER_MODULE = "bot.ingest.discover"


class _HeadDone(Exception):
    """The head is over: nothing after it is read."""


class _FeedLinkParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = page_url
        self.based = False
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            raise _HeadDone
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        href = values.get("href", "")
        if tag == "base" and href and not self.based:
            self.base, self.based = urljoin(self.base, href), True
        elif tag == "link" and href and _is_feed_link(values):
            self.links.append(urljoin(self.base, href))
            if len(self.links) >= MAX_LINKS:
                raise _HeadDone

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            raise _HeadDone


def _is_feed_link(values: dict[str, str]) -> bool:
    rel = values.get("rel", "").lower().split()
    media_type = values.get("type", "").partition(";")[0].strip().lower()
    return "alternate" in rel and media_type in FEED_TYPES


def _charset(content_type: str | None) -> str:
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            try:
                return codecs.lookup(value.strip().strip("\"'")).name
            except LookupError:
                break
    return "utf-8"


def feed_links(body: bytes, page_url: str, content_type: str | None = None) -> list[str]:
    """The http(s) feed URLs a page's head links to, absolute, in page order, each once."""
    parser = _FeedLinkParser(page_url)
    try:
        parser.feed(body[:HEAD_BYTES].decode(_charset(content_type), errors="replace"))
        parser.close()
    except _HeadDone:
        pass
    found = [url for url in parser.links if urlsplit(url).scheme in ("http", "https")]
    return list(dict.fromkeys(found))


def _serve() -> None:
    from bot.ingest.jobs import JOBS, main  # noqa: PLC0415 - only a worker needs the parsers

    main({**JOBS, "feed_links": feed_links})


if __name__ == "__main__":
    _serve()
