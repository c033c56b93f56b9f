"""Telegram on python-telegram-bot 22: updates in, Replies out, inside the app's event loop.

Thin by design: every update becomes a Command for `dispatch`; every Reply is rendered by
`bot.render.telegram` and sent by `telegram_send.Sender`. Polling by default, or a webhook
server (telegram_webhook: secret token checked in constant time on every request) behind a
load balancer.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from telegram import BotCommand, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.adapters.errors import ChatGone, RetryLater
from bot.adapters.telegram_send import Sender
from bot.adapters.telegram_updates import (
    ADMIN_STATUSES,
    PLATFORM,
    ChatOrderedProcessor,
    callback_command,
    member_active,
    message_command,
    parse_command_text,
)
from bot.adapters.telegram_webhook import WebhookServer
from bot.chat import Command, Reply
from bot.config import ConfigError, TelegramConfig
from bot.domain import ChatKind
from bot.logs import RedactingFilter
from bot.startup import PlatformUnreachable, StartupError
from bot.storage.messages import brief_for_message
from handlers.context import Context
from handlers.dispatch import FAILURE, command_name, dispatch, find_spec
from handlers.onboarding import MENU_NAME, menu_entries

__all__ = ["PLATFORM", "ChatStatusCallback", "TelegramBot"]

log = logging.getLogger(__name__)
ChatStatusCallback = Callable[[str, str, bool], Awaitable[object]]
ADMIN_CACHE_SECONDS = 60.0
ADMIN_CACHE_SIZE = 10_000
ALLOWED_UPDATES = ("message", "channel_post", "callback_query", "my_chat_member")
NEW_POSTS = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST  # edits are ignored
MAX_CONCURRENT_UPDATES = 64
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramBot:
    """The Telegram side of `briefbot run`: `start()`, `stop()`, and `send()` for the outbox."""

    def __init__(
        self,
        config: TelegramConfig,
        context: Context,
        on_chat_status: ChatStatusCallback,
        *,
        request: BaseRequest | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.context = context
        self._on_chat_status = on_chat_status
        secrets = (config.token.get_secret_value(), config.secret_token.get_secret_value())
        self._redact = RedactingFilter(secrets).redact
        self._monotonic = monotonic
        self._admins: dict[tuple[str, str], tuple[float, bool]] = {}
        self.webhook: WebhookServer | None = None
        self.app = self._build(request)
        self.sender = Sender(self.app.bot, context, self._chat_gone, self._redact)

    def _build(self, request: BaseRequest | None) -> Application:  # type: ignore[type-arg]
        builder = (
            ApplicationBuilder()
            .token(self.config.token.get_secret_value())
            .base_url(self.config.base_url)
            .base_file_url(self.config.base_file_url)
            .rate_limiter(AIORateLimiter(max_retries=0))  # the outbox owns retries
            .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT_UPDATES))
            .job_queue(None)
        )
        if request is not None:  # tests: a stubbed request layer
            builder = builder.request(request).get_updates_request(request)
        if self.config.mode == "webhook":
            builder = builder.updater(None)  # our own server: see telegram_webhook
        app = builder.build()
        names = {name for spec in self.context.commands for name in (spec.name, *spec.aliases)}
        known = sorted(name for name in names if MENU_NAME.fullmatch(name))
        if known:
            app.add_handler(CommandHandler(known, self._on_command, filters=NEW_POSTS))
        app.add_handler(MessageHandler(filters.COMMAND & NEW_POSTS, self._on_other_command))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & NEW_POSTS, self._on_text))
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(ChatMemberHandler(self._on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self._on_error)
        return app

    # Lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start receiving inside the running loop: initialize, start, then poll or listen.
        A refused token or a bad webhook setting is a ConfigError naming the key; a Bot API
        that does not answer is PlatformUnreachable (start may be called again later)."""
        if self.config.mode == "webhook":
            check_webhook_config(self.config)
        try:
            await self.app.initialize()
        except BaseException as error:
            await self.app.bot.shutdown()  # its HTTP clients were opened before getMe failed
            if isinstance(error, InvalidToken):
                raise ConfigError(
                    "[telegram] token: Telegram refused it: check the token @BotFather gave you "
                    "(or BRIEFBOT_TELEGRAM__TOKEN)"
                ) from None
            if _unreachable(error):
                raise self._unreachable(error) from None
            raise
        try:
            await self._register_menu()
            await self.app.start()
            await self._receive()
        except BaseException as error:
            await self.stop()  # leave nothing half-started behind
            if _unreachable(error):
                raise self._unreachable(error) from None
            raise
        log.info("telegram: @%s receiving updates (%s)", self.app.bot.username, self.config.mode)

    def _unreachable(self, error: BaseException) -> PlatformUnreachable:
        host = urlsplit(self.config.base_url).netloc or self.config.base_url
        reason = self._redact(" ".join(str(error).split())) or type(error).__name__
        return PlatformUnreachable(
            f"telegram: cannot reach the Bot API at {host} ({reason}): check the network "
            "and [telegram] base_url"
        )

    async def _receive(self) -> None:
        if self.config.mode == "webhook":
            await self._serve_webhook()
            return
        updater = self.app.updater
        assert updater is not None
        await updater.start_polling(
            allowed_updates=ALLOWED_UPDATES, error_callback=self._on_polling_error
        )

    async def _serve_webhook(self) -> None:
        """Listen first, then tell Telegram where to send updates (and the secret it sends)."""
        secret = self.config.secret_token.get_secret_value()
        path = urlsplit(self.config.webhook_url).path
        self.webhook = WebhookServer(self.app, path, secret)
        try:
            await self.webhook.start(self.config.listen, self.config.port)
        except OSError as error:
            raise StartupError(
                f"telegram: cannot listen on {self.config.listen}:{self.config.port} "
                f"({error.strerror or error}): free the port or change [telegram] listen and port"
            ) from None
        await self.app.bot.set_webhook(
            self.config.webhook_url, allowed_updates=ALLOWED_UPDATES, secret_token=secret
        )

    async def stop(self) -> None:
        """Stop taking updates, let running handlers finish, close the connections."""
        updater = self.app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.webhook is not None:
            await self.webhook.stop()
            self.webhook = None
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def _register_menu(self) -> None:
        entries = [BotCommand(name, text) for name, text in menu_entries(self.context.commands)]
        try:
            await self.app.bot.set_my_commands(entries)
        except Exception as error:  # the menu is a convenience, never fatal
            log.warning("telegram: setMyCommands failed: %s", self._redact(str(error)))

    # Sending (the outbox's entry point) ------------------------------------------------------

    async def send(
        self, chat_external_id: str, reply: Reply, thread_id: str | None = None
    ) -> list[str]:
        """Deliver a Reply; raises RetryLater, or ChatGone after reporting the chat inactive."""
        return await self.sender.send(chat_external_id, reply, thread_id)

    async def _chat_gone(self, chat_external_id: str, reason: str) -> None:
        log.info("telegram: chat %s is gone: %s", chat_external_id, reason)
        await self._on_chat_status(PLATFORM, chat_external_id, False)

    # Updates ---------------------------------------------------------------------------------

    async def _on_command(self, update: Update, _ptb: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await self._run_message(message, message.text)

    async def _on_other_command(self, update: Update, _ptb: ContextTypes.DEFAULT_TYPE) -> None:
        """Commands CommandHandler left: unknown ones get "did you mean" when meant for us."""
        message = update.effective_message
        if message is None or not message.text:
            return
        _, addressee, _, _ = parse_command_text(message.text)
        ours = bool(addressee) and addressee.lower() == self.app.bot.username.lower()
        if ours or (not addressee and message.chat.type == ChatType.PRIVATE):
            await self._run_message(message, message.text)

    async def _on_text(self, update: Update, _ptb: ContextTypes.DEFAULT_TYPE) -> None:
        """Plain text: in a private chat, a command typed without the slash; anywhere, a
        follow-up ("more", "actors") written as a reply to a message showing a brief."""
        message = update.effective_message
        if message is None or not message.text:
            return
        if message.chat.type == ChatType.PRIVATE:
            await self._run_message(message, message.text)
            return
        name, _, _, _ = parse_command_text(message.text)
        if find_spec(name, self.context.commands) is None:
            return
        brief = await self._replied_brief(message)
        if brief is not None:
            await self._run_message(message, message.text, brief)

    async def _run_message(self, message: Message, text: str, brief: int | None = None) -> None:
        if brief is None:
            brief = await self._replied_brief(message)
        command = message_command(message, text, brief)
        if command is None:
            return
        reply = await dispatch(await self._with_admin_status(command), self.context)
        await self.sender.deliver(command.chat_id, reply, command.thread_id, patient=True)

    async def _on_button(self, update: Update, _ptb: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # stops the button's spinner; the reply follows
        except Exception as error:  # a late answer must not lose the press
            log.info("telegram: callback not answered: %s", self._redact(str(error)))
        command = callback_command(query)
        if command is None:
            return
        reply = await dispatch(await self._with_admin_status(command), self.context)
        shown = query.message
        if reply.edit and isinstance(shown, Message):
            await self.sender.edit(shown, reply)
        else:
            await self.sender.deliver(command.chat_id, reply, command.thread_id, patient=True)

    async def _on_membership(self, update: Update, _ptb: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        active = member_active(change)
        log.info("telegram: chat %s %s", change.chat.id, "active" if active else "inactive")
        await self._on_chat_status(PLATFORM, str(change.chat.id), active)

    async def _replied_brief(self, message: Message) -> int | None:
        replied = message.reply_to_message
        if replied is None:
            return None
        async with self.context.sessions() as session:
            return await brief_for_message(
                session, PLATFORM, str(message.chat.id), str(replied.message_id)
            )

    async def _with_admin_status(self, command: Command) -> Command:
        """Ask Telegram whether the sender is a chat admin, only when the command needs it."""
        if command.chat_kind is ChatKind.PRIVATE or command.user_is_chat_admin:
            return command
        if self.context.is_admin(command):  # a configured admin may do anything anyway
            return command
        spec = find_spec(command_name(command.name), self.context.commands)
        if spec is None or not spec.changes_chat:
            return command
        admin = await self.is_chat_admin(command.chat_id, command.user_id)
        return dataclasses.replace(command, user_is_chat_admin=admin)

    async def is_chat_admin(self, chat_id: str, user_id: str) -> bool:
        """getChatMember, remembered for ADMIN_CACHE_SECONDS per (chat, user)."""
        now = self._monotonic()
        cached = self._admins.get((chat_id, user_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            member = await self.app.bot.get_chat_member(chat_id, int(user_id))
        except Exception as error:  # unknown means "not an admin", not a crash
            log.warning(
                "telegram: getChatMember failed in chat %s: %s", chat_id, self._redact(str(error))
            )
            return False
        admin = member.status in ADMIN_STATUSES
        if len(self._admins) >= ADMIN_CACHE_SIZE:
            self._admins = {key: entry for key, entry in self._admins.items() if entry[0] > now}
        self._admins[(chat_id, user_id)] = (now + ADMIN_CACHE_SECONDS, admin)
        return admin

    # Failures --------------------------------------------------------------------------------

    def _on_polling_error(self, error: Exception) -> None:
        log.warning("telegram: polling failed, trying again: %s", self._redact(str(error)))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An update whose handling raised: log it (redacted), tell the chat in one sentence."""
        error = context.error
        if isinstance(error, ChatGone):
            return  # logged and reported when it happened
        if isinstance(error, RetryLater):
            log.warning("telegram: a reply was not sent: %s", error.reason)
            return
        incident = uuid.uuid4().hex[:8]
        trace = "".join(traceback.format_exception(error)) if error else "(no exception)"
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "incident %s: telegram update %s failed\n%s", incident, update_id, self._redact(trace)
        )
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            return
        message = update.effective_message if isinstance(update, Update) else None
        thread = message.message_thread_id if message and message.is_topic_message else None
        try:
            await self.app.bot.send_message(
                chat.id, FAILURE.format(incident=incident), message_thread_id=thread
            )
        except Exception as failure:  # nothing more to try; it is logged
            log.warning(
                "telegram: could not report incident %s: %s", incident, self._redact(str(failure))
            )


def _unreachable(error: BaseException) -> bool:
    """A network failure or timeout; BadRequest is a NetworkError too, but an answer."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def check_webhook_config(config: TelegramConfig) -> None:
    """Webhook mode needs the public URL and a secret token (Telegram sends it back on every
    request; the webhook server refuses requests without it)."""
    if urlsplit(config.webhook_url).scheme not in ("https", "http"):
        raise ConfigError(
            '[telegram] webhook_url: required when mode = "webhook" '
            "(the public https:// address Telegram sends updates to)"
        )
    if not SECRET_TOKEN.fullmatch(config.secret_token.get_secret_value()):
        raise ConfigError(
            '[telegram] secret_token: required when mode = "webhook": 1-256 characters of '
            "A-Z, a-z, 0-9, _ and - (set it or BRIEFBOT_TELEGRAM__SECRET_TOKEN)"
        )
