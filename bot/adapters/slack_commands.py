"""Slack payloads as Commands: the `/brief` slash command, a mention or direct message, a button
press. Also where each came from (`Origin`), which decides where the answer goes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack_text import (
    plain_text,
    shown_channel_name,
    split_args,
    split_command,
    unescape,
    without_mention,
)
from bot.adapters.slack_web import Directory
from bot.chat import Command, CommandSpec
from bot.domain import ChatKind
from handlers.context import Context
from handlers.dispatch import command_name, find_spec

PLATFORM = "slack"

BriefLookup = Callable[[str, str | None], Awaitable[int | None]]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a command came from, and so where its answer goes."""

    channel: str
    thread_ts: str | None = None
    response_url: str | None = None
    message_ts: str | None = None  # the message a pressed button is on
    ephemeral: bool = False
    home_user: str | None = None  # pressed in this person's App Home: refresh it after


def slash_origin(body: dict[str, Any]) -> Origin:
    return Origin(str(body["channel_id"]), response_url=body.get("response_url"))


def event_origin(event: dict[str, Any]) -> Origin:
    """A mention or a DM: the answer goes to its thread when it was written in one."""
    return Origin(str(event.get("channel", "")), thread_ts=event.get("thread_ts"))


class Translator:
    """Builds Commands: the chat's kind from the payload or conversations.info, whether the
    person may change the chat, and which brief a thread or a message is about."""

    def __init__(
        self,
        context: Context,
        directory: Directory,
        brief_for: BriefLookup,
        bot_user_id: Callable[[], str | None],
    ) -> None:
        self.context = context
        self.directory = directory
        self.brief_for = brief_for
        self.bot_user_id = bot_user_id

    async def slash_command(self, body: dict[str, Any], origin: Origin) -> Command:
        name, args, text = split_command(plain_text(str(body.get("text", ""))), self.specs)
        hint = body.get("channel_name")
        return await self.command(
            origin, str(body["user_id"]), name, args, text, hint, shown_channel_name(hint)
        )

    async def message(self, event: dict[str, Any], origin: Origin, hint: str | None) -> Command:
        """`@briefbot brief libya` or a direct message; a thread's parent may show a brief."""
        words = plain_text(without_mention(str(event.get("text", "")), self.bot_user_id()))
        name, args, text = split_command(words, self.specs)
        reply_to = await self.brief_for(origin.channel, origin.thread_ts)
        return await self.command(
            origin, str(event["user"]), name, args, text, hint, reply_to_brief=reply_to
        )

    async def press(self, body: dict[str, Any], origin: Origin) -> Command:
        """A button's value is `action args`, as Button.data wrote it (Slack may escape it)."""
        action = (body.get("actions") or [{}])[0]
        name, _, rest = unescape(str(action.get("value") or "")).partition(" ")
        reply_to = await self.brief_for(origin.channel, origin.message_ts)
        return await self.command(
            origin,
            str((body.get("user") or {}).get("id", "")),
            name,
            split_args(rest),
            rest.strip(),
            "im" if origin.home_user else None,
            reply_to_brief=reply_to,
        )

    async def press_origin(self, body: dict[str, Any]) -> Origin | None:
        container = body.get("container") or {}
        if container.get("type") == "view":  # the App Home: it acts on the person's DM
            user = str((body.get("user") or {}).get("id", ""))
            metadata = str((body.get("view") or {}).get("private_metadata") or "")
            channel = metadata or await self.directory.direct_channel(user)
            return Origin(channel, home_user=user) if channel and user else None
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        if not channel:
            return None
        ts = container.get("message_ts") or message.get("ts")
        thread = message.get("thread_ts")
        return Origin(
            str(channel),
            thread_ts=thread if thread and thread != ts else None,
            response_url=body.get("response_url"),
            message_ts=ts,
            ephemeral=bool(container.get("is_ephemeral")),
        )

    def home_command(self, user: str, dm_channel: str, name: str) -> Command:
        return Command(PLATFORM, dm_channel, ChatKind.PRIVATE, user, name, user_is_chat_admin=True)

    @property
    def specs(self) -> Sequence[CommandSpec]:
        return self.context.commands

    async def command(
        self,
        origin: Origin,
        user: str,
        name: str,
        args: tuple[str, ...],
        text: str,
        hint: str | None,
        title: str | None = None,
        reply_to_brief: int | None = None,
    ) -> Command:
        kind, found_title = await self.directory.channel(origin.channel, hint)
        return Command(
            platform=PLATFORM,
            chat_id=origin.channel,
            chat_kind=kind,
            user_id=user,
            name=name,
            args=args,
            user_is_chat_admin=await self.is_chat_admin(kind, user, name),
            reply_to_brief=reply_to_brief,
            thread_id=origin.thread_ts,
            chat_title=title or found_title,
            text=text,
        )

    async def is_chat_admin(self, kind: ChatKind, user: str, name: str) -> bool:
        """In a DM the person is the chat's admin; elsewhere a workspace admin or owner is,
        asked (users.info) only when the command changes the chat."""
        if kind is ChatKind.PRIVATE:
            return True
        spec = find_spec(command_name(name), self.specs)
        configured = user in self.context.admin_ids.get(PLATFORM, frozenset())
        if spec is None or not spec.changes_chat or configured:
            return configured  # dispatch lets configured admins through anyway
        return await self.directory.is_workspace_admin(user)
