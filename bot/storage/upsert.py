"""INSERT … ON CONFLICT DO NOTHING for both dialects: how unique keys stop double queueing."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import FromClause, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(
    session: AsyncSession, table: FromClause, values: dict[str, Any]
) -> int | None:
    """Insert one row unless a unique key already holds it; returns the new id, or None."""
    target = cast(Table, table)  # a mapped class's __table__ is typed as the wider FromClause
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = builder(target).values(**values).on_conflict_do_nothing().returning(target.c.id)
    result = await session.execute(statement)
    return result.scalar_one_or_none()
