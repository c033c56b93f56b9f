"""Shared fixtures: a database url per backend, each test with a fresh, migrated database."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import NoReturn

import asyncpg
import feedparser
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import db

PG_URL = os.environ.get("BRIEFBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
# Set in CI (.ci/run): there a PostgreSQL that cannot be reached fails the tests that need it.
REQUIRE_PG = "BRIEFBOT_REQUIRE_PG"
PG_CONNECT_TIMEOUT = 5.0
_pg_probed: dict[str, str | None] = {}  # url -> why it cannot be reached (None: it can)


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_unreachable_reason(url: str, error: BaseException) -> str:
    """One line: where PostgreSQL was looked for, what went wrong, and how to point elsewhere."""
    shown = make_url(url).render_as_string(hide_password=True)
    detail = " ".join(str(error).split()) or type(error).__name__
    return (
        f"PostgreSQL not reachable at {shown} ({detail[:160]}); "
        "start it, or set BRIEFBOT_TEST_PG_URL"
    )


def missing_postgresql(reason: str, environ: Mapping[str, str]) -> NoReturn:
    """Skip the test, or fail it without a traceback where BRIEFBOT_REQUIRE_PG is set."""
    if environ.get(REQUIRE_PG, "") not in ("", "0"):
        pytest.fail(f"{reason} ({REQUIRE_PG} is set, so this is a failure)", pytrace=False)
    pytest.skip(reason)


async def _probe_postgresql(url: str) -> str | None:
    try:
        connection = await asyncpg.connect(_plain_dsn(url), timeout=PG_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        return pg_unreachable_reason(url, error)
    await connection.close()
    return None


@pytest.fixture
async def pg_server() -> str:
    """The admin url of the test PostgreSQL server (BRIEFBOT_TEST_PG_URL), checked once a run.
    When it cannot be reached the test is skipped with one reason (a failure in CI)."""
    if PG_URL not in _pg_probed:
        _pg_probed[PG_URL] = await _probe_postgresql(PG_URL)
    reason = _pg_probed[PG_URL]
    if reason is not None:
        missing_postgresql(reason, os.environ)
    return PG_URL


@pytest.fixture
async def pg_url(pg_server: str) -> AsyncIterator[str]:
    """A new PostgreSQL database for this test, dropped afterwards."""
    name = f"briefbot_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_plain_dsn(pg_server))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(_plain_dsn(pg_server))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/briefbot.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@asynccontextmanager
async def migrated(url: str) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated engine on each backend."""
    async with migrated(database_url) as made:
        yield made


@pytest.fixture
async def sqlite_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated engine on SQLite only, for tests where the backend makes no difference."""
    async with migrated(sqlite_url) as made:
        yield made


@pytest.fixture(scope="module")
def loopback_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(loopback_server: HTTPServer) -> Iterator[HTTPServer]:
    yield loopback_server
    loopback_server.clear()


@pytest.fixture
def handed_to_feedparser(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The documents the reader gives feedparser, which still parses them."""
    seen: list[bytes] = []
    real_parse = feedparser.parse

    def spy(stream: io.BytesIO, **options: object) -> object:
        seen.append(stream.read())
        return real_parse(io.BytesIO(seen[-1]), **options)

    monkeypatch.setattr(feedparser, "parse", spy)
    return seen
