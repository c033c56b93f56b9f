"""`briefbot sources list|import|export`: the feed sources in the database, and as OPML.

An import reads the file with `bot.ingest.opml`, keeps only http(s) feed URLs and checks each
host the way /addsource does (addresses on private networks are refused unless allowed in
`[ingest] allow_networks`), then adds the feeds that are new, with topic hints from the names of
their folders and categories. It fetches nothing: `briefbot ingest --once --force` does, now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TextIO
from urllib.parse import unquote, urlsplit

from bot.app import Runtime
from bot.config import Config
from bot.domain import Source
from bot.ingest import opml
from bot.ingest.guard import BadUrl, BlockedAddress, check_url, parse_http_url
from bot.storage import sources as source_store

IMPORT_INTERVAL = 15  # minutes between fetches of an imported source
MAX_URL_LENGTH = 2000  # the column's size
LOOKUP_TIMEOUT = 10.0  # seconds for each host's address check
LOOKUPS_AT_ONCE = 16


@dataclass(frozen=True, slots=True)
class Candidate:
    url: str
    typed: str
    feed: opml.OpmlFeed


def _code(source: Source) -> str:
    return f"S{source.id}"


def _label(source: Source) -> str:
    """`Name — host`; a local feed goes by its file name."""
    parts = urlsplit(source.url)
    host = parts.hostname or unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or source.url
    return f"{source.name} — {host}" if source.name and source.name != host else host


def _when(moment: datetime | None) -> str:
    return f"{moment:%d %b %Y %H:%M} UTC" if moment else "never"


def _state(source: Source) -> str:
    state = "on" if source.enabled else "off"
    return f"{state}, failing" if source.failures else state


def list_lines(statuses: Sequence[source_store.SourceStatus]) -> list[str]:
    """Two lines per source: what it is, then how it is doing."""
    lines: list[str] = []
    for status in statuses:
        source = status.source
        topics = f"  topics: {','.join(source.topics)}" if source.topics else ""
        lines.append(f"{_code(source)}  {_state(source)}  {_label(source)}  {source.url}{topics}")
        details = [
            f"origin {source.origin}",
            f"{status.articles:,} articles",
            f"last fetch {_when(status.last_fetched_at)}",
        ]
        if source.failures:
            error = " ".join((source.last_error or "").split())
            details.append(f"{source.failures} failures, last: {error}")
        lines.append("    " + " · ".join(details))
    return lines


async def _check_host(url: str, allow: Sequence[str]) -> str | None:
    """Why this URL's host may not be fetched, or None when it may."""
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT):
            await check_url(url, allow=allow)
    except BlockedAddress as error:
        return f"{error.host} is a {error.reason} address (allow it in [ingest] allow_networks)"
    except BadUrl as error:
        return str(error)
    except OSError:
        return f"the host {urlsplit(url).hostname} did not resolve"
    return None


def _usable(feed: opml.OpmlFeed) -> Candidate | str:
    """The feed's URL as it will be fetched, or why it can't be imported."""
    if feed.url is None:
        return "a web page without a feed URL (xmlUrl); /addsource finds the feed behind it"
    if len(feed.url) > MAX_URL_LENGTH:
        return f"the URL is over {MAX_URL_LENGTH:,} characters"
    try:
        url = str(parse_http_url(feed.url))
    except BadUrl as error:
        return str(error)
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is over {MAX_URL_LENGTH:,} characters"
    return Candidate(url, feed.url, feed)


async def _checked(
    feeds: Sequence[opml.OpmlFeed], allow: Sequence[str]
) -> tuple[list[Candidate], list[tuple[opml.OpmlFeed, str]]]:
    gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

    async def one(feed: opml.OpmlFeed) -> Candidate | str:
        usable = _usable(feed)
        if isinstance(usable, str):
            return usable
        async with gate:
            refused = await _check_host(usable.url, allow)
        return refused or usable

    outcomes = await asyncio.gather(*(one(feed) for feed in feeds))
    good = [outcome for outcome in outcomes if isinstance(outcome, Candidate)]
    bad = [(f, o) for f, o in zip(feeds, outcomes, strict=True) if isinstance(o, str)]
    return good, bad


def _shown(feed: opml.OpmlFeed) -> str:
    where = feed.url or feed.html_url or "(no URL)"
    where = where if len(where) <= 120 else where[:119] + "…"
    return f"{feed.name} <{where}>" if feed.name else where


async def import_opml(runtime: Runtime, data: bytes, name: str, out: TextIO) -> int:
    """Add the new feeds of an OPML document; print what was added, known and skipped."""
    feeds = opml.read_opml(data)
    good, bad = await _checked(feeds, runtime.config.ingest.allow_networks)
    added: list[Source] = []
    known: list[Source] = []
    async with runtime.sessions() as session, session.begin():
        for candidate in good:
            source, created = await source_store.add_new_source(
                session,
                candidate.url,
                runtime.clock(),
                name=candidate.feed.name,
                topics=opml.topic_hints(candidate.feed.categories, runtime.analyser.topics),
                interval_minutes=IMPORT_INTERVAL,
                origin="opml",
                spellings=(candidate.typed,),
            )
            (added if created else known).append(source)
    counts = f"{len(added)} added, {len(known)} already listed, {len(bad)} skipped"
    print(f"{name}: {len(feeds)} feeds — {counts}.", file=out)
    for source in added:
        topics = f" (topics: {', '.join(source.topics)})" if source.topics else ""
        print(f"  added {_code(source)}: {_label(source)} {source.url}{topics}", file=out)
    for source in dict.fromkeys(known):
        print(f"  already listed as {_code(source)}: {source.url}", file=out)
    for feed, reason in bad:
        print(f"  skipped {_shown(feed)}: {reason}", file=out)
    if added:
        print(
            "They are fetched from the next ingest round; `briefbot ingest --once --force` "
            "fetches every source now.",
            file=out,
        )
    return 0


@dataclass(frozen=True)
class Streams:
    out: TextIO
    err: TextIO
    binary_in: BinaryIO  # what `import -` reads
    binary_out: BinaryIO  # where `export` writes


async def run_sources(config: Config, action: str, file: str | None, streams: Streams) -> int:
    runtime = await Runtime.open(config)
    try:
        if action == "list":
            return await _list(runtime, streams.out)
        if action == "export":
            return await _export(runtime, streams.binary_out, streams.err)
        return await _import(runtime, file or "-", streams)
    finally:
        await runtime.close()


async def _list(runtime: Runtime, out: TextIO) -> int:
    async with runtime.sessions() as session:
        statuses = await source_store.source_statuses(session)
    if not statuses:
        print(
            "No sources yet: `briefbot ingest --once` registers the configured ones, "
            "`briefbot sources import FILE.opml` adds a reader's list.",
            file=out,
        )
        return 0
    on = sum(1 for status in statuses if status.source.enabled)
    print(f"{len(statuses)} sources, {on} on:", file=out)
    for line in list_lines(statuses):
        print(line, file=out)
    return 0


async def _export(runtime: Runtime, binary: BinaryIO, err: TextIO) -> int:
    async with runtime.sessions() as session:
        listed = await source_store.list_sources(session)
    kept, left_out = opml.exportable(listed)
    binary.write(opml.write_opml(kept, runtime.clock()))
    binary.flush()
    if left_out:
        print(
            f"briefbot sources export: left out {len(left_out)} sources that are off or read "
            "from a local file",
            file=err,
        )
    return 0


async def _import(runtime: Runtime, file: str, streams: Streams) -> int:
    name = "stdin" if file == "-" else file
    try:
        data = await asyncio.to_thread(_read, file, streams.binary_in)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        print(f"briefbot sources import: cannot read {name}: {reason}", file=streams.err)
        return 2
    try:
        return await import_opml(runtime, data, name, streams.out)
    except opml.OpmlError as error:
        print(f"briefbot sources import: {name}: {error}", file=streams.err)
        return 2


def _read(file: str, stdin: BinaryIO) -> bytes:
    """At most one byte past the OPML cap, so an oversized file is refused, not loaded."""
    if file == "-":
        return stdin.read(opml.MAX_OPML_BYTES + 1)
    with Path(file).open("rb") as handle:
        return handle.read(opml.MAX_OPML_BYTES + 1)
