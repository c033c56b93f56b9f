"""`briefbot run`: the long-running service — chat platforms, the scheduler, orderly shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import Runtime
from bot.chat import Reply
from bot.config import Config
from bot.storage.chats import set_chat_active
from handlers.context import Context

log = logging.getLogger(__name__)


class ChatPlatform(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(
        self, chat_external_id: str, reply: Reply, thread_id: str | None = None
    ) -> list[str]: ...


def build_platforms(config: Config, context: Context, runtime: Runtime) -> list[ChatPlatform]:
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

    platforms: list[ChatPlatform] = []
    if config.telegram.enabled:
        from bot.adapters.telegram import TelegramBot  # noqa: PLC0415 - only when configured

        platforms.append(TelegramBot(config.telegram, context, on_chat_status))
    if config.slack.enabled:
        from bot.adapters.slack import SlackBot  # noqa: PLC0415 - only when configured

        platforms.append(SlackBot(config.slack, context, on_chat_status))
    return platforms


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """Periodic jobs; a job that fails is logged and keeps its schedule."""
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def ingest() -> None:
        try:
            report = await runtime.ingest()
        except Exception:
            log.exception("ingest pass failed; the next one runs on schedule")
            return
        if report.sources:
            log.info("ingest: %s", report.summary())

    minutes = runtime.config.schedule.ingest_every
    scheduler.add_job(
        ingest,
        "interval",
        minutes=minutes,
        jitter=min(60, minutes * 6),
        id="ingest",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=minutes * 60,
        next_run_time=runtime.clock() + timedelta(seconds=1),
    )
    return scheduler


async def run_service(config: Config) -> int:
    runtime = await Runtime.open(config)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    started: list[ChatPlatform] = []
    scheduler = build_scheduler(runtime)
    try:
        await runtime.sync_sources()
        context = runtime.context()
        platforms = build_platforms(config, context, runtime)
        if not platforms:
            log.warning(
                "no chat platform configured ([telegram] token or [slack] tokens); "
                "ingesting only — `briefbot chat` talks to the same database"
            )
        for platform in platforms:
            await platform.start()
            started.append(platform)
        scheduler.start()
        log.info(
            "briefbot running with %s; Ctrl-C or SIGTERM stops it",
            ", ".join(type(p).__name__ for p in started) or "no chat platform",
        )
        await stopping.wait()
        log.info("stopping")
        return 0
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        for platform in reversed(started):
            try:
                await platform.stop()
            except Exception:
                log.exception("%s did not stop cleanly", type(platform).__name__)
        await runtime.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
