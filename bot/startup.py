"""What can stop a command before it does its work, worded for the operator.

A `ConfigError` (bot.config) means the settings must change: the CLI exits 2. A `StartupError`
means something around briefbot is not ready — the database is down, a folder cannot be
written: the CLI exits 1. Either way the message is one line that names the cause and the fix.
"""

from __future__ import annotations


class StartupError(Exception):
    """The environment stops a command from starting (exit 1); the message says what to do."""

    exit_code = 1


class PlatformUnreachable(StartupError):
    """A chat platform did not answer at start. `briefbot run` keeps trying it with back-off;
    its token has not been checked yet."""
