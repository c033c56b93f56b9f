"""Sending Replies to Telegram: render, send or edit, attach the reply's files as documents,
remember which message shows which brief, and turn API errors into RetryLater / ChatGone for
the caller."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InputFile, LinkPreviewOptions, Message
from telegram.constants import FileSizeLimit, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.adapters.errors import ChatGone
from bot.adapters.telegram_updates import PLATFORM, keyboard, outbox_error, thread_of
from bot.chat import File, Reply
from bot.render.telegram import TelegramMessage, render_telegram
from bot.storage.messages import remember_message
from handlers.context import Context

log = logging.getLogger(__name__)
MAX_WAIT_SECONDS = 30.0  # longer pauses go back to the caller as RetryLater
NOT_MODIFIED = "message is not modified"
UPLOAD_LIMIT = FileSizeLimit.FILESIZE_UPLOAD  # bytes a bot may upload (50 MB)

Send = Callable[[], Awaitable[Message]]


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
        """Send every message of the reply, then its files as documents; returns their ids.

        Once part of a reply is out, a short flood-control pause is waited out here, since a
        retry of the whole reply would repeat the parts already sent. `patient` waits before
        the first message too (an answer to a person who is waiting for it).
        """
        messages = render_telegram(reply)
        sends = self._sends(chat_id, messages, reply.files, thread_id)
        ids = await self._send_all(chat_id, sends, patient)
        await self._remember(chat_id, ids[: len(messages)], reply.brief_id)
        return ids

    async def edit(self, shown: Message, reply: Reply) -> list[str]:
        """Replace a message in place (a page turn); parts that do not fit, and files, follow
        as new messages."""
        messages = render_telegram(reply)
        chat_id, thread_id = str(shown.chat.id), thread_of(shown)
        if not messages:
            return await self._send_all(
                chat_id, self._sends(chat_id, (), reply.files, thread_id), patient=True
            )
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
        rest = self._sends(chat_id, messages[1:], reply.files, thread_id)
        ids += await self._send_all(chat_id, rest, patient=True)
        await self._remember(chat_id, ids[: len(messages)], reply.brief_id)
        return ids

    def _sends(
        self,
        chat_id: str,
        messages: Sequence[TelegramMessage],
        files: Sequence[File],
        thread_id: str | None,
    ) -> list[Send]:
        """One call per message to send: the text messages, then one per file."""
        return [
            *(partial(self._send_one, chat_id, message, thread_id) for message in messages),
            *(partial(self._send_file, chat_id, file, thread_id) for file in files),
        ]

    async def _send_all(self, chat_id: str, sends: Sequence[Send], patient: bool) -> list[str]:
        ids: list[str] = []
        for index, send in enumerate(sends):
            sent = await self._attempt(send, chat_id, wait=patient or index > 0)
            ids.append(str(sent.message_id))
        return ids

    async def _send_one(
        self, chat_id: str, message: TelegramMessage, thread_id: str | None
    ) -> Message:
        return await self.bot.send_message(
            chat_id, message.text, message_thread_id=_thread(thread_id), **_options(message)
        )

    async def _send_file(self, chat_id: str, file: File, thread_id: str | None) -> Message:
        """A document with the file's name and media type; a file over Telegram's upload limit
        becomes a line saying so."""
        if len(file.data) > UPLOAD_LIMIT:
            return await self._send_one(chat_id, _too_large(file), thread_id)
        document = InputFile(file.data, filename=file.name)
        document.mimetype = file.media_type
        return await self.bot.send_document(chat_id, document, message_thread_id=_thread(thread_id))

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
        """The message carrying the card is the last text message: replies to it ask about the
        brief."""
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


def _thread(thread_id: str | None) -> int | None:
    return int(thread_id) if thread_id and thread_id.isdigit() else None


def _too_large(file: File) -> TelegramMessage:
    size = math.ceil(len(file.data) / 100_000) / 10  # MB, rounded up: never shown as the limit
    limit = UPLOAD_LIMIT // 1_000_000
    line = f"{file.name} is not attached: at {size:g} MB it is over Telegram's {limit} MB limit."
    return render_telegram(Reply.text(line))[0]


def _options(message: TelegramMessage) -> dict[str, Any]:
    return {
        "parse_mode": ParseMode.HTML,
        "reply_markup": keyboard(message.buttons),
        "link_preview_options": (
            LinkPreviewOptions(is_disabled=True) if message.disable_preview else None
        ),
    }
