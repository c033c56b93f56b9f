"""SQLAlchemy table models. The schema itself changes only through Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.storage.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    interval_minutes: Mapped[int] = mapped_column(Integer, default=15)
    origin: Mapped[str] = mapped_column(String(20), default="config")
    added_by: Mapped[str | None] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_fetched_at: Mapped[datetime | None]
    next_fetch_at: Mapped[datetime | None] = mapped_column(index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


class BriefRow(Base):
    __tablename__ = "briefs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    event: Mapped[str] = mapped_column(Text)
    actors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    implications: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8))
    primary_url: Mapped[str | None] = mapped_column(String(2000))
    primary_outlet: Mapped[str | None] = mapped_column(String(120))
    source_count: Mapped[int] = mapped_column(Integer, default=1)
    signature: Mapped[list[int] | None] = mapped_column(JSON)
    # Per report of the story (the first few): actor keys, places, figures, days, kinds.
    evidence: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    published_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BriefTopicRow(Base):
    """One row per (brief, topic): the index behind `/brief T` and topic matching."""

    __tablename__ = "brief_topics"

    brief_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    published_at: Mapped[datetime]

    __table_args__ = (Index("ix_brief_topics_topic_published", "topic", "published_at"),)


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(BigId, ForeignKey("sources.id", ondelete="CASCADE"))
    identity: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    outlet: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str | None] = mapped_column(String(8))
    fingerprint: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime]
    brief_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("briefs.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        UniqueConstraint("source_id", "identity", name="uq_articles_source_identity"),
    )


class ChatRow(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest_time: Mapped[str | None] = mapped_column(String(5))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    alerts: Mapped[bool] = mapped_column(Boolean, default=True)
    empty_digest_line: Mapped[bool] = mapped_column(Boolean, default=True)
    # Quiet hours, "HH:MM" on the chat's clock (both set, or both None): alerts wait for the end.
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_digest_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_chats_platform_external"),
    )


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigId, ForeignKey("chats.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(64), index=True)
    alerts: Mapped[bool] = mapped_column(Boolean, default=True)
    muted_until: Mapped[datetime | None]
    thread_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("chat_id", "topic", name="uq_subscriptions_chat_topic"),)


class WatchRow(Base):
    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigId, ForeignKey("chats.id", ondelete="CASCADE"))
    query: Mapped[str] = mapped_column(String(1000))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class DigestRow(Base):
    """At most one digest per chat and local date: the key that stops a digest going out twice."""

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigId, ForeignKey("chats.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    brief_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("chat_id", "local_date", name="uq_digests_chat_date"),)


class DeliveryRow(Base):
    """The outbox: one row per message owed to a chat."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigId, ForeignKey("chats.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    brief_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("briefs.id", ondelete="CASCADE"))
    digest_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("digests.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the claim's token
    # Times a lapsed claim (a crashed worker's) was taken over: the chat may have it twice.
    resends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None]
    platform_message_id: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("chat_id", "brief_id", "kind", name="uq_deliveries_chat_brief_kind"),
        Index("ix_deliveries_status_not_before", "status", "not_before"),
        Index("ix_deliveries_chat_status", "chat_id", "status", "id"),
    )


class MessageRefRow(Base):
    """A platform message that showed a brief: a reply to it asks about that brief."""

    __tablename__ = "message_refs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_external_id: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[str] = mapped_column(String(100))
    brief_id: Mapped[int] = mapped_column(BigId, ForeignKey("briefs.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint(
            "platform",
            "chat_external_id",
            "message_id",
            name="uq_message_refs_platform_chat_message",
        ),
    )
