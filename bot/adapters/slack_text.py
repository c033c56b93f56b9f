"""Text between people and Slack: what they type, as command words (mentions stripped, Slack's
markup undone), and commands written in replies the way Slack has them typed (`/brief name`).

Slack writes links, mentions and channels as `<...>` and escapes `&`, `<` and `>` as entities,
both in slash command text and in messages; button values may come back escaped the same way.
Clients also turn straight quotes into curly ones, which would break `watch "a query"`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import replace

from bot.chat import CommandSpec, Reply, Text
from bot.domain import ChatKind
from handlers.dispatch import command_name, find_spec
from handlers.onboarding import SLACK, for_platform

DEFAULT_COMMAND = "brief"  # `/brief` alone, or `/brief libya 3`
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
# Slash commands name private channels and group DMs instead of giving their names.
_HIDDEN_NAMES = ("directmessage", "privategroup", "mpdm-")
_CHANNEL_TYPES = {
    "im": ChatKind.PRIVATE,
    "mpim": ChatKind.GROUP,
    "group": ChatKind.GROUP,
    "private_channel": ChatKind.GROUP,
    "channel": ChatKind.CHANNEL,
}


def localise(reply: Reply) -> Reply:
    """Every `/name` in the reply's texts as typed on Slack (`/brief name`)."""
    parts = tuple(
        Text(for_platform(SLACK, part.text), part.emphasis) if isinstance(part, Text) else part
        for part in reply.parts
    )
    return replace(reply, parts=parts)


def unescape(text: str) -> str:
    """Slack's three entities back to characters (`&amp;` last, so `&amp;lt;` stays `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_markup(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("http://", "https://")):
        return target
    if target.startswith(("#", "@")):  # a channel or a person
        return target[0] + label.lstrip("#@") if label else target
    if target.startswith("!"):  # @here, @channel, a user group
        return label or "@" + target[1:].split("^", 1)[0]
    return label or target


def plain_text(text: str) -> str:
    """Slack message text as typed: links as URLs, mentions as @names, entities undone."""
    return unescape(_MARKUP.sub(_plain_markup, text)).translate(_QUOTES).strip()


def without_mention(text: str, bot_user_id: str | None) -> str:
    """The words addressed to the bot: what follows its mention (else what precedes it)."""
    if not bot_user_id:
        return text
    pieces = re.split(rf"<@{re.escape(bot_user_id)}(?:\|[^<>]*)?>", text, maxsplit=1)
    if len(pieces) == 1:
        return text
    before, after = pieces
    return after if after.strip() else before


def split_args(text: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(text))
    except ValueError:  # an unbalanced quote: take the words as typed
        return tuple(text.split())


def split_command(text: str, specs: Sequence[CommandSpec]) -> tuple[str, tuple[str, ...], str]:
    """`subscribe tunisia` → ("subscribe", ("tunisia",), "tunisia"); `libya 3` → the brief
    command with ("libya", "3"); empty → the brief command alone."""
    stripped = text.strip()
    first, _, rest = stripped.partition(" ")
    if first and find_spec(command_name(first), specs) is not None:
        return command_name(first), split_args(rest), rest.strip()
    return DEFAULT_COMMAND, split_args(stripped), stripped


def kind_from_hint(channel_id: str, hint: str | None) -> ChatKind | None:
    """The chat kind when the payload says it (an event's channel_type, a command's channel
    name), else None: a C… id may be a public or a private channel."""
    if channel_id.startswith("D"):
        return ChatKind.PRIVATE
    if hint in _CHANNEL_TYPES:
        return _CHANNEL_TYPES[hint]
    if hint == "directmessage":
        return ChatKind.PRIVATE
    if hint and hint.startswith(("privategroup", "mpdm-")):
        return ChatKind.GROUP
    return None


def shown_channel_name(name: str | None) -> str | None:
    """A slash command's channel name when it is a real one (not "privategroup" and the like)."""
    if not name or name.startswith(_HIDDEN_NAMES):
        return None
    return f"#{name}"
