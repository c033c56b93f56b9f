"""The platform-neutral conversation model: a Command in, a Reply out. No platform markup."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain import Brief, ChatKind


class Emphasis(StrEnum):
    PLAIN = "plain"
    HEADING = "heading"
    NOTE = "note"  # secondary text: hints, usage lines
    CODE = "code"  # a command or value to type as is


@dataclass(frozen=True, slots=True)
class Command:
    platform: str
    chat_id: str
    chat_kind: ChatKind
    user_id: str
    name: str
    args: tuple[str, ...] = ()
    user_is_chat_admin: bool = False
    reply_to_brief: int | None = None
    thread_id: str | None = None
    chat_title: str | None = None
    text: str = ""  # the raw argument text, for commands that take a free-form query


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    emphasis: Emphasis = Emphasis.PLAIN


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str
    args: tuple[str, ...] = ()

    @property
    def data(self) -> str:
        """The compact form a platform carries back when the button is pressed."""
        return " ".join((self.action, *self.args))


@dataclass(frozen=True, slots=True)
class Card:
    """A brief shown as a card: structured fields, every string from the source."""

    brief: Brief
    topic_names: tuple[str, ...]
    buttons: tuple[Button, ...] = ()
    all_sources: tuple[tuple[str | None, str | None], ...] = ()  # (outlet, url) pairs


@dataclass(frozen=True, slots=True)
class ButtonRow:
    buttons: tuple[Button, ...]


Part = Text | Card | ButtonRow


@dataclass(frozen=True, slots=True)
class File:
    """A document sent with a reply (an OPML export): a platform attaches it as a file."""

    name: str  # a plain file name, no directory
    data: bytes
    media_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    parts: tuple[Part, ...] = ()
    next_page: Button | None = None
    brief_id: int | None = None  # the brief this reply is about, so replies to it resolve
    edit: bool = False  # a page turn: replace the message the button was on
    files: tuple[File, ...] = ()  # documents sent with the reply, after its text

    @classmethod
    def text(cls, *lines: str, emphasis: Emphasis = Emphasis.PLAIN) -> Reply:
        return cls(parts=tuple(Text(line, emphasis) for line in lines))

    def plus(self, *parts: Part) -> Reply:
        return Reply(
            parts=(*self.parts, *parts),
            next_page=self.next_page,
            brief_id=self.brief_id,
            edit=self.edit,
            files=self.files,
        )


class UserError(Exception):
    """A problem with what the person typed: shown to them as is, with a hint."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def reply(self) -> Reply:
        parts: list[Part] = [Text(self.message)]
        if self.hint:
            parts.append(Text(self.hint, Emphasis.NOTE))
        return Reply(parts=tuple(parts))


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One row of the command table: everything help, menus and dispatch need."""

    name: str
    usage: str
    summary: str
    handler: object  # HandlerFn; typed loosely to keep this module free of handler imports
    aliases: tuple[str, ...] = ()
    admin_only: bool = False
    changes_chat: bool = False  # in groups and channels only chat admins may run it
    min_args: int = 0
    max_args: int | None = 0
    family: str = ""
    examples: tuple[str, ...] = field(default=())
