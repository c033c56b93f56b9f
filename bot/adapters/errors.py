"""What a platform send can report back to the outbox: try later, or the chat is gone."""

from __future__ import annotations


class RetryLater(Exception):
    """A temporary failure (rate limit, network): send again after `retry_after` seconds."""

    def __init__(self, retry_after: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {retry_after:g} s")
        self.retry_after = retry_after
        self.reason = reason or f"retry after {retry_after:g} s"


class ChatGone(Exception):
    """A permanent failure: the bot was blocked or removed, or the chat no longer exists."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
