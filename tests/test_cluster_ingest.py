"""Clustering through the real ingest path: feeds in three languages served on loopback, one
`runtime.ingest()` per pass, briefs and their sources read back from storage."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from bot.app import Runtime
from bot.config import Config, DatabaseConfig, IngestConfig, SourceConfig
from bot.domain import Brief
from bot.storage import briefs as brief_store
from bot.storage.models import BriefRow
from tests.test_cluster_stories import ALGIERS_GAS_DEAL, APART, STORIES, TRIPOLI_CLASH, Report

NOW = datetime(2025, 12, 13, 14, 0, tzinfo=UTC)


def rss(outlet: str, reports: Iterable[Report]) -> str:
    items = "".join(
        f"<item><guid>{outlet}-{number}</guid><title>{escape(report.title)}</title>"
        f"<link>https://{outlet.lower()}.example.org/{number}</link>"
        f"<pubDate>{format_datetime(report.published)}</pubDate>"
        f"<description>{escape(report.body)}</description></item>"
        for number, report in enumerate(reports)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(outlet)}</title>{items}</channel></rss>"
    )


class Farm:
    """Feeds on the loopback server whose items can change between passes."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.items: dict[str, list[Report]] = {}

    def feed(self, name: str, reports: Iterable[Report] = ()) -> SourceConfig:
        self.items[name] = list(reports)
        self.server.expect_request(f"/{name}.xml").respond_with_handler(self._serve(name))
        return SourceConfig(url=self.server.url_for(f"/{name}.xml"), name=name)

    def _serve(self, name: str) -> Callable[[Request], Response]:
        def handler(_: Request) -> Response:
            return Response(
                rss(name, self.items[name]), content_type="application/rss+xml; charset=utf-8"
            )

        return handler


@pytest.fixture
async def runtime_factory(sqlite_url: str) -> AsyncIterator[Callable[..., object]]:
    opened: list[Runtime] = []

    async def make(sources: list[SourceConfig]) -> Runtime:
        config = Config(
            database=DatabaseConfig(url=sqlite_url),
            sources=tuple(sources),
            ingest=IngestConfig(),
        )
        runtime = await Runtime.open(config)
        runtime.clock = lambda: NOW
        await runtime.sync_sources()
        opened.append(runtime)
        return runtime

    yield make
    for runtime in opened:
        await runtime.close()


async def stored(runtime: Runtime) -> list[tuple[Brief, list[str]]]:
    """Every brief, oldest first, with the outlets of its sources."""
    async with runtime.sessions() as session:
        briefs = await brief_store.latest_briefs(session, limit=1000)
        found = []
        for brief in sorted(briefs, key=lambda b: b.id):
            sources = await brief_store.brief_sources(session, brief.id)
            found.append((brief, sorted(ref.outlet or "" for ref in sources)))
    return found


async def test_the_tuning_set_through_ingest_one_brief_per_event(
    httpserver: HTTPServer, runtime_factory
) -> None:
    """Each outlet's feed carries its reports of the five events (one feed per language) and of
    the different events; one pass makes one brief per event, with a source per language."""
    farm = Farm(httpserver)
    english, french, arabic = ([triple[n] for triple in STORIES.values()] for n in range(3))
    singles = list(
        {id(r): r for pair in APART.values() for r in pair if not _in_a_triple(r)}.values()
    )
    runtime = await runtime_factory(
        [
            farm.feed("english", english),
            farm.feed("french", french),
            farm.feed("arabic", arabic),
            farm.feed("others", singles),
        ]
    )
    report = await runtime.ingest(force=True)
    assert report.articles_new == 15 + len(singles)
    assert (report.briefs_new, report.briefs_merged) == (5 + len(singles), 10)
    briefs = await stored(runtime)
    merged = [(brief, outlets) for brief, outlets in briefs if brief.source_count > 1]
    assert [outlets for _, outlets in merged] == [["arabic", "english", "french"]] * 5
    assert {brief.source_count for brief, _ in merged} == {3}
    # Each merged brief shows its earliest report as the primary one.
    earliest = {min(triple, key=lambda r: r.published).title for triple in STORIES.values()}
    assert {brief.title for brief, _ in merged} == earliest
    assert all(outlets == ["others"] for brief, outlets in briefs if brief.source_count == 1)


def _in_a_triple(report: Report) -> bool:
    return any(report is member for triple in STORIES.values() for member in triple)


async def test_later_reports_join_through_the_evidence_stored_with_the_brief(
    httpserver: HTTPServer, runtime_factory
) -> None:
    """The English report comes in one pass; the French and Arabic ones in the next, which
    rebuilds its index from storage: they still join the English brief."""
    farm = Farm(httpserver)
    runtime = await runtime_factory(
        [farm.feed("english", [TRIPOLI_CLASH[0]]), farm.feed("french"), farm.feed("arabic")]
    )
    first = await runtime.ingest(force=True)
    assert (first.briefs_new, first.briefs_merged) == (1, 0)
    farm.items["french"] = [TRIPOLI_CLASH[1]]
    farm.items["arabic"] = [TRIPOLI_CLASH[2]]
    runtime.clock = lambda: NOW + timedelta(hours=2)
    second = await runtime.ingest(force=True)
    assert (second.articles_new, second.briefs_new, second.briefs_merged) == (2, 0, 2)
    [(brief, outlets)] = await stored(runtime)
    assert brief.source_count == 3 and outlets == ["arabic", "english", "french"]
    async with runtime.sessions() as session:
        evidence = await session.scalar(select(BriefRow.evidence).where(BriefRow.id == brief.id))
        [story] = await brief_store.recent_stories(session, NOW - timedelta(days=3))
    assert evidence is not None and len(evidence) == 3
    assert all("444th Brigade" in item["actors"] and "19" in item["numbers"] for item in evidence)
    assert story.brief_id == brief.id and story.evidence == evidence


async def test_different_events_sharing_actors_stay_apart_through_ingest(
    httpserver: HTTPServer, runtime_factory
) -> None:
    """The pairs of different events, one report of each pair per feed: one brief per event
    (two reports of one event listed in two pairs make one brief with two sources)."""
    farm = Farm(httpserver)
    firsts = _unique(pair[0] for pair in APART.values())
    seconds = [r for r in _unique(pair[1] for pair in APART.values()) if r not in firsts]
    runtime = await runtime_factory([farm.feed("one", firsts), farm.feed("two", seconds)])
    report = await runtime.ingest(force=True)
    events = {_event(r) for r in firsts + seconds}
    assert report.briefs_new == len(events) == 11
    assert report.briefs_merged == len(firsts + seconds) - len(events) == 2
    titles = {brief.title: count for brief, count in await _source_counts(runtime)}
    assert titles[TRIPOLI_CLASH[0].title] == 2 and titles[ALGIERS_GAS_DEAL[0].title] == 2
    assert sum(titles.values()) == len(firsts + seconds)


def _unique(reports: Iterable[Report]) -> list[Report]:
    return list({id(report): report for report in reports}.values())


def _event(report: Report) -> str:
    for name, triple in STORIES.items():
        if any(report is member for member in triple):
            return name
    return report.title


async def _source_counts(runtime: Runtime) -> list[tuple[Brief, int]]:
    return [(brief, len(outlets)) for brief, outlets in await stored(runtime)]


async def test_rewrites_in_one_language_still_join_by_signature(
    httpserver: HTTPServer, runtime_factory
) -> None:
    """Two outlets rewording one English wire item: no actor of the gazetteer, no figure, so
    only the signature of the words can join them, as before."""
    wire = Report(
        "Wire",
        NOW - timedelta(hours=3),
        "Heavy rain floods the old market of a coastal town",
        "Heavy rain flooded the old market of a coastal town overnight, shopkeepers said, and "
        "the local council opened a school as a shelter for families whose homes were damaged.",
    )
    rewrite = Report(
        "Rewrite",
        NOW - timedelta(hours=2),
        "Heavy rain floods old market of coastal town",
        "Heavy rain flooded the old market of a coastal town overnight, shopkeepers told "
        "reporters, and the local council opened a school as a shelter for displaced families.",
    )
    farm = Farm(httpserver)
    runtime = await runtime_factory([farm.feed("wire", [wire]), farm.feed("rewrite", [rewrite])])
    report = await runtime.ingest(force=True)
    assert (report.briefs_new, report.briefs_merged) == (1, 1)
    [(brief, outlets)] = await stored(runtime)
    assert outlets == ["rewrite", "wire"] and brief.title == wire.title


def test_alike_wording_does_not_join_reports_of_another_day() -> None:
    from bot.analysis.cluster import StoryIndex, signature
    from bot.analysis.evidence import Evidence, collect
    from bot.analysis.pipeline import Analyser
    from bot.domain import Article

    analyser = Analyser.load()

    def evidence(report: Report) -> Evidence:
        article = Article(
            identity=report.title,
            title=report.title,
            url=None,
            summary=report.body,
            text="",
            outlet="wire",
            published_at=report.published,
            source_url="https://wire.example.org/feed",
        )
        found = analyser.analyse(article)
        return collect(report.title, report.body, found.actors, found.topics, report.published)

    first_night = STORIES["sfax-interception"][2]
    next_night = next(
        report
        for pair in APART.values()
        for report in pair
        if report.title != first_night.title and "صفاقس" in report.title
    )
    index = StoryIndex()
    index.add(1, signature(next_night.title, next_night.body), [evidence(next_night)])
    values = signature(first_night.title, first_night.body)
    assert index.find(values) == 1  # by wording alone they would join
    assert index.find(values, evidence(first_night)) is None
