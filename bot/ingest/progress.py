"""`briefbot ingest`: ingest passes with a progress bar on a terminal and a summary line."""

from __future__ import annotations

import asyncio
import logging
import sys

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.app import Runtime
from bot.config import Config
from bot.domain import Source
from bot.ingest.pipeline import IngestReport
from bot.storage.sources import due_sources

log = logging.getLogger(__name__)


async def _one_pass(runtime: Runtime) -> IngestReport:
    async with runtime.sessions() as session:
        due = len(await due_sources(session, runtime.clock()))
    columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("sources", total=due)

        def advance(_source: Source) -> None:
            progress.advance(task)

        return await runtime.ingest(on_source_done=advance)


async def run_ingest(config: Config, once: bool) -> int:
    runtime = await Runtime.open(config)
    try:
        await runtime.sync_sources()
        while True:
            report = await _one_pass(runtime)
            print(report.summary(), flush=True)
            for problem in report.problems:
                print(f"  problem: {problem}", flush=True)
            if once:
                return 0
            await asyncio.sleep(config.schedule.ingest_every * 60)
    finally:
        await runtime.close()
