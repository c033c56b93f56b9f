"""The Slack side of the Slack tests: a loopback stub of the Web API, signed requests, and a
database with the sample feeds ingested (a fixture both Slack test modules import).

The stub answers Slack-shaped JSON (Content-Type application/json) for the methods the adapter
uses, records every call with its arguments, and can be told to fail a method: an error code,
an HTTP status (429 with Retry-After), once or every time. An unknown method answers
`unknown_method`, so a call the test did not expect shows up as an error, not as a silent ok.
It also serves response_url endpoints (`/respond/KEY`) and records what is posted there.

File uploads go in Slack's three steps: files.getUploadURLExternal announces a file (name and
length) and answers an upload URL on this stub (`/upload/FILE_ID`); the bytes are POSTed there
(recorded as the call `upload:FILE_ID`, its `data` the bytes); files.completeUploadExternal
shares the files in a channel, and answers `invalid_arguments` unless each was announced and
uploaded with its announced length.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import shutil
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.app import Runtime
from bot.config import Config, DatabaseConfig

BOT_USER = "UBOT"
TEAM = "T0DESK"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    authorized: bool


@dataclass
class Failure:
    error: str
    status: int = 200
    retry_after: int | None = None
    times: int | None = 1  # None: every call fails


@dataclass
class SlackStub:
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)
    base_url: str = ""
    _runner: web.AppRunner | None = None
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id → the bytes uploaded
    _announced: dict[str, tuple[str, int]] = field(default_factory=dict)  # id → (name, length)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/api/"
        return self.base_url

    async def stop(self) -> None:
        for connection in self._sockets:
            await connection.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def response_url(self, key: str) -> str:
        return self.base_url.replace("/api/", f"/respond/{key}")

    def fail(
        self,
        method: str,
        error: str,
        status: int = 200,
        retry_after: int | None = None,
        times: int | None = 1,
    ) -> None:
        self.failures[method] = Failure(error, status, retry_after, times)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        """The calls to `method` once there are `count` of them; polls with a deadline."""
        deadline = time.monotonic() + within
        while len(self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                seen = [call.method for call in self.calls]
                raise AssertionError(f"{count} x {method} not seen within {within} s: {seen}")
            await asyncio.sleep(0.01)
        return self.calls_to(method)

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        for key in ("blocks", "view"):  # form-encoded calls send these as JSON text
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = "xapp-" if method == "apps.connections.open" else "xoxb-"
        authorized = request.headers.get("Authorization", "").startswith(f"Bearer {token}")
        self.calls.append(Call(method, await self._arguments(request), authorized))
        failure = self.failures.get(method)
        if failure is not None:
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    del self.failures[method]
            headers = (
                {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            )
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        if not authorized:
            return web.json_response({"ok": False, "error": "not_authed"})
        return web.json_response(self._answer(method, self.calls[-1].args))

    def _answer(self, method: str, args: Mapping[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://desk.example.slack.com/",
                "team": "Desk",
                "user": "briefbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = args.get("ts") or f"1700000000.{next(self._ts):06d}"
            message = {"type": "message", "text": args.get("text", ""), "ts": ts}
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "views.publish":
            view = dict(args.get("view") or {})
            return {"ok": True, "view": {"id": "V0HOME", **view}}
        if method == "users.info":
            user = args.get("user", "")
            found = {"id": user, "name": user.lower(), "is_admin": False, "is_owner": False}
            found.update(self.users.get(user, {}))
            return {"ok": True, "user": found}
        if method == "conversations.info":
            channel = args.get("channel", "")
            found = {"id": channel, "name": channel.lower(), "is_private": False, "is_im": False}
            found.update(self.conversations.get(channel, {}))
            return {"ok": True, "channel": found}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.base_url.replace("/api/", "/socket")}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", ""))[1:]}}
        if method == "files.getUploadURLExternal":
            return self._announce(args)
        if method == "files.completeUploadExternal":
            return self._complete(args)
        return {"ok": False, "error": "unknown_method"}

    def _announce(self, args: Mapping[str, Any]) -> dict[str, Any]:
        name, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not name or not length.isdigit() or int(length) < 1:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F0FILE{next(self._file_ids):04d}"
        self._announced[file_id] = (name, int(length))
        upload_url = self.base_url.replace("/api/", f"/upload/{file_id}")
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def _complete(self, args: Mapping[str, Any]) -> dict[str, Any]:
        files = json.loads(args.get("files") or "[]")
        ids = [str(item.get("id")) for item in files]
        complete = all(
            file_id in self._announced
            and len(self.uploads.get(file_id, b"")) == self._announced[file_id][1]
            for file_id in ids
        )
        if not ids or not complete or not args.get("channel_id"):
            return {"ok": False, "error": "invalid_arguments"}
        shared = [
            {"id": item["id"], "name": self._announced[item["id"]][0], "title": item.get("title")}
            for item in files
        ]
        return {"ok": True, "files": shared}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        authorized = "Authorization" in request.headers
        self.calls.append(Call(f"upload:{file_id}", {"data": data}, authorized))
        if file_id not in self._announced:
            return web.Response(status=404, text="not found")
        self.uploads[file_id] = data
        return web.Response(text=f"OK - {len(data)}")

    async def _respond(self, request: web.Request) -> web.Response:
        args = await request.json()
        self.calls.append(Call(f"respond:{request.match_info['key']}", args, True))
        return web.Response(text="ok")

    # -- Socket Mode: one WebSocket per connection, envelopes pushed by the test -------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        connection = web.WebSocketResponse()
        await connection.prepare(request)
        self._sockets.append(connection)
        await connection.send_json({"type": "hello", "num_connections": 1})
        async for message in connection:
            answer = json.loads(message.data)
            self.calls.append(Call(f"envelope:{answer['envelope_id']}", answer, True))
        return connection

    async def push(self, envelope_type: str, payload: dict[str, Any], within: float = 10.0) -> str:
        """Send an envelope over the open Socket Mode connection; returns its id."""
        deadline = time.monotonic() + within
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError("no Socket Mode connection was opened")
            await asyncio.sleep(0.01)
        envelope_id = f"env-{next(self._ts)}"
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": payload,
                "accepts_response_payload": True,
            }
        )
        return envelope_id


# -- requests as Slack signs them ------------------------------------------------------------


def signature_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """`v0=` + HMAC-SHA256(secret, `v0:{timestamp}:{body}`), with its timestamp header."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


# fmt: off
def slash_command_body(text: str, channel: str = "C0DESK", user: str = "U0ANA",
                       channel_name: str = "security-desk",
                       response_url: str = "https://hooks.invalid/commands/1") -> str:
    return urlencode({
        "token": "legacy-verification", "team_id": TEAM, "team_domain": "desk",
        "channel_id": channel, "channel_name": channel_name, "user_id": user,
        "user_name": user.lower(), "command": "/brief", "text": text, "api_app_id": "A0APP",
        "is_enterprise_install": "false", "response_url": response_url, "trigger_id": "1.2.3",
    })


def block_actions_body(value: str, channel: str = "C0DESK", user: str = "U0ANA",
                       message_ts: str = "1700000000.000001", thread_ts: str | None = None,
                       response_url: str = "https://hooks.invalid/actions/1") -> str:
    """A button pressed on a message; its action_id is the command name with an index."""
    message: dict[str, Any] = {"type": "message", "ts": message_ts, "text": "a brief"}
    if thread_ts:
        message["thread_ts"] = thread_ts
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "desk"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0APP", "token": "legacy-verification", "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel, "name": "security-desk"}, "message": message,
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": f"{value.split(maxsplit=1)[0]}:0",
                     "block_id": "b1", "value": value,
                     "text": {"type": "plain_text", "text": value},
                     "action_ts": "1700000001.000000"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def home_press_body(value: str, user: str, private_metadata: str) -> str:
    """A button pressed in the App Home: no channel, no message, the view's metadata."""
    payload = {
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "team": {"id": TEAM},
        "api_app_id": "A0APP", "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "type": "home", "private_metadata": private_metadata},
        "actions": [{"type": "button", "action_id": "home:0", "value": value}],
    }
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any]) -> str:
    return json.dumps({
        "token": "legacy-verification", "team_id": TEAM, "api_app_id": "A0APP",
        "event": {"event_ts": "1700000002.000100", **event}, "type": "event_callback",
        "event_id": "Ev0001", "event_time": 1700000002,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    })
# fmt: on


# -- reading Block Kit back ------------------------------------------------------------------------


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every text in the blocks, one per line, for assertions."""
    found: list[str] = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text", "")
            found.append(text["text"] if isinstance(text, dict) else text)
    return "\n".join(found)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [el for block in blocks if block["type"] == "actions" for el in block["elements"]]


def button_values(blocks: list[dict[str, Any]]) -> list[str]:
    return [button["value"] for button in buttons(blocks)]


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [button["action_id"] for button in buttons(blocks)]


# -- a database with briefs, and a free port ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def seed_database(directory: Path) -> Path:
    """A database with the bundled sample feeds ingested (run from a sync, module-wide
    fixture: it runs its own event loop)."""
    path = directory / "seeded.db"

    async def seed() -> None:
        runtime = await Runtime.open(Config(database=DatabaseConfig(url=sqlite_url(path))))
        try:
            await runtime.sync_sources()
            await runtime.ingest(force=True)
        finally:
            await runtime.close()

    asyncio.run(seed())
    return path


def copy_db(seeded: Path, directory: Path) -> str:
    """A copy of the seeded database for one test; returns its URL."""
    database = directory / "briefbot.db"
    shutil.copy(seeded, database)
    return sqlite_url(database)
