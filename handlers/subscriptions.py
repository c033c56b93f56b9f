"""What a chat follows: topics, keyword watches, alerts per topic, and muting a topic."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.analysis.query import (
    OnlyExcludes,
    Query,
    QueryError,
    Requirement,
    compile_query,
    describe_error,
    parse_chat_query,
)
from bot.analysis.text import fold
from bot.chat import Button, ButtonRow, Command, CommandSpec, Emphasis, Part, Reply, Text, UserError
from bot.storage import chats as chat_store
from handlers.context import Context
from handlers.dispatch import suggest
from handlers.schedule import format_local

FAMILY = "subscriptions"
MAX_WATCHES = 20
DEFAULT_MUTE = timedelta(days=1)
MAX_MUTE = timedelta(days=90)
DURATION_HELP = "Use a number and m, h, d or w, e.g. /mute tunisia for 3d (at most 90 days)."
QUERY_HELP = (
    'Queries: words, "exact phrases", prefix*, AND, OR, NOT (any case), -word for NOT, ( ). '
    "Example: /watch tunisia AND (border OR frontier) -tourism"
)

_WORD = re.compile(r"[^\W_]+")
_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“", "'": "'"}
_QUERY_QUOTES = '"“”«»„'
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_DURATION = re.compile(
    r"(\d{1,5})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)", re.IGNORECASE
)
_UNIT = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}


def _key(text: str) -> str:
    """`North-Africa  Sécurity` → `north africa security`: how topic names are compared."""
    return " ".join(_WORD.findall(fold(text)))


def find_topic(context: Context, words: Sequence[str], command_name: str) -> str:
    """The slug for a topic typed as its slug or name, in any case; else a UserError."""
    wanted = _key(" ".join(words))
    keys = {
        _key(key): slug
        for slug, topic in context.topics.items()
        for key in (slug, topic.name, *topic.aliases)
    }
    if wanted in keys:
        return keys[wanted]
    shown = " ".join(" ".join(words).split())[:60]
    close = list(dict.fromkeys(keys[key] for key in suggest(wanted, list(keys), limit=3)))
    if len(close) == 1:
        hint = f"Did you mean {context.topic_name(close[0])}? /{command_name} {close[0]}"
    elif close:
        names = [context.topic_name(slug) for slug in close]
        hint = f"Did you mean {', '.join(names[:-1])} or {names[-1]}? /topics lists them all."
    else:
        hint = "/topics lists the topics on offer."
    raise UserError(f'There is no topic "{shown}".', hint)


async def topics(context: Context, command: Command) -> Reply:
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        followed = {sub.topic for sub in await chat_store.subscriptions(session, chat.id)}
    parts: list[Part] = [Text("Topics", Emphasis.HEADING)]
    for slug, topic in context.topics.items():
        mark = "✓" if slug in followed else "•"
        parts.append(Text(f"{mark} {topic.name} — {topic.description}"))
    parts.append(
        Text("✓ marks the topics this chat follows. Or type /subscribe NAME.", Emphasis.NOTE)
    )
    for slug, topic in context.topics.items():
        if slug in followed:
            button = Button(f"Unsubscribe from {topic.name}", "unsubscribe", (slug,))
        else:
            button = Button(f"Subscribe to {topic.name}", "subscribe", (slug,))
        parts.append(ButtonRow((button,)))
    return Reply(parts=tuple(parts))


async def subscribe(context: Context, command: Command) -> Reply:
    slug = find_topic(context, command.args, "subscribe")
    name = context.topic_name(slug)
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        added = await chat_store.subscribe(
            session, chat.id, slug, context.clock(), thread_id=command.thread_id
        )
        if added:
            reply = Reply.text(f"Subscribed to {name}.")
        else:
            existing = await chat_store.subscription(session, chat.id, slug)
            moved = existing is not None and command.thread_id not in (None, existing.thread_id)
            if moved:
                await chat_store.update_subscription(
                    session, chat.id, slug, thread_id=command.thread_id
                )
                reply = Reply.text(f"Already subscribed to {name}; its alerts now come here.")
            else:
                reply = Reply.text(f"This chat is already subscribed to {name}.")
    notes = [Text(f"/brief {slug} shows the latest.", Emphasis.NOTE)]
    if chat.paused:
        notes.append(Text("This chat is paused: nothing is sent until /resume.", Emphasis.NOTE))
    return reply.plus(*notes)


async def unsubscribe(context: Context, command: Command) -> Reply:
    slug = find_topic(context, command.args, "unsubscribe")
    name = context.topic_name(slug)
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        removed = await chat_store.unsubscribe(session, chat.id, slug)
    if not removed:
        return Reply.text(f"This chat is not subscribed to {name}.").plus(
            Text("/settings shows what it follows.", Emphasis.NOTE)
        )
    return Reply.text(f"Unsubscribed from {name}.").plus(
        Text(f"/subscribe {slug} brings it back.", Emphasis.NOTE)
    )


def watch_query(command: Command) -> str:
    """The raw query text. Quotes around the whole of it are dropped when they are single
    quotes (not part of the query language) or when what they hold is itself a query (upper-case
    AND, OR, NOT or brackets inside, as in `/watch "a OR b"`); otherwise they make a phrase."""
    text = (command.text or " ".join(command.args)).strip()
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if not any(quote in inner for quote in _QUERY_QUOTES) and (
            text[0] == "'" or _holds_syntax(inner)
        ):
            return inner.strip()
    return text


def _holds_syntax(text: str) -> bool:
    return "(" in text or any(word in _OPERATORS for word in text.split())


class QueryProblem(UserError):
    """A query that does not parse: the message, the query with a caret, the syntax."""

    def __init__(self, query: str, error: QueryError, kind: str) -> None:
        super().__init__(f"That {kind} query has a problem: {error.message}.", QUERY_HELP)
        self.pointer = describe_error(query, error)

    def reply(self) -> Reply:
        return Reply(
            parts=(
                Text(self.message),
                Text(self.pointer, Emphasis.CODE),
                Text(QUERY_HELP, Emphasis.NOTE),
            )
        )


@dataclass(frozen=True, slots=True)
class ChatQuery:
    """A query typed in a chat, read: the query, its canonical form (what is stored and shown),
    and the words a brief must hold for it to match."""

    query: Query
    written: str
    requirement: Requirement


def read_query(text: str, kind: str) -> ChatQuery:
    """A chat's query (`kind`: watch or search), parsed, or a UserError that says what is
    wrong and what the query language offers."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    try:
        query = parse_chat_query(text)
        requirement = query.requirement()
        if requirement is None:  # parse_chat_query refuses these already
            raise OnlyExcludes()
    except OnlyExcludes as error:
        raise UserError(
            f"That {kind} query only excludes: a brief with none of its words would match, "
            "so it would bring nearly every brief.",
            f"Say what to look for, then what to leave out, e.g. /{kind} libya AND NOT haftar",
        ) from error
    except QueryError as error:
        raise QueryProblem(text, error, kind) from error
    return ChatQuery(query, query.canonical(), requirement)


def stored_reading(stored: str) -> Query | None:
    """How a stored watch is read when it alerts (`compile_query`, the packs' language), or
    None when it does not parse. New watches are stored in canonical form, which reads the same
    in both languages; older ones were stored as typed and are read exactly as before."""
    try:
        return compile_query(stored)
    except QueryError:
        return None


def _reading_key(stored: str) -> str | None:
    reading = stored_reading(stored)
    return None if reading is None else reading.key()


async def watch(context: Context, command: Command) -> Reply:
    text = watch_query(command)
    if not text:
        return await watches(context, command)
    read = read_query(text, "watch")
    written = read.written
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        existing = await chat_store.watches(session, chat.id)
        same = next((w for w in existing if _reading_key(w.query) == read.query.key()), None)
        if same is not None:
            return Reply.text(f"This chat already watches that: W{same.id}.")
        if len(existing) >= MAX_WATCHES:
            raise UserError(
                f"This chat already has {MAX_WATCHES} watches, the most it can have.",
                "Remove one with /unwatch ID; /watches lists them.",
            )
        saved = await chat_store.add_watch(
            session, chat.id, written, command.user_id, context.clock()
        )
    return Reply.text(f"Watch W{saved.id}: {written}").plus(
        Text(
            "Saved: matching briefs come with your alerts and digest. "
            f"/unwatch W{saved.id} removes it.",
            Emphasis.NOTE,
        )
    )


async def watches(context: Context, command: Command) -> Reply:
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        found = await chat_store.watches(session, chat.id)
    if not found:
        return Reply.text("This chat has no watches.").plus(
            Text(f"/watch QUERY adds one. {QUERY_HELP}", Emphasis.NOTE)
        )
    parts: list[Part] = [Text("Watches", Emphasis.HEADING)]
    for saved in found:
        parts.extend(_watch_lines(saved.id, saved.query))
    parts.append(
        Text(
            f"/unwatch ID removes one; /watch QUERY adds one (at most {MAX_WATCHES}).",
            Emphasis.NOTE,
        )
    )
    return Reply(parts=tuple(parts))


def _watch_lines(watch_id: int, stored: str) -> list[Text]:
    """A watch as it is read, with a note when it never or nearly always matches, or when an
    older watch would read differently if typed today."""
    reading = stored_reading(stored)
    if reading is None:
        return [
            Text(f"W{watch_id}: {' '.join(stored.split())}"),
            Text(f"It does not parse, so it never matches: /unwatch W{watch_id}.", Emphasis.NOTE),
        ]
    lines = [Text(f"W{watch_id}: {reading.canonical()}")]
    if reading.requirement() is None:
        note = f"It only excludes, so it matches nearly every brief: /unwatch W{watch_id}."
        return [*lines, Text(note, Emphasis.NOTE)]
    try:
        typed_today = parse_chat_query(stored)
    except QueryError:
        return lines
    if typed_today.key() != reading.key():
        note = (
            "Saved before and, or, not worked in lower case. For "
            f"{typed_today.canonical()}: /unwatch W{watch_id}, then /watch it again."
        )
        lines.append(Text(note, Emphasis.NOTE))
    return lines


async def unwatch(context: Context, command: Command) -> Reply:
    typed = command.args[0]
    cleaned = typed.strip().lstrip("#").upper().removeprefix("W")
    if not (cleaned.isdigit() and len(cleaned) <= 12):
        raise UserError(
            f'"{typed[:30]}" is not a watch id.',
            "Watch ids look like W3; /watches lists this chat's watches.",
        )
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        removed = await chat_store.remove_watch(session, chat.id, int(cleaned))
    if not removed:
        raise UserError(
            f"This chat has no watch W{int(cleaned)}.", "/watches lists this chat's watches."
        )
    return Reply.text(f"Watch W{int(cleaned)} removed.")


def _switch(word: str) -> bool | None:
    return {"on": True, "off": False}.get(word.lower())


async def alerts(context: Context, command: Command) -> Reply:
    words = list(command.args)
    if _switch(words[0]) is None and len(words) > 1 and _switch(words[-1]) is not None:
        words = [words[-1], *words[:-1]]  # `/alerts tunisia off` reads the same
    switch = _switch(words[0])
    if switch is None:
        raise UserError("Say on or off.", f"Usage: {ALERTS.usage}, e.g. /alerts off tunisia")
    state = "on" if switch else "off"
    slug = find_topic(context, words[1:], f"alerts {state}") if len(words) > 1 else None
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        if slug is None:
            await chat_store.update_chat(session, chat.id, alerts=switch)
            if switch:
                return Reply.text(
                    "Alerts on: new briefs on this chat's topics arrive as they come."
                )
            return Reply.text("Alerts off for every topic.").plus(
                Text(
                    "The daily digest still comes; /alerts on turns alerts back on.", Emphasis.NOTE
                )
            )
        name = context.topic_name(slug)
        changed = await chat_store.update_subscription(session, chat.id, slug, alerts=switch)
    if changed is None:
        raise UserError(
            f"This chat is not subscribed to {name}.",
            f"/subscribe {slug} first, then /alerts {state} {slug}.",
        )
    reply = Reply.text(f"Alerts {state} for {name}.")
    if switch and not chat.alerts:
        reply = reply.plus(
            Text("Alerts are off for the whole chat: /alerts on to get them.", Emphasis.NOTE)
        )
    return reply


def split_mute(args: Sequence[str]) -> tuple[list[str], str | None, bool]:
    """(topic words, duration text or None, whether to unmute) from `/mute` arguments."""
    words = list(args)
    lowered = [word.lower() for word in words]
    if lowered[-1:] == ["off"]:
        return words[:-1], None, True
    if "for" in lowered:
        at = lowered.index("for")
        return words[:at], " ".join(words[at + 1 :]), False
    if words and words[-1][:1].isdigit():
        return words[:-1], words[-1], False
    if len(words) > 2 and words[-2].isdigit():
        return words[:-2], " ".join(words[-2:]), False
    return words, None, False


def parse_duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise UserError(f'"{text[:30]}" is not a duration I understand.', DURATION_HELP)
    length = int(match[1]) * _UNIT[match[2][0].lower()]
    if not timedelta(0) < length <= MAX_MUTE:
        raise UserError("A mute lasts from one minute to 90 days.", DURATION_HELP)
    return length


async def mute(context: Context, command: Command) -> Reply:
    topic_words, duration_text, unmute = split_mute(command.args)
    if not topic_words:
        raise UserError("Which topic should be muted?", f"Usage: {MUTE.usage}")
    slug = find_topic(context, topic_words, "mute")
    name = context.topic_name(slug)
    length = DEFAULT_MUTE if duration_text is None else parse_duration(duration_text)
    now = context.clock()
    until = None if unmute else now + length
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        before = await chat_store.subscription(session, chat.id, slug)
        if before is None:
            raise UserError(
                f"This chat is not subscribed to {name}, so there is nothing to mute.",
                f"/subscribe {slug} to follow it.",
            )
        await chat_store.set_muted_until(session, chat.id, slug, until)
    if until is None:
        if before.muted_until is None or before.muted_until <= now:
            return Reply.text(f"{name} was not muted.")
        return Reply.text(f"{name} is no longer muted.")
    return Reply.text(f"Muted {name} until {format_local(until, chat.timezone)}.").plus(
        Text(f"/mute {slug} off ends it early.", Emphasis.NOTE)
    )


ALERTS = CommandSpec(
    "alerts",
    "/alerts on|off [TOPIC]",
    "Turn immediate alerts on or off, for the whole chat or one topic.",
    alerts,
    changes_chat=True,
    min_args=1,
    max_args=None,
    family=FAMILY,
    examples=("/alerts off", "/alerts on tunisia"),
)
MUTE = CommandSpec(
    "mute",
    "/mute TOPIC [for 3d] · /mute TOPIC off",
    "Quiet one topic for a while (default one day, at most 90) without unsubscribing.",
    mute,
    changes_chat=True,
    min_args=1,
    max_args=None,
    family=FAMILY,
    examples=("/mute libya", "/mute sahel for 3d", "/mute sahel for 12h", "/mute sahel off"),
)
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "topics",
        "/topics",
        "The topics on offer, with buttons to subscribe or unsubscribe.",
        topics,
        family=FAMILY,
    ),
    CommandSpec(
        "subscribe",
        "/subscribe TOPIC",
        "Follow a topic in this chat.",
        subscribe,
        changes_chat=True,
        min_args=1,
        max_args=None,
        family=FAMILY,
        examples=("/subscribe tunisia", "/subscribe north africa security"),
    ),
    CommandSpec(
        "unsubscribe",
        "/unsubscribe TOPIC",
        "Stop following a topic in this chat.",
        unsubscribe,
        changes_chat=True,
        min_args=1,
        max_args=None,
        family=FAMILY,
        examples=("/unsubscribe libya",),
    ),
    CommandSpec(
        "watch",
        "/watch QUERY",
        "Follow your own keyword query, like a topic of your own; alone, list the watches.",
        watch,
        changes_chat=True,
        max_args=None,
        family=FAMILY,
        examples=(
            '/watch "Kais Saied" OR Carthage',
            "/watch wagner or libya",
            "/watch tunis* AND (drone OR drones) -tourism",
        ),
    ),
    CommandSpec(
        "watches",
        "/watches",
        "This chat's watches, as the bot reads them.",
        watches,
        family=FAMILY,
        examples=("/watches",),
    ),
    CommandSpec(
        "unwatch",
        "/unwatch ID",
        "Remove one of this chat's watches.",
        unwatch,
        changes_chat=True,
        min_args=1,
        max_args=1,
        family=FAMILY,
        examples=("/unwatch W3",),
    ),
    ALERTS,
    MUTE,
)
