"""The console adapter: typed lines in, plain-text replies out. Same handlers as every platform.

A reply's files follow its text: a short text file is shown as it is; any other is saved under
the system's temporary directory, and its path shown."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.chat import Command, File, Reply
from bot.domain import ChatKind
from bot.render.plain import render_plain
from handlers.context import Context
from handlers.dispatch import dispatch

PLATFORM = "console"
USER = "console"
FOLLOW_UPS = frozenset({"more", "actors", "source", "related"})
SHOWN_LIMIT = 64 * 1024  # bytes: a text file this size or larger is saved, not shown
TEXT_TYPES = frozenset({"application/xml", "application/opml", "application/json"})
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # would drive the terminal


def split_line(line: str) -> tuple[str, tuple[str, ...], str]:
    """`/subscribe north africa` → ("subscribe", ("north", "africa"), "north africa")."""
    stripped = line.strip()
    name, _, rest = stripped.partition(" ")
    try:
        args = tuple(shlex.split(rest))
    except ValueError:  # an unbalanced quote: take the words as typed
        args = tuple(rest.split())
    return name.lstrip("/"), args, rest.strip()


def to_command(line: str, chat: str, reply_to_brief: int | None = None) -> Command | None:
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    name, args, text = split_line(line)
    return Command(
        platform=PLATFORM,
        chat_id=chat,
        chat_kind=ChatKind.PRIVATE,
        user_id=USER,
        name=name,
        args=args,
        text=text,
        user_is_chat_admin=True,
        reply_to_brief=reply_to_brief if name.lower() in FOLLOW_UPS else None,
    )


@dataclass
class ConsoleChat:
    """One console conversation. The last reply stands in for "the message replied to": a
    follow-up without an id is about the brief it showed, or asks which one when it showed none."""

    context: Context
    chat: str = "console"
    last_brief: int | None = None

    async def reply(self, line: str) -> Reply | None:
        command = to_command(line, self.chat, self.last_brief)
        if command is None:
            return None
        reply = await dispatch(command, self.context)
        self.last_brief = reply.brief_id
        return reply

    async def say(self, line: str) -> str:
        reply = await self.reply(line)
        return "" if reply is None else show(reply)


def show(reply: Reply) -> str:
    """The reply as plain text, then each of its files."""
    return "\n\n".join(text for text in (render_plain(reply), *map(show_file, reply.files)) if text)


def show_file(file: File) -> str:
    """A short text file between two marker lines; any other file saved, and where."""
    text = _printable(file)
    if text is not None:
        head = f"--- {file.name} ({file.media_type}, {len(file.data):,} bytes) ---"
        return f"{head}\n{text.rstrip()}\n--- end of {file.name} ---"
    return f"{file.name} ({file.media_type}, {len(file.data):,} bytes) saved as {save(file)}"


def save(file: File) -> Path:
    """Into a new directory of its own under the system's temporary directory (only this user
    can read it), under the file's own name."""
    folder = Path(tempfile.mkdtemp(prefix="briefbot-"))
    name = Path(file.name).name
    path = folder / (name if name not in ("", ".", "..") else "file")
    path.write_bytes(file.data)
    return path


def _printable(file: File) -> str | None:
    """The file as text if it is text, short, UTF-8 and free of control characters."""
    if len(file.data) >= SHOWN_LIMIT or not _is_text(file.media_type):
        return None
    try:
        text = file.data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if CONTROL.search(text) else text


def _is_text(media_type: str) -> bool:
    kind = media_type.partition(";")[0].strip().lower()
    return kind.startswith("text/") or kind in TEXT_TYPES or kind.endswith(("+xml", "+json"))


async def run_console(chat: ConsoleChat, interactive: bool, notice: str | None = None) -> int:
    """Read lines until end of input; print each reply. Returns the exit status. A `notice`
    (the store is empty) goes to stderr before the first reply, piped or not."""
    prompt = "briefbot> " if interactive else ""
    if interactive:
        _enable_history()
        print("briefbot console — /help lists the commands, Ctrl-D leaves.", flush=True)
    if notice:
        print(notice, file=sys.stderr, flush=True)
    while True:
        try:
            line = (
                await asyncio.to_thread(input, prompt)
                if interactive
                else (await asyncio.to_thread(sys.stdin.readline))
            )
        except EOFError:
            break
        if not interactive and line == "":
            break
        text = await chat.say(line)
        if text:
            print(f"{text}\n", flush=True)
    if interactive:
        print()
    return 0


def _enable_history() -> None:
    import readline  # noqa: PLC0415 - only on a terminal; not every platform has it

    history = Path.home() / ".briefbot_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(1000)
    atexit.register(readline.write_history_file, history)
