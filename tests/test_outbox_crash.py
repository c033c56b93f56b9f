"""Crash safety: a worker process is SIGKILLed mid-drain and restarted; every chat gets its
digest, and only deliveries that were in flight at the kill may arrive twice — counted and
logged by the restarted worker."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.delivery.outbox import RESENT
from tests.loopback import serve_post

ROOT = Path(__file__).resolve().parent.parent
CHATS = 2000
KILL_AT = 600  # ~30 % of the digests
BATCH = 100  # the drill's batch size: a worker holds at most this many claims at once


@dataclass
class Stub:
    """A loopback chat platform that records every message and can kill the sender."""

    url: str = ""
    received: list[tuple[str, str, int]] = field(default_factory=list)  # chat, text, run
    run: int = 1
    victim: asyncio.subprocess.Process | None = None
    killed_after: int | None = None

    async def send(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.received.append((payload["chat"], payload["text"], self.run))
        if self.victim is not None and len(self.received) == KILL_AT:
            # Mid-send: this message reached the platform, its worker never hears back.
            self.victim.send_signal(signal.SIGKILL)
            self.killed_after = len(self.received)
        return web.json_response({"message_id": len(self.received)})


@pytest.fixture
async def stub() -> AsyncIterator[Stub]:
    made = Stub()
    async with serve_post("/send", made.send) as url:
        made.url = url
        yield made


async def start_drill(
    stub: Stub, db_url: str, log: Path, *extra: str
) -> asyncio.subprocess.Process:
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.outbox_drill",
            "--db",
            db_url,
            "--stub",
            stub.url,
            "--lease",
            "2",
            *extra,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )


async def test_sigkill_mid_drain_then_restart_delivers_everything_once(
    stub: Stub, sqlite_url: str, tmp_path: Path
) -> None:
    first = await start_drill(stub, sqlite_url, tmp_path / "first.log", "--queue", str(CHATS))
    stub.victim = first
    async with asyncio.timeout(60):
        assert await first.wait() == -signal.SIGKILL
    assert stub.killed_after == KILL_AT

    stub.victim, stub.run = None, 2
    second = await start_drill(stub, sqlite_url, tmp_path / "second.log")
    async with asyncio.timeout(60):
        out, _ = await second.communicate()
    assert second.returncode == 0, (tmp_path / "second.log").read_text()
    summary = json.loads(out.decode().strip().splitlines()[-1])
    metrics, resent_chats = summary["metrics"], set(summary["resent_chats"])

    first_run = sum(1 for *_, run in stub.received if run == 1)
    assert KILL_AT <= first_run < CHATS
    per_chat = Counter(chat for chat, _, _ in stub.received)
    assert set(per_chat) == {f"chat-{index}" for index in range(CHATS)}
    assert all(text.startswith("Your digest: 3 new briefs") for _, text, _ in stub.received)
    twice = {chat for chat, count in per_chat.items() if count > 1}
    assert max(per_chat.values()) == 2
    # The message whose answer the kill cut off went out again; any other repeat was also a
    # claim the dead worker held, and the restarted worker counted each one.
    assert twice, "the delivery in flight at the kill should have gone out again"
    assert twice <= resent_chats
    assert metrics["resent_after_crash"] == len(resent_chats) <= BATCH
    assert metrics["sent"] == len(stub.received) - first_run == CHATS - first_run + len(twice)
    assert metrics["failed"] == 0
    assert RESENT in (tmp_path / "second.log").read_text()
