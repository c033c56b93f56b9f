"""The console adapter: typed lines in, plain-text replies out. Same handlers as every platform."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.chat import Command, Reply
from bot.domain import ChatKind
from bot.render.plain import render_plain
from handlers.context import Context
from handlers.dispatch import dispatch

PLATFORM = "console"
USER = "console"
FOLLOW_UPS = frozenset({"more", "actors", "source", "related"})


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
        return "" if reply is None else render_plain(reply)


async def run_console(chat: ConsoleChat, interactive: bool) -> int:
    """Read lines until end of input; print each reply. Returns the exit status."""
    prompt = "briefbot> " if interactive else ""
    if interactive:
        _enable_history()
        print("briefbot console — /help lists the commands, Ctrl-D leaves.")
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
