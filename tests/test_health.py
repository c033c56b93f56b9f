"""/healthz and /readyz over real HTTP on the metrics port; the database check on real engines."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Config
from bot.health import Health
from bot.metrics import Metrics, StatusServer
from bot.storage import db

INGEST_EVERY = timedelta(minutes=10)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta.total_seconds()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def health(clock: FakeClock) -> Health:
    return Health(ingest_every=INGEST_EVERY, clock=clock)


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def port(metrics: Metrics, health: Health) -> Iterator[str]:
    """The base url of a running metrics port, bound to a free port."""
    server = StatusServer.start(metrics.registry, health, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as made:
        yield made


@pytest.fixture
async def unreachable_sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine whose database file cannot be opened: its folder does not exist."""
    engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path}/gone/briefbot.db")
    yield engine
    await engine.dispose()


def _closed_port() -> int:
    """A loopback port that was free a moment ago: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _all_well(health: Health, engine: AsyncEngine) -> None:
    assert await health.check_database(engine)
    health.ingest_done()
    health.platform_up("telegram")


async def test_healthy_process_is_live_and_ready(
    port: str, client: httpx.AsyncClient, health: Health, sqlite_engine: AsyncEngine
) -> None:
    await _all_well(health, sqlite_engine)

    live = await client.get(f"{port}/healthz")
    ready = await client.get(f"{port}/readyz")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert live.headers["content-type"] == "application/json"
    assert ready.status_code == 200
    assert ready.json() == {
        "ready": True,
        "checks": {
            "database": {"ok": True, "age_seconds": 0.0},
            "ingest": {"ok": True, "age_seconds": 0.0, "stale_after_seconds": 1200.0},
            "platforms": {"telegram": {"ok": True, "state": "up"}},
        },
    }


async def test_metrics_unknown_paths_and_methods_on_the_same_port(
    port: str, client: httpx.AsyncClient, metrics: Metrics
) -> None:
    metrics.ingested(articles=3, briefs=2)

    scraped = await client.get(f"{port}/metrics")
    unknown = await client.get(f"{port}/status")
    root = await client.get(f"{port}/")
    posted = await client.post(f"{port}/readyz")

    assert scraped.status_code == 200
    assert "briefbot_articles_fetched_total 3.0" in scraped.text
    assert (unknown.status_code, unknown.json()) == (404, {"error": "not found"})
    assert root.status_code == 404
    assert posted.status_code == 405


async def test_database_down_is_not_ready_but_still_live(
    port: str,
    client: httpx.AsyncClient,
    health: Health,
    sqlite_engine: AsyncEngine,
    unreachable_sqlite: AsyncEngine,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _all_well(health, sqlite_engine)
    caplog.set_level(logging.INFO, logger="bot.health")

    assert not await health.check_database(unreachable_sqlite)
    ready = await client.get(f"{port}/readyz")
    live = await client.get(f"{port}/healthz")

    assert ready.status_code == 503
    body = ready.json()
    assert body["ready"] is False
    assert body["checks"]["database"] == {
        "ok": False,
        "age_seconds": 0.0,
        "error": "OperationalError",
    }
    assert body["checks"]["ingest"]["ok"] is True
    assert str(tmp_path) not in ready.text  # the error's text stays in the log
    assert live.status_code == 200
    assert [record.getMessage().split(":")[0] for record in caplog.records] == [
        "database check failed"
    ]

    assert await health.check_database(sqlite_engine)
    assert (await client.get(f"{port}/readyz")).status_code == 200
    assert caplog.records[-1].getMessage() == "database check passes again"


async def test_database_not_checked_yet_is_not_ready(
    port: str, client: httpx.AsyncClient, health: Health
) -> None:
    health.ingest_done()

    ready = await client.get(f"{port}/readyz")

    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == {
        "ok": False,
        "age_seconds": None,
        "detail": "not checked yet",
    }


async def test_stale_database_result_is_not_ready_and_a_stalled_loop_not_live(
    port: str,
    client: httpx.AsyncClient,
    health: Health,
    clock: FakeClock,
    sqlite_engine: AsyncEngine,
) -> None:
    await _all_well(health, sqlite_engine)

    clock.advance(health.database_stale_after)
    assert (await client.get(f"{port}/readyz")).status_code == 200
    clock.advance(timedelta(seconds=1))
    ready = await client.get(f"{port}/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == {
        "ok": False,
        "age_seconds": 36.0,
        "detail": "last check older than 35 s",
    }
    assert (await client.get(f"{port}/healthz")).status_code == 200

    clock.advance(health.loop_stalled_after - health.database_stale_after)
    live = await client.get(f"{port}/healthz")
    assert (live.status_code, live.json()) == (503, {"status": "stalled", "loop_age_seconds": 61.0})

    assert await health.check_database(sqlite_engine)
    assert (await client.get(f"{port}/healthz")).status_code == 200
    assert (await client.get(f"{port}/readyz")).status_code == 200


async def test_ingest_grace_before_the_first_round_then_stale_rounds(
    port: str,
    client: httpx.AsyncClient,
    health: Health,
    clock: FakeClock,
    sqlite_engine: AsyncEngine,
) -> None:
    async def readyz() -> tuple[int, dict[str, object]]:
        await health.check_database(sqlite_engine)  # keeps the database part fresh
        answer = await client.get(f"{port}/readyz")
        return answer.status_code, answer.json()["checks"]["ingest"]

    clock.advance(health.ingest_stale_after)
    assert await readyz() == (
        200,
        {
            "ok": True,
            "age_seconds": None,
            "stale_after_seconds": 1200.0,
            "detail": "first round not ended yet",
        },
    )
    clock.advance(timedelta(seconds=1))
    status, ingest = await readyz()
    assert (status, ingest["ok"]) == (503, False)

    health.ingest_done()
    clock.advance(INGEST_EVERY)
    assert await readyz() == (
        200,
        {"ok": True, "age_seconds": 600.0, "stale_after_seconds": 1200.0},
    )
    clock.advance(INGEST_EVERY + timedelta(seconds=1))
    assert await readyz() == (
        503,
        {"ok": False, "age_seconds": 1201.0, "stale_after_seconds": 1200.0},
    )


async def test_platforms_starting_up_and_down(
    port: str, client: httpx.AsyncClient, health: Health, sqlite_engine: AsyncEngine
) -> None:
    await health.check_database(sqlite_engine)
    health.ingest_done()

    async def readyz() -> tuple[int, object]:
        answer = await client.get(f"{port}/readyz")
        return answer.status_code, answer.json()["checks"]["platforms"]

    assert await readyz() == (200, {})  # ingest only: nothing to wait for
    health.platform_starting("telegram")
    health.platform_starting("slack")
    assert await readyz() == (
        503,
        {
            "slack": {"ok": False, "state": "starting"},
            "telegram": {"ok": False, "state": "starting"},
        },
    )
    health.platform_up("telegram")
    health.platform_up("slack")
    assert (await readyz())[0] == 200
    health.platform_down("slack", "failed to start")
    assert await readyz() == (
        503,
        {
            "slack": {"ok": False, "state": "down", "detail": "failed to start"},
            "telegram": {"ok": True, "state": "up"},
        },
    )


async def test_stopping_turns_every_platform_down(
    port: str, client: httpx.AsyncClient, health: Health, sqlite_engine: AsyncEngine
) -> None:
    await _all_well(health, sqlite_engine)
    health.platform_up("slack")

    health.stopping()

    ready = await client.get(f"{port}/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["platforms"] == {
        "slack": {"ok": False, "state": "down", "detail": "stopping"},
        "telegram": {"ok": False, "state": "down", "detail": "stopping"},
    }
    assert (await client.get(f"{port}/healthz")).status_code == 200


async def test_database_check_passes_on_each_backend(engine: AsyncEngine, health: Health) -> None:
    assert await health.check_database(engine)
    assert health.readiness()[1]["checks"]["database"]["ok"] is True


async def test_unreachable_postgresql_fails_without_showing_the_password(health: Health) -> None:
    engine = db.create_engine(f"postgresql+asyncpg://briefbot:hunter2@127.0.0.1:{_closed_port()}/x")
    try:
        assert not await health.check_database(engine)
    finally:
        await engine.dispose()

    ready, body = health.readiness()
    assert not ready
    assert body["checks"]["database"]["error"] == "ConnectionRefusedError"
    assert "hunter2" not in str(body)


async def test_a_database_that_never_answers_is_cut_off(clock: FakeClock) -> None:
    health = Health(INGEST_EVERY, clock=clock, check_timeout=timedelta(seconds=0.2))
    held: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # accepts the connection and never says a word

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    engine = db.create_engine(f"postgresql+asyncpg://briefbot@127.0.0.1:{port}/x")
    try:
        assert not await health.check_database(engine)
    finally:
        await engine.dispose()
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()

    assert health.readiness()[1]["checks"]["database"]["error"] == "no answer within 0.2 s"


def test_thresholds_follow_the_configured_ingest_interval() -> None:
    config = Config.model_validate({"schedule": {"ingest_every": 5}})

    health = Health.from_config(config)

    assert health.ingest_stale_after == timedelta(minutes=10)
    assert health.database_stale_after == 2 * health.check_every + health.check_timeout
    assert health.loop_stalled_after > health.database_stale_after
