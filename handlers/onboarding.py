"""First contact and help: /start, /help, and the command lists adapters register.

Everything here is generated from the command table (`context.commands`), so a new command
appears in /help, in Telegram's menu and in Slack's usage text without touching this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.chat import Button, ButtonRow, Command, CommandSpec, Emphasis, Reply, Text, UserError
from bot.storage import chats as chat_store
from handlers.context import Context
from handlers.dispatch import command_name, find_spec, suggest

SLACK = "slack"
SLACK_COMMAND = "brief"  # Slack has one slash command; the others are its first word
FAMILY_TITLES = {
    "onboarding": "Getting started",
    "subscriptions": "Topics and subscriptions",
    "briefs": "Briefs",
    "schedule": "Digests and alerts",
    "admin": "Admin",
}
MENU_NAME = re.compile(r"[a-z0-9_]{1,32}")
_COMMAND_WORD = re.compile(r"(?<![\w/])/([a-z][a-z0-9_]*)")  # `/name`, not `Area/City`
MENU_DESCRIPTION_LIMIT = 256
MENU_LIMIT = 100  # Telegram takes at most 100 commands
START_EXAMPLES = ("brief tunisia 3", "search wagner", "schedule 08:00 Africa/Tunis")


def for_platform(platform: str, text: str) -> str:
    """`text` with every `/name` written as typed on this platform (Slack: `/brief name`)."""
    if platform != SLACK:
        return text
    return _COMMAND_WORD.sub(
        lambda match: match[0] if match[1] == SLACK_COMMAND else f"/{SLACK_COMMAND} {match[1]}",
        text,
    )


def typed(platform: str, text: str) -> str:
    """How a person types `text` (a command and its arguments) on this platform."""
    return for_platform(platform, "/" + text.lstrip("/"))


def usage_line(platform: str, spec: CommandSpec) -> str:
    return for_platform(platform, f"{spec.usage} — {spec.summary}")


def family_title(family: str) -> str:
    if family in FAMILY_TITLES:
        return FAMILY_TITLES[family]
    words = family.replace("-", " ").replace("_", " ").strip()
    return words.capitalize() if words else "Other commands"


def visible_specs(specs: Sequence[CommandSpec], admin: bool) -> list[CommandSpec]:
    return [spec for spec in specs if admin or not spec.admin_only]


def grouped(specs: Sequence[CommandSpec]) -> list[tuple[str, list[CommandSpec]]]:
    """Specs by family, families in the order they first appear in the table."""
    families: dict[str, list[CommandSpec]] = {}
    for spec in specs:
        families.setdefault(spec.family, []).append(spec)
    return list(families.items())


def menu_entries(
    specs: Sequence[CommandSpec], include_admin: bool = False
) -> list[tuple[str, str]]:
    """(name, description) pairs for Telegram's setMyCommands.

    A name Telegram refuses (1-32 of a-z, 0-9, _) is replaced by the spec's first alias that
    fits, else the command is left out: every entry is one that dispatch understands.
    """
    entries: list[tuple[str, str]] = []
    taken: set[str] = set()
    for spec in visible_specs(specs, include_admin):
        name = next(
            (n for n in (spec.name, *spec.aliases) if MENU_NAME.fullmatch(n) and n not in taken),
            None,
        )
        summary = " ".join(spec.summary.split())
        if name is None or not summary:
            continue
        if len(summary) > MENU_DESCRIPTION_LIMIT:
            summary = summary[: MENU_DESCRIPTION_LIMIT - 1].rstrip() + "…"
        entries.append((name, summary))
        taken.add(name)
    return entries[:MENU_LIMIT]


def usage_text(specs: Sequence[CommandSpec], include_admin: bool = False) -> str:
    """One plain line per command as typed on Slack: `/brief subscribe TOPIC — Subscribe ...`."""
    return "\n".join(usage_line(SLACK, spec) for spec in visible_specs(specs, include_admin))


async def start(context: Context, command: Command) -> Reply:
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        topics = [s.topic for s in await chat_store.subscriptions(session, chat.id)]
    platform = command.platform
    examples = " · ".join(typed(platform, example) for example in START_EXAMPLES)
    parts: list[Text | ButtonRow] = [
        Text("Welcome to briefbot", Emphasis.HEADING),
        Text(
            "I read news feeds on security and geopolitics and turn each "
            "story into a short brief: what happened, who is involved, the implications the "
            "source itself states, and the link.\n"
            "Subscribe to a topic to get alerts and a daily digest; ask for briefs any time."
        ),
    ]
    if topics:
        names = ", ".join(context.topic_name(topic) for topic in topics)
        parts.append(Text(f"This chat already follows: {names}."))
    parts += [
        Text(
            f"To begin: {typed(platform, 'topics')} lists the topics, then "
            f"{typed(platform, 'subscribe tunisia')} subscribes this chat."
        ),
        Text(f"Try: {examples}", Emphasis.NOTE),
        Text(f"{typed(platform, 'help')} lists every command.", Emphasis.NOTE),
        ButtonRow(
            (
                Button("Topics", "topics"),
                Button("Latest briefs", "brief"),
                Button("Help", "help"),
            )
        ),
    ]
    return Reply(parts=tuple(parts))


async def help_command(context: Context, command: Command) -> Reply:
    admin = context.is_admin(command)
    if command.args:
        return _one_command(context, command, command_name(command.args[0]), admin)
    platform = command.platform
    parts: list[Text] = [Text("briefbot commands", Emphasis.HEADING)]
    for family, specs in grouped(visible_specs(context.commands, admin)):
        parts.append(Text(family_title(family), Emphasis.HEADING))
        parts.extend(Text(usage_line(platform, spec)) for spec in specs)
    parts.append(
        Text(
            f"{typed(platform, 'help COMMAND')} explains one command, "
            f"e.g. {typed(platform, 'help subscribe')}.",
            Emphasis.NOTE,
        )
    )
    return Reply(parts=tuple(parts))


def _one_command(context: Context, command: Command, name: str, admin: bool) -> Reply:
    platform = command.platform
    spec = find_spec(name, context.commands)
    if spec is None or (spec.admin_only and not admin):
        shown = name[:40] or "(empty)"
        visible = visible_specs(context.commands, admin)
        close = suggest(shown, [n for s in visible for n in (s.name, *s.aliases)])
        target = find_spec(close[0], visible) if close else None
        hint = f"{typed(platform, 'help')} lists every command."
        if target is None:
            raise UserError(f"There is no command {typed(platform, shown)}.", hint)
        raise UserError(
            f"There is no command {typed(platform, shown)}. "
            f"Did you mean {typed(platform, target.name)}?",
            hint,
        )
    parts = [
        Text(for_platform(platform, spec.usage), Emphasis.HEADING),
        Text(for_platform(platform, spec.summary)),
    ]
    if spec.aliases:
        aliases = ", ".join(typed(platform, alias) for alias in spec.aliases)
        parts.append(Text(f"Also works as: {aliases}"))
    if spec.examples:
        examples = "\n".join(typed(platform, example) for example in spec.examples)
        parts.append(Text(f"Examples:\n{examples}", Emphasis.NOTE))
    if spec.admin_only:
        parts.append(Text("Only briefbot's admins can use it.", Emphasis.NOTE))
    elif spec.changes_chat:
        parts.append(Text("In groups and channels, only their admins can use it.", Emphasis.NOTE))
    return Reply(parts=tuple(parts))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        name="start",
        usage="/start",
        summary="What briefbot does and how to get started.",
        handler=start,
        family="onboarding",
    ),
    CommandSpec(
        name="help",
        usage="/help [COMMAND]",
        summary="Every command, or the details of one.",
        handler=help_command,
        max_args=1,
        family="onboarding",
        examples=("help", "help subscribe"),
    ),
)
