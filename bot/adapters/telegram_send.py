"""Sending Replies to Telegram: render, send or edit, remember which message shows which brief,
and turn API errors into RetryLater / ChatGone for the caller."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.adapters.errors import ChatGone
from bot.adapters.telegram_updates import PLATFORM, keyboard, outbox_error, thread_of
from bot.chat import Reply
from bot.render.telegram import TelegramMessage, render_telegram
from bot.storage.messages import remember_message
from handlers.context import Context

log = logging.getLogger(__name__)
MAX_WAIT_SECONDS = 30.0  # longer pauses go back to the caller as RetryLater
NOT_MODIFIED = "message is not modified"


class Sender:
    def __init__(
        self,
        bot: Bot,
        context: Context,
        on_gone: Callable[[str, str], Awaitable[None]],
        redact: Callable[[str], str],
    ) -> None:
        self.bot = bot
        self.context = context
        self.on_gone = on_gone
        self.redact = redact

    async def send(self, chat_id: str, reply: Reply, thread_id: str | None = None) -> list[str]:
        """For the outbox: a RetryAfter on the first message goes straight back to the caller."""
        return await self.deliver(chat_id, reply, thread_id, patient=False)

    async def deliver(
        self, chat_id: str, reply: Reply, thread_id: str | None, patient: bool
    ) -> list[str]:
        """Send every message of the reply; returns their ids.

        Once part of a reply is out, a short flood-control pause is waited out here, since a
        retry of the whole reply would repeat the parts already sent. `patient` waits before
        the first message too (an answer to a person who is waiting for it).
        """
        ids: list[str] = []
        for index, message in enumerate(render_telegram(reply)):
            sent = await self._attempt(
                lambda message=message: self._send_one(chat_id, message, thread_id),  # type: ignore[misc]
                chat_id,
                wait=patient or index > 0,
            )
            ids.append(str(sent.message_id))
        await self._remember(chat_id, ids, reply.brief_id)
        return ids

    async def edit(self, shown: Message, reply: Reply) -> list[str]:
        """Replace a message in place (a page turn); parts that do not fit follow as new ones."""
        messages = render_telegram(reply)
        if not messages:
            return []
        chat_id, thread_id = str(shown.chat.id), thread_of(shown)
        first = messages[0]
        try:
            await self._attempt(
                lambda: self.bot.edit_message_text(
                    first.text,
                    chat_id=shown.chat.id,
                    message_id=shown.message_id,
                    **_options(first),
                ),
                chat_id,
                wait=True,
            )
            ids = [str(shown.message_id)]
        except BadRequest as error:
            if NOT_MODIFIED in error.message.lower():
                ids = [str(shown.message_id)]
            else:
                log.info("telegram: edit failed (%s); sending anew", self.redact(error.message))
                return await self.deliver(chat_id, reply, thread_id, patient=True)
        for message in messages[1:]:
            sent = await self._attempt(
                lambda message=message: self._send_one(chat_id, message, thread_id),  # type: ignore[misc]
                chat_id,
                wait=True,
            )
            ids.append(str(sent.message_id))
        await self._remember(chat_id, ids, reply.brief_id)
        return ids

    async def _send_one(
        self, chat_id: str, message: TelegramMessage, thread_id: str | None
    ) -> Message:
        return await self.bot.send_message(
            chat_id,
            message.text,
            message_thread_id=int(thread_id) if thread_id and thread_id.isdigit() else None,
            **_options(message),
        )

    async def _attempt(self, call: Callable[[], Awaitable[Any]], chat_id: str, wait: bool) -> Any:
        """One Telegram call, translated; with `wait`, a pause Telegram asks for is waited out
        once (up to MAX_WAIT_SECONDS) before a second try."""
        for attempt in (1, 2):
            try:
                return await call()
            except TelegramError as error:
                problem = outbox_error(error, self.redact)
                if problem is None:
                    raise
                if isinstance(problem, ChatGone):
                    await self.on_gone(chat_id, problem.reason)
                    raise problem from error
                if attempt == 2 or not wait or problem.retry_after > MAX_WAIT_SECONDS:
                    raise problem from error
                log.info(
                    "telegram: chat %s: %s; trying again in %g s",
                    chat_id,
                    problem.reason,
                    problem.retry_after,
                )
                await asyncio.sleep(problem.retry_after)
        raise AssertionError("unreachable")

    async def _remember(self, chat_id: str, ids: list[str], brief_id: int | None) -> None:
        """The message carrying the card is the last one: replies to it ask about the brief."""
        if brief_id is None or not ids:
            return
        try:
            async with self.context.sessions() as session, session.begin():
                await remember_message(
                    session, PLATFORM, chat_id, ids[-1], brief_id, self.context.clock()
                )
        except SQLAlchemyError as error:  # the message is out; a lost reference is not fatal
            log.warning(
                "telegram: could not remember message %s: %s", ids[-1], self.redact(str(error))
            )


def _options(message: TelegramMessage) -> dict[str, Any]:
    return {
        "parse_mode": ParseMode.HTML,
        "reply_markup": keyboard(message.buttons),
        "link_preview_options": (
            LinkPreviewOptions(is_disabled=True) if message.disable_preview else None
        ),
    }
