"""Which platform message carries which brief: a reply to that message asks about that brief."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import MessageRefRow

_KEY = ("platform", "chat_external_id", "message_id")


async def remember_message(
    session: AsyncSession,
    platform: str,
    chat_external_id: str,
    message_id: str,
    brief_id: int,
    now: datetime,
) -> None:
    """Record that this message shows `brief_id`. Idempotent; a message edited to show another
    brief (a page turn) now points at that one."""
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = builder(MessageRefRow).values(
        platform=platform,
        chat_external_id=chat_external_id,
        message_id=message_id,
        brief_id=brief_id,
        created_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_KEY), set_={"brief_id": statement.excluded.brief_id}
        )
    )


async def brief_for_message(
    session: AsyncSession, platform: str, chat_external_id: str, message_id: str
) -> int | None:
    """The brief shown by this message, or None when it showed no brief (or one since deleted)."""
    return await session.scalar(
        select(MessageRefRow.brief_id).where(
            MessageRefRow.platform == platform,
            MessageRefRow.chat_external_id == chat_external_id,
            MessageRefRow.message_id == message_id,
        )
    )
