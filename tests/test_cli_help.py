"""`briefbot COMMAND --help` explains every argument; a config file without [[sources]] reads
no bundled sample feeds."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import build_parser


def _commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*words, name))


COMMANDS = list(_commands(build_parser()))


def test_the_walk_finds_every_command() -> None:
    found = {" ".join(words) for words, _ in COMMANDS}
    for command in ("run", "db upgrade", "sources import", "extract", "eval", "bench query"):
        assert command in found


@pytest.mark.parametrize(
    ("words", "parser"), COMMANDS, ids=[" ".join(words) or "briefbot" for words, _ in COMMANDS]
)
def test_every_argument_and_command_has_help(
    words: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    if words:
        assert parser.description, f"briefbot {' '.join(words)} --help has no description"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help, f"{' '.join(words)} {choice.dest}: no help"
            continue
        name = "/".join(action.option_strings) or action.dest
        assert action.help and action.help != argparse.SUPPRESS, f"{words} {name}: no help"


def _briefbot(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_subcommand_help_shows_what_it_does_and_its_arguments(tmp_path: Path) -> None:
    result = _briefbot(tmp_path, "sources", "import", "--help")
    assert result.returncode == 0, result.stderr
    assert "add the feeds of an OPML file" in result.stdout
    assert "FILE        an OPML file exported by a feed reader, or - for stdin" in result.stdout
    bench = _briefbot(tmp_path, "bench", "ingest", "--help").stdout
    assert "--feeds FEEDS  feeds in the farm (default: 500)" in bench


def test_a_config_file_without_sources_reads_no_sample_feeds_and_says_so(tmp_path: Path) -> None:
    config = tmp_path / "briefbot.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/b.db"\n')
    ingest = _briefbot(tmp_path, "--config", str(config), "ingest", "--once")
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stdout.startswith("0 sources: 0 fetched")
    [warning] = [line for line in ingest.stderr.splitlines() if "WARNING" in line]
    assert warning.endswith(
        f"{config} has no [[sources]]: only the feeds added with `briefbot sources import` or "
        "/addsource are read (the bundled sample feeds are used only without a config file)"
    )
    listed = _briefbot(tmp_path, "--config", str(config), "sources", "list")
    assert listed.stdout.startswith("No sources yet")


def test_without_a_config_file_the_sample_feeds_are_read(tmp_path: Path) -> None:
    ingest = _briefbot(tmp_path, "ingest", "--once")
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stdout.startswith("3 sources: 3 fetched")
    assert "has no [[sources]]" not in ingest.stderr
