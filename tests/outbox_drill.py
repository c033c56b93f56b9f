"""A crash drill for the outbox: one worker process draining digests to a stub platform.

    python -m tests.outbox_drill --db URL --stub URL [--queue N] [--lease SECONDS]

With `--queue N` it first seeds N chats with one queued digest each. It then runs an outbox
worker until nothing is left unsettled, and prints one JSON line: the worker's counters and the
chats whose delivery was claimed again after a lapsed claim. tests/test_outbox_crash.py kills it
with SIGKILL mid-drain and starts it again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.analysis.topics import load_topics
from bot.bench.deliver import drain_until_settled, seed_digests
from bot.bench.stub_platform import HttpSender
from bot.delivery.outbox import OutboxSettings, OutboxWorker
from bot.storage import db
from bot.storage.models import ChatRow, DeliveryRow

PLATFORM = "drill"


async def drill(url: str, stub_url: str, queue: int, lease: float) -> dict[str, object]:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
        sessions = db.sessions(engine)
        if queue:
            async with sessions() as session, session.begin():
                await seed_digests(session, queue, datetime.now(UTC), platform=PLATFORM)
        settings = OutboxSettings(
            batch_size=100, concurrency=16, lease=timedelta(seconds=lease), idle_seconds=0.1
        )
        async with HttpSender(stub_url) as sender:
            worker = OutboxWorker(
                sessions, {PLATFORM: sender.send}, load_topics(), settings=settings
            )
            await drain_until_settled([worker])
        async with sessions() as session:
            resent = await session.scalars(
                select(ChatRow.external_id)
                .join(DeliveryRow, DeliveryRow.chat_id == ChatRow.id)
                .where(DeliveryRow.resends > 0)
            )
            return {"metrics": worker.metrics.as_dict(), "resent_chats": sorted(resent)}
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.outbox_drill")
    parser.add_argument("--db", required=True)
    parser.add_argument("--stub", required=True)
    parser.add_argument("--queue", type=int, default=0)
    parser.add_argument("--lease", type=float, default=2.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    summary = asyncio.run(drill(args.db, args.stub, args.queue, args.lease))
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
