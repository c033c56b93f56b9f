"""The one entry point every adapter calls: `reply = await dispatch(command, context)`.

Bare follow-ups: `more`, `actors`, `source` or `related` without an id are about the brief of
the message replied to (on the console, of the last reply). A reply that shows briefs stands for
the first brief it shows, so a bare follow-up after a list or a digest means that list's first
brief; after a reply that showed no brief the follow-up asks which one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz import fuzz, process

from bot.chat import Card, Command, CommandSpec, Reply, UserError
from bot.domain import ChatKind
from handlers.context import Context, Handler

log = logging.getLogger(__name__)
FAILURE = "Something went wrong on our side (incident {incident}). It is logged; please try again."


def command_name(raw: str) -> str:
    """`/Subscribe@briefbot` → `subscribe`."""
    return raw.strip().lstrip("/").split("@", 1)[0].lower()


def find_spec(name: str, specs: Sequence[CommandSpec]) -> CommandSpec | None:
    for spec in specs:
        if name == spec.name or name in spec.aliases:
            return spec
    return None


def suggest(name: str, choices: Sequence[str], limit: int = 1, cutoff: float = 60) -> list[str]:
    matches = process.extract(name, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
    return [match[0] for match in matches]


def _resolve(command: Command, specs: Sequence[CommandSpec]) -> CommandSpec:
    spec = find_spec(command_name(command.name), specs)
    if spec is not None:
        return spec
    shown = command_name(command.name)[:40] or "(empty)"
    names = [name for s in specs for name in (s.name, *s.aliases)]
    close = suggest(shown, names)
    if close:
        target = find_spec(close[0], specs)
        assert target is not None
        raise UserError(
            f"I don't know /{shown}. Did you mean /{target.name}?",
            f"Usage: {target.usage} — or send /help for every command.",
        )
    raise UserError(f"I don't know /{shown}.", "Send /help for every command.")


def _check_arguments(spec: CommandSpec, command: Command) -> None:
    count = len(command.args)
    if count < spec.min_args:
        raise UserError(
            f"/{spec.name} needs more: {spec.summary.rstrip('.')}.", f"Usage: {spec.usage}"
        )
    if spec.max_args is not None and count > spec.max_args:
        extra = "no arguments" if spec.max_args == 0 else f"at most {spec.max_args}"
        raise UserError(f"/{spec.name} takes {extra}.", f"Usage: {spec.usage}")


def _check_permission(spec: CommandSpec, command: Command, context: Context) -> None:
    if spec.admin_only and not context.is_admin(command):
        raise UserError(
            f"/{spec.name} is for briefbot's admins only.",
            "Admins are listed in the bot's config ([admin] section).",
        )
    shared = command.chat_kind in (ChatKind.GROUP, ChatKind.CHANNEL)
    if (
        spec.changes_chat
        and shared
        and not (command.user_is_chat_admin or context.is_admin(command))
    ):
        raise UserError(
            f"In a {command.chat_kind.value}, only its admins can use /{spec.name}.",
            "Ask an admin of this chat, or use the bot in a private chat.",
        )


def shown_brief(reply: Reply) -> int | None:
    """The brief a reply stands for: the one it is about, else the first brief card it shows."""
    if reply.brief_id is not None:
        return reply.brief_id
    return next((part.brief.id for part in reply.parts if isinstance(part, Card)), None)


async def dispatch(command: Command, context: Context) -> Reply:
    """Run one command. Never raises: a person always gets a reply, never a traceback."""
    try:
        spec = _resolve(command, context.commands)
        _check_arguments(spec, command)
        _check_permission(spec, command, context)
        handler: Handler = spec.handler  # type: ignore[assignment]
        reply = await handler(context, command)
        return replace(reply, brief_id=shown_brief(reply))
    except UserError as error:
        log.info("%s %s: refused: %s", command.platform, command_name(command.name), error.message)
        return error.reply()
    except Exception:
        incident = uuid.uuid4().hex[:8]
        log.exception(
            "incident %s: /%s failed in %s chat %s",
            incident,
            command_name(command.name),
            command.platform,
            command.chat_id,
        )
        return Reply.text(FAILURE.format(incident=incident))
