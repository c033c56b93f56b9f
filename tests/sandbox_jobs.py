"""A sandbox worker with extra jobs that misbehave on purpose, for tests/test_sandbox.py."""

from __future__ import annotations

import os
import time

from bot.ingest import jobs


def spin(seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass
    return "finished"


def announce_then_spin(path: str, seconds: float) -> str:
    with open(path, "w") as marker:
        marker.write("started")
    return spin(seconds)


def allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def die() -> None:
    os._exit(3)


def pid() -> int:
    return os.getpid()


TEST_JOBS: jobs.Jobs = {
    **jobs.JOBS,
    "spin": spin,
    "announce_then_spin": announce_then_spin,
    "allocate": allocate,
    "die": die,
    "pid": pid,
}

if __name__ == "__main__":
    jobs.main(TEST_JOBS)
