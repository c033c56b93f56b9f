"""Check a URL before it becomes a source: is it a feed, and if it is a web page, which feed?

The URL is fetched once the way ingest fetches a source added from a chat (the SSRF guard on
every hop, the same byte cap and timeouts) and read in the sandbox, never in this process. A web
page is searched for the feeds its head links to (`bot.ingest.discover`, in the sandbox too),
and the first of them that reads as a feed is the one to add. Every refusal is one line that
says why, safe to show in a chat.
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.ingest.fetch import Fetcher, FetchError, FetchErrorKind, FetchResult
from bot.ingest.guard import BadUrl, BlockedAddress, check_url
from bot.ingest.parse import ParsedFeed
from bot.ingest.sandbox import Sandbox, SandboxError

LOOKUP_TIMEOUT = 10.0  # seconds for the address check before the fetch
MAX_CANDIDATES = 3  # feeds tried from one page's links
SHOWN_URL = 120  # characters of a URL quoted in a refusal
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head")


@dataclass(frozen=True, slots=True)
class CheckedFeed:
    url: str  # the feed: the URL given, or the one the page linked to
    title: str | None
    items: int
    page_url: str | None = None  # the web page the feed was found behind


class FeedRefused(Exception):
    """The URL can't be added; `reason` is one line for the person who asked, `hint` optional."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class _Unusable(Exception):
    """One URL gave no feed; `phrase` completes "<url> …", e.g. "answered HTTP 404 Not Found"."""

    def __init__(self, phrase: str) -> None:
        super().__init__(phrase)
        self.phrase = phrase


def shown(url: str) -> str:
    return url if len(url) <= SHOWN_URL else url[: SHOWN_URL - 1] + "…"


def _article(word: str) -> str:
    return "an" if word[:1] in set("aeiou") else "a"


class FeedChecker:
    """Fetches with a new guarded Fetcher per check and reads in `sandbox` (which needs the
    `feed_links` job: a Sandbox whose workers run `bot.ingest.discover`)."""

    def __init__(
        self, fetcher: Callable[[], Fetcher], sandbox: Sandbox, allow: Sequence[str] = ()
    ) -> None:
        self._fetcher = fetcher
        self._sandbox = sandbox
        self._allow = tuple(allow)

    async def check(self, url: str) -> CheckedFeed:
        """The feed at `url` or behind it; FeedRefused with the reason otherwise."""
        await self._check_address(url)
        async with self._fetcher() as fetcher:
            try:
                fetched = await _fetch(fetcher, url)
                feed = await self._read(fetched)
            except _Unusable as error:
                raise FeedRefused(f"Not added: {shown(url)} {error.phrase}.") from None
            if feed.format:
                return CheckedFeed(url, feed.title, len(feed.articles))
            if not _looks_like_html(fetched):
                raise FeedRefused(f"Not added: {shown(url)} {_not_a_feed(feed)}.")
            links = await self._links(fetched, url)
            return await self._first_feed(fetcher, url, links)

    async def _check_address(self, url: str) -> None:
        host = urlsplit(url).hostname or url
        try:
            async with asyncio.timeout(LOOKUP_TIMEOUT):
                await check_url(url, allow=self._allow)
        except BlockedAddress as error:
            where = error.host
            if error.host != str(error.address):
                where = f"{error.host} ({error.address})"
            raise FeedRefused(
                f"Refused: {where} is {_article(error.reason)} {error.reason} address; "
                "briefbot only fetches feeds on public addresses.",
                "An operator can allow an internal network in the config "
                "([ingest] allow_networks).",
            ) from None
        except BadUrl as error:
            raise FeedRefused(f"I can't use that URL: {error}.") from None
        except OSError:  # the resolver's gaierror, and TimeoutError
            raise FeedRefused(
                f"The host {host} did not resolve.",
                "Check the spelling; the feed must be reachable from briefbot's server.",
            ) from None

    async def _read(self, fetched: FetchResult) -> ParsedFeed:
        try:
            feed: ParsedFeed = await self._sandbox.run(
                "parse_feed", fetched.body or b"", fetched.url, fetched.content_type, None
            )
        except SandboxError as error:
            raise _Unusable(f"could not be read ({error.reason})") from None
        return feed

    async def _links(self, fetched: FetchResult, url: str) -> list[str]:
        try:
            links: list[str] = await self._sandbox.run(
                "feed_links", fetched.body or b"", fetched.url, fetched.content_type
            )
        except SandboxError as error:
            raise FeedRefused(
                f"Not added: {shown(url)} is a web page that could not be read ({error.reason})."
            ) from None
        return links

    async def _first_feed(self, fetcher: Fetcher, url: str, links: Sequence[str]) -> CheckedFeed:
        if not links:
            raise FeedRefused(f"Not added: {shown(url)} is a web page that links to no feed.")
        failures: list[tuple[str, str]] = []
        for link in links[:MAX_CANDIDATES]:
            try:
                feed = await self._read(await _fetch(fetcher, link))
            except _Unusable as error:
                failures.append((link, error.phrase))
                continue
            if feed.format:
                return CheckedFeed(link, feed.title, len(feed.articles), page_url=url)
            failures.append((link, _not_a_feed(feed)))
        link, phrase = failures[0]
        raise FeedRefused(
            f"Not added: {shown(url)} links to the feed {shown(link)}, which {phrase}."
        )


async def _fetch(fetcher: Fetcher, url: str) -> FetchResult:
    try:
        return await fetcher.fetch(url, guarded=True)
    except FetchError as error:
        if error.kind is FetchErrorKind.HTTP_STATUS:
            raise _Unusable(f"answered {error.reason}") from None
        raise _Unusable(f"could not be fetched ({error.reason})") from None


def _not_a_feed(feed: ParsedFeed) -> str:
    problem = feed.problems[0] if feed.problems else "nothing in it reads as a feed"
    return f"is not a feed ({problem.removeprefix('not a feed: ')})"


def _looks_like_html(fetched: FetchResult) -> bool:
    media_type = (fetched.content_type or "").partition(";")[0].strip().lower()
    if media_type in ("text/html", "application/xhtml+xml"):
        return True
    start = (fetched.body or b"")[:1024].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return start.startswith(_HTML_STARTS)
