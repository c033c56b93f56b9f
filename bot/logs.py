"""Logging: one format, quiet HTTP client loggers, secrets redacted from every record, and
control characters escaped so that a record is one line that cannot drive the terminal."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import traceback
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, Protocol

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Telegram puts the bot token in the URL path: /bot123456:ABC-def/sendMessage
_TELEGRAM_TOKEN = re.compile(r"bot\d{3,}:[A-Za-z0-9_-]{20,}")
_QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "hpack",
    "asyncio",
    "aiosqlite",
    "alembic",
    "apscheduler.executors",
    "slack_bolt",  # at INFO it logs whole request bodies that failed the signature check
)
# C0 and C1 controls (ESC, NUL, CR, LF, DEL, CSI …), line and paragraph separators, and the bidi
# embeddings, overrides and isolates that reorder what is shown around them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def escape_controls(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control character written as its escape (\\x1b, \\r, \\u202e); with
    `keep_newlines`, line feeds stay (a traceback is several lines)."""
    if keep_newlines:
        return "\n".join(_CONTROL.sub(_escaped, line) for line in text.split("\n"))
    return _CONTROL.sub(_escaped, text)


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _exception_lines(top: traceback.TracebackException) -> set[str]:
    """What `format_exception_only` writes for each exception in the chain: the parts of a
    traceback that carry an exception's message (and notes), which may come from anyone."""
    lines: set[str] = set()
    pending, seen = [top], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        lines.update(current.format_exception_only())
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        pending.extend(current.exceptions or ())
    return lines


def format_exception(exc_info: ExcInfo) -> str:
    """The traceback as logging writes it, but each exception's message kept on one line: a line
    feed inside it is written as \\n, so that it cannot start a line of its own."""
    error = traceback.TracebackException(*exc_info)
    messages = _exception_lines(error)
    chunks = (_one_line(chunk) if chunk in messages else chunk for chunk in error.format())
    return "".join(chunks).removesuffix("\n")


def _one_line(chunk: str) -> str:
    body = chunk.removesuffix("\n")
    return body.replace("\n", "\\n") + chunk[len(body) :]


class OneLineFormatter(logging.Formatter):
    """The message of a record on one line, its control characters escaped; a traceback follows
    on its own lines, escaped the same way but for its line feeds."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return format_exception(ei)

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        lines = [escape_controls(self.formatMessage(record))]
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            lines.append(escape_controls(record.exc_text, keep_newlines=True))
        if record.stack_info:
            lines.append(escape_controls(self.formatStack(record.stack_info), keep_newlines=True))
        return "\n".join(lines)


class RedactingFilter(logging.Filter):
    """Replaces known secret values, and anything shaped like a Telegram token, with ***."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _TELEGRAM_TOKEN.sub("bot***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(format_exception(record.exc_info))  # type: ignore[arg-type]
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> RedactingFilter:
    """Configure the root logger once per process; returns the filter so secrets can be added."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_briefbot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._briefbot = True  # type: ignore[attr-defined]
    handler.setFormatter(OneLineFormatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
    redactor = RedactingFilter(secrets)
    handler.addFilter(redactor)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # With retries left to the outbox, PTB's limiter logs each 429 as an error with a traceback;
    # the outbox logs the retry itself.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    return redactor


class Stream(Protocol):
    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...


def _our_handlers() -> list[logging.StreamHandler[Any]]:
    return [
        handler
        for handler in logging.getLogger().handlers
        if getattr(handler, "_briefbot", False) and isinstance(handler, logging.StreamHandler)
    ]


@contextlib.contextmanager
def quiet_unless_debug() -> Iterator[None]:
    """Warnings and errors only while the block runs, unless debug logging was asked for
    (--verbose): for the console chat, where a log line would land between two replies."""
    root = logging.getLogger()
    before = root.level
    if before != logging.DEBUG:
        root.setLevel(max(before, logging.WARNING))
    try:
        yield
    finally:
        root.setLevel(before)


@contextlib.contextmanager
def log_stream(stream: Stream) -> Iterator[None]:
    """Log lines go to `stream` while the block runs (above a progress bar), then back."""
    handlers = _our_handlers()
    before = [handler.stream for handler in handlers]
    for handler in handlers:
        handler.setStream(stream)
    try:
        yield
    finally:
        for handler, previous in zip(handlers, before, strict=True):
            handler.setStream(previous)
