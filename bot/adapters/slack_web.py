"""Slack's Web API: the client with its retry handlers, errors mapped for the outbox, and the
few look-ups the adapter needs (who is a workspace admin, what kind of conversation this is)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.errors import ChatGone, RetryLater
from bot.adapters.slack_text import kind_from_hint
from bot.config import SlackConfig
from bot.domain import ChatKind

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 1  # then the outbox owns the wait (RetryLater)
CONNECTION_RETRIES = 1
NETWORK_RETRY_AFTER = 30.0  # seconds, after a network error or a Slack outage
DEFAULT_RETRY_AFTER = 60.0  # a 429 without a Retry-After header
REQUEST_TIMEOUT = 15  # seconds per Web API call
ADMIN_TTL = 300.0  # seconds a users.info answer is trusted
CACHE_LIMIT = 10_000
GONE = frozenset({"channel_not_found", "not_in_channel", "account_inactive", "is_archived"})
TEMPORARY = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def create_client(config: SlackConfig, with_token: bool = True) -> AsyncWebClient:
    """The Web API client: Retry-After honoured once, dropped connections retried. Bolt gets
    one without the token: it adds the token to its own per-request clients."""
    base_url = config.api_base_url.rstrip("/") + "/"  # slack_sdk joins the method name on
    return AsyncWebClient(
        token=config.bot_token.get_secret_value() if with_token else None,
        base_url=base_url,
        timeout=REQUEST_TIMEOUT,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        ],
    )


def error_code(error: SlackApiError) -> str:
    data = error.response.data if error.response is not None else None
    return str(data.get("error", "")) if isinstance(data, Mapping) else ""


def retry_after(headers: Mapping[str, Any] | None) -> float:
    """Seconds from a Retry-After header (any case, a value or a list of values)."""
    for name, value in (headers or {}).items():
        if name.lower() != "retry-after":
            continue
        first = value[0] if isinstance(value, list | tuple) and value else value
        try:
            return max(float(first), 1.0)
        except (TypeError, ValueError):
            break
    return DEFAULT_RETRY_AFTER


@contextmanager
def outbox_errors(channel: str) -> Iterator[None]:
    """Slack's answers as the outbox reads them: RetryLater, ChatGone, or the error itself."""
    try:
        yield
    except SlackApiError as error:
        code = error_code(error)
        status = error.response.status_code if error.response is not None else 0
        if status == 429 or code == "ratelimited":
            raise RetryLater(retry_after(error.response.headers), "slack rate limit") from None
        if code in GONE:
            raise ChatGone(f"slack: {code}") from None
        if code in TEMPORARY or status >= 500:
            raise RetryLater(NETWORK_RETRY_AFTER, f"slack: {code or status}") from None
        log.warning("slack refused a message to %s: %s", channel, code or status)
        raise
    except (aiohttp.ClientError, TimeoutError) as error:
        raise RetryLater(NETWORK_RETRY_AFTER, f"network: {type(error).__name__}") from None


class Directory:
    """Cached look-ups: whether a user is a workspace admin or owner (for a few minutes), and
    whether a conversation is public, private or a DM (it does not change)."""

    def __init__(self, client: AsyncWebClient, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock
        self._admins: dict[str, tuple[float, bool]] = {}
        self._channels: dict[str, tuple[ChatKind, str | None]] = {}

    async def is_workspace_admin(self, user_id: str) -> bool:
        now = self.clock()
        cached = self._admins.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            answer = await self.client.users_info(user=user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("users.info failed for %s: %s", user_id, _describe(error))
            return False
        user = answer.get("user") or {}
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        if len(self._admins) >= CACHE_LIMIT:
            self._admins.clear()
        self._admins[user_id] = (now + ADMIN_TTL, admin)
        return admin

    async def channel(
        self, channel_id: str, hint: str | None = None
    ) -> tuple[ChatKind, str | None]:
        """(kind, "#name" or None) of a conversation; the payload's hint saves a call."""
        hinted = kind_from_hint(channel_id, hint)
        if hinted is not None:
            return hinted, None
        if channel_id in self._channels:
            return self._channels[channel_id]
        try:
            answer = await self.client.conversations_info(channel=channel_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("conversations.info failed for %s: %s", channel_id, _describe(error))
            return (ChatKind.GROUP if channel_id.startswith("G") else ChatKind.CHANNEL), None
        found = answer.get("channel") or {}
        if found.get("is_im"):
            kind = ChatKind.PRIVATE
        elif found.get("is_mpim") or found.get("is_private") or found.get("is_group"):
            kind = ChatKind.GROUP
        else:
            kind = ChatKind.CHANNEL
        name = found.get("name")
        result = (kind, f"#{name}" if name and not found.get("is_im") else None)
        if len(self._channels) >= CACHE_LIMIT:
            self._channels.clear()
        self._channels[channel_id] = result
        return result

    async def direct_channel(self, user_id: str) -> str | None:
        """The app's DM with this person (conversations.open is idempotent)."""
        try:
            answer = await self.client.conversations_open(users=user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("conversations.open failed for %s: %s", user_id, _describe(error))
            return None
        channel = answer.get("channel") or {}
        return str(channel["id"]) if channel.get("id") else None


def _describe(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return error_code(error) or "error"
    return type(error).__name__
