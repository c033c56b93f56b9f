"""Jobs that must run in one process at a time (ingest, the digest sweep) when several `briefbot
run` processes share one PostgreSQL database.

    async with single_runner(engine, "digest-sweep") as got:
        if got:
            ...  # this process runs the job; the others skip this round

On PostgreSQL the lock is a session-level advisory lock (`pg_try_advisory_lock`) taken on a
connection of its own, outside any transaction, held while the job runs and released after it.
If the process dies, PostgreSQL drops the connection and the lock with it. SQLite means one
process, whose scheduler already runs a job once at a time: there the lock is always granted.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a job name (the same in every process and release)."""
    digest = hashlib.blake2b(f"briefbot:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@asynccontextmanager
async def single_runner(engine: AsyncEngine, name: str) -> AsyncIterator[bool]:
    """Yield True when this process holds the lock for `name`, False when another one does.
    Never waits for the lock."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    async with engine.connect() as connection:
        # Autocommit: the lock belongs to the session, and no transaction stays open meanwhile.
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        got = bool(await connection.scalar(_TRY_LOCK, {"key": key}))
        try:
            yield got
        finally:
            if got:
                await _release(connection, key, name)


async def _release(connection: AsyncConnection, key: int, name: str) -> None:
    try:
        released = await connection.scalar(_UNLOCK, {"key": key})
    except BaseException:
        # A pooled connection must never keep the lock: drop it, and the server frees the lock.
        await connection.invalidate()
        raise
    if not released:
        log.warning("advisory lock %r was not held at release", name)
