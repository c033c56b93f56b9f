"""Logging: one format, quiet HTTP client loggers, and secrets redacted from every record."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

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
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
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
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
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
