"""A loopback stub chat platform for the outbox bench and drills, and senders that talk to it.

Run it in a process of its own (`python -m bot.bench.stub_platform`), so the worker being
measured has its event loop to itself, as it would against a real platform. It prints
`ports HTTP LINES` and serves two front doors onto one record of what it received:
- HTTP: `POST /send` with `{"chat", "text", "thread"}`, the shape of a chat platform's web API;
  `GET /stats`.
- lines: newline-delimited JSON requests `{"id", "chat", "text"}` over one TCP connection,
  answered by id (out of order when there is a latency). Framing costs next to nothing, so what
  is measured is the outbox, not an HTTP stack.

It answers each message after an optional fixed latency, and, given a cap, with 429 and
`retry_after` once a token bucket holding one second's worth of messages is empty. The senders
map answers as the platform adapters do: 429 → `RetryLater`, 403 → `ChatGone`; with a rate limit
they pace themselves with an aiolimiter bucket.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from aiolimiter import AsyncLimiter

from bot.adapters.errors import ChatGone, RetryLater
from bot.chat import Reply, Text
from bot.render.plain import render_plain


def headline(reply: Reply) -> str:
    """The first line of a reply: all a stub needs to see (rendering whole cards is the
    adapters' cost)."""
    first = reply.parts[0] if reply.parts else None
    return first.text if isinstance(first, Text) else ""


@dataclass
class StubState:
    latency: float = 0.0
    cap: float | None = None
    seen: dict[str, int] = field(default_factory=dict)
    received: int = 0
    rejected: int = 0
    _tokens: float = 0.0
    _stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._tokens = self.cap or 0.0

    def _take(self) -> bool:
        if not self.cap:
            return True
        now = time.monotonic()
        self._tokens = min(self.cap, self._tokens + (now - self._stamp) * self.cap)
        self._stamp = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def receive(self, chat: str) -> dict[str, Any]:
        if not self._take():
            self.rejected += 1
            return {"status": 429, "retry_after": 1}
        self.received += 1
        self.seen[chat] = self.seen.get(chat, 0) + 1
        return {"status": 200, "message_id": self.received}

    def stats(self) -> dict[str, int]:
        twice = sum(1 for count in self.seen.values() if count > 1)
        return {
            "received": self.received,
            "rejected": self.rejected,
            "chats": len(self.seen),
            "duplicated": twice,
        }


def http_app(state: StubState) -> web.Application:
    async def send(request: web.Request) -> web.Response:
        payload = await request.json()
        if state.latency:
            await asyncio.sleep(state.latency)
        answer = state.receive(payload["chat"])
        return web.json_response(answer, status=answer["status"])

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(state.stats())

    app = web.Application()
    app.router.add_post("/send", send)
    app.router.add_get("/stats", stats)
    return app


def lines_handler(
    state: StubState,
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        later: set[asyncio.Task[None]] = set()

        async def answer(request: dict[str, Any]) -> None:
            if state.latency:
                await asyncio.sleep(state.latency)
            reply = {"id": request["id"], **state.receive(request["chat"])}
            writer.write(json.dumps(reply).encode() + b"\n")

        while line := await reader.readline():
            request = json.loads(line)
            if not state.latency:
                await answer(request)
                continue
            task = asyncio.create_task(answer(request))
            later.add(task)
            task.add_done_callback(later.discard)
        writer.close()

    return handle


async def serve(latency: float, cap: float | None) -> None:
    state = StubState(latency, cap)
    runner = web.AppRunner(http_app(state), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    lines = await asyncio.start_server(lines_handler(state), "127.0.0.1", 0)
    http_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"ports {http_port} {lines.sockets[0].getsockname()[1]}", flush=True)
    try:
        async with lines:
            await lines.serve_forever()
    finally:
        await runner.cleanup()


@dataclass(frozen=True, slots=True)
class StubAddress:
    http_url: str
    lines_port: int

    async def stats(self) -> dict[str, int]:
        async with (
            aiohttp.ClientSession() as client,
            client.get(f"{self.http_url}/stats") as response,
        ):
            return dict(await response.json())


@asynccontextmanager
async def stub_process(
    latency: float = 0.0, cap: float | None = None
) -> AsyncIterator[StubAddress]:
    """The stub platform in a child process."""
    arguments = ["-m", "bot.bench.stub_platform", "--latency", str(latency)]
    if cap:
        arguments += ["--cap", str(cap)]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *arguments, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().split()
        if len(line) != 3 or line[0] != "ports":
            raise RuntimeError("the stub platform did not start")
        yield StubAddress(f"http://127.0.0.1:{int(line[1])}", int(line[2]))
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


def _ids(answer: dict[str, Any]) -> list[str]:
    status = answer.get("status", 200)
    if status == 429:
        raise RetryLater(float(answer.get("retry_after", 1)), "rate limited (429)")
    if status == 403:
        raise ChatGone(str(answer.get("description", "forbidden")))
    if status != 200:
        raise RuntimeError(f"stub platform answered {status}")
    return [str(answer["message_id"])]


class HttpSender:
    """`send` over HTTP, one request per message (aiohttp, kept-alive connections)."""

    def __init__(
        self,
        base_url: str,
        rate_limit: float | None = None,
        render: Callable[[Reply], str] = render_plain,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.render = render
        self.limiter = AsyncLimiter(max(rate_limit / 10, 1), 0.1) if rate_limit else None
        self.client: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpSender:
        self.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self.client is not None:
            await self.client.close()

    async def send(
        self, chat_external_id: str, reply: Reply, thread_id: str | None = None
    ) -> list[str]:
        assert self.client is not None, "use the sender as an async context manager"
        if self.limiter is not None:
            await self.limiter.acquire()
        payload = {"chat": chat_external_id, "text": self.render(reply), "thread": thread_id}
        try:
            async with self.client.post(f"{self.base_url}/send", json=payload) as response:
                answer = await response.json()
        except aiohttp.ClientError as error:
            raise RetryLater(1.0, f"network: {type(error).__name__}") from error
        return _ids({"status": response.status, **answer})


class LineSender:
    """`send` as newline-delimited JSON over one connection, answers matched by id."""

    def __init__(self, port: int, render: Callable[[Reply], str] = headline) -> None:
        self.port = port
        self.render = render
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.next_id = 0

    async def __aenter__(self) -> LineSender:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.reading = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.writer.close()
        await self.reading

    async def _read(self) -> None:
        while line := await self.reader.readline():
            answer = json.loads(line)
            self.waiting.pop(answer["id"]).set_result(answer)
        for waiting in self.waiting.values():
            waiting.set_exception(ConnectionError("stub platform closed the connection"))

    async def send(
        self, chat_external_id: str, reply: Reply, thread_id: str | None = None
    ) -> list[str]:
        self.next_id += 1
        answer = self.waiting[self.next_id] = asyncio.get_running_loop().create_future()
        request = {"id": self.next_id, "chat": chat_external_id, "text": self.render(reply)}
        self.writer.write(json.dumps(request).encode() + b"\n")
        return _ids(await answer)


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.stub_platform")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before answering")
    parser.add_argument("--cap", type=float, default=None, help="messages per second, then 429")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.latency, args.cap))


if __name__ == "__main__":
    _main()
