"""Engine, sessions and migrations for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import logging
from contextlib import suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
# PostgreSQL advisory lock key held while migrating: "briefbot" in ASCII.
MIGRATION_LOCK = int.from_bytes(b"briefbot", "big")


def create_engine(url: str, **options: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def sessions(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> list[str]:
    before = MigrationContext.configure(connection).get_current_revision()
    command.upgrade(_alembic_config(connection), "head")
    after = MigrationContext.configure(connection).get_current_revision()
    if before == after:
        return []
    script = ScriptDirectory.from_config(_alembic_config(connection))
    return [rev.revision for rev in script.iterate_revisions(after, before)][::-1]


async def upgrade(engine: AsyncEngine) -> list[str]:
    """Apply every pending migration in one transaction; returns the revisions applied (oldest
    first). Processes migrating at once take turns: the first applies the migrations, the
    others wait for it, then find nothing left to do."""
    if engine.dialect.name == "sqlite":
        applied = await _upgrade_sqlite(engine)
    else:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            applied = await connection.run_sync(_upgrade)
    if applied:
        log.info("database migrated: %s", ", ".join(applied))
    return applied


async def _upgrade_sqlite(engine: AsyncEngine) -> list[str]:
    """SQLite: `BEGIN IMMEDIATE` takes the write lock before Alembic reads the revision (a
    second process waits for it, up to the busy timeout). The driver's own transaction handling
    would begin only at the first write and run DDL outside any transaction, so it is switched
    off for this connection and the transaction is spelled out."""
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            applied = await connection.run_sync(_upgrade)
        except BaseException:
            with suppress(Exception):  # SQLite may have rolled back on its own
                await connection.exec_driver_sql("ROLLBACK")
            raise
        await connection.exec_driver_sql("COMMIT")
        await connection.commit()  # SQLAlchemy's side of it; nothing reaches the database
        return applied


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
