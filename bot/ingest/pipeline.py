"""One ingest pass: fetch the due sources, parse, analyse, store briefs, cluster repeats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.analysis.cluster import StoryIndex, collect_evidence, signature
from bot.analysis.evidence import Evidence
from bot.analysis.pipeline import Analyser
from bot.delivery.alerts import queue_alerts
from bot.domain import Article, Source
from bot.ingest.fetch import Fetcher, FetchError, FetchResult
from bot.ingest.fulltext import FullTextLimits, complete_articles
from bot.ingest.identity import content_fingerprint
from bot.ingest.parse import ParsedFeed
from bot.ingest.sandbox import Sandbox, SandboxError
from bot.storage import briefs as brief_store
from bot.storage import sources as source_store

log = logging.getLogger(__name__)
CLUSTER_WINDOW = timedelta(days=3)


@dataclass
class IngestReport:
    sources: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    briefs_new: int = 0
    alerts_queued: int = 0
    briefs_merged: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.sources} sources: {self.fetched} fetched, {self.not_modified} unchanged, "
            f"{self.failed} failed; {self.articles_new} new articles, "
            f"{self.articles_updated} updated; {self.briefs_new} new briefs, "
            f"{self.briefs_merged} merged into existing stories"
        )


@dataclass(frozen=True)
class SourceFailure:
    """Why a source gave nothing this pass: its fetch failed or its document could not be read."""

    reason: str
    retry_after: float | None = None


@dataclass
class Ingestor:
    sessions: async_sessionmaker[AsyncSession]
    fetcher: Fetcher
    analyser: Analyser
    sandbox: Sandbox
    max_failures: int = 8
    concurrency: int = 64
    full_text: bool = False
    full_text_limits: FullTextLimits = field(default_factory=FullTextLimits)
    on_source_done: Callable[[Source], Any] | None = None

    async def run_once(self, now: datetime, force: bool = False) -> IngestReport:
        """Fetch every due source (every source when `force`) and store what is new.

        Each source succeeds or fails on its own: whatever goes wrong with one (its fetch, its
        document, even a bug it triggers) is recorded against that source, and every task ends
        before this returns, so the fetcher outlives them all."""
        async with self.sessions() as session:
            due = await (
                source_store.list_sources(session)
                if force
                else source_store.due_sources(session, now)
            )
            stories = StoryIndex()
            since = now - CLUSTER_WINDOW
            stories.add_all(
                (story.brief_id, story.signature, [Evidence.from_json(e) for e in story.evidence])
                for story in await brief_store.recent_stories(session, since)
            )
        due = [source for source in due if source.enabled]
        report = IngestReport(sources=len(due))
        gate = asyncio.Semaphore(self.concurrency)
        store_lock = asyncio.Lock()

        async def one(source: Source) -> None:
            try:
                async with gate:
                    outcome = await self._read(source)
                async with store_lock:
                    await self._store(source, *outcome, now, stories, report)
            except Exception:
                log.exception("source %s: unexpected error while ingesting", source.id)
                async with store_lock:
                    await self._record_unexpected(source, now, report)
            if self.on_source_done is not None:
                self.on_source_done(source)

        async with asyncio.TaskGroup() as group:
            for source in due:
                group.create_task(one(source))
        return report

    async def _read(self, source: Source) -> tuple[FetchResult | SourceFailure, ParsedFeed | None]:
        """Fetch and parse one source; a failure of either is this source's SourceFailure."""
        try:
            fetched = await self.fetcher.fetch(
                source.url,
                etag=source.etag,
                last_modified=source.last_modified,
                guarded=source.origin != "config",  # chat and OPML sources: guarded
            )
        except FetchError as error:
            return SourceFailure(error.reason, error.retry_after), None
        if fetched.body is None:
            return fetched, None
        try:
            feed: ParsedFeed = await self.sandbox.run(
                "parse_feed", fetched.body, source.url, fetched.content_type, source.name
            )
        except SandboxError as error:
            return SourceFailure(f"feed not read: {error.reason}"), None
        if self.full_text:
            feed = await self._complete(source, feed)
        return fetched, feed

    async def _complete(self, source: Source, feed: ParsedFeed) -> ParsedFeed:
        """Fetch the pages of new teaser items; known articles are not fetched again."""
        async with self.sessions() as session:
            known = await brief_store.known_identities(
                session, source.id, [article.identity for article in feed.articles]
            )
        fresh = [article for article in feed.articles if article.identity not in known]
        done = await complete_articles(self.fetcher, self.sandbox, fresh, self.full_text_limits)
        completed = {article.identity: article for article in done}
        articles = tuple(completed.get(article.identity, article) for article in feed.articles)
        return replace(feed, articles=articles)

    async def _record_unexpected(self, source: Source, now: datetime, report: IngestReport) -> None:
        failure = SourceFailure("internal error while ingesting (see the log)")
        try:
            await self._store(source, failure, None, now, StoryIndex(), report)
        except Exception:
            log.exception("source %s: the failure could not be recorded either", source.id)

    async def _store(
        self,
        source: Source,
        outcome: FetchResult | SourceFailure,
        feed: ParsedFeed | None,
        now: datetime,
        stories: StoryIndex,
        report: IngestReport,
    ) -> None:
        created: list[int] = []
        mark = stories.mark()
        try:
            await self._store_in_transaction(source, outcome, feed, now, stories, report, created)
        except BaseException:
            stories.rollback(mark)  # rolled back: later articles must not join these
            raise

    async def _store_in_transaction(
        self,
        source: Source,
        outcome: FetchResult | SourceFailure,
        feed: ParsedFeed | None,
        now: datetime,
        stories: StoryIndex,
        report: IngestReport,
        created: list[int],
    ) -> None:
        async with self.sessions() as session, session.begin():
            if isinstance(outcome, SourceFailure):
                report.failed += 1
                updated = await source_store.record_failure(
                    session, source.id, now, outcome.reason, self.max_failures, outcome.retry_after
                )
                report.problems.append(f"{source.name or source.url}: {outcome.reason}")
                log.warning(
                    "source %s failed (%d in a row): %s",
                    source.id,
                    updated.failures,
                    outcome.reason,
                )
                if not updated.enabled:
                    log.error(
                        "source %s switched off after %d failures; /sources shows it",
                        source.id,
                        updated.failures,
                    )
                return
            next_fetch = now + timedelta(minutes=source.interval_minutes)
            await source_store.record_success(
                session, source.id, now, outcome.etag, outcome.last_modified, next_fetch
            )
            if feed is None:
                report.not_modified += 1
                return
            report.fetched += 1
            for problem in feed.problems:
                log.info("source %s: %s", source.id, problem)
            for item in feed.articles:
                article = _with_outlet(item, source.name) if source.name else item
                brief_id = await self._store_article(session, source, article, now, stories, report)
                if brief_id is not None:
                    created.append(brief_id)
            # Alerts commit with the briefs they announce: a crash loses neither without the other.
            report.alerts_queued += await queue_alerts(session, created, self.analyser.topics, now)

    async def _store_article(
        self,
        session: AsyncSession,
        source: Source,
        article: Article,
        now: datetime,
        stories: StoryIndex,
        report: IngestReport,
    ) -> int | None:
        """Store one article; returns the id of the brief it created, if it made a new one."""
        fingerprint = content_fingerprint(article.title, article.body)
        existing = await brief_store.find_article(session, source.id, article.identity)
        if existing is not None and existing.fingerprint == fingerprint:
            return None
        analysis = self.analyser.analyse(article)
        previous_url = existing.url if existing is not None else None
        row = await brief_store.save_article(
            session, source.id, article, fingerprint, analysis.language, now, existing
        )
        if existing is not None and existing.brief_id is not None:
            report.articles_updated += 1
            await brief_store.refresh_brief(
                session, existing.brief_id, article, analysis, now, previous_url
            )
            return None
        report.articles_new += 1
        values = signature(article.title, article.body)
        evidence = collect_evidence(article, analysis, article.published_at or now)
        repeat_of = stories.find(values, evidence)
        if repeat_of is not None:
            row.brief_id = repeat_of
            await session.flush()
            await brief_store.add_source_to_brief(
                session, repeat_of, article, analysis, now, evidence.to_json()
            )
            stories.join(repeat_of, evidence)
            report.briefs_merged += 1
            return None
        brief_id = await brief_store.create_brief(
            session, article, analysis, values, now, evidence.to_json()
        )
        row.brief_id = brief_id
        await session.flush()
        stories.add(brief_id, values, [evidence])
        report.briefs_new += 1
        return brief_id


def _with_outlet(article: Article, outlet: str) -> Article:
    return replace(article, outlet=outlet)
