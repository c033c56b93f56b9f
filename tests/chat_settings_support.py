"""What the subscription and schedule handler tests share: a settable clock and a Context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from bot.analysis.topics import load_topics
from bot.storage import db
from handlers import schedule, subscriptions
from handlers.context import Context

NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)  # a Saturday


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def settings_context(url: str) -> AsyncIterator[Context]:
    """A migrated database behind a Context with the subscription and schedule commands."""
    engine = db.create_engine(url)
    await db.upgrade(engine)
    yield Context(
        sessions=db.sessions(engine),
        clock=Clock(),
        topics=load_topics(),
        admin_ids={"console": frozenset({"admin"}), "telegram": frozenset({"42"})},
        commands=(*subscriptions.COMMANDS, *schedule.COMMANDS),
    )
    await engine.dispose()
