"""What a handler may use: storage, the clock, the topic catalogue, who the admins are, and a
feed checker for the URLs admins add."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat import Command, CommandSpec, Reply
from bot.domain import Chat, Topic
from bot.ingest.checker import CheckedFeed
from bot.storage import chats as chat_store


class FeedCheck(Protocol):
    """Fetches and reads a URL once: the feed at it or behind it, else FeedRefused."""

    async def check(self, url: str) -> CheckedFeed: ...


@dataclass(frozen=True)
class Context:
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    topics: Mapping[str, Topic]
    admin_ids: Mapping[str, frozenset[str]]  # platform → user ids
    default_timezone: str = "UTC"
    default_digest_time: time | None = time(8, 0)
    commands: Sequence[CommandSpec] = field(default=())
    process_stats: Callable[[], list[tuple[str, str]]] | None = None  # live figures for /stats
    feed_checker: FeedCheck | None = None  # what /addsource checks a URL with

    def is_admin(self, command: Command) -> bool:
        return command.user_id in self.admin_ids.get(command.platform, frozenset())

    def topic_name(self, slug: str) -> str:
        topic = self.topics.get(slug)
        return topic.name if topic else slug

    async def chat(self, session: AsyncSession, command: Command) -> Chat:
        """This command's chat, registered with the defaults on first contact."""
        return await chat_store.ensure_chat(
            session,
            command.platform,
            command.chat_id,
            command.chat_kind,
            self.clock(),
            timezone=self.default_timezone,
            digest_time=self.default_digest_time,
            title=command.chat_title,
        )


Handler = Callable[[Context, Command], Awaitable[Reply]]
