"""`bench query` on a small store: the bulk load fills what the read commands use; /search,
/brief and /related answer on it exactly as a scan of every brief would; every command is timed
through dispatch on both backends; a command answering with an error stops the bench."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Runtime
from bot.bench.query import BenchError, Probe, bench_query, load, time_probe
from bot.config import Config, DatabaseConfig
from bot.domain import Brief
from bot.storage import briefs as brief_store
from bot.storage import db
from bot.storage.models import ArticleRow, BriefRow, BriefTopicRow, ChatRow, SubscriptionRow
from bot.storage.search import search_briefs, search_terms

NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
LABELS = (
    "/brief tunisia",
    "/brief (subscriptions)",
    "/search COMMON",
    "/search RARE",
    "/more B<id>",
    "/source B<id>",
    "/related B<id>",
    "/actors B<id>",
)


async def test_bulk_load_fills_briefs_topics_articles_and_chats(engine: AsyncEngine) -> None:
    async with db.sessions(engine)() as session, session.begin():
        loaded = await load(session, 300, 20, NOW, seed=3)
    async with db.sessions(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(BriefRow)) == 300
        topics = await session.scalars(select(BriefRow.topics))
        filed = await session.scalar(select(func.count()).select_from(BriefTopicRow))
        assert filed == sum(len(row) for row in topics)
        articles = await session.scalar(select(func.count()).select_from(ArticleRow))
        assert articles == loaded.articles > 0
        assert await session.scalar(select(func.count()).select_from(ChatRow)) == 20
        per_chat = list(
            await session.scalars(
                select(func.count()).select_from(SubscriptionRow).group_by(SubscriptionRow.chat_id)
            )
        )
        assert len(per_chat) == 20 and all(1 <= count <= 3 for count in per_chat)
        assert sum(per_chat) == loaded.subscriptions
        oldest = await session.scalar(select(func.min(BriefRow.published_at)))
        assert oldest is not None and (NOW - oldest).days < 90
        # The full-text index kept up with the bulk insert: a rare vessel name is found.
        vessel = loaded.vessels[0]
        found = await search_briefs(session, vessel.lower(), limit=50)
        assert found and all(vessel in brief.title for brief in found)
        # A brief with stored articles counts them as its sources, the primary one among them.
        carried = await session.scalar(select(ArticleRow.brief_id).limit(1))
        assert carried is not None
        brief = await brief_store.get_brief(session, carried)
        sources = await brief_store.brief_sources(session, carried)
        assert brief is not None and brief.primary.url in [source.url for source in sources]
        assert brief.source_count == len(sources)


def _newest(briefs: list[Brief]) -> list[Brief]:
    return sorted(briefs, key=lambda brief: (brief.published_at, brief.id), reverse=True)


def _has_words(text: str, terms: list[str]) -> bool:
    tokens = re.findall(r"[^\W_]+", text)
    return all(any(token.startswith(term) for token in tokens) for term in terms)


async def test_fast_read_paths_answer_as_a_plain_scan_would(engine: AsyncEngine) -> None:
    """/search, /brief and /related read only the head of their indexes or fewer columns; on a
    store larger than the search's first window their answers match a scan of every brief."""
    async with db.sessions(engine)() as session, session.begin():
        loaded = await load(session, 500, 5, NOW, seed=5)
    async with db.sessions(engine)() as session:
        rows = list(await session.scalars(select(BriefRow)))
        every = _newest([brief_store.to_brief(row) for row in rows])
        texts = {row.id: row.search_text for row in rows}
        rare = [vessel.lower() for vessel in (loaded.vessels[0], loaded.vessels[-1])]
        for words in ["border", "near", "libya", "fuel border", "zzzz", *rare]:
            terms = search_terms(words)
            matching = [brief for brief in every if _has_words(texts[brief.id], terms)]
            for offset in (0, 5, 150, 400):
                found = await search_briefs(session, words, 6, offset)
                assert found == matching[offset : offset + 6], (words, offset)
        groups = [["tunisia"], ["egypt", "sahel", "libya"], ["libya", "north-africa-security"], []]
        for topics in [*groups, ["no-such-topic"]]:
            filed = [brief for brief in every if set(brief.topics) & set(topics)]
            for limit, offset in ((6, 0), (6, 30), (50, 100)):
                page = await brief_store.brief_page(session, topics, limit, offset)
                assert page == filed[offset : offset + limit], (topics, limit, offset)
            since = NOW - timedelta(days=20)
            recent = [brief for brief in filed if brief.published_at > since][:5]
            assert await brief_store.latest_briefs(session, topics, 5, since) == recent
        for brief in random.Random(5).sample(every, 25):
            near = [
                other
                for other in every
                if other.id != brief.id
                and abs(other.published_at - brief.published_at) <= brief_store.ACTOR_WINDOW
            ][: brief_store.RELATED_CANDIDATES]
            scored = [m for other in near if (m := brief_store.relatedness(brief, other))]
            scored.sort(
                key=lambda m: (
                    -m.score,
                    abs(m.brief.published_at - brief.published_at),
                    -m.brief.id,
                )
            )
            assert await brief_store.related_briefs(session, brief) == scored[:5]


async def test_report_has_every_command_for_both_backends() -> None:
    report = await bench_query(Config(), 300, 20, ("sqlite", "postgresql"), samples=5)
    lines = report.splitlines()
    assert lines[0].startswith("query bench: 300 briefs, 20 chats; 5 timed runs per command")
    for backend in ("sqlite", "postgresql"):
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{backend}: bulk load"))
        assert "300 briefs" in lines[start] and "20 chats" in lines[start]
        timed = lines[start + 1 : start + 1 + len(LABELS)]
        for label, line in zip(LABELS, timed, strict=True):
            assert line.strip().startswith(label)
            assert "p50" in line and "p95" in line and "max" in line
    assert lines[-1].startswith("target p95 <= 50 ms: ")


async def test_a_command_that_answers_with_an_error_stops_the_bench(sqlite_url: str) -> None:
    runtime = await Runtime.open(Config(database=DatabaseConfig(url=sqlite_url)))
    try:
        async with runtime.sessions() as session, session.begin():
            loaded = await load(session, 50, 5, NOW, seed=1)
        missing = Probe("/more B<missing>", lambda rng: ("more", ("B999999",)))
        with pytest.raises(BenchError, match="B999999"):
            await time_probe(runtime, missing, loaded, 3, random.Random(1))
        present = Probe("/more B1", lambda rng: ("more", ("B1",)))
        timing = await time_probe(runtime, present, loaded, 3, random.Random(1))
        assert len(timing.ms) == 3
    finally:
        await runtime.close()


async def test_unknown_backend_and_too_small_a_store_are_refused() -> None:
    with pytest.raises(ValueError, match="sqlite, postgresql"):
        await bench_query(Config(), 1000, 2, ("mysql",))
    with pytest.raises(ValueError, match="at least 100 briefs"):
        await bench_query(Config(), 10, 2, ("sqlite",))
