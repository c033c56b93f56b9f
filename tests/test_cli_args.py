"""The command line: `--config` before or after the subcommand."""

from __future__ import annotations

import pytest

from bot.cli import config_first


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["demo", "--config", "a.toml"], ["--config", "a.toml", "demo"]),
        (["--config", "a.toml", "demo"], ["--config", "a.toml", "demo"]),
        (
            ["bench", "ingest", "--config=a.toml", "--feeds", "3"],
            ["--config=a.toml", "bench", "ingest", "--feeds", "3"],
        ),
        (["extract", "--", "--config"], ["extract", "--", "--config"]),
        (["chat"], ["chat"]),
    ],
)
def test_config_may_follow_the_subcommand(argv: list[str], expected: list[str]) -> None:
    assert config_first(argv) == expected
