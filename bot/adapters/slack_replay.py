"""Refuse a signed Slack request sent a second time.

Slack signs every HTTP request over its timestamp and body, and Bolt accepts any correctly
signed request whose timestamp is within five minutes of now. Someone who captured one could
send it again inside that window and have it run again. `ReplayGuard` runs after Bolt's
signature check and remembers each accepted (timestamp, signature) pair until the window has
passed; a repeat gets the 401 a bad signature gets.

The memory is per process: behind a load balancer with several bot processes, a replay that
reaches another process than the first request is not caught. Socket Mode requests carry no
signature and pass through.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

WINDOW = 5 * 60.0  # seconds: how far from now Slack's signature check accepts a timestamp
GRACE = 60.0  # seconds kept past the window, so no clock read in between lets a repeat through
MAX_REMEMBERED = 50_000

Key = tuple[str, str]


class ReplayGuard(AsyncMiddleware):
    """A Bolt middleware: the second request with the same timestamp and signature gets 401."""

    def __init__(
        self,
        capacity: int = MAX_REMEMBERED,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.capacity = capacity
        self.clock = clock
        self._seen: dict[Key, float] = {}  # pair → when it may be forgotten
        self._expiry: list[tuple[float, Key]] = []  # a heap of the same, soonest first
        self._warned_full = False

    def __len__(self) -> int:
        return len(self._seen)

    async def async_process(  # Bolt passes these by name, `next` included
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        if req.mode == "socket_mode":
            return await next()
        timestamp = _header(req, "x-slack-request-timestamp")
        if self.first_time(timestamp, _header(req, "x-slack-signature")):
            return await next()
        log.warning("slack: refused a replayed request (timestamp %s)", timestamp[:20])
        return BoltResponse(status=401, body={"error": "invalid request"})

    def first_time(self, timestamp: str, signature: str) -> bool:
        """Whether this pair is new; a new pair is remembered until it can no longer verify."""
        now = self.clock()
        self._forget_expired(now)
        key = (timestamp, signature)
        if key in self._seen:
            return False
        if len(self._seen) >= self.capacity:
            self._forget_soonest()
        until = _stamp(timestamp, now) + WINDOW + GRACE
        self._seen[key] = until
        heapq.heappush(self._expiry, (until, key))
        return True

    def _forget_expired(self, now: float) -> None:
        while self._expiry and self._expiry[0][0] < now:
            _, key = heapq.heappop(self._expiry)
            del self._seen[key]

    def _forget_soonest(self) -> None:
        if not self._warned_full:
            log.warning(
                "slack: more than %d signed requests within %d s; the oldest are forgotten "
                "before their window ends",
                self.capacity,
                int(WINDOW),
            )
            self._warned_full = True
        _, key = heapq.heappop(self._expiry)
        del self._seen[key]


def _header(req: AsyncBoltRequest, name: str) -> str:
    values = req.headers.get(name) or [""]
    return values[0]


def _stamp(timestamp: str, now: float) -> float:
    """The request's own time (Bolt has checked it is a number near now)."""
    try:
        return float(int(timestamp))
    except ValueError:
        return now
