"""`briefbot bench deliver`: the outbox draining queued digests to a loopback stub platform.

Each run seeds a fresh database with N chats and one queued digest each (three briefs over two
topics), starts a stub platform in a child process (`bot.bench.stub_platform`) and times the
outbox workers until every delivery is settled. Reported: deliveries/s with no rate limit (over
the stub's line protocol, which measures the outbox itself, and over HTTP with aiohttp, which
adds a real HTTP client's cost); the rate achieved against a platform cap, with the stub's 429
count and the deliveries that never arrived; and with `--workers N` the speed-up of N worker
processes over one (each its own `python -m bot.bench.deliver DB_URL PORT`, as several `briefbot
run` processes would be) against a stub with a small fixed latency, where sends overlap.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.topics import load_topics
from bot.bench.stub_platform import HttpSender, LineSender, StubAddress, headline, stub_process
from bot.config import Config
from bot.delivery.outbox import OutboxSettings, OutboxWorker
from bot.domain import Actor, ActorKind, Analysis, Article, DeliveryKind, DeliveryStatus, Topic
from bot.storage import db
from bot.storage.briefs import create_brief
from bot.storage.models import ChatRow, DeliveryRow, DigestRow, SubscriptionRow
from bot.storage.outbox import outbox_depth

PLATFORM = "stub"
DEFAULT_CAP = 30.0
STUB_LATENCY = 0.002  # seconds per message in the several-worker comparison
WORKER_CONCURRENCY = 4  # sends in flight per worker in that comparison
CAPPED_SECONDS = 20  # the capped run sends this many seconds' worth of messages
PG_URL = os.environ.get("BRIEFBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def _bench_article(index: int, now: datetime) -> tuple[Article, Analysis]:
    places = ("Sfax", "Zuwara", "Ben Guerdane")
    place = places[index % len(places)]
    article = Article(
        identity=f"bench:{index}",
        title=f"Coast guard units patrol the shore near {place}",
        url=f"https://bench.example.org/{index}",
        summary=f"Patrol boats from {place} covered a longer stretch of coast this week.",
        text="",
        outlet="Bench Wire",
        published_at=now - timedelta(hours=index + 1),
    )
    analysis = Analysis(
        language="en",
        topics=("tunisia", "mediterranean-migration") if index % 2 else ("libya",),
        actors=(Actor("National Guard", ActorKind.INSTITUTION),),
        event=f"Coast guard units widened their patrols near {place}.",
        implications=("Crossings from this stretch of coast may fall for a while.",),
    )
    return article, analysis


async def seed_digests(
    session: AsyncSession, chats: int, now: datetime, platform: str = PLATFORM
) -> None:
    """`chats` chats subscribed to two topics, and one queued digest of three briefs each."""
    brief_ids = [
        await create_brief(session, *_bench_article(index, now), None, now) for index in range(3)
    ]
    chat_values = [
        {
            "platform": platform,
            "external_id": f"chat-{index}",
            "kind": "private",
            "timezone": "Africa/Tunis",
            "paused": False,
            "alerts": True,
            "empty_digest_line": True,
            "active": True,
            "created_at": now,
        }
        for index in range(chats)
    ]
    await session.execute(insert(ChatRow), chat_values)
    chat_ids = list(await session.scalars(select(ChatRow.id).where(ChatRow.platform == platform)))
    await session.execute(
        insert(SubscriptionRow),
        [
            {"chat_id": chat_id, "topic": topic, "alerts": True, "created_at": now}
            for chat_id in chat_ids
            for topic in ("tunisia", "libya")
        ],
    )
    await session.execute(
        insert(DigestRow),
        [
            {
                "chat_id": i,
                "local_date": date(2025, 12, 13),
                "brief_ids": brief_ids,
                "created_at": now,
            }
            for i in chat_ids
        ],
    )
    digests = await session.execute(select(DigestRow.id, DigestRow.chat_id))
    await session.execute(
        insert(DeliveryRow),
        [
            {
                "chat_id": chat_id,
                "digest_id": digest_id,
                "kind": DeliveryKind.DIGEST.value,
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "created_at": now,
            }
            for digest_id, chat_id in digests
        ],
    )


async def drain_until_settled(workers: list[OutboxWorker], poll: float = 0.1) -> None:
    """Run the workers until nothing in the outbox is left unsettled (retries included)."""
    stop = asyncio.Event()

    async def watch() -> None:
        claimed = -1
        while not stop.is_set():
            await asyncio.sleep(poll)
            now_claimed = sum(worker.metrics.claimed for worker in workers)
            if now_claimed == claimed:  # no progress for a while: is it all done?
                async with workers[0].sessions() as session:
                    if await outbox_depth(session) == 0:
                        stop.set()
            claimed = now_claimed

    await asyncio.gather(watch(), *(worker.run(stop) for worker in workers))


@dataclass
class Run:
    messages: int
    seconds: float
    sent: int
    retried: int
    failed: int
    stub: dict[str, int]

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def dropped(self) -> int:
        return self.messages - self.stub["chats"]


async def _measure(
    url: str,
    stub: StubAddress,
    messages: int,
    workers: int,
    topics: dict[str, Topic],
    settings: OutboxSettings,
    http: bool = False,
    rate_limit: float | None = None,
) -> Run:
    engines = [db.create_engine(url) for _ in range(workers)]
    try:
        await db.upgrade(engines[0])
        async with db.sessions(engines[0])() as session, session.begin():
            await seed_digests(session, messages, datetime.now(UTC))
        async with AsyncExitStack() as stack:
            pool = []
            for engine in engines:
                if http:
                    limit = rate_limit / workers if rate_limit else None
                    sender: HttpSender | LineSender = HttpSender(stub.http_url, limit, headline)
                else:
                    sender = LineSender(stub.lines_port)
                await stack.enter_async_context(sender)
                sessions = db.sessions(engine)
                pool.append(
                    OutboxWorker(sessions, {PLATFORM: sender.send}, topics, settings=settings)
                )
            started = datetime.now(UTC)
            await drain_until_settled(pool)
            async with db.sessions(engines[0])() as session:
                finished = await session.scalar(select(func.max(DeliveryRow.sent_at)))
            seconds = ((finished or started) - started).total_seconds()
    finally:
        for engine in engines:
            await engine.dispose()
    totals = [worker.metrics for worker in pool]
    return Run(
        messages,
        seconds,
        sum(m.sent for m in totals),
        sum(m.retried for m in totals),
        sum(m.failed for m in totals),
        await stub.stats(),
    )


@asynccontextmanager
async def _databases(pg: bool) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Makes a fresh empty database per call; every one is removed afterwards."""
    made: list[str] = []
    with tempfile.TemporaryDirectory() as folder:

        async def fresh() -> str:
            if not pg:
                made.append(str(Path(folder) / f"bench-{len(made)}.db"))
                return f"sqlite+aiosqlite:///{made[-1]}"
            name = f"briefbot_bench_{uuid.uuid4().hex[:12]}"
            await _admin(f'CREATE DATABASE "{name}"')
            made.append(name)
            return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

        try:
            yield fresh
        finally:
            for name in made if pg else ():
                await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(statement: str) -> None:
    dsn = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _line(label: str, run: Run) -> str:
    return (
        f"{label}: {run.messages} digests in {run.seconds:.2f} s = {run.rate:,.0f} deliveries/s "
        f"(sent {run.sent}, retried {run.retried}, failed {run.failed}, "
        f"429s {run.stub['rejected']}, dropped {run.dropped()}, "
        f"chats reached twice {run.stub['duplicated']})"
    )


async def bench_deliver(
    config: Config, chats: int, workers: int, pg: bool, rate_limit: float | None
) -> str:
    """The report: throughput with no limit, the achieved rate against a cap (`rate_limit`,
    default 30 msg/s) and, when `workers` > 1, the speed-up of that many workers over one."""
    topics = load_topics(Path(config.topics.packs) if config.topics.packs else None)
    lines = [
        f"outbox bench on {'PostgreSQL' if pg else 'SQLite'}; stub platform in its own process"
    ]
    fast = OutboxSettings(batch_size=500, concurrency=64, idle_seconds=0.05)
    async with _databases(pg) as fresh:
        async with stub_process() as stub:
            run = await _measure(await fresh(), stub, chats, 1, topics, fast)
        lines.append(_line("no rate limit, line protocol", run))
        async with stub_process() as stub:
            run = await _measure(await fresh(), stub, chats, 1, topics, fast, http=True)
        lines.append(_line("no rate limit, HTTP (aiohttp)", run))
        cap = rate_limit or DEFAULT_CAP
        count = min(chats, int(cap * CAPPED_SECONDS))
        paced = OutboxSettings(batch_size=100, concurrency=16, idle_seconds=0.05)
        async with stub_process(cap=cap) as stub:
            run = await _measure(await fresh(), stub, count, 1, topics, paced, True, cap)
        lines.append(
            _line(f"platform cap {cap:g} msg/s, HTTP", run)
            + f"; achieved {run.rate:.1f} msg/s = {run.rate / cap:.0%} of the cap"
        )
        if workers > 1:
            runs = []
            for count in (1, workers):
                async with stub_process(latency=STUB_LATENCY) as stub:
                    runs.append(await _measure_processes(await fresh(), stub, chats, count))
            label = f"stub latency {STUB_LATENCY * 1000:g} ms, {WORKER_CONCURRENCY} sends in flight"
            lines.append(_line(f"{label}, 1 worker process", runs[0]))
            lines.append(_line(f"{label} each, {workers} worker processes", runs[1]))
            speedup = runs[1].rate / runs[0].rate
            lines.append(f"speed-up of {workers} workers over 1: {speedup:.2f}x")
    return "\n".join(lines)


async def _measure_processes(url: str, stub: StubAddress, messages: int, workers: int) -> Run:
    """Workers in processes of their own, as several `briefbot run` processes would be; they
    start draining together once every one of them is connected and ready."""
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
        async with db.sessions(engine)() as session, session.begin():
            await seed_digests(session, messages, datetime.now(UTC))
        arguments = ["-m", "bot.bench.deliver", url, str(stub.lines_port)]
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                *arguments,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            for _ in range(workers)
        ]
        for process in processes:
            assert process.stdout is not None
            if await asyncio.wait_for(process.stdout.readline(), 60) != b"ready\n":
                raise RuntimeError("a bench worker did not start")
        started = datetime.now(UTC)
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            await process.stdin.drain()
        totals = [json.loads((await process.communicate())[0]) for process in processes]
        async with db.sessions(engine)() as session:
            finished = await session.scalar(select(func.max(DeliveryRow.sent_at)))
    finally:
        await engine.dispose()
    return Run(
        messages,
        ((finished or started) - started).total_seconds(),
        sum(total["sent"] for total in totals),
        sum(total["retried"] for total in totals),
        sum(total["failed"] for total in totals),
        await stub.stats(),
    )


async def _worker_process(url: str, lines_port: int) -> None:
    """One bench worker: says `ready`, waits for `go` on stdin, drains, prints its counters."""
    engine = db.create_engine(url)
    settings = OutboxSettings(batch_size=200, concurrency=WORKER_CONCURRENCY, idle_seconds=0.05)
    try:
        async with LineSender(lines_port) as sender:
            worker = OutboxWorker(
                db.sessions(engine), {PLATFORM: sender.send}, load_topics(), settings=settings
            )
            async with db.sessions(engine)() as session:
                await outbox_depth(session)  # connected before the start
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            await drain_until_settled([worker])
        print(json.dumps(worker.metrics.as_dict()), flush=True)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(_worker_process(sys.argv[1], int(sys.argv[2])))
