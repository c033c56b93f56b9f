"""The Telegram webhook server: tornado, in the app's event loop, feeding PTB's update queue.

Telegram sends the secret token set with setWebhook back in the X-Telegram-Bot-Api-Secret-Token
header of every request. It is compared in constant time before the body is looked at; a
request without it or with another value gets 403, and neither the value sent nor the body is
ever logged. Bodies are capped at MAX_BODY bytes.

This replaces PTB's own webhook server (`Updater.start_webhook`), whose check is a plain string
comparison and logs a wrong token at DEBUG.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

log = logging.getLogger(__name__)
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

WEBHOOK_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # bytes; an update is a few kilobytes


class SecretCheck:
    """Whether a request carries the webhook's secret token, compared in constant time."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self._secret = secret.encode()

    def __call__(self, sent: str | None) -> bool:
        if sent is None:
            return False
        return hmac.compare_digest(sent.encode(errors="replace"), self._secret)


class UpdateHandler(tornado.web.RequestHandler):
    """POST of one update: checked, parsed, queued for the Application; 200 with no body."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, telegram: AnyApplication, check: SecretCheck) -> None:
        self.telegram = telegram
        self.check = check

    def prepare(self) -> None:
        if not self.check(self.request.headers.get(WEBHOOK_HEADER)):
            log.info(
                "telegram: refused a webhook request from %s: secret token missing or wrong",
                self.request.remote_ip,
            )
            self._answer(HTTPStatus.FORBIDDEN)

    async def post(self) -> None:
        media_type = self.request.headers.get("Content-Type", "").split(";")[0].strip()
        if media_type.lower() != "application/json":
            self._answer(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
            return
        update = self._read_update()
        if update is None:
            log.warning("telegram: a webhook request held no readable update")
            self._answer(HTTPStatus.BAD_REQUEST)
            return
        bot = self.telegram.bot
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        await self.telegram.update_queue.put(update)
        self._answer(HTTPStatus.OK)

    def _read_update(self) -> Update | None:
        try:
            data = json.loads(self.request.body)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        try:
            return Update.de_json(data, self.telegram.bot)
        except Exception:  # whatever PTB makes of a malformed update, it is the sender's
            return None

    def _answer(self, status: HTTPStatus) -> None:
        self.set_status(status)
        self.finish()


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Refusals have their own line; the rest would be one line per update."""


class WebhookServer:
    """`await start(listen, port)`, `await stop()`; `port` is the bound port once started."""

    def __init__(self, application: AnyApplication, path: str, secret: str) -> None:
        route = re.escape("/" + path.strip("/"))
        settings = {"telegram": application, "check": SecretCheck(secret)}
        routes = tornado.web.Application(
            [(rf"{route}/?", UpdateHandler, settings)], log_function=_no_access_log
        )
        self._server = HTTPServer(routes, max_body_size=MAX_BODY)
        self._sockets: list[socket.socket] = []

    async def start(self, listen: str, port: int) -> None:
        self._sockets = bind_sockets(port, listen)
        self._server.add_sockets(self._sockets)

    @property
    def port(self) -> int | None:
        return int(self._sockets[0].getsockname()[1]) if self._sockets else None

    async def stop(self) -> None:
        """Stop accepting, then close the connections still open."""
        self._server.stop()
        await self._server.close_all_connections()
        self._sockets = []
