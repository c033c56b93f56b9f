"""`briefbot run`: the long-running service — chat platforms, the scheduler, orderly shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import Runtime
from bot.chat import Reply
from bot.config import Config
from bot.delivery.locks import single_runner
from bot.delivery.outbox import OutboxMetrics, OutboxWorker
from bot.delivery.sweep import sweep_digests
from bot.metrics import DELIVERY_OUTCOMES, Metrics
from bot.startup import PlatformUnreachable
from bot.storage.briefs import prune_article_text
from bot.storage.chats import set_chat_active
from bot.storage.outbox import outbox_depth
from handlers.context import Context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Seconds between attempts to start a platform that did not answer: doubling, capped."""

    first: float = 2.0
    cap: float = 300.0

    def delay(self, failures: int) -> float:
        return min(self.cap, self.first * 2 ** max(failures - 1, 0))


PLATFORM_BACKOFF = Backoff()
Sleep = Callable[[float], Awaitable[None]]


class ChatPlatform(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, chat_external_id: str, reply: Reply, thread_id: str | None = None
    ) -> list[str]: ...


def build_platforms(config: Config, context: Context, runtime: Runtime) -> dict[str, ChatPlatform]:
    """One adapter per platform whose secrets are set; the others are simply off."""

    async def on_chat_status(platform: str, chat_external_id: str, active: bool) -> None:
        async with runtime.sessions() as session, session.begin():
            known = await set_chat_active(session, platform, chat_external_id, active)
        log.info(
            "%s chat %s is now %s%s",
            platform,
            chat_external_id,
            "active" if active else "inactive",
            "" if known else " (not seen before)",
        )

    platforms: dict[str, ChatPlatform] = {}
    if config.telegram.enabled:
        from bot.adapters.telegram import TelegramBot  # noqa: PLC0415 - only when configured

        platforms["telegram"] = TelegramBot(config.telegram, context, on_chat_status)
    if config.slack.enabled:
        from bot.adapters.slack import SlackBot  # noqa: PLC0415 - only when configured

        platforms["slack"] = SlackBot(config.slack, context, on_chat_status)
    return platforms


async def keep_starting(
    name: str,
    platform: ChatPlatform,
    error: PlatformUnreachable,
    on_started: Callable[[], None],
    backoff: Backoff = PLATFORM_BACKOFF,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Start a platform that did not answer (`error`, the first failure), trying again with
    back-off and one log line per failed attempt, until it starts; then call `on_started`.
    Anything but PlatformUnreachable (a refused token, say) ends the attempts and is raised."""
    failures = 1
    while True:
        delay = backoff.delay(failures)
        log.warning("%s (attempt %d); trying again in %g s", error, failures, delay)
        await sleep(delay)
        try:
            await platform.start()
        except PlatformUnreachable as again:
            error = again
            failures += 1
            continue
        log.info("%s started after %d failed attempts", name, failures)
        on_started()
        return


def build_scheduler(runtime: Runtime, worker: OutboxWorker) -> AsyncIOScheduler:
    """Periodic jobs. Ingest and the digest sweep run in one process at a time (an advisory
    lock on PostgreSQL); a job that fails is logged and keeps its schedule."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    topics = runtime.analyser.topics

    async def ingest() -> None:
        async with single_runner(runtime.engine, "ingest") as mine:
            if mine:
                report = await runtime.ingest()
                if report.sources:
                    log.info("ingest: %s", report.summary())
                if report.alerts_queued:
                    worker.nudge()

    async def sweep() -> None:
        async with single_runner(runtime.engine, "digest-sweep") as mine:
            if mine:
                async with runtime.sessions() as session, session.begin():
                    queued = await sweep_digests(session, topics, runtime.clock())
                if queued:
                    log.info("digest sweep queued %d digests", queued)
                    worker.nudge()

    async def housekeeping() -> None:
        days = runtime.config.ingest.retention_days
        async with runtime.sessions() as session, session.begin():
            pruned = await prune_article_text(session, runtime.clock() - timedelta(days=days))
        log.info("housekeeping: dropped the text of %d articles older than %d days", pruned, days)

    reported = OutboxMetrics()

    async def metrics() -> None:
        async with runtime.sessions() as session:
            runtime.metrics.set_outbox_depth(await outbox_depth(session))
        for outcome in DELIVERY_OUTCOMES:
            now_total = getattr(worker.metrics, outcome)
            runtime.metrics.delivered(outcome, now_total - getattr(reported, outcome))
            setattr(reported, outcome, now_total)

    minutes = runtime.config.schedule.ingest_every
    soon = runtime.clock() + timedelta(seconds=1)
    common = {"coalesce": True, "max_instances": 1}
    scheduler.add_job(
        _logged(ingest, runtime.metrics),
        "interval",
        minutes=minutes,
        jitter=min(60, minutes * 6),
        id="ingest",
        name="ingest",
        misfire_grace_time=minutes * 60,
        next_run_time=soon,
        **common,
    )
    scheduler.add_job(
        _logged(sweep, runtime.metrics),
        "interval",
        minutes=1,
        id="digest-sweep",
        name="digest sweep",
        misfire_grace_time=60,
        next_run_time=soon,
        **common,
    )
    scheduler.add_job(
        _logged(housekeeping, runtime.metrics),
        "interval",
        hours=24,
        id="housekeeping",
        name="housekeeping",
        misfire_grace_time=3600,
        **common,
    )
    scheduler.add_job(
        _logged(metrics, runtime.metrics),
        "interval",
        seconds=15,
        id="metrics",
        name="metrics",
        next_run_time=soon,
        **common,
    )
    return scheduler


def _logged(job: Callable[[], Awaitable[None]], metrics: Metrics) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await metrics.timed(job.__name__, job)
        except Exception:
            log.exception("job %s failed; it runs again on schedule", job.__name__)
        except asyncio.CancelledError:  # only when the service stops: not the job's failure
            log.info("job %s cut short: briefbot is stopping", job.__name__)

    run.__name__ = job.__name__
    return run


async def run_service(
    config: Config, backoff: Backoff = PLATFORM_BACKOFF, sleep: Sleep = asyncio.sleep
) -> int:
    """Run until SIGINT or SIGTERM. A platform that does not answer at start is tried again in
    the background (see keep_starting) while the rest runs; a refused token stops the service."""
    runtime = await Runtime.open(config)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    scheduler: AsyncIOScheduler | None = None
    started: list[ChatPlatform] = []
    stop_metrics: Callable[[], None] | None = None
    draining: asyncio.Task[None] | None = None
    stop_draining = asyncio.Event()
    retrying: list[asyncio.Task[None]] = []
    fatal: list[BaseException] = []
    try:
        await runtime.sync_sources()
        context = runtime.context()
        platforms = build_platforms(config, context, runtime)
        if not platforms:
            log.warning(
                "no chat platform configured ([telegram] token or [slack] tokens); "
                "ingesting only — `briefbot chat` talks to the same database"
            )
        unreachable = await _start_platforms(platforms, started)
        # A platform still starting has no sender yet: its deliveries wait, unclaimed.
        senders = {name: platforms[name].send for name in platforms if name not in unreachable}
        worker = OutboxWorker(runtime.sessions, senders, runtime.analyser.topics, runtime.clock)
        draining = asyncio.create_task(worker.run(stop_draining), name="outbox")
        retry = _Retry(worker, started, fatal, stopping, backoff, sleep)
        retrying = [
            asyncio.create_task(retry.start(name, platforms[name], first), name=f"start {name}")
            for name, first in unreachable.items()
        ]
        scheduler = build_scheduler(runtime, worker)
        scheduler.start()
        if config.metrics.port:
            stop_metrics = runtime.metrics.serve(config.metrics.port, config.metrics.host)
            log.info("metrics on http://%s:%d/metrics", config.metrics.host, config.metrics.port)
        log.info(
            "briefbot running with %s; Ctrl-C or SIGTERM stops it",
            ", ".join(f"{name} (connecting)" if name in unreachable else name for name in platforms)
            or "no chat platform",
        )
        await stopping.wait()
        if fatal:
            raise fatal[0]
        log.info("stopping")
        return 0
    finally:
        await _cancel(retrying)
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        stop_draining.set()
        if draining is not None:
            await draining  # finishes its batch; unsent claims go back to pending
        if stop_metrics is not None:
            stop_metrics()
        for platform in reversed(started):
            try:
                await platform.stop()
            except Exception:
                log.exception("%s did not stop cleanly", type(platform).__name__)
        await runtime.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _start_platforms(
    platforms: dict[str, ChatPlatform], started: list[ChatPlatform]
) -> dict[str, PlatformUnreachable]:
    """Start each platform once; returns those that did not answer. Other failures are raised."""
    unreachable: dict[str, PlatformUnreachable] = {}
    for name, platform in platforms.items():
        try:
            await platform.start()
        except PlatformUnreachable as error:
            unreachable[name] = error
            continue
        started.append(platform)
    return unreachable


@dataclass
class _Retry:
    """keep_starting for `run`: once up, a platform gets its sender and is stopped at the end;
    if its start fails for another reason than the network, the service stops with it."""

    worker: OutboxWorker
    started: list[ChatPlatform]
    fatal: list[BaseException]
    stopping: asyncio.Event
    backoff: Backoff
    sleep: Sleep

    async def start(self, name: str, platform: ChatPlatform, first: PlatformUnreachable) -> None:
        def up() -> None:
            self.started.append(platform)
            self.worker.senders[name] = platform.send

        try:
            await keep_starting(name, platform, first, up, self.backoff, self.sleep)
        except Exception as failure:
            self.fatal.append(failure)
            self.stopping.set()
