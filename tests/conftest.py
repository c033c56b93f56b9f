"""Shared fixtures: a database url per backend, each test with a fresh, migrated database."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import asyncpg
import feedparser
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import db

PG_URL = os.environ.get("BRIEFBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A new PostgreSQL database for this test, dropped afterwards."""
    name = f"briefbot_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_plain_dsn(PG_URL))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(_plain_dsn(PG_URL))
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
