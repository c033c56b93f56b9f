"""Migrations on SQLite and PostgreSQL: three processes migrating one fresh database at the same
moment (as three `briefbot run` or `briefbot db upgrade` starting together would) take turns —
one applies the migrations, the others wait for it and find nothing left to do — and a
migration that fails is undone as a whole."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.storage import db

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 3

# Each process connects, says "ready", waits for a line on stdin (the barrier: every process
# is connected before any starts), migrates, and prints the revisions it applied.
MIGRATE = """
import asyncio, sys
from bot.storage import db

async def main(url: str) -> None:
    engine = db.create_engine(url)
    try:
        async with engine.connect():
            pass
        print("ready", flush=True)
        sys.stdin.readline()
        print(",".join(await db.upgrade(engine)), flush=True)
    finally:
        await engine.dispose()

asyncio.run(main(sys.argv[1]))
"""


def every_revision() -> str:
    script = ScriptDirectory(str(db.MIGRATIONS))
    return ",".join(rev.revision for rev in reversed(list(script.walk_revisions())))


def head_revision() -> str:
    head = ScriptDirectory(str(db.MIGRATIONS)).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class Finished:
    code: int | None
    applied: str  # the revisions it applied, comma-separated
    errors: str


async def migrate_together(url: str) -> list[Finished]:
    """Start the processes, then release them together."""
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            MIGRATE,
            url,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    try:
        async with asyncio.timeout(60):
            for process in processes:
                assert process.stdout is not None
                assert await process.stdout.readline() == b"ready\n"
            outputs = await asyncio.gather(*(process.communicate(b"go\n") for process in processes))
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    return [
        Finished(process.returncode, out.decode().strip(), errors.decode())
        for process, (out, errors) in zip(processes, outputs, strict=True)
    ]


async def assert_one_migrated_and_the_others_waited(url: str) -> None:
    results = await migrate_together(url)
    assert [result.code for result in results] == [0] * PROCESSES, [r.errors for r in results]
    applied = sorted(result.applied for result in results)
    assert applied == [""] * (PROCESSES - 1) + [every_revision()]
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = list(await connection.execute(text("SELECT version_num FROM alembic_version")))
        assert rows == [(head_revision(),)]
        assert await db.upgrade(engine) == []
    finally:
        await engine.dispose()


async def test_simultaneous_migrations_of_a_fresh_sqlite_file(sqlite_url: str) -> None:
    await assert_one_migrated_and_the_others_waited(sqlite_url)


async def test_simultaneous_migrations_of_a_fresh_postgresql_database(pg_url: str) -> None:
    await assert_one_migrated_and_the_others_waited(pg_url)


async def test_a_migration_that_fails_leaves_nothing_behind(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All of it in one transaction, on SQLite too (whose driver would run DDL outside one)."""
    real = db.command.upgrade

    def upgrade_then_fail(config: Any, revision: str) -> None:
        real(config, revision)
        raise RuntimeError("the last step failed")

    monkeypatch.setattr(db.command, "upgrade", upgrade_then_fail)
    engine = db.create_engine(database_url)
    try:
        with pytest.raises(RuntimeError):
            await db.upgrade(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert tables == []
        monkeypatch.setattr(db.command, "upgrade", real)
        assert await db.upgrade(engine) == every_revision().split(",")
    finally:
        await engine.dispose()
