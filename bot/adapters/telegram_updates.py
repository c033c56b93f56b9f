"""Telegram objects ↔ the neutral conversation model: updates to Commands, rendered messages to
keyboards, API errors to what the outbox understands; and the update processor that keeps each
chat's updates in order. No network, no storage."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import (
    CallbackQuery,
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import BaseUpdateProcessor
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.console import split_line
from bot.adapters.errors import ChatGone, RetryLater
from bot.chat import Command
from bot.domain import ChatKind
from bot.render.telegram import TelegramButton

PLATFORM = "telegram"
NETWORK_RETRY_SECONDS = 5.0
CHAT_KINDS = {
    ChatType.PRIVATE: ChatKind.PRIVATE,
    ChatType.GROUP: ChatKind.GROUP,
    ChatType.SUPERGROUP: ChatKind.GROUP,
    ChatType.CHANNEL: ChatKind.CHANNEL,
}
ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})
PRESENT_STATUSES = frozenset({ChatMember.MEMBER, *ADMIN_STATUSES})
# Bad Requests that mean this chat will never take a message from the bot again.
GONE_PHRASES = (
    "chat not found",
    "group chat was deactivated",
    "have no rights to send a message",
    "not enough rights to send",
    "need administrator rights in the channel chat",
)
# Telegram deep links put their own parameter after /start; it is not a command argument.
PAYLOAD_COMMANDS = frozenset({"start"})


def chat_kind(chat_type: str) -> ChatKind:
    return CHAT_KINDS.get(chat_type, ChatKind.GROUP)  # type: ignore[call-overload]


def thread_of(message: Message) -> str | None:
    """The forum topic a message belongs to: replies and subscriptions stay in it."""
    if message.is_topic_message and message.message_thread_id is not None:
        return str(message.message_thread_id)
    return None


def parse_command_text(text: str) -> tuple[str, str, tuple[str, ...], str]:
    """`/subscribe@briefbot north africa` → ("subscribe", "briefbot", ("north", "africa"),
    "north africa"). Works the same for plain text (`more`) as for `/more`."""
    pieces = text.strip().split(None, 1)
    first = pieces[0] if pieces else ""
    rest = pieces[1] if len(pieces) > 1 else ""
    name, args, raw = split_line(f"{first} {rest}")
    name, _, addressee = name.partition("@")
    return name.lower(), addressee, args, raw


def addressed_to(text: str, username: str) -> bool:
    """Whether `/cmd@name` names this bot (a bare `/cmd` names nobody)."""
    _, addressee, _, _ = parse_command_text(text)
    return bool(addressee) and addressee.lower() == username.lower()


def message_command(
    message: Message, text: str, reply_to_brief: int | None = None
) -> Command | None:
    """A command typed in a private chat, group, supergroup (topic) or posted in a channel."""
    name, _, args, raw = parse_command_text(text)
    if not name:
        return None
    chat = message.chat
    kind = chat_kind(chat.type)
    sender = message.sender_chat
    if kind is ChatKind.CHANNEL or (sender is not None and sender.id == chat.id):
        # A channel post is written by the channel's admins; a message signed with the group's
        # own name comes from one of its anonymous admins.
        user_id, admin = str(sender.id if sender else chat.id), True
    elif message.from_user is not None:
        user_id, admin = str(message.from_user.id), kind is ChatKind.PRIVATE
    else:
        return None
    if name in PAYLOAD_COMMANDS:
        args, raw = (), ""
    return Command(
        platform=PLATFORM,
        chat_id=str(chat.id),
        chat_kind=kind,
        user_id=user_id,
        name=name,
        args=args,
        text=raw,
        user_is_chat_admin=admin,
        reply_to_brief=reply_to_brief,
        thread_id=thread_of(message),
        chat_title=chat.title,
    )


def callback_command(query: CallbackQuery) -> Command | None:
    """A button press: its data ("more B12") is the command it stands for."""
    shown = query.message
    name, _, args, raw = parse_command_text(query.data or "")
    if shown is None or not name:
        return None  # a button under an inline-mode message: no chat to answer in
    kind = chat_kind(shown.chat.type)
    thread = thread_of(shown) if isinstance(shown, Message) else None
    return Command(
        platform=PLATFORM,
        chat_id=str(shown.chat.id),
        chat_kind=kind,
        user_id=str(query.from_user.id),
        name=name,
        args=args,
        text=raw,
        user_is_chat_admin=kind is ChatKind.PRIVATE,
        thread_id=thread,
        chat_title=shown.chat.title,
    )


def member_active(change: ChatMemberUpdated) -> bool:
    """Whether the bot can still talk in the chat after this change to its own membership."""
    member = change.new_chat_member
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in PRESENT_STATUSES


def keyboard(rows: tuple[tuple[TelegramButton, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(button.label, callback_data=button.callback_data)
                for button in row
            ]
            for row in rows
        ]
    )


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def outbox_error(
    error: TelegramError, redact: Callable[[str], str]
) -> RetryLater | ChatGone | None:
    """What a failed send means for the caller; None for errors it should see as they are."""
    if isinstance(error, RetryAfter):
        return RetryLater(retry_seconds(error), "Telegram flood control")
    if isinstance(error, Forbidden):
        return ChatGone(redact(error.message))
    if isinstance(error, ChatMigrated):
        return ChatGone(f"the group became the supergroup {error.new_chat_id}")
    if isinstance(error, BadRequest):
        gone = any(phrase in error.message.lower() for phrase in GONE_PHRASES)
        return ChatGone(redact(error.message)) if gone else None
    if isinstance(error, NetworkError):  # TimedOut included
        return RetryLater(NETWORK_RETRY_SECONDS, redact(error.message))
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates from one chat run one after another, in order; different chats run at once."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users == 1:
                del self._locks[chat.id]
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
