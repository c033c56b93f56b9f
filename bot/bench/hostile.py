"""`briefbot bench ingest --hostile`: one ingest pass over hostile feeds beside healthy ones.

A loopback farm serves every attack the ingest path must survive — entity expansion behind
junk, stacked and single-layer gzip bombs, 40,000 attributes on a tag, 170,000 tiny items, an
undefined encoding, a body that trickles forever, JSON nested 100,000 deep, a teaser pointing
at an internal page, and 40 teasers whose pages trickle — beside healthy feeds. The pass must
store every healthy item, never fetch the internal page, and stay within its memory; the
report says what happened to each source and the peak RSS of this process and of its workers.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import resource
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from pathlib import Path

from aiohttp import web

from bot.app import Runtime
from bot.config import Config, DatabaseConfig, IngestConfig
from bot.storage import sources as source_store
from bot.storage import stats

INTERNAL_MARKER = "internal-only-figure-7731"
HEALTHY_FEEDS = 3
HEALTHY_ITEMS = 6
TEASERS = 40
RSS_LIMIT_MB = 256  # for this process, the service's own
PAGE_HOST = "127.0.0.2"  # the trickling pages' host, the one network the operator allows


@dataclass
class HostileFarm:
    """The running farm: what it served, and the feed URLs to ingest."""

    runner: web.AppRunner
    port: int
    requests: dict[str, int] = field(default_factory=dict)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def feeds(self) -> dict[str, str]:
        """Source name → URL, healthy feeds first."""
        healthy = {f"healthy-{n}": self.url(f"/healthy/{n}.xml") for n in range(HEALTHY_FEEDS)}
        attacks = {name: self.url(f"/attack/{name}") for name in ATTACKS}
        return {**healthy, **attacks}

    def count(self, path: str) -> None:
        self.requests[path] = self.requests.get(path, 0) + 1


def _rss(items: str, title: str = "Farm") -> bytes:
    head = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}'
    return f"{head}</title>{items}</channel></rss>".encode()


def _item(guid: str, title: str, text: str, link: str = "") -> str:
    when = format_datetime(datetime.now(UTC))
    link_element = f"<link>{link}</link>" if link else ""
    return (
        f"<item><guid>{guid}</guid><title>{title}</title>{link_element}"
        f"<pubDate>{when}</pubDate><description>{text}</description></item>"
    )


def healthy_feed(number: int) -> bytes:
    items = "".join(
        _item(
            f"healthy-{number}-{n}",
            f"Coast guard report {number}-{n} from the port of Sfax",
            f"The coast guard in Sfax said on Friday it had stopped {n + 2} boats in report "
            f"{number}-{n}, in a week of patrols along the coast of Tunisia.",
        )
        for n in range(HEALTHY_ITEMS)
    )
    return _rss(items, f"Healthy wire {number}")


def entity_behind_junk() -> bytes:
    value = "x" * 100_000
    references = "&a;" * 300
    return (
        f'JUNK\n<!DOCTYPE rss [<!ENTITY a "{value}">]>\n<rss version="2.0"><channel>'
        f"<title>Entities</title>{_item('e-1', 'Expanded', references)}</channel></rss>"
    ).encode()


@cache
def gzip_of_zeros(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(megabytes)]
    return b"".join([*parts, packer.flush()])


@cache
def stacked_gzip() -> bytes:
    return gzip.compress(gzip_of_zeros(1024), 9)


def many_attributes() -> bytes:
    attributes = " ".join(f'a{n}="1"' for n in range(40_000))
    return _rss(f"<item {attributes}><title>Attributes</title></item>")


def many_items() -> bytes:
    return _rss("<item><title>i</title></item>" * 170_000)


def undefined_encoding() -> bytes:
    body = _rss(_item("u-1", "Undefined", "An encoding that does not exist."))
    return body.replace(b'encoding="utf-8"', b'encoding="undefined"', 1)


def deep_json() -> bytes:
    return b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000 + b"}"


def ssrf_teaser(farm: HostileFarm) -> bytes:
    link = farm.url("/secret")
    return _rss(_item("s-1", "A teaser that points inside", "Read more.", link))


def slow_teasers(farm: HostileFarm) -> bytes:
    items = "".join(
        _item(f"t-{n}", f"Teaser {n}", "Read more.", farm.url(f"/page/{n}", PAGE_HOST))
        for n in range(TEASERS)
    )
    return _rss(items, "Teasers")


async def _trickle(request: web.Request, content_type: str) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": content_type})
    await response.prepare(request)
    try:
        await response.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
        while True:  # until the client gives up
            await asyncio.sleep(0.5)
            await response.write(b" ")
    except ConnectionError:
        return response


Body = Callable[[HostileFarm], bytes]
ATTACKS: dict[str, tuple[Body, dict[str, str]]] = {
    "entity-behind-junk": (lambda _: entity_behind_junk(), {}),
    "gzip-stacked": (lambda _: stacked_gzip(), {"Content-Encoding": "gzip, gzip"}),
    "gzip-bomb": (lambda _: gzip_of_zeros(1024), {"Content-Encoding": "gzip"}),
    "many-attributes": (lambda _: many_attributes(), {}),
    "many-items": (lambda _: many_items(), {}),
    "undefined-encoding": (lambda _: undefined_encoding(), {}),
    "deep-json": (lambda _: deep_json(), {"Content-Type": "application/feed+json"}),
    "ssrf-teaser": (ssrf_teaser, {}),
    "slow-teasers": (slow_teasers, {}),
    "trickle": (lambda _: b"", {}),
}


def _attack_bodies(farm: HostileFarm) -> dict[str, bytes]:
    return {name: make(farm) for name, (make, _) in ATTACKS.items()}


async def start_farm() -> HostileFarm:
    app = web.Application()
    farm = HostileFarm(web.AppRunner(app, access_log=None), 0)
    bodies: dict[str, bytes] = {}

    async def healthy(request: web.Request) -> web.Response:
        farm.count(request.path)
        return web.Response(body=healthy_feed(int(request.match_info["n"])))

    async def attack(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        farm.count(request.path)
        if name == "trickle":
            return await _trickle(request, "application/rss+xml")
        headers = {"Content-Type": "application/rss+xml", **ATTACKS[name][1]}
        return web.Response(body=bodies[name], headers=headers)

    async def page(request: web.Request) -> web.StreamResponse:
        farm.count("/page")
        return await _trickle(request, "text/html")

    async def secret(request: web.Request) -> web.Response:
        farm.count(request.path)
        paragraph = f"<p>The internal ledger shows {INTERNAL_MARKER} for the border account.</p>"
        return web.Response(text=f"<html><body><article>{paragraph * 20}</article></body></html>")

    app.router.add_get("/healthy/{n}.xml", healthy)
    app.router.add_get("/attack/{name}", attack)
    app.router.add_get("/page/{n}", page)
    app.router.add_get("/secret", secret)
    await farm.runner.setup()
    first = web.TCPSite(farm.runner, "127.0.0.1", 0)
    await first.start()
    farm.port = first._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    # Built before the pass, so that no client waits on the farm itself.
    bodies.update(await asyncio.to_thread(_attack_bodies, farm))
    await web.TCPSite(farm.runner, PAGE_HOST, farm.port).start()
    return farm


def hostile_config(database_url: str) -> Config:
    """Full text on, short timeouts so the trickles end soon, the page host allowed."""
    ingest = IngestConfig(
        full_text=True,
        allow_networks=(f"{PAGE_HOST}/32",),
        read_timeout=2.0,
        total_timeout=6.0,
        full_text_pages=8,
        full_text_budget=4.0,
        parse_timeout=10.0,
        max_failures=3,
    )
    return Config(database=DatabaseConfig(url=database_url), ingest=ingest)


@dataclass
class HostileResult:
    seconds: float
    healthy_stored: int
    healthy_expected: int
    outcomes: dict[str, str]
    secret_requests: int
    secret_stored: bool
    page_requests: int
    peak_rss_mb: float
    worker_peak_rss_mb: float

    @property
    def passed(self) -> bool:
        return (
            self.healthy_stored == self.healthy_expected
            and self.secret_requests == 0
            and not self.secret_stored
            and self.peak_rss_mb <= RSS_LIMIT_MB
        )

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "passed": self.passed}, indent=2)

    def report(self) -> str:
        lines = [f"hostile farm: one pass in {self.seconds:.1f} s"]
        lines += [f"  {name}: {outcome}" for name, outcome in self.outcomes.items()]
        lines += [
            f"healthy items stored: {self.healthy_stored} of {self.healthy_expected}",
            f"internal page requested: {self.secret_requests} times; "
            f"its text stored: {'yes' if self.secret_stored else 'no'}",
            f"trickling teaser pages requested: {self.page_requests} of {TEASERS}",
            f"peak RSS: {self.peak_rss_mb:.0f} MB (this process; limit {RSS_LIMIT_MB} MB), "
            f"{self.worker_peak_rss_mb:.0f} MB (largest parser worker)",
            "PASS" if self.passed else "FAIL",
        ]
        return "\n".join(lines)


async def run_hostile_pass(database_url: str) -> HostileResult:
    farm = await start_farm()
    runtime = await Runtime.open(hostile_config(database_url))
    try:
        now = runtime.clock()
        names = farm.feeds()
        async with runtime.sessions() as session, session.begin():
            for name, url in names.items():
                await source_store.ensure_source(session, url, now, name=name)
        started = time.perf_counter()
        await runtime.ingest(force=True)
        seconds = time.perf_counter() - started
        result = await _result(runtime, farm, names, seconds)
        result.worker_peak_rss_mb = runtime.sandbox.peak_worker_rss / 1024 / 1024
        return result
    finally:
        await runtime.close()
        await farm.runner.cleanup()


async def _result(
    runtime: Runtime, farm: HostileFarm, names: dict[str, str], seconds: float
) -> HostileResult:
    async with runtime.sessions() as session:
        sources = {source.name: source for source in await source_store.list_sources(session)}
        counts = await stats.articles_per_source(session)
        leaked = await stats.stored_text_contains(session, INTERNAL_MARKER)
    stored = sum(counts.get(sources[name].id, 0) for name in names if name.startswith("healthy-"))
    outcomes = {}
    for name in names:
        source = sources[name]
        stored_here = counts.get(source.id, 0)
        outcomes[name] = (
            f"failed: {source.last_error}" if source.failures else f"read, {stored_here} stored"
        )
    return HostileResult(
        seconds=seconds,
        healthy_stored=stored,
        healthy_expected=HEALTHY_FEEDS * HEALTHY_ITEMS,
        outcomes=outcomes,
        secret_requests=farm.requests.get("/secret", 0),
        secret_stored=leaked,
        page_requests=farm.requests.get("/page", 0),
        peak_rss_mb=peak_rss_mb(),
        worker_peak_rss_mb=0.0,
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM where Linux has it: ru_maxrss of a process
    started by fork and exec can carry the parent's peak from before the exec."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bench_hostile() -> HostileResult:
    with tempfile.TemporaryDirectory() as folder:
        return await run_hostile_pass(f"sqlite+aiosqlite:///{Path(folder) / 'hostile.db'}")
