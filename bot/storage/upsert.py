"""INSERT … ON CONFLICT DO NOTHING for both dialects: how unique keys stop double queueing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Table, values: dict[str, Any]
) -> int | None:
    """Insert one row unless a unique key already holds it; returns the new id, or None."""
    dialect = session.bind.dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = builder(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    result = await session.execute(statement)
    return result.scalar_one_or_none()
