"""One hostile source never costs the others: failures stay with their source, pages are
guarded and budgeted, and a pass always ends with every healthy item stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from bot.app import Runtime
from bot.config import Config, DatabaseConfig, IngestConfig, SourceConfig
from bot.ingest.sandbox import Sandbox
from bot.storage import sources as source_store
from bot.storage import stats

NOW = datetime(2025, 12, 13, 12, 0, tzinfo=UTC)
INTERNAL = "ledger-figure-5521"


def _rss(name: str, items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        "<pubDate>Sat, 13 Dec 2025 09:00:00 GMT</pubDate>"
        "<description>Read more on the site.</description></item>"
        for guid, title, link in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>{body}'
        "</channel></rss>"
    ).encode()


def _healthy(number: int) -> bytes:
    items = [
        (f"h{number}-{n}", f"Coast guard in Sfax stops boat {number}-{n}", "") for n in range(3)
    ]
    return _rss(f"Healthy {number}", items).replace(
        b"Read more on the site.",
        b"The coast guard in Sfax, Tunisia, stopped a boat carrying migrants on Saturday.",
    )


class Farm:
    """A loopback server: healthy feeds, a private page, and pages that never finish."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        self.feeds: dict[str, bytes] = {}
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def feed(self, request: web.Request) -> web.Response:
        self._count(request.path)
        return web.Response(body=self.feeds[request.match_info["name"]])

    async def internal(self, request: web.Request) -> web.Response:
        self._count(request.path)
        text = f"<p>The private ledger for the Sfax border account shows {INTERNAL}.</p>" * 20
        return web.Response(text=f"<html><body><article>{text}</article></body></html>")

    async def endless(self, request: web.Request) -> web.StreamResponse:
        self._count("/endless")
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        try:
            while True:
                await response.write(b"<p>")
                await asyncio.sleep(0.2)
        except ConnectionError:
            return response

    def _count(self, path: str) -> None:
        self.requests[path] = self.requests.get(path, 0) + 1


@pytest.fixture
async def farm() -> AsyncIterator[Farm]:
    farm = Farm()
    app = web.Application()
    app.router.add_get("/feed/{name}", farm.feed)
    app.router.add_get("/internal", farm.internal)
    app.router.add_get("/endless/{n}", farm.endless)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    farm.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield farm
    await runner.cleanup()


OpenRuntime = Callable[..., Awaitable[Runtime]]


@pytest.fixture
async def open_runtime(sqlite_url: str) -> AsyncIterator[OpenRuntime]:
    opened: list[Runtime] = []

    async def make(urls: dict[str, str], **ingest: Any) -> Runtime:
        sources = tuple(SourceConfig(url=url, name=name) for name, url in urls.items())
        config = Config(
            database=DatabaseConfig(url=sqlite_url),
            sources=sources,
            ingest=IngestConfig(**ingest),
        )
        runtime = await Runtime.open(config)
        runtime.clock = lambda: NOW
        await runtime.sync_sources()
        opened.append(runtime)
        return runtime

    yield make
    for runtime in opened:
        await runtime.close()


async def _sources(runtime: Runtime) -> dict[str, Any]:
    async with runtime.sessions() as session:
        return {source.name: source for source in await source_store.list_sources(session)}


class BuggySandbox(Sandbox):
    """Parses like the real one, except that one feed makes the parse raise unexpectedly."""

    def __init__(self, bad_url: str) -> None:
        super().__init__()
        self.bad_url = bad_url

    async def run(self, job: str, *args: Any) -> Any:
        if job == "parse_feed" and args[1] == self.bad_url:
            raise RuntimeError("a bug this feed triggers")
        return await super().run(job, *args)


async def test_an_unexpected_error_stays_with_its_source(
    farm: Farm, open_runtime: OpenRuntime
) -> None:
    for number in range(3):
        farm.feeds[f"ok{number}"] = _healthy(number)
    farm.feeds["bad"] = _healthy(9)
    urls = {f"ok{n}": farm.url(f"/feed/ok{n}") for n in range(3)} | {"bad": farm.url("/feed/bad")}
    runtime = await open_runtime(urls, max_failures=2)
    await runtime.sandbox.aclose()
    runtime.sandbox = BuggySandbox(urls["bad"])
    for hour in range(3):
        runtime.clock = lambda hour=hour: NOW + timedelta(hours=hour)
        report = await runtime.ingest(force=True)
        assert report.failed == (1 if hour < 2 else 0)  # switched off after two failures
    sources = await _sources(runtime)
    for number in range(3):
        healthy = sources[f"ok{number}"]
        assert healthy.enabled and healthy.failures == 0
    assert not sources["bad"].enabled and sources["bad"].failures == 2
    assert "internal error" in sources["bad"].last_error
    async with runtime.sessions() as session:
        counts = await stats.articles_per_source(session)
    assert [counts.get(sources[f"ok{n}"].id) for n in range(3)] == [3, 3, 3]
    assert sources["bad"].id not in counts


async def test_an_unreadable_encoding_fails_only_its_own_feed(
    farm: Farm, open_runtime: OpenRuntime
) -> None:
    farm.feeds["ok"] = _healthy(1)
    farm.feeds["undefined"] = _healthy(2).replace(
        b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="undefined"?>'
    )
    runtime = await open_runtime(
        {"ok": farm.url("/feed/ok"), "undefined": farm.url("/feed/undefined")}
    )
    await runtime.ingest()
    sources = await _sources(runtime)
    assert sources["ok"].failures == 0
    async with runtime.sessions() as session:
        counts = await stats.articles_per_source(session)
    assert counts[sources["ok"].id] == 3


async def test_full_text_never_fetches_a_private_page_named_by_a_feed(
    farm: Farm, open_runtime: OpenRuntime
) -> None:
    # The operator's own feed may live on a private address; the pages its items name may not.
    farm.feeds["wire"] = _rss("Wire", [("t1", "Sfax border account audit", farm.url("/internal"))])
    runtime = await open_runtime({"wire": farm.url("/feed/wire")}, full_text=True)
    report = await runtime.ingest()
    assert report.articles_new == 1 and report.failed == 0
    assert farm.requests.get("/internal", 0) == 0
    async with runtime.sessions() as session:
        assert not await stats.stored_text_contains(session, INTERNAL)


async def test_full_text_pages_are_capped_and_budgeted_per_feed(
    farm: Farm, open_runtime: OpenRuntime
) -> None:
    teasers = [
        (f"t{n}", f"Teaser number {n} about Sfax", farm.url(f"/endless/{n}")) for n in range(40)
    ]
    farm.feeds["teasers"] = _rss("Teasers", teasers)
    farm.feeds["ok"] = _healthy(1)
    runtime = await open_runtime(
        {"teasers": farm.url("/feed/teasers"), "ok": farm.url("/feed/ok")},
        full_text=True,
        allow_networks=["127.0.0.1/32"],
        total_timeout=600.0,
        full_text_pages=5,
        full_text_budget=1.0,
    )
    async with asyncio.timeout(120):  # a hang guard, not a measurement
        report = await runtime.ingest()
    assert report.failed == 0
    assert farm.requests["/endless"] <= 5
    async with runtime.sessions() as session:
        counts = await stats.articles_per_source(session)
    sources = await _sources(runtime)
    assert counts[sources["teasers"].id] == 40 and counts[sources["ok"].id] == 3


async def test_a_source_imported_from_opml_is_guarded_like_one_added_in_a_chat(
    farm: Farm, open_runtime: OpenRuntime
) -> None:
    farm.feeds["inside"] = _healthy(4)
    runtime = await open_runtime({})
    async with runtime.sessions() as session, session.begin():
        await source_store.ensure_source(
            session, farm.url("/feed/inside"), NOW, name="inside", origin="opml"
        )
    report = await runtime.ingest()
    assert report.failed == 1
    assert farm.requests.get("/feed/inside", 0) == 0
    assert "loopback" in ((await _sources(runtime))["inside"].last_error or "")
