"""Domain types shared by every stage of the flow: plain frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum


class ActorKind(StrEnum):
    PERSON = "person"
    STATE = "state"
    INSTITUTION = "institution"
    ORGANISATION = "organisation"
    ARMED_GROUP = "armed_group"


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    CHANNEL = "channel"


class DeliveryKind(StrEnum):
    ALERT = "alert"
    DIGEST = "digest"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Article:
    """One item read from a feed, cleaned and bounded, before analysis."""

    identity: str
    title: str
    url: str | None
    summary: str
    text: str
    outlet: str | None
    published_at: datetime | None
    source_url: str = ""

    @property
    def body(self) -> str:
        """The longest text the feed gave: full text when present, else the summary."""
        return self.text if len(self.text) > len(self.summary) else self.summary


@dataclass(frozen=True, slots=True)
class Actor:
    name: str  # as the brief shows it: a person's name as first written in the article
    kind: ActorKind
    role: str | None = None
    description: str | None = None
    key: str | None = None  # the canonical gazetteer name, the same in every language


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the analysis found in one article; every string comes from the article."""

    language: str
    topics: tuple[str, ...]
    actors: tuple[Actor, ...]
    event: str
    implications: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SourceRef:
    url: str | None
    outlet: str | None


@dataclass(frozen=True, slots=True)
class Brief:
    id: int
    title: str
    event: str
    actors: tuple[Actor, ...]
    implications: tuple[str, ...]
    topics: tuple[str, ...]
    language: str
    primary: SourceRef
    source_count: int
    published_at: datetime

    @property
    def code(self) -> str:
        return brief_code(self.id)


def brief_code(brief_id: int) -> str:
    return f"B{brief_id}"


def parse_brief_code(text: str) -> int | None:
    """`B12`, `b12`, `#B12` or `12` → 12; anything else → None."""
    cleaned = text.strip().lstrip("#").upper().removeprefix("B")
    return int(cleaned) if cleaned.isdigit() and len(cleaned) <= 12 else None


@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    name: str
    description: str
    query: str
    aliases: tuple[str, ...] = ()  # other names a chat may type: "Tunisie", "تونس"


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    url: str
    name: str | None
    topics: tuple[str, ...] = ()
    interval_minutes: int = 15
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_error: str | None = None
    enabled: bool = True
    origin: str = "config"


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    platform: str
    external_id: str
    kind: ChatKind
    title: str | None = None
    timezone: str = "UTC"
    digest_time: time | None = None
    paused: bool = False
    alerts: bool = True
    empty_digest_line: bool = True
    active: bool = True


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    topic: str
    alerts: bool = True
    muted_until: datetime | None = None
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    chat_id: int
    kind: DeliveryKind
    status: DeliveryStatus
    brief_id: int | None = None
    digest_date: str | None = None
    attempts: int = 0
    platform_message_id: str | None = None
    error: str | None = None
    brief_ids: tuple[int, ...] = field(default=())
