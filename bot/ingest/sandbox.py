"""Run the CPU-heavy reading of untrusted documents in worker processes that can be stopped.

A feed or a web page can be written to make a parser spend minutes or gigabytes, and work done
with `asyncio.to_thread` cannot be cancelled. So parsing and page extraction run here instead:

    sandbox = Sandbox(SandboxLimits(timeout=20, memory_bytes=768 * 2**20))
    feed = await sandbox.run("parse_feed", body, url, content_type)
    await sandbox.aclose()

Each worker is a `python -m bot.ingest.jobs` child process with an address-space limit
(RLIMIT_AS), talking over its stdin/stdout in length-prefixed pickles. A job that runs past its
wall-clock limit is stopped by killing its worker, which is replaced for the next job. Jobs are
named (see `bot.ingest.jobs`), so this process never imports what only the workers need.
Workers start on first use and are recycled after `jobs_per_worker` jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FRAME = struct.Struct("!Q")
MAX_ANSWER_BYTES = 256 * 1024 * 1024
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class SandboxError(Exception):
    """A job that gave no answer: it ran out of time or memory, or its worker died.

    `reason` is short and safe to show an admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SandboxLimits:
    workers: int = max(1, min(2, os.cpu_count() or 1))
    timeout: float = 20.0  # wall-clock seconds per job
    memory_bytes: int = 768 * 1024 * 1024  # address space per worker
    jobs_per_worker: int = 500
    module: str = "bot.ingest.jobs"  # what a worker runs: `python -m <module> <memory_bytes>`


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.jobs = 0

    @classmethod
    async def start(cls, limits: SandboxLimits) -> _Worker:
        path = os.environ.get("PYTHONPATH", "")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (_PACKAGE_ROOT, path) if p)}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            limits.module,
            str(limits.memory_bytes),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
        )
        return cls(process)

    async def call(self, job: str, args: tuple[Any, ...]) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.jobs += 1
        request = pickle.dumps((job, args), protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(FRAME.pack(len(request)) + request)
        await self.process.stdin.drain()
        (size,) = FRAME.unpack(await self.process.stdout.readexactly(FRAME.size))
        if size > MAX_ANSWER_BYTES:
            raise SandboxError("the parser sent an answer too large to accept")
        outcome, value = pickle.loads(await self.process.stdout.readexactly(size))  # noqa: S301
        if outcome == "error":
            raise SandboxError(value)
        return value

    def peak_rss(self) -> int:
        """The worker's peak resident memory in bytes (Linux; 0 where unknown)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        await self.process.wait()
        if self.process.stdin is not None:
            self.process.stdin.close()
            with contextlib.suppress(ConnectionError):
                await self.process.stdin.wait_closed()


class Sandbox:
    """A small pool of worker processes for named jobs, each job run under the limits."""

    def __init__(self, limits: SandboxLimits | None = None) -> None:
        self.limits = limits or SandboxLimits()
        self._idle: list[_Worker] = []
        self._slots = asyncio.Semaphore(self.limits.workers)
        self._closed = False
        self._peak_rss = 0

    @property
    def peak_worker_rss(self) -> int:
        """The largest peak resident memory of any worker so far, in bytes."""
        return max([self._peak_rss, *(worker.peak_rss() for worker in self._idle)])

    async def _stop(self, worker: _Worker | None) -> None:
        if worker is not None:
            self._peak_rss = max(self._peak_rss, worker.peak_rss())
            await worker.stop()

    async def run(self, job: str, *args: Any) -> Any:
        """The job's result; SandboxError when it fails or runs out of time or memory."""
        async with self._slots:
            if self._closed:
                raise SandboxError("the parser pool is shut down")
            worker = self._idle.pop() if self._idle else None
            try:
                if worker is None:
                    worker = await _Worker.start(self.limits)
                async with asyncio.timeout(self.limits.timeout):
                    result = await worker.call(job, args)
            except TimeoutError:
                await self._stop(worker)
                raise SandboxError(
                    f"stopped after {self.limits.timeout:g} s (too slow to read)"
                ) from None
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                await self._stop(worker)
                raise SandboxError("the parser process died (out of memory?)") from None
            except SandboxError:
                await self._stop(worker)  # its answer may have been refused half-read
                raise
            except BaseException:
                await asyncio.shield(self._stop(worker))  # cancelled mid-job: the answer is stale
                raise
            if worker.jobs >= self.limits.jobs_per_worker or self._closed:
                await self._stop(worker)
            else:
                self._idle.append(worker)
            return result

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for worker in idle:
            await self._stop(worker)
