"""Wiring and lifecycle: everything is built here from the config and passed in."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.adapters.console import PLATFORM as CONSOLE
from bot.adapters.console import USER as CONSOLE_USER
from bot.adapters.console import ConsoleChat, run_console
from bot.analysis.pipeline import Analyser
from bot.config import Config, ConfigError
from bot.delivery.digest import build_digest
from bot.ingest.catalog import configured_sources
from bot.ingest.checker import FeedChecker
from bot.ingest.discover import WORKER_MODULE as DISCOVER_WORKER
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.fulltext import FullTextLimits
from bot.ingest.pipeline import Ingestor, IngestReport
from bot.ingest.sandbox import Sandbox, SandboxLimits
from bot.logs import quiet_unless_debug
from bot.metrics import Metrics
from bot.render.plain import render_plain
from bot.storage import briefs as brief_store
from bot.storage import db
from bot.storage import sources as source_store
from handlers.context import Context
from handlers.dispatch import suggest
from handlers.registry import all_commands

log = logging.getLogger(__name__)
DEMO_BRIEFS_PER_TOPIC = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    config: Config
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    analyser: Analyser
    clock: Callable[[], datetime] = utc_now
    metrics: Metrics = field(default_factory=Metrics)
    sandbox: Sandbox = field(default_factory=Sandbox)  # workers start on first use
    # Reads what /addsource fetches, and finds the feeds a web page links to.
    checker_sandbox: Sandbox = field(
        default_factory=lambda: Sandbox(SandboxLimits(workers=1, module=DISCOVER_WORKER))
    )

    @classmethod
    async def open(cls, config: Config, migrate: bool = True) -> Runtime:
        """Topics first, then the database (connected once, migrated). What stops it is a
        one-line ConfigError or StartupError naming the setting to change."""
        analyser = load_analyser(config)
        engine = db.create_engine(
            config.database.url, connect_timeout=config.database.connect_timeout
        )
        try:
            await db.check_connection(engine, config.setting("database", "url"))
            if migrate:
                await db.upgrade(engine)
        except BaseException:
            await engine.dispose()
            raise
        return cls(
            config=config,
            engine=engine,
            sessions=db.sessions(engine),
            analyser=analyser,
            sandbox=Sandbox(parse_limits(config)),
            checker_sandbox=Sandbox(checker_limits(config)),
        )

    async def close(self) -> None:
        await self.sandbox.aclose()
        await self.checker_sandbox.aclose()
        await self.engine.dispose()

    def fetcher(self) -> Fetcher:
        """A new Fetcher with the configured limits and allowlist; close it after use."""
        return Fetcher.create(self.fetch_limits(), guard_allow=self.config.ingest.allow_networks)

    def feed_checker(self) -> FeedChecker:
        return FeedChecker(
            self.fetcher, self.checker_sandbox, allow=self.config.ingest.allow_networks
        )

    def context(self) -> Context:
        """What the command handlers get: storage, clock, topics, admins, defaults."""
        admins = self.config.admin
        return Context(
            sessions=self.sessions,
            clock=self.clock,
            topics=self.analyser.topics,
            admin_ids={
                "telegram": frozenset(str(user) for user in admins.telegram_ids),
                "slack": frozenset(admins.slack_ids),
                CONSOLE: frozenset({CONSOLE_USER}),
            },
            default_timezone=self.config.schedule.default_timezone,
            default_digest_time=self.config.schedule.default_digest_time,
            commands=all_commands(),
            process_stats=self.metrics.summary,
            feed_checker=self.feed_checker(),
        )

    def topic_names(self) -> dict[str, str]:
        return {slug: topic.name for slug, topic in self.analyser.topics.items()}

    def fetch_limits(self) -> FetchLimits:
        ingest = self.config.ingest
        return FetchLimits(
            connect_timeout=ingest.connect_timeout,
            read_timeout=ingest.read_timeout,
            total_timeout=ingest.total_timeout,
            max_bytes=ingest.max_bytes,
            per_host_concurrency=ingest.per_host_concurrency,
        )

    async def sync_sources(self) -> None:
        """Register the configured sources (or the bundled samples) in the database."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            for source in configured_sources(self.config):
                await source_store.ensure_source(
                    session,
                    source.url,
                    now,
                    name=source.name,
                    topics=source.topics,
                    interval_minutes=source.interval,
                )

    async def ingest(
        self, force: bool = False, on_source_done: Callable[[Any], Any] | None = None
    ) -> IngestReport:
        async with self.fetcher() as fetcher:
            ingestor = Ingestor(
                self.sessions,
                fetcher,
                self.analyser,
                self.sandbox,
                max_failures=self.config.ingest.max_failures,
                full_text=self.config.ingest.full_text,
                full_text_limits=FullTextLimits(
                    max_pages=self.config.ingest.full_text_pages,
                    budget=self.config.ingest.full_text_budget,
                ),
                on_source_done=on_source_done,
            )
            report = await ingestor.run_once(self.clock(), force=force)
        self.metrics.ingested(report.articles_new, report.briefs_new)
        return report


def load_analyser(config: Config) -> Analyser:
    """The bundled topics plus `[topics] packs`, with `[topics] default` checked against them."""
    topics = config.topics
    packs = Path(topics.packs) if topics.packs else None
    if packs is not None and not packs.is_dir():
        raise ConfigError(
            f"{config.setting('topics', 'packs')}: {packs} is not a folder: give the folder of "
            'your topic packs (*.toml), or packs = "" for the bundled topics only'
        )
    if packs is not None and not any(packs.glob("*.toml")):
        raise ConfigError(
            f"{config.setting('topics', 'packs')}: {packs} holds no topic packs (*.toml): add "
            'yours there, or packs = "" for the bundled topics only'
        )
    try:
        analyser = Analyser.load(packs)
    except ValueError as error:
        if packs is None:  # the bundled packs: a broken install, not a setting
            raise
        raise ConfigError(
            f"{config.setting('topics', 'packs')}: a pack in {packs} is wrong: {error} "
            "(fix the pack or take it out of the folder)"
        ) from None
    known = list(analyser.topics)
    for slug in topics.default:
        if slug not in analyser.topics:
            close = suggest(slug, known)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ConfigError(
                f"{config.setting('topics', 'default')}: no topic {slug!r} ({hint}the topics: "
                f"{', '.join(known)})"
            )
    return analyser


def parse_limits(config: Config) -> SandboxLimits:
    ingest = config.ingest
    return SandboxLimits(
        workers=ingest.parse_workers,
        timeout=ingest.parse_timeout,
        memory_bytes=ingest.parse_memory_mb * 1024 * 1024,
    )


def checker_limits(config: Config) -> SandboxLimits:
    """One worker, started on the first /addsource, with ingest's time and memory limits."""
    return replace(parse_limits(config), workers=1, module=DISCOVER_WORKER)


async def run_demo(config: Config, out: TextIO) -> int:
    """Bundled feeds → stored briefs → a digest for the default topics, printed."""
    runtime = await Runtime.open(config)
    try:
        await runtime.sync_sources()
        report = await runtime.ingest(force=True)
        sections = []
        async with runtime.sessions() as session:
            for slug in config.topics.default:
                briefs = await brief_store.latest_briefs(session, [slug], DEMO_BRIEFS_PER_TOPIC)
                sections.append((slug, briefs))
        # The same digest a chat receives, rendered as the console shows it.
        digest = build_digest(sections, runtime.topic_names(), since="the sample feeds began")
        print(render_plain(digest), file=out)
        print(f"\n{report.summary()}", file=out)
        return 0
    finally:
        await runtime.close()


NO_DATABASE = (
    "briefbot chat: no database at {path}: run `briefbot ingest --once` (or `briefbot demo` for "
    "the sample feeds) to make it and fetch briefs, or give --config with the file naming yours"
)
NO_BRIEFS = "no briefs yet: run `briefbot ingest --once` or `briefbot demo` to fetch some"


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file `url` names when it does not exist yet; None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database).expanduser().absolute()
    return None if path.exists() else path


async def run_chat(config: Config, chat: str, interactive: bool) -> int:
    """`briefbot chat`: the console conversation on the same storage as `run` and `demo`.

    It does not make a database: a missing SQLite file is one line on stderr and exit status 1.
    An empty store is a line on stderr before the first reply. Log lines below WARNING would
    land between replies, so they are shown only with debug logging (--verbose)."""
    missing = missing_sqlite_file(config.database.url)
    if missing is not None:
        print(NO_DATABASE.format(path=missing), file=sys.stderr)
        return 1
    with quiet_unless_debug():
        runtime = await Runtime.open(config)
        try:
            async with runtime.sessions() as session:
                empty = await brief_store.count_briefs(session) == 0
            console = ConsoleChat(runtime.context(), chat=chat)
            return await run_console(console, interactive, notice=NO_BRIEFS if empty else None)
        finally:
            await runtime.close()
