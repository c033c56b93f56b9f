"""`briefbot bench ingest`: a generated feed farm on loopback, ingested end to end and timed."""

from __future__ import annotations

import random
import resource
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import web

from bot.app import Runtime
from bot.config import Config, DatabaseConfig
from bot.ingest.parse import parse_feed
from bot.storage import sources as source_store

_PLACES = [
    "Tunis",
    "Sfax",
    "Gabes",
    "Tripoli",
    "Benghazi",
    "Misrata",
    "Algiers",
    "Oran",
    "Rabat",
    "Tangier",
    "Cairo",
    "Alexandria",
    "Niamey",
    "Bamako",
    "Gao",
    "Nouakchott",
]
_ACTORS = [
    "Defence Minister Khaled Shtili",
    "Interior Minister Khaled Nouri",
    "Frontex",
    "the Libyan National Army",
    "the National Guard",
    "the coast guard",
    "AFRICOM",
    "President Kais Saied",
    "the European Union",
    "JNIM fighters",
    "the army",
    "customs officers",
    "the UN mission",
    "the interior ministry",
    "local officials",
]
_VERBS = [
    "met",
    "announced",
    "intercepted",
    "signed",
    "reported",
    "opened",
    "inspected",
    "arrested",
    "deployed",
    "seized",
    "discussed",
    "reviewed",
    "suspended",
    "extended",
]
_OBJECTS = [
    "border patrols",
    "a cooperation agreement",
    "fuel smugglers",
    "a training centre",
    "drone surveillance",
    "migrant boats",
    "weapons caches",
    "a joint exercise",
    "a fishing dispute",
    "a power plant",
    "grain imports",
    "a port expansion",
    "a rail contract",
    "a bond sale",
    "a phone network",
    "a film festival",
]
_DETAILS = [
    "equipment",
    "intelligence",
    "funding",
    "training",
    "logistics",
    "oversight",
    "trade",
    "tourism",
    "energy",
    "water",
    "housing",
    "schools",
    "roads",
    "health",
]
_TAILS = [
    "The move could reshape cooperation in the region.",
    "Officials gave no timetable.",
    "Analysts said this signals a closer partnership.",
    "No casualties were reported.",
    "The ministry did not say how many people were involved.",
    "Talks resume next week.",
]


def _item_text(rng: random.Random, feed: int, item: int) -> tuple[str, str]:
    """A distinct made-up wire item: every slot drawn at random, so stories rarely repeat."""
    place, actor = rng.choice(_PLACES), rng.choice(_ACTORS)
    verb, thing = rng.choice(_VERBS), rng.choice(_OBJECTS)
    details = rng.sample(_DETAILS, 3)
    count = rng.randint(2, 900)
    title = f"{actor.removeprefix('the ').capitalize()} {verb} {thing} near {place}"
    body = (
        f"{actor.capitalize()} {verb} {thing} near {place} on {rng.choice(_DAYS)}, "
        f"officials said, citing {count} cases. The plan covers {details[0]}, {details[1]} "
        f"and {details[2]} in {rng.choice(_PLACES)} (item {feed}-{item}). {rng.choice(_TAILS)}"
    )
    return title, body


_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def feed_xml(feed: int, items: int, published: datetime) -> bytes:
    rng = random.Random(feed)
    entries = []
    for item in range(items):
        title, body = _item_text(rng, feed, item)
        when = format_datetime(published - timedelta(minutes=item))
        entries.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://farm{feed % 50}.example.org/{feed}/{item}</link>"
            f"<guid>farm-{feed}-{item}</guid><pubDate>{when}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Farm feed {feed}</title><link>https://farm.example.org/{feed}</link>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


@dataclass
class BenchResult:
    feeds: int
    items: int
    first_pass_s: float
    second_pass_s: float
    articles: int
    analysis_ms: float
    parse_ms: float
    peak_rss_mb: float

    def report(self) -> str:
        per_ten_minutes = self.feeds / self.second_pass_s * 600 if self.second_pass_s else 0.0
        return "\n".join(
            [
                f"feed farm: {self.feeds} feeds x {self.items} items on loopback",
                f"first pass (all new):  {self.first_pass_s:.2f} s, "
                f"{self.feeds / self.first_pass_s:.0f} feeds/s, "
                f"{self.articles / self.first_pass_s:.0f} articles/s",
                f"second pass (304s):    {self.second_pass_s:.2f} s, "
                f"{self.feeds / self.second_pass_s:.0f} feeds/s "
                f"(~{per_ten_minutes:.0f} feeds per 10 minutes)",
                f"analysis: {self.analysis_ms:.3f} ms/article; feedparser: {self.parse_ms:.3f} "
                f"ms/article; ratio {self.analysis_ms / self.parse_ms:.2f}",
                f"peak RSS: {self.peak_rss_mb:.0f} MB",
            ]
        )


async def _serve(feeds: int, items: int) -> tuple[web.AppRunner, int, dict[int, bytes]]:
    published = datetime.now(UTC)
    bodies = {index: feed_xml(index, items, published) for index in range(feeds)}

    async def handle(request: web.Request) -> web.Response:
        index = int(request.match_info["index"])
        etag = f'"farm-{index}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=bodies[index], content_type="application/rss+xml", headers={"ETag": etag}
        )

    app = web.Application()
    app.router.add_get("/feed/{index}.xml", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port, bodies


def _time_analysis(runtime: Runtime, bodies: dict[int, bytes], sample: int) -> tuple[float, float]:
    """Milliseconds per article for feedparser's parse and for our analysis of the same entries."""
    chosen = list(bodies.values())[:sample]
    started = time.perf_counter()
    parsed = [parse_feed(body, "https://farm.example.org/") for body in chosen]
    parse_s = time.perf_counter() - started
    articles = [article for feed in parsed for article in feed.articles]
    started = time.perf_counter()
    for article in articles:
        runtime.analyser.analyse(article)
    analysis_s = time.perf_counter() - started
    count = max(len(articles), 1)
    return analysis_s * 1000 / count, parse_s * 1000 / count


async def bench_ingest(config: Config, feeds: int, items: int) -> BenchResult:
    runner, port, bodies = await _serve(feeds, items)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        bench_config = config.model_copy(
            update={"database": DatabaseConfig(url=url), "sources": ()}
        )
        runtime = await Runtime.open(bench_config)
        try:
            now = runtime.clock()
            async with runtime.sessions() as session, session.begin():
                for index in range(feeds):
                    await source_store.ensure_source(
                        session,
                        f"http://127.0.0.1:{port}/feed/{index}.xml",
                        now,
                        name=f"Farm {index}",
                    )
            started = time.perf_counter()
            first = await runtime.ingest(force=True)
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            await runtime.ingest(force=True)
            second_s = time.perf_counter() - started
            analysis_ms, parse_ms = _time_analysis(runtime, bodies, min(feeds, 200))
        finally:
            await runtime.close()
            await runner.cleanup()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return BenchResult(
        feeds, items, first_s, second_s, first.articles_new, analysis_ms, parse_ms, peak_mb
    )
