"""Progress on a terminal for long CLI work, and `briefbot ingest` (passes and a summary line).

`progress(label, total)` shows a live line on the stream it writes to (stderr unless told) while
the work runs, when that stream is a terminal; piped or redirected, it writes nothing. Log lines
emitted meanwhile are printed above the line rather than through it.

`--force` fetches every source that is on in the first pass, whether it is due or not (a
source that is off stays off); later passes fetch the due ones as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from bot.app import Runtime
from bot.config import Config
from bot.domain import Source
from bot.ingest.pipeline import IngestReport
from bot.logs import log_stream
from bot.storage.sources import count_enabled, due_sources

log = logging.getLogger(__name__)
Advance = Callable[[], None]


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class _AboveTheBar:
    """A stream for log lines while a progress line shows: each is printed above it, as is."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def write(self, text: str) -> int:
        self.console.print(text, end="", markup=False, highlight=False, emoji=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        self.console.file.flush()


def _nothing() -> None:
    return None


@contextlib.contextmanager
def progress(label: str, total: int | None, stream: TextIO | None = None) -> Iterator[Advance]:
    """A progress line for the block, on `stream` (stderr by default) when it is a terminal:
    done/total with a bar, or a spinner when `total` is None. Yields `advance()`, one step done.
    Nothing is written when the stream is not a terminal. The line is gone when the block ends."""
    out = sys.stderr if stream is None else stream
    if not is_terminal(out):
        yield _nothing
        return
    console = Console(file=out, force_terminal=True)
    name = TextColumn("{task.description}", markup=False)
    if total is None:
        columns: tuple[ProgressColumn, ...] = (SpinnerColumn(), name, TimeElapsedColumn())
    else:
        columns = (name, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    bar = Progress(
        *columns,
        console=console,
        transient=True,
        redirect_stdout=False,  # stdout is the command's output, never the bar's
        redirect_stderr=False,
    )
    with bar, log_stream(_AboveTheBar(console)):
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


async def _planned(runtime: Runtime, force: bool) -> int:
    """How many sources this pass fetches: every one that is on when forced, else the due."""
    async with runtime.sessions() as session:
        if force:
            return await count_enabled(session)
        return len(await due_sources(session, runtime.clock()))


async def _one_pass(runtime: Runtime, force: bool) -> IngestReport:
    with progress("ingest", await _planned(runtime, force)) as advance:

        def done(_source: Source) -> None:
            advance()

        return await runtime.ingest(force=force, on_source_done=done)


async def run_ingest(config: Config, once: bool, force: bool = False) -> int:
    runtime = await Runtime.open(config)
    try:
        await runtime.sync_sources()
        while True:
            report = await _one_pass(runtime, force)
            force = False
            print(report.summary(), flush=True)
            for problem in report.problems:
                print(f"  problem: {problem}", flush=True)
            if once:
                return 0
            await asyncio.sleep(config.schedule.ingest_every * 60)
    finally:
        await runtime.close()
