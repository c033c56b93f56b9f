"""Admin commands: the feed sources, and counts of what the bot holds.

`/removesource` turns a source off rather than deleting it. Its articles hold the list of
outlets behind each brief (`/source B12` shows them), deleting a configured source would only
see it come back from the config at the next start, and an admin's mistake is undone with
`/addsource URL`, which turns a source that is off back on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import unquote, urlsplit

from bot.analysis.text import fold, squash_spaces
from bot.chat import (
    Button,
    ButtonRow,
    Command,
    CommandSpec,
    Emphasis,
    File,
    Reply,
    Text,
    UserError,
)
from bot.domain import Source, Topic
from bot.ingest import opml
from bot.ingest.checker import CheckedFeed, FeedRefused
from bot.ingest.guard import BadUrl, parse_http_url
from bot.storage import sources as source_store
from bot.storage.stats import collect_stats
from handlers.context import Context
from handlers.dispatch import suggest

PAGE_SIZE = 20
MAX_URL_LENGTH = 2000  # the column's size
CHAT_SOURCE_INTERVAL = 15  # minutes
OPML_FILE = "briefbot-sources.opml"
SOURCES_USAGE = "/sources [PAGE] — or /sources opml for the list as an OPML file"
ADDSOURCE_USAGE = "/addsource https://example.org/feed.xml [TOPIC ...]"
_SOURCE_CODE = re.compile(r"#?[sS]?(\d{1,12})")


def source_code(source_id: int) -> str:
    return f"S{source_id}"


def parse_source_code(text: str) -> int | None:
    """`S3`, `s3`, `#S3` or `3` → 3; anything else → None."""
    match = _SOURCE_CODE.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def source_host(url: str) -> str:
    """The host a feed comes from, or the file name of a local feed."""
    parts = urlsplit(url)
    if parts.hostname:
        return parts.hostname
    return unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or url


def source_title(source: Source) -> str:
    host = source_host(source.url)
    name = squash_spaces(source.name or "")
    return f"{name} — {host}" if name and name != host else host


def status_label(source: Source) -> str:
    if source.failures:
        return "⚠ FAILING" if source.enabled else "⚠ FAILING, off"
    return "on" if source.enabled else "off"


def _when(moment: datetime | None) -> str:
    return f"{moment:%d %b %H:%M} UTC" if moment else "never"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _source_parts(status: source_store.SourceStatus) -> list[Text]:
    source = status.source
    details = [f"last fetch {_when(status.last_fetched_at)}"]
    if source.failures:
        details.append(_plural(source.failures, "failure"))
        if source.enabled:
            details.append(f"next try {_when(status.next_fetch_at)}")
    details.append(_plural(status.articles, "article"))
    notes = [source.url[:200], " · ".join(details)]
    if source.last_error:
        notes.append(f"last error: {squash_spaces(source.last_error)}")
    return [
        Text(f"{source_code(source.id)}  {status_label(source)}  {source_title(source)}"),
        Text("\n".join(notes), Emphasis.NOTE),
    ]


def _page_number(args: Sequence[str]) -> int:
    if not args:
        return 1
    if not args[0].isdigit() or int(args[0]) < 1:
        raise UserError(f"“{args[0][:20]}” is not a page number.", f"Usage: {SOURCES_USAGE}")
    return int(args[0])


async def sources_opml(context: Context) -> Reply:
    """Every source that is on and fetched over http(s), as an OPML file for a feed reader."""
    async with context.sessions() as session:
        listed = await source_store.list_sources(session)
    kept, left_out = opml.exportable(listed)
    data = opml.write_opml(kept, context.clock())
    lines = [f"Sources as OPML: {_plural(len(kept), 'feed')}, in the file {OPML_FILE}."]
    if left_out:
        lines.append(f"Left out: {_plural(len(left_out), 'source')} off or read from a local file.")
    lines.append("A feed reader imports it; so does: briefbot sources import FILE")
    return Reply(
        parts=(Text(lines[0]), *(Text(line, Emphasis.NOTE) for line in lines[1:])),
        files=(File(OPML_FILE, data, opml.MEDIA_TYPE),),
    )


async def sources(context: Context, command: Command) -> Reply:
    if command.args and command.args[0].lower() == "opml":
        return await sources_opml(context)
    page = _page_number(command.args)
    async with context.sessions() as session:
        statuses = await source_store.source_statuses(session)
    if not statuses:
        return Reply.text("There are no sources yet.").plus(
            Text(f"Add one with {ADDSOURCE_USAGE}", Emphasis.NOTE)
        )
    pages = -(-len(statuses) // PAGE_SIZE)
    if page > pages:
        raise UserError(
            f"There is no page {page}: the sources fill {_plural(pages, 'page')}.",
            f"Usage: {SOURCES_USAGE}",
        )
    enabled = [s for s in statuses if s.source.enabled]
    failing = sum(1 for s in enabled if s.failing)
    heading = (
        f"Sources: {len(statuses)} — {len(enabled)} on ({failing} failing), "
        f"{len(statuses) - len(enabled)} off"
    )
    if pages > 1:
        heading += f" — page {page} of {pages}"
    parts: list[Text] = [Text(heading, Emphasis.HEADING)]
    for status in statuses[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        parts.extend(_source_parts(status))
    next_page = Button("Next page", "sources", (str(page + 1),)) if page < pages else None
    return Reply(parts=tuple(parts), next_page=next_page, edit=page > 1)


def _topic_key(text: str) -> str:
    return " ".join(fold(text).replace("-", " ").replace("_", " ").split())


def resolve_topic_hints(args: Sequence[str], topics: Mapping[str, Topic]) -> list[str]:
    """Topic slugs from words such as `tunisia`, `north africa security` or `libya,sahel`."""
    keys = {
        _topic_key(key): slug
        for slug, topic in topics.items()
        for key in (slug, topic.name, *topic.aliases)
    }
    words = [word for arg in args for word in arg.replace(",", " ").split()]
    found: list[str] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):  # the longest run of words naming a topic
            slug = keys.get(_topic_key(" ".join(words[start:end])))
            if slug is not None:
                found.append(slug)
                start = end
                break
        else:
            raise _unknown_topic(" ".join(words[start:]), topics)
    return list(dict.fromkeys(found))


def _unknown_topic(text: str, topics: Mapping[str, Topic]) -> UserError:
    shown = text[:60]
    by_name = {topic.name: slug for slug, topic in topics.items()}
    close = [by_name[name] for name in suggest(shown, list(by_name), limit=3)]
    if close:
        hint = f"Did you mean {' or '.join(close)}? /topics lists every topic."
    else:
        hint = "/topics lists every topic."
    return UserError(f"I don't know the topic “{shown}”.", hint)


def _items(count: int) -> str:
    return _plural(count, "item")


def _added_reply(source: Source, context: Context, headline: str, *notes: str) -> Reply:
    details = [source.url, *notes]
    if source.topics:
        details.append("topics hint: " + ", ".join(context.topic_name(t) for t in source.topics))
    details.append("fetched from the next round on; /sources shows how it is doing")
    code = source_code(source.id)
    return Reply(
        parts=(
            Text(headline),
            Text("\n".join(details), Emphasis.NOTE),
            ButtonRow(
                (Button("Sources", "sources"), Button(f"Remove {code}", "removesource", (code,)))
            ),
        )
    )


def _checked_url(raw: str) -> str:
    """The URL as the fetcher will send it; UserError if it is unusable or too long to store."""
    too_long = UserError(
        f"That URL is too long (over {MAX_URL_LENGTH:,} characters).", f"Usage: {ADDSOURCE_USAGE}"
    )
    if len(raw) > MAX_URL_LENGTH:
        raise too_long
    try:
        url = str(parse_http_url(raw))
    except BadUrl as error:
        raise UserError(f"I can't use that URL: {error}.", f"Usage: {ADDSOURCE_USAGE}") from None
    if len(url) > MAX_URL_LENGTH:  # percent-encoding can lengthen it
        raise too_long
    return url


async def _known(context: Context, *urls: str) -> Reply | None:
    """The answer when one of these URLs is a source already: turned back on if it was off."""
    async with context.sessions() as session, session.begin():
        existing = await source_store.find_source_by_url(session, *urls)
        if existing is None:
            return None
        if not existing.enabled:
            source = await source_store.enable_source(session, existing.id, context.clock())
            assert source is not None
            code = source_code(source.id)
            return _added_reply(
                source,
                context,
                f"{code} was already listed but off; it is back on, with its failures forgotten.",
            )
    return Reply.text(
        f"That feed is already there as {source_code(existing.id)} ({source_title(existing)})."
    ).plus(Text("/sources shows how it is doing.", Emphasis.NOTE))


async def _check_feed(context: Context, url: str) -> CheckedFeed:
    if context.feed_checker is None:
        raise UserError("This bot was started without a feed checker, so it can't add feeds.")
    try:
        return await context.feed_checker.check(url)
    except FeedRefused as refused:
        raise UserError(refused.reason, refused.hint) from None


async def addsource(context: Context, command: Command) -> Reply:
    """Fetch the URL once, read it, and add the feed it is (or the feed its page links to)."""
    raw = command.args[0].strip()
    url = _checked_url(raw)
    hints = resolve_topic_hints(command.args[1:], context.topics)
    known = await _known(context, raw, url)
    if known is not None:
        return known
    checked = await _check_feed(context, url)
    if checked.url != url:
        if len(checked.url) > MAX_URL_LENGTH:
            raise UserError(
                f"Not added: the feed that page links to has a URL over {MAX_URL_LENGTH:,} "
                "characters."
            )
        if (known := await _known(context, checked.url)) is not None:
            return known
    async with context.sessions() as session, session.begin():
        source = await source_store.ensure_source(
            session,
            checked.url,
            context.clock(),
            name=checked.title,
            topics=hints,
            interval_minutes=CHAT_SOURCE_INTERVAL,
            origin="chat",
            added_by=command.user_id,
        )
    name = squash_spaces(source.name or "") or source_host(source.url)
    found = [f"found through the page {checked.page_url}"] if checked.page_url else []
    headline = f"Added {source_code(source.id)}: {name} — {_items(checked.items)}."
    return _added_reply(source, context, headline, *found)


async def removesource(context: Context, command: Command) -> Reply:
    typed = command.args[0]
    source_id = parse_source_code(typed)
    if source_id is None:
        raise UserError(
            f"“{typed[:20]}” is not a source id.", "Source ids look like S3; /sources lists them."
        )
    code = source_code(source_id)
    async with context.sessions() as session, session.begin():
        source = await source_store.get_source(session, source_id)
        if source is None:
            raise UserError(f"There is no source {code}.", "/sources lists every source.")
        if not source.enabled:
            return Reply.text(f"{code} ({source_title(source)}) is already off.")
        await source_store.disable_source(session, source_id)
    return Reply.text(
        f"{code} ({source_title(source)}) is off: it won't be fetched any more.",
    ).plus(
        Text(
            "Its articles and briefs stay. /addsource with its URL turns it back on.", Emphasis.NOTE
        )
    )


async def stats(context: Context, command: Command) -> Reply:
    now = context.clock()
    async with context.sessions() as session:
        counts = await collect_stats(session, now)
    lines = (
        f"Sources: {counts.sources:,} — {counts.sources_enabled:,} on "
        f"({counts.sources_failing:,} failing), {counts.sources_off:,} off",
        f"Articles: {counts.articles:,}",
        f"Briefs: {counts.briefs:,} — {counts.briefs_recent:,} in the last 24 hours",
        f"Chats: {counts.chats_active:,} active of {counts.chats_total:,}",
        f"Subscriptions: {counts.subscriptions:,} · Watches: {counts.watches:,}",
        f"Deliveries: {counts.deliveries_pending:,} pending · "
        f"{counts.deliveries_claimed:,} being sent · {counts.deliveries_sent:,} sent · "
        f"{counts.deliveries_failed:,} failed",
    )
    process = context.process_stats() if context.process_stats else []
    extra: list[Text] = []
    if process:
        extra.append(Text("This process since it started", Emphasis.HEADING))
        extra.extend(Text(f"{label}: {value}") for label, value in process)
    return Reply(
        parts=(
            Text(f"briefbot at {now:%d %b %Y %H:%M} UTC", Emphasis.HEADING),
            *(Text(line) for line in lines),
            *extra,
        )
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        name="sources",
        usage="/sources [PAGE]",
        summary="Every feed source with its id, state and last error, failing ones first; "
        "/sources opml sends them as an OPML file for a feed reader.",
        handler=sources,
        admin_only=True,
        max_args=1,
        family="admin",
        examples=("sources", "sources 2", "sources opml"),
    ),
    CommandSpec(
        name="addsource",
        usage="/addsource URL [TOPIC ...]",
        summary="Add a feed (RSS, Atom or JSON Feed) or a web page that links to one, "
        "optionally with topic hints. The URL is fetched and read first.",
        handler=addsource,
        admin_only=True,
        min_args=1,
        max_args=None,
        family="admin",
        examples=(
            "addsource https://example.org/feed.xml",
            "addsource https://example.org/ tunisia libya",
        ),
    ),
    CommandSpec(
        name="removesource",
        usage="/removesource ID",
        summary="Stop fetching a source; its articles and briefs stay.",
        handler=removesource,
        admin_only=True,
        min_args=1,
        max_args=1,
        family="admin",
        examples=("removesource S3",),
    ),
    CommandSpec(
        name="stats",
        usage="/stats",
        summary="Counts of sources, articles, briefs, chats and deliveries.",
        handler=stats,
        admin_only=True,
        family="admin",
    ),
)
