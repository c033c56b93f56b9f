"""End to end on Telegram: the real bot process against a Bot API emulator on loopback.

The emulator is the npm package telegram-test-api, corrected for python-telegram-bot 22 by
tests/telegram_emulator/server.js. The test plays the people: private chat, group, forum topic,
channel; it reads what the bot sent through the emulator's client API.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.ingest.opml import read_opml

EMULATOR_DIR = Path(__file__).parent / "telegram_emulator"
BOT_USERNAME = "briefbot_test_bot"
BOT_USER: dict[str, Any] = {
    "id": 666,
    "is_bot": True,
    "first_name": "briefbot",
    "username": BOT_USERNAME,
}
WAIT = 30.0  # seconds for the bot to answer, start-up included
Message = dict[str, Any]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"`{name}` is not on PATH: the Telegram end-to-end tests need Node.js 20 and npm "
            "to run the Bot API emulator (tests/telegram_emulator)."
        )
    return found


@dataclass
class Emulator:
    """The user side of the emulator: send as a person, read what the bot sent."""

    url: str
    http: httpx.Client

    def _post(self, path: str, body: dict[str, Any], timeout: float = 10.0) -> Any:
        response = self.http.post(f"{self.url}{path}", json=body, timeout=timeout)
        assert response.status_code == 200, response.text
        return response.json()["result"]

    def say(
        self,
        token: str,
        chat: dict[str, Any],
        user: dict[str, Any] | None,
        text: str,
        reply_to: int | None = None,
        thread: int | None = None,
    ) -> None:
        message: dict[str, Any] = {
            "botToken": token,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if user is not None:
            message["from"] = user
        if reply_to is not None:
            message["reply_to_message"] = {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": "...",
            }
        if thread is not None:
            message.update(message_thread_id=thread, is_topic_message=True)
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}
            ]
            self._post("/sendCommand", message)
        else:
            self._post("/sendMessage", message)

    def press(
        self, token: str, chat: dict[str, Any], user: dict[str, Any], message_id: int, data: str
    ) -> None:
        self._post(
            "/sendCallback",
            {
                "botToken": token,
                "from": user,
                "data": data,
                "message": {"message_id": message_id, "chat": chat},
            },
        )

    def update(self, token: str, update: dict[str, Any]) -> None:
        self._post("/sendUpdate", {"botToken": token, "update": update})

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        self._post("/setChatMember", {"chatId": chat_id, "userId": user_id, "status": status})

    def wait_for(
        self, token: str, chat_id: int, done: Callable[[list[Message]], bool]
    ) -> list[Message]:
        """The bot's messages to this chat (each new or edited one once) until `done` says so."""
        seen: list[Message] = []
        deadline = time.monotonic() + WAIT
        while not done(seen):
            left = deadline - time.monotonic()
            if left <= 0:
                texts = [item["message"].get("text", "")[:200] for item in seen]
                pytest.fail(f"the bot did not answer as expected in chat {chat_id}: {texts}")
            seen += self._post(
                "/getUpdates",
                {"token": token, "chatId": chat_id, "timeout": min(left, 5)},
                timeout=left + 5,
            )
        return seen

    def answer(self, token: str, chat_id: int, *needles: str) -> list[Message]:
        """Wait until the bot's messages to the chat contain every needle."""
        return self.wait_for(
            token,
            chat_id,
            lambda seen: all(
                any(needle in item["message"].get("text", "") for item in seen)
                for needle in needles
            ),
        )

    def bot_api(self, token: str, method: str, **params: Any) -> Any:
        return self._post(f"/bot{token}/{method}", params)

    def download(self, token: str, file_id: str) -> bytes:
        """A file the bot sent, fetched as a person's client would: getFile, then its path."""
        path = self.bot_api(token, "getFile", file_id=file_id)["file_path"]
        response = self.http.get(f"{self.url}/file/bot{token}/{path}", timeout=10.0)
        assert response.status_code == 200, response.text
        return response.content


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    node, npm = _tool("node"), _tool("npm")
    if not (EMULATOR_DIR / "node_modules" / "telegram-test-api").is_dir():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=EMULATOR_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if installed.returncode != 0:
            pytest.fail(f"`npm ci` in {EMULATOR_DIR} failed:\n{installed.stderr[-2000:]}")
    process = subprocess.Popen(
        [node, "server.js", "--port", "0", "--bot-username", BOT_USERNAME],
        cwd=EMULATOR_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready = process.stdout.readline()  # "listening on PORT", or "" if node died
    assert ready.startswith("listening on "), f"the emulator did not start: {ready!r}"
    with httpx.Client() as http:
        yield Emulator(f"http://127.0.0.1:{ready.split()[-1]}", http)
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture(scope="module")
def briefs_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the bundled sample feeds' briefs, made by `briefbot demo`."""
    folder = tmp_path_factory.mktemp("demo")
    env = _env(folder / "b.db")
    demo = subprocess.run(
        [sys.executable, "-m", "bot.cli", "-q", "demo"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    return folder / "b.db"


def _env(database: Path, **telegram: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIEFBOT_")}
    env["BRIEFBOT_DATABASE__URL"] = f"sqlite+aiosqlite:///{database}"
    env.update({f"BRIEFBOT_TELEGRAM__{key.upper()}": value for key, value in telegram.items()})
    return env


@contextmanager
def running_bot(
    folder: Path,
    briefs: Path,
    emulator: Emulator,
    token: str,
    admins: tuple[int, ...] = (),
    prepare: Callable[[Path], None] | None = None,
    **settings: str,
) -> Iterator[Path]:
    """The bot process on a copy of the demo database (changed by `prepare` first, if given);
    yields the database path. On exit the process is stopped with SIGTERM and must have shut
    down cleanly, logging no secret."""
    database = folder / "b.db"
    shutil.copy(briefs, database)
    if prepare is not None:
        prepare(database)
    env = _env(
        database,
        token=token,
        base_url=f"{emulator.url}/bot",
        base_file_url=f"{emulator.url}/file/bot",
        **settings,
    )
    if admins:
        env["BRIEFBOT_ADMIN__TELEGRAM_IDS"] = json.dumps(list(admins))
    log_path = folder / "bot.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=folder,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            yield database
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    logs = log_path.read_text()
    assert process.returncode == 0, logs[-3000:]
    assert "Traceback" not in logs, logs[-3000:]
    for secret in [token, *[v for k, v in settings.items() if "secret" in k]]:
        assert secret not in logs


def _buttons(item: Message) -> list[str]:
    markup = item["message"].get("reply_markup") or {}
    return [button["callback_data"] for row in markup.get("inline_keyboard", []) for button in row]


def _with(messages: list[Message], needle: str) -> Message:
    return next(item for item in messages if needle in item["message"].get("text", ""))


def _query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def _add_web_feed(database: Path) -> None:
    """A source fetched over https, which an OPML export carries (the demo's are local files).
    It is never due, so the bot does not try to fetch it."""
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute(
            "INSERT INTO sources (url, name, topics, interval_minutes, origin, enabled, failures,"
            " created_at, next_fetch_at) VALUES (?, ?, ?, 15, 'chat', 1, 0, ?, ?)",
            (WEB_FEED, "Desk Wire", '["libya"]', "2025-01-01 00:00:00", "2999-01-01 00:00:00"),
        )


def _chat_rows(database: Path) -> dict[str, tuple[str, bool]]:
    """external id → (kind, active) of every Telegram chat the bot knows."""
    rows = _query(
        database, "SELECT external_id, kind, active FROM chats WHERE platform = 'telegram'"
    )
    return {external_id: (kind, bool(active)) for external_id, kind, active in rows}


def _wait_until(condition: Callable[[], bool]) -> None:
    """For effects the bot does not announce (a chat marked inactive): check until a deadline."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            if condition():
                return
        except sqlite3.OperationalError:  # the bot is writing; read again
            pass
        assert time.monotonic() < deadline, "the bot did not record the change in time"
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


ANN: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Ann"}
PRIVATE: dict[str, Any] = {"id": 1001, "type": "private", "first_name": "Ann"}
ADMIN: dict[str, Any] = {"id": 3001, "is_bot": False, "first_name": "Karim"}
MEMBER: dict[str, Any] = {"id": 3002, "is_bot": False, "first_name": "Lina"}
GROUP: dict[str, Any] = {"id": -2001, "type": "group", "title": "Desk"}
FORUM: dict[str, Any] = {
    "id": -100300,
    "type": "supergroup",
    "title": "Watch floor",
    "is_forum": True,
}
CHANNEL: dict[str, Any] = {"id": -100400, "type": "channel", "title": "Briefs channel"}
WEB_FEED = "https://feeds.example.org/desk-wire.xml"


def test_a_person_subscribes_asks_follows_up_and_presses_buttons(
    tmp_path: Path, briefs_db: Path, emulator: Emulator
) -> None:
    token = "100001:e2e-private-chat-token-abcdefgh"
    with running_bot(tmp_path, briefs_db, emulator, token) as database:
        emulator.say(token, PRIVATE, ANN, "/start")
        welcome = emulator.answer(token, 1001, "Welcome to briefbot")
        assert "topics" in _buttons(welcome[-1])
        menu = [entry["command"] for entry in emulator.bot_api(token, "getMyCommands")]
        assert {"start", "help", "subscribe", "brief", "more"} <= set(menu)
        assert "addsource" not in menu  # admin commands stay out of everyone's menu

        emulator.say(token, PRIVATE, ANN, "/subscribe tunisia")
        emulator.answer(token, 1001, "Subscribed to Tunisia")

        emulator.say(token, PRIVATE, ANN, "/brief tunisia 1")
        shown = _with(emulator.answer(token, 1001, "Latest on Tunisia"), "Latest on Tunisia")
        card = shown["message"]
        assert card["parse_mode"] == "HTML"
        assert json.loads(card["link_preview_options"]) == {"is_disabled": True}
        code = next(data.split()[1] for data in _buttons(shown) if data.startswith("more "))
        assert f"#{code}" in card["text"]

        emulator.say(token, PRIVATE, ANN, "actors", reply_to=shown["messageId"])
        emulator.answer(token, 1001, f"Actors in {code}")

        emulator.press(token, PRIVATE, ANN, shown["messageId"], f"source {code}")
        emulator.answer(token, 1001, f"Sources for {code}")

        older = next(data for data in _buttons(shown) if data.endswith(" p2"))
        emulator.press(token, PRIVATE, ANN, shown["messageId"], older)
        edited = emulator.wait_for(
            token, 1001, lambda seen: any(item["messageId"] == shown["messageId"] for item in seen)
        )
        page_two = next(item for item in edited if item["messageId"] == shown["messageId"])
        assert page_two.get("edited") and "page 2" in page_two["message"]["text"]
        assert f"#{code}" not in page_two["message"]["text"]

        emulator.say(token, PRIVATE, ANN, "/subscibe sahel")
        emulator.answer(token, 1001, "Did you mean /subscribe?")
    assert _chat_rows(database) == {"1001": ("private", True)}


def test_groups_topics_and_channels(tmp_path: Path, briefs_db: Path, emulator: Emulator) -> None:
    token = "100002:e2e-group-chat-token-abcdefghi"
    emulator.set_member(GROUP["id"], ADMIN["id"], "administrator")
    emulator.set_member(GROUP["id"], MEMBER["id"], "member")
    emulator.set_member(FORUM["id"], MEMBER["id"], "creator")
    with running_bot(tmp_path, briefs_db, emulator, token) as database:
        emulator.say(token, GROUP, MEMBER, f"/subscribe@{BOT_USERNAME} tunisia")
        emulator.answer(token, GROUP["id"], "only its admins can use /subscribe")
        emulator.say(token, GROUP, ADMIN, f"/subscribe@{BOT_USERNAME} tunisia")
        emulator.answer(token, GROUP["id"], "Subscribed to Tunisia")

        emulator.say(token, FORUM, MEMBER, f"/subscribe@{BOT_USERNAME} sahel", thread=77)
        emulator.answer(token, FORUM["id"], "Subscribed to Sahel")
        emulator.say(token, FORUM, ADMIN, f"/brief@{BOT_USERNAME} sahel 1", thread=77)
        in_topic = _with(emulator.answer(token, FORUM["id"], "Latest on Sahel"), "Latest on")
        assert in_topic["message"]["message_thread_id"] == "77"

        emulator.update(
            token,
            {
                "channel_post": {
                    "message_id": 5,
                    "date": int(time.time()),
                    "chat": CHANNEL,
                    "sender_chat": CHANNEL,
                    "text": "/subscribe libya",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
                }
            },
        )
        emulator.answer(token, CHANNEL["id"], "Subscribed to Libya")

        emulator.update(
            token,
            {
                "my_chat_member": {
                    "chat": GROUP,
                    "from": ADMIN,
                    "date": int(time.time()),
                    "old_chat_member": {"status": "member", "user": BOT_USER},
                    "new_chat_member": {"status": "kicked", "user": BOT_USER, "until_date": 0},
                }
            },
        )
        _wait_until(lambda: _chat_rows(database)[str(GROUP["id"])] == ("group", False))
    rows = _chat_rows(database)
    assert rows[str(CHANNEL["id"])] == ("channel", True)
    assert rows[str(FORUM["id"])] == ("group", True)
    subscriptions = _query(
        database,
        "SELECT chats.external_id, topic, thread_id FROM subscriptions "
        "JOIN chats ON chats.id = subscriptions.chat_id ORDER BY chats.external_id",
    )
    assert sorted(subscriptions) == sorted(
        [
            (str(GROUP["id"]), "tunisia", None),
            (str(FORUM["id"]), "sahel", "77"),  # alerts and digests go to the topic it came from
            (str(CHANNEL["id"]), "libya", None),
        ]
    )


def test_webhook_mode_checks_the_secret_token(
    tmp_path: Path, briefs_db: Path, emulator: Emulator
) -> None:
    token = "100003:e2e-webhook-token-abcdefghijkl"
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/telegram-updates"
    with running_bot(
        tmp_path,
        briefs_db,
        emulator,
        token,
        mode="webhook",
        webhook_url=hook,
        listen="127.0.0.1",
        port=str(port),
        secret_token="e2e-webhook-secret",
    ):
        emulator.say(token, PRIVATE, ANN, "/start")  # queued until the webhook is set
        emulator.answer(token, 1001, "Welcome to briefbot")
        forged = {
            "update_id": 999,
            "message": {
                "message_id": 9,
                "date": int(time.time()),
                "chat": PRIVATE,
                "from": ANN,
                "text": "/pause",
            },
        }
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            response = httpx.post(hook, json=forged, headers=headers, timeout=10)
            assert response.status_code == 403


def test_an_admin_gets_the_sources_as_an_opml_document_in_the_topic(
    tmp_path: Path, briefs_db: Path, emulator: Emulator
) -> None:
    token = "100004:e2e-document-token-abcdefghijk"
    with running_bot(
        tmp_path, briefs_db, emulator, token, admins=(ADMIN["id"],), prepare=_add_web_feed
    ):
        emulator.say(token, FORUM, ADMIN, f"/sources@{BOT_USERNAME} opml", thread=78)
        seen = emulator.wait_for(
            token, FORUM["id"], lambda seen: any("document" in item["message"] for item in seen)
        )
        text, document = (item["message"] for item in seen)
        data = emulator.download(token, document["document"]["file_id"])
    assert text["text"].startswith("Sources as OPML: 1 feed, in the file briefbot-sources.opml")
    assert text["message_thread_id"] == document["message_thread_id"] == "78"
    assert document["chat_id"] == str(FORUM["id"])
    assert document["document"]["file_name"] == "briefbot-sources.opml"
    assert document["document"]["mime_type"] == "text/x-opml"
    assert document["document"]["file_size"] == len(data)
    assert data.startswith(b"<?xml") and b"<title>briefbot sources</title>" in data
    [feed] = read_opml(data)
    assert (feed.url, feed.name, feed.categories) == (WEB_FEED, "Desk Wire", ("libya",))
