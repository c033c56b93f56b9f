"""Liveness and readiness of a `briefbot run` process, answered on the metrics port.

/healthz (liveness): 200 {"status": "ok"} while the event loop turns, that is while the database
check — a job on the loop — finished within the last LIVENESS_BEATS check intervals, whatever
its result. A loop blocked by a synchronous call, or a scheduler that stopped, turns it into 503
{"status": "stalled"}: a restart is then the cure. A database outage does not count here, since
restarting every process does not cure it.

/readyz (readiness): 200 when every check below passes, else 503; the body is
{"ready": bool, "checks": {"database": {...}, "ingest": {...}, "platforms": {name: {...}}}}.

- database: the last check (a SELECT 1 on the service's own engine, cut off after the check
  timeout) passed and is recent. A result older than two check intervals plus the timeout is
  stale, and stale is not ready.
- ingest: the last ingest round ended at most INGEST_ROUNDS ingest intervals ago (`[schedule]
  ingest_every`): one late or failed round is tolerated, two are not. Until the first round ends,
  the time the process started stands in for it. A new process is therefore ready at once — chats
  are served from what the database already holds, and a first round over many sources may take
  minutes — and it turns not ready if that first round has not ended two intervals later. A round
  this process skips because another process holds the ingest lock counts as ended: the process
  holding the lock answers for its own age.
- platforms: each configured chat platform is up; one still starting, not answering (the service
  keeps trying it) or stopping is not. With no platform (ingest only) there is nothing to wait
  for, and that part is ready.

Why the database result is cached: the HTTP server answers from threads of its own, while the
engine belongs to the asyncio loop and must not be used from another thread. The check runs on
the loop every check interval and stores its result and the time; a probe only reads them. So
probes cost the database nothing however often they come, never wait on the loop, and a wedged
loop shows as a stale result instead of a hung probe. (Running the check from the probe with
asyncio.run_coroutine_threadsafe would be safe too, but it holds a server thread for up to the
timeout and lets probe traffic open database connections.)

Every method may be called from any thread; the state sits behind one lock.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Config

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(seconds=15)
CHECK_TIMEOUT = timedelta(seconds=5)
LIVENESS_BEATS = 4
INGEST_ROUNDS = 2

PlatformState = Literal["starting", "up", "down"]
Body = dict[str, Any]


@dataclass(frozen=True)
class _DatabaseCheck:
    ok: bool
    at: float
    error: str | None = None


@dataclass(frozen=True)
class _Platform:
    state: PlatformState
    detail: str | None = None


class Health:
    """What /healthz and /readyz report, set by the service as things happen."""

    def __init__(
        self,
        ingest_every: timedelta,
        clock: Callable[[], float] = time.monotonic,
        check_every: timedelta = CHECK_EVERY,
        check_timeout: timedelta = CHECK_TIMEOUT,
    ) -> None:
        self.clock = clock
        self.check_every = check_every
        self.check_timeout = check_timeout
        self.ingest_stale_after = INGEST_ROUNDS * ingest_every
        self.database_stale_after = 2 * check_every + check_timeout
        self.loop_stalled_after = LIVENESS_BEATS * check_every
        self._lock = threading.Lock()
        self._started = clock()
        self._database: _DatabaseCheck | None = None
        self._ingest_at: float | None = None
        self._platforms: dict[str, _Platform] = {}

    @classmethod
    def from_config(cls, config: Config) -> Health:
        return cls(ingest_every=timedelta(minutes=config.schedule.ingest_every))

    # -- set by the service ------------------------------------------------------------------

    def ingest_done(self) -> None:
        """An ingest round ended (or was left to the process that holds the ingest lock)."""
        with self._lock:
            self._ingest_at = self.clock()

    def platform_starting(self, name: str) -> None:
        self._set_platform(name, _Platform("starting"))

    def platform_up(self, name: str) -> None:
        self._set_platform(name, _Platform("up"))

    def platform_down(self, name: str, detail: str) -> None:
        """`detail` is shown on /readyz: a fixed phrase such as "stopped", never exception text."""
        self._set_platform(name, _Platform("down", detail))

    def stopping(self) -> None:
        """The service is shutting down: every platform reads as down, so /readyz answers 503
        (and a load balancer stops sending) while the outbox drains."""
        with self._lock:
            for name in self._platforms:
                self._platforms[name] = _Platform("down", "stopping")

    def _set_platform(self, name: str, platform: _Platform) -> None:
        with self._lock:
            self._platforms[name] = platform

    async def check_database(self, engine: AsyncEngine) -> bool:
        """Run on the engine's own loop: a SELECT 1 within the check timeout, result stored."""
        with self._lock:
            previous = self._database
        error: str | None = None
        try:
            async with asyncio.timeout(self.check_timeout.total_seconds()):
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except TimeoutError:
            error = f"no answer within {self.check_timeout.total_seconds():g} s"
            if previous is None or previous.ok:
                log.warning("database check: %s", error)
        except Exception as exc:
            error = type(exc).__name__  # its message may name hosts or quote SQL: logged only
            if previous is None or previous.ok:
                log.warning("database check failed: %s: %s", error, exc)
        else:
            if previous is not None and not previous.ok:
                log.info("database check passes again")
        with self._lock:
            self._database = _DatabaseCheck(ok=error is None, at=self.clock(), error=error)
        return error is None

    # -- read by the HTTP server ---------------------------------------------------------------

    def liveness(self) -> tuple[bool, Body]:
        with self._lock:
            now = self.clock()
            beat = self._started if self._database is None else self._database.at
        age = now - beat
        if age <= self.loop_stalled_after.total_seconds():
            return True, {"status": "ok"}
        return False, {"status": "stalled", "loop_age_seconds": _seconds(age)}

    def readiness(self) -> tuple[bool, Body]:
        with self._lock:
            now = self.clock()
            database = self._database_body(now)
            ingest = self._ingest_body(now)
            platforms = {
                name: _platform_body(platform) for name, platform in sorted(self._platforms.items())
            }
        ready = database["ok"] and ingest["ok"] and all(p["ok"] for p in platforms.values())
        return ready, {
            "ready": ready,
            "checks": {"database": database, "ingest": ingest, "platforms": platforms},
        }

    def _database_body(self, now: float) -> Body:
        limit = self.database_stale_after.total_seconds()
        check = self._database
        if check is None:
            return {"ok": False, "age_seconds": None, "detail": "not checked yet"}
        age = now - check.at
        body: Body = {"ok": check.ok and age <= limit, "age_seconds": _seconds(age)}
        if check.error is not None:
            body["error"] = check.error
        elif age > limit:
            body["detail"] = f"last check older than {limit:g} s"
        return body

    def _ingest_body(self, now: float) -> Body:
        limit = self.ingest_stale_after.total_seconds()
        if self._ingest_at is None:
            waited = now - self._started
            return {
                "ok": waited <= limit,
                "age_seconds": None,
                "stale_after_seconds": limit,
                "detail": "first round not ended yet",
            }
        age = now - self._ingest_at
        return {"ok": age <= limit, "age_seconds": _seconds(age), "stale_after_seconds": limit}


def _platform_body(platform: _Platform) -> Body:
    body: Body = {"ok": platform.state == "up", "state": platform.state}
    if platform.detail is not None:
        body["detail"] = platform.detail
    return body


def _seconds(value: float) -> float:
    return round(value, 1)
