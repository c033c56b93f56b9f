"""`briefbot ingest`: ingest passes with a progress bar on a terminal and a summary line.

`--force` fetches every source that is on in the first pass, whether it is due or not (a
source that is off stays off); later passes fetch the due ones as usual.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.app import Runtime
from bot.config import Config
from bot.domain import Source
from bot.ingest.pipeline import IngestReport
from bot.storage.sources import count_enabled, due_sources

log = logging.getLogger(__name__)


async def _planned(runtime: Runtime, force: bool) -> int:
    """How many sources this pass fetches: every one that is on when forced, else the due."""
    async with runtime.sessions() as session:
        if force:
            return await count_enabled(session)
        return len(await due_sources(session, runtime.clock()))


async def _one_pass(runtime: Runtime, force: bool) -> IngestReport:
    total = await _planned(runtime, force)
    columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    bar = Console(stderr=True)  # stdout carries only the summary lines
    shown = sys.stderr.isatty()
    with Progress(*columns, console=bar, transient=True, disable=not shown) as progress:
        task = progress.add_task("sources", total=total)

        def advance(_source: Source) -> None:
            progress.advance(task)

        return await runtime.ingest(force=force, on_source_done=advance)


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
