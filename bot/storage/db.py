"""Engine, sessions and migrations for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import errno
import logging
import os
import socket
from contextlib import suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.config import ConfigError
from bot.startup import StartupError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
# PostgreSQL advisory lock key held while migrating: "briefbot" in ASCII.
MIGRATION_LOCK = int.from_bytes(b"briefbot", "big")
# PostgreSQL error classes met when connecting (SQLSTATE).
_NO_DATABASE = "3D000"
_LOGIN_REFUSED = ("28000", "28P01")  # no such role, wrong password
_NOT_NOW = ("53300", "57P03")  # too many connections, starting up or shutting down


def create_engine(url: str, *, connect_timeout: float | None = None, **options: Any) -> AsyncEngine:
    """An engine for `url`. `connect_timeout` (seconds) bounds each new PostgreSQL connection;
    SQLite waits up to 30 s for another process's write lock."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {} if connect_timeout is None else {"timeout": connect_timeout}
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)


async def check_connection(engine: AsyncEngine, setting: str = "[database] url") -> None:
    """Connect once, and write on SQLite, so that a database that cannot be used is reported
    in one line — a ConfigError when `setting` (where the url came from) must change, a
    StartupError when the database or the file system must."""
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "sqlite":  # takes the write lock: the file must be writable
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
                await connection.exec_driver_sql("ROLLBACK")
    except (OSError, TimeoutError, DBAPIError) as error:
        raise connect_failure(error, engine.url, setting) from error


def connect_failure(error: BaseException, url: str | URL, setting: str) -> Exception:
    """The one-line report of a failed connection to `url`: what went wrong, and what to do."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_failure(error, parsed.database or "", setting)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    state = _sqlstate(error)
    detail = _server_message(error)
    if state == _NO_DATABASE:
        return ConfigError(
            f'database "{parsed.database}" does not exist on the PostgreSQL server at {where}: '
            f"create it (createdb {parsed.database}) or correct the name in {setting}"
        )
    if state in _LOGIN_REFUSED:
        return ConfigError(
            f"the PostgreSQL server at {where} refused the login ({detail}): "
            f"correct the user name or password in {setting}"
        )
    if state in _NOT_NOW:
        return StartupError(
            f"the PostgreSQL server at {where} does not take connections now ({detail}): "
            "try again shortly"
        )
    if isinstance(error, socket.gaierror):
        return ConfigError(
            f'cannot find the database host "{parsed.host}" ({error.strerror}): '
            f"correct the host name in {setting}"
        )
    if isinstance(error, TimeoutError):
        return StartupError(
            f"the database at {where} did not answer in time: check that PostgreSQL is running "
            f"there and reachable from here, or correct {setting}"
        )
    if isinstance(error, OSError):
        cause = os.strerror(error.errno) if error.errno else str(error) or type(error).__name__
        return StartupError(
            f"cannot reach the database at {where} ({cause.lower()}): start PostgreSQL there "
            f"or correct the host and port in {setting}"
        )
    return StartupError(
        f"the database at {where} refused the connection ({detail}): check the server and {setting}"
    )


def _sqlite_failure(error: BaseException, database: str, setting: str) -> StartupError:
    path = Path(database).absolute()
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        fix = f"{folder} is a file, not a folder: point {setting} elsewhere"
    elif not folder.is_dir():
        fix = (
            f"the folder {folder} does not exist: create it (mkdir -p {folder}) "
            f"or point {setting} elsewhere"
        )
    elif path.exists() and not os.access(path, os.W_OK):
        fix = f"the file is read-only: make it writable or point {setting} elsewhere"
    elif not os.access(folder, os.W_OK | os.X_OK) or _errno(error) == errno.EACCES:
        fix = (
            f"the folder {folder} is not writable by this user: change its permissions "
            f"or point {setting} elsewhere"
        )
    else:
        fix = f"{_server_message(error)}: check the file and the folder, or {setting}"
    return StartupError(f"cannot open the SQLite database {path}: {fix}")


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _sqlstate(error: BaseException) -> str | None:
    for cause in _causes(error):
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


def _errno(error: BaseException) -> int | None:
    for cause in _causes(error):
        if isinstance(cause, OSError) and cause.errno is not None:
            return cause.errno
    return None


def _server_message(error: BaseException) -> str:
    """The driver's own words, without SQLAlchemy's wrapping and its background link."""
    innermost = _causes(error)[-1]
    text = str(innermost).splitlines()[0] if str(innermost) else type(innermost).__name__
    return text.strip()


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
