"""The single-runner lock: one holder at a time per job name on PostgreSQL, released after the
job (also when it fails), never left open in a transaction; always granted on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.locks import lock_key, single_runner
from bot.storage import db


@pytest.fixture
async def pg_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(pg_url)
    yield engine
    await engine.dispose()


THIS_DATABASE = "l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"


async def advisory_locks_held(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        held = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks l "
                f"WHERE l.locktype = 'advisory' AND l.granted AND {THIS_DATABASE}"
            )
        )
    return int(held or 0)


def test_lock_keys_are_stable_signed_64_bit_and_distinct() -> None:
    assert lock_key("ingest") == lock_key("ingest")
    assert lock_key("ingest") != lock_key("digest-sweep")
    for name in ("ingest", "digest-sweep", "housekeeping"):
        assert -(2**63) <= lock_key(name) < 2**63


async def test_sqlite_always_grants_the_lock(sqlite_url: str) -> None:
    engine = db.create_engine(sqlite_url)
    try:
        async with (
            single_runner(engine, "ingest") as first,
            single_runner(engine, "ingest") as second,
        ):
            assert (first, second) == (True, True)
    finally:
        await engine.dispose()


async def test_postgresql_second_holder_is_refused_until_the_first_is_done(
    pg_engine: AsyncEngine, pg_url: str
) -> None:
    other_process = db.create_engine(pg_url)
    try:
        async with single_runner(pg_engine, "ingest") as first:
            assert first is True
            assert await advisory_locks_held(pg_engine) == 1
            async with single_runner(other_process, "ingest") as second:
                assert second is False
            async with single_runner(pg_engine, "ingest") as same_engine:
                assert same_engine is False  # another pooled connection is another holder
            async with single_runner(other_process, "digest-sweep") as other_job:
                assert other_job is True
        assert await advisory_locks_held(pg_engine) == 0
        async with single_runner(other_process, "ingest") as after:
            assert after is True
    finally:
        await other_process.dispose()


async def test_postgresql_releases_the_lock_when_the_job_fails(pg_engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError, match="job failed"):
        async with single_runner(pg_engine, "digest-sweep") as got:
            assert got is True
            raise RuntimeError("job failed")
    assert await advisory_locks_held(pg_engine) == 0
    async with single_runner(pg_engine, "digest-sweep") as again:
        assert again is True


async def test_postgresql_lock_connection_holds_no_open_transaction(
    pg_engine: AsyncEngine,
) -> None:
    async with single_runner(pg_engine, "ingest") as got:
        assert got is True
        async with pg_engine.connect() as watcher:
            states = list(
                await watcher.scalars(
                    text(
                        "SELECT a.state FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                        f"WHERE l.locktype = 'advisory' AND {THIS_DATABASE}"
                    )
                )
            )
    assert states == ["idle"]
