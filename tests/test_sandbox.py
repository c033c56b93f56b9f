"""The parser sandbox: jobs run in worker processes that are stopped on time and memory limits."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ingest.parse import ParsedFeed
from bot.ingest.sandbox import Sandbox, SandboxError, SandboxLimits

SAMPLE = Path(__file__).parents[1] / "bot" / "ingest" / "samples" / "maghreb-wire.xml"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    limits = SandboxLimits(
        workers=1, timeout=2.0, memory_bytes=512 * 1024 * 1024, module="tests.sandbox_jobs"
    )
    pool = Sandbox(limits)
    yield pool
    await pool.aclose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_parses_a_feed_in_a_worker_process(sandbox: Sandbox) -> None:
    feed = await sandbox.run("parse_feed", SAMPLE.read_bytes(), "https://example.org/feed", None)
    assert isinstance(feed, ParsedFeed)
    assert len(feed.articles) == 12
    assert await sandbox.run("pid") != os.getpid()


async def test_a_job_past_its_time_is_stopped_and_the_worker_replaced(sandbox: Sandbox) -> None:
    first = await sandbox.run("pid")
    with pytest.raises(SandboxError, match="stopped after 2 s"):
        await sandbox.run("spin", 600.0)
    assert not _alive(first)
    second = await sandbox.run("pid")
    assert second != first
    assert await sandbox.run("spin", 0.0) == "finished"


async def test_a_job_past_its_memory_is_refused_and_the_pool_goes_on(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="out of memory"):
        await sandbox.run("allocate", 2048)
    assert await sandbox.run("allocate", 16) == 16 * 1024 * 1024


async def test_a_worker_that_dies_fails_only_its_job(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="died"):
        await sandbox.run("die")
    assert await sandbox.run("spin", 0.0) == "finished"


async def test_an_error_inside_a_job_comes_back_as_a_reason(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match=r"could not be read \(TypeError\)"):
        await sandbox.run("spin", "not a number")
    with pytest.raises(SandboxError, match="unknown job"):
        await sandbox.run("format_disk")


async def test_a_cancelled_job_kills_its_worker(sandbox: Sandbox, tmp_path: Path) -> None:
    worker = await sandbox.run("pid")
    marker = tmp_path / "started"
    os.mkfifo(marker)
    task = asyncio.create_task(sandbox.run("announce_then_spin", str(marker), 600.0))
    assert await asyncio.to_thread(marker.read_text) == "started"  # the worker is in the job
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _alive(worker)
    assert await sandbox.run("spin", 0.0) == "finished"


async def test_closing_stops_every_worker() -> None:
    pool = Sandbox(SandboxLimits(workers=2, module="tests.sandbox_jobs"))
    pids = set(await asyncio.gather(pool.run("pid"), pool.run("pid")))
    await pool.aclose()
    assert pids and not any(_alive(pid) for pid in pids)
    with pytest.raises(SandboxError, match="shut down"):
        await pool.run("pid")
