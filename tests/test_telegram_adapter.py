"""The Telegram adapter without a network: PTB's request seam answers from canned JSON.

Updates are fed to the real PTB Application (`process_update`), so handlers, filters, the
command parsing of PTB and the adapter's rendering and error handling all run as in production.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.adapters.errors import ChatGone, RetryLater
from bot.adapters.telegram import TelegramBot
from bot.adapters.telegram_updates import (
    ChatOrderedProcessor,
    callback_command,
    message_command,
    parse_command_text,
)
from bot.analysis.pipeline import Analyser
from bot.app import Runtime
from bot.chat import Button, ButtonRow, File, Reply, Text
from bot.config import Config, ConfigError, DatabaseConfig, TelegramConfig
from bot.domain import Actor, ActorKind, Analysis, Article, ChatKind
from bot.render.telegram import CALLBACK_LIMIT
from bot.storage import briefs as brief_store
from bot.storage import db
from bot.storage.messages import brief_for_message, remember_message
from handlers.dispatch import find_spec

TOKEN = "4242424:unit-test-token-AAAAAAAAAAAAAAAAAAAAAA"
USERNAME = "briefbot_test_bot"
BOT_USER: dict[str, Any] = {
    "id": 666,
    "is_bot": True,
    "first_name": "briefbot",
    "username": USERNAME,
}
ANN: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Ann"}
KARIM: dict[str, Any] = {"id": 3001, "is_bot": False, "first_name": "Karim"}
LINA: dict[str, Any] = {"id": 3002, "is_bot": False, "first_name": "Lina"}
PRIVATE: dict[str, Any] = {"id": 1001, "type": "private", "first_name": "Ann"}
GROUP: dict[str, Any] = {"id": -2001, "type": "group", "title": "Desk"}
FORUM: dict[str, Any] = {
    "id": -100300,
    "type": "supergroup",
    "title": "Watch floor",
    "is_forum": True,
}
CHANNEL: dict[str, Any] = {"id": -100400, "type": "channel", "title": "Briefs channel"}
NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)
DATE = 1765618200
HOSTILE_TITLE = "<script>alert('x')</script> Sfax & Gabès <b>port deal"


class CannedBotApi(BaseRequest):
    """PTB's request seam: every Bot API call is recorded and answered from canned JSON."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.uploads: list[tuple[str, dict[str, Any]]] = []  # (method, multipart files)
        self.failures: dict[str, list[tuple[int, dict[str, Any]] | Exception]] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.next_message_id = 500
        self.never = asyncio.Event()

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def fail(self, method: str, failure: tuple[int, dict[str, Any]] | Exception) -> None:
        self.failures.setdefault(method, []).append(failure)

    async def do_request(  # type: ignore[override]  # the timeouts are not used here
        self, url: str, method: str, request_data: RequestData | None = None, **_timeouts: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        self.calls.append((endpoint, params))
        if request_data is not None and request_data.contains_files:
            self.uploads.append((endpoint, dict(request_data.multipart_data)))
        if self.failures.get(endpoint):
            failure = self.failures[endpoint].pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure[0], json.dumps(failure[1]).encode()
        if endpoint == "getUpdates" and params.get("timeout"):
            await self.never.wait()  # long polling with nothing to deliver; cancelled on stop
        return 200, json.dumps({"ok": True, "result": self._answer(endpoint, params)}).encode()

    def _answer(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return BOT_USER
        if endpoint == "getUpdates":
            return []
        if endpoint in ("sendMessage", "editMessageText"):
            message_id = params.get("message_id") or self.next_message_id
            self.next_message_id += 1
            return {
                "message_id": message_id,
                "date": DATE,
                "text": params["text"],
                "chat": {"id": int(params["chat_id"]), "type": "private"},
            }
        if endpoint == "sendDocument":
            name, _, media_type = self.uploads[-1][1]["document"]
            self.next_message_id += 1
            return {
                "message_id": self.next_message_id - 1,
                "date": DATE,
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "document": {
                    "file_id": "f1",
                    "file_unique_id": "u1",
                    "file_name": name,
                    "mime_type": media_type,
                },
            }
        if endpoint == "getChatMember":
            status = self.members.get((int(params["chat_id"]), int(params["user_id"])), "member")
            return {
                "status": status,
                "user": {"id": params["user_id"], "is_bot": False, "first_name": "Someone"},
                "is_anonymous": False,
            }
        return True

    def sent(self, endpoint: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == endpoint]

    def texts(self) -> list[str]:
        return [params["text"] for params in self.sent()]


@dataclass
class Harness:
    bot: TelegramBot
    api: CannedBotApi
    runtime: Runtime
    statuses: list[tuple[str, str, bool]] = field(default_factory=list)
    clock: list[float] = field(default_factory=lambda: [1000.0])
    next_update: int = 1

    async def feed(self, update: dict[str, Any]) -> None:
        self.next_update += 1
        data = {"update_id": self.next_update, **update}
        await self.bot.app.process_update(Update.de_json(data, self.bot.app.bot))

    async def say(
        self,
        text: str,
        chat: dict[str, Any] = PRIVATE,
        user: dict[str, Any] | None = ANN,
        **extra: Any,
    ) -> list[str]:
        before = len(self.api.sent())
        await self.feed({"message": _message(text, chat, user, **extra)})
        return self.api.texts()[before:]

    async def press(
        self,
        data: str,
        chat: dict[str, Any] = PRIVATE,
        user: dict[str, Any] = ANN,
        message_id: int = 77,
    ) -> None:
        shown = {
            "message_id": message_id,
            "date": DATE,
            "chat": chat,
            "from": BOT_USER,
            "text": "a card",
        }
        await self.feed(
            {
                "callback_query": {
                    "id": "cb1",
                    "from": user,
                    "chat_instance": "c1",
                    "message": shown,
                    "data": data,
                }
            }
        )


def _message(
    text: str,
    chat: dict[str, Any],
    user: dict[str, Any] | None,
    message_id: int = 9,
    reply_to: int | None = None,
    thread: int | None = None,
    sender_chat: dict[str, Any] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": message_id, "date": DATE, "chat": chat, "text": text}
    if user is not None:
        message["from"] = user
    if sender_chat is not None:
        message["sender_chat"] = sender_chat
    if text.startswith("/"):
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}
        ]
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "date": DATE,
            "chat": chat,
            "from": BOT_USER,
            "text": "a card",
        }
    if thread is not None:
        message.update(message_thread_id=thread, is_topic_message=True)
    return message


def _parsed(data: dict[str, Any]) -> Any:
    return Update.de_json({"update_id": 1, **data}, None)


async def _add_brief(
    runtime: Runtime,
    title: str,
    outlet: str = "Example News",
    url: str = "https://news.example.org/a1",
) -> int:
    article = Article(
        identity=f"id:{title}",
        title=title,
        url=url,
        summary="Officials met on Friday.",
        text="",
        outlet=outlet,
        published_at=NOW,
    )
    analysis = Analysis(
        language="en",
        topics=("tunisia",),
        actors=(Actor("Khaled Shtili", ActorKind.PERSON, "Defence Minister"),),
        event=f"{title} & more <i>unclosed",
        implications=("A <b>risk & more.",),
    )
    async with runtime.sessions() as session, session.begin():
        return await brief_store.create_brief(session, article, analysis, None, NOW)


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser.load()


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test works on its own copy."""
    path = tmp_path_factory.mktemp("telegram") / "template.db"

    async def migrate() -> None:
        engine = db.create_engine(f"sqlite+aiosqlite:///{path}")
        await db.upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture
async def runtime(tmp_path: Path, migrated_db: Path, analyser: Analyser) -> AsyncIterator[Runtime]:
    shutil.copy(migrated_db, tmp_path / "b.db")
    config = Config(database=DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path}/b.db"))
    engine = db.create_engine(config.database.url)
    yield Runtime(config, engine, db.sessions(engine), analyser)
    await engine.dispose()


async def _ignore(platform: str, chat: str, active: bool) -> None:
    return None


@pytest.fixture
async def harness(runtime: Runtime) -> AsyncIterator[Harness]:
    api = CannedBotApi()
    statuses: list[tuple[str, str, bool]] = []

    async def on_chat_status(platform: str, chat: str, active: bool) -> None:
        statuses.append((platform, chat, active))

    clock = [1000.0]
    bot = TelegramBot(
        TelegramConfig(token=SecretStr(TOKEN)),
        runtime.context(),
        on_chat_status,
        request=api,
        monotonic=lambda: clock[0],
    )
    await bot.app.initialize()
    yield Harness(bot, api, runtime, statuses=statuses, clock=clock)
    await bot.app.shutdown()


class TelegramHtml(HTMLParser):
    """Checks text the way Telegram's HTML parse mode does: known tags, balanced, no raw `<`."""

    ALLOWED = frozenset({"b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            self.problems.append(f"tag {tag}")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"unbalanced {tag}")

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.problems.append(f"raw bracket in {data!r}")

    @classmethod
    def problems_in(cls, text: str) -> list[str]:
        checker = cls()
        checker.feed(text)
        checker.close()
        return checker.problems + [f"unclosed {tag}" for tag in checker.open]


# Update → Command ---------------------------------------------------------------------------


def test_private_command_with_arguments() -> None:
    update = _parsed({"message": _message("/subscribe north africa security", PRIVATE, ANN)})
    command = message_command(update.message, update.message.text)
    assert command is not None
    assert (command.platform, command.chat_id, command.chat_kind) == (
        "telegram",
        "1001",
        ChatKind.PRIVATE,
    )
    assert (command.name, command.args, command.text) == (
        "subscribe",
        ("north", "africa", "security"),
        "north africa security",
    )
    assert command.user_id == "1001" and command.user_is_chat_admin
    assert command.thread_id is None and command.reply_to_brief is None


def test_group_command_addressed_with_the_bot_name() -> None:
    text = f"/Subscribe@{USERNAME} tunisia"
    assert parse_command_text(text) == ("subscribe", USERNAME, ("tunisia",), "tunisia")
    command = message_command(_parsed({"message": _message(text, GROUP, KARIM)}).message, text)
    assert command is not None
    assert (command.name, command.args, command.chat_kind) == (
        "subscribe",
        ("tunisia",),
        ChatKind.GROUP,
    )
    assert command.user_id == "3001" and not command.user_is_chat_admin  # asked later if needed
    assert command.chat_title == "Desk"


def test_supergroup_forum_topic_keeps_its_thread() -> None:
    topic = _parsed({"message": _message("/brief sahel", FORUM, KARIM, thread=77)}).message
    command = message_command(topic, topic.text)
    assert command is not None and command.chat_kind is ChatKind.GROUP
    assert command.thread_id == "77"
    reply_thread = _message("/brief", FORUM, KARIM)
    reply_thread["message_thread_id"] = 12  # a reply thread outside forum topics
    command = message_command(_parsed({"message": reply_thread}).message, "/brief")
    assert command is not None and command.thread_id is None


def test_channel_posts_and_anonymous_admins_count_as_chat_admins() -> None:
    post = _message("/subscribe libya", CHANNEL, None, sender_chat=CHANNEL)
    command = message_command(_parsed({"channel_post": post}).channel_post, "/subscribe libya")
    assert command is not None
    assert command.chat_kind is ChatKind.CHANNEL and command.user_is_chat_admin
    assert command.user_id == str(CHANNEL["id"])
    anonymous = _message(
        "/pause", GROUP, {"id": 1087968824, "is_bot": True, "first_name": "G"}, sender_chat=GROUP
    )
    command = message_command(_parsed({"message": anonymous}).message, "/pause")
    assert command is not None and command.user_is_chat_admin


def test_start_ignores_the_deep_link_payload() -> None:
    command = message_command(
        _parsed({"message": _message("/start ref-42", PRIVATE, ANN)}).message, "/start ref-42"
    )
    assert command is not None and (command.name, command.args) == ("start", ())


def test_callback_data_becomes_the_command_it_stands_for() -> None:
    shown = _message("a card", FORUM, BOT_USER, message_id=31, thread=77)
    query = _parsed(
        {
            "callback_query": {
                "id": "q",
                "from": LINA,
                "chat_instance": "i",
                "message": shown,
                "data": "brief tunisia 5 p2",
            }
        }
    )
    command = callback_command(query.callback_query)
    assert command is not None
    assert (command.name, command.args, command.text) == (
        "brief",
        ("tunisia", "5", "p2"),
        "tunisia 5 p2",
    )
    assert (command.chat_id, command.user_id, command.thread_id) == ("-100300", "3002", "77")
    assert command.chat_kind is ChatKind.GROUP and not command.user_is_chat_admin
    inline = _parsed(
        {
            "callback_query": {
                "id": "q",
                "from": LINA,
                "chat_instance": "i",
                "inline_message_id": "x",
                "data": "more B1",
            }
        }
    )
    assert callback_command(inline.callback_query) is None


# Through the application ----------------------------------------------------------------------


async def test_reply_to_a_brief_message_asks_about_that_brief(harness: Harness) -> None:
    brief_id = await _add_brief(harness.runtime, "Tunisia and Italy sign a coast guard deal")
    async with harness.runtime.sessions() as session, session.begin():
        await remember_message(session, "telegram", "-2001", "41", brief_id, NOW)
    assert (await harness.say("actors", GROUP, LINA, reply_to=41))[0].startswith(
        f"<b>Actors in B{brief_id}"
    )
    assert f"Sources for B{brief_id}" in (await harness.say("/source", GROUP, LINA, reply_to=41))[0]
    assert await harness.say("thanks, good read", GROUP, LINA, reply_to=41) == []
    assert await harness.say("actors", GROUP, LINA, reply_to=40) == []  # not a brief message
    assert await harness.say("actors", GROUP, LINA) == []  # group chatter is not for the bot
    assert "Which brief?" in (await harness.say("actors", PRIVATE, ANN))[0]


async def test_commands_for_other_bots_or_unknown_in_groups_are_left_alone(
    harness: Harness,
) -> None:
    assert await harness.say("/subscribe@some_other_bot tunisia", GROUP, KARIM) == []
    assert await harness.say("/weather", GROUP, KARIM) == []
    assert "I don't know /weather" in (await harness.say(f"/weather@{USERNAME}", GROUP, KARIM))[0]
    assert "I don't know /weather" in (await harness.say("/weather", PRIVATE, ANN))[0]
    assert "briefbot commands" in (await harness.say("help", PRIVATE, ANN))[0]


async def test_group_admin_status_is_asked_only_when_needed_and_cached(harness: Harness) -> None:
    harness.api.members[(-2001, 3001)] = "creator"
    await harness.say(f"/brief@{USERNAME} tunisia", GROUP, KARIM)
    assert harness.api.sent("getChatMember") == []
    assert "Subscribed to Tunisia" in (await harness.say("/subscribe tunisia", GROUP, KARIM))[0]
    await harness.say("/unsubscribe tunisia", GROUP, KARIM)
    assert len(harness.api.sent("getChatMember")) == 1
    harness.clock[0] += 61
    await harness.say("/subscribe tunisia", GROUP, KARIM)
    assert len(harness.api.sent("getChatMember")) == 2
    refused = await harness.say("/unsubscribe tunisia", GROUP, LINA)
    assert "only its admins can use /unsubscribe" in refused[0]
    post = _message("/subscribe libya", CHANNEL, None, sender_chat=CHANNEL)
    await harness.feed({"channel_post": post})
    assert "Subscribed to Libya" in harness.api.texts()[-1]
    assert len(harness.api.sent("getChatMember")) == 3  # a channel post needs no lookup


async def test_replies_go_back_to_the_forum_topic(harness: Harness) -> None:
    await harness.say("/help", FORUM, KARIM, thread=77)
    assert harness.api.sent()[-1]["message_thread_id"] == 77


async def test_button_press_runs_the_command_and_is_always_answered(harness: Harness) -> None:
    brief_id = await _add_brief(harness.runtime, "Tunisia and Italy sign a coast guard deal")
    harness.api.fail(
        "answerCallbackQuery",
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: query is too old"}),
    )
    await harness.press(f"actors B{brief_id}")
    assert len(harness.api.sent("answerCallbackQuery")) == 1
    assert harness.api.texts()[-1].startswith(f"<b>Actors in B{brief_id}")
    await harness.press(f"source B{brief_id}", message_id=88)
    assert len(harness.api.sent("answerCallbackQuery")) == 2


async def test_a_page_turn_edits_the_message_in_place(harness: Harness) -> None:
    for number in range(3):
        await _add_brief(harness.runtime, f"Tunisia story number {number}")
    await harness.press("brief tunisia 1 p2", message_id=77)
    edits = harness.api.sent("editMessageText")
    assert len(edits) == 1 and edits[0]["message_id"] == 77 and "page 2" in edits[0]["text"]
    assert harness.api.sent() == []
    harness.api.fail(
        "editMessageText",
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"},
        ),
    )
    await harness.press("brief tunisia 1 p2", message_id=77)
    assert harness.api.sent() == []  # nothing to change, nothing sent


async def test_hostile_headlines_are_escaped_end_to_end(harness: Harness) -> None:
    await _add_brief(
        harness.runtime, HOSTILE_TITLE, outlet="<Evil & Co>", url="javascript:alert(1)"
    )
    texts = await harness.say("/brief tunisia")
    card = next(text for text in texts if "Event:" in text)
    assert TelegramHtml.problems_in(card) == []
    assert "&lt;script&gt;" in card and "<script>" not in card
    assert "Sfax &amp; Gabès &lt;b&gt;port deal" in card
    assert "&lt;Evil &amp; Co&gt;" in card and 'href="javascript' not in card
    options = harness.api.sent()[-1]
    assert options["parse_mode"] == "HTML"
    assert options["link_preview_options"] == {"is_disabled": True}


async def test_every_button_fits_telegram_callback_data(harness: Harness) -> None:
    long_slug = max(harness.runtime.analyser.topics, key=len)
    await _add_brief(harness.runtime, "Tunisia and Italy sign a coast guard deal")
    for text in ("/start", "/topics", f"/subscribe {long_slug}", "/brief tunisia 5"):
        await harness.say(text)
    buttons = [
        button
        for params in harness.api.sent()
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
    ]
    assert len(buttons) > 10
    for button in buttons:
        data = button["callback_data"]
        assert 1 <= len(data.encode()) <= CALLBACK_LIMIT
        assert find_spec(data.split()[0], harness.bot.context.commands) is not None, data


async def test_long_replies_are_split_and_the_card_message_is_remembered(
    harness: Harness,
) -> None:
    brief_id = await _add_brief(harness.runtime, "Tunisia and Italy sign a coast guard deal")
    more = Button("More", "more", (f"B{brief_id}",))
    long = Reply(
        parts=(Text("Tunis Sfax Gabès Bizerte " * 600), ButtonRow((more,))), brief_id=brief_id
    )
    ids = await harness.bot.send("1001", long)
    sent = harness.api.sent()
    assert len(ids) == len(sent) >= 3
    assert all(len(params["text"].encode("utf-16-le")) // 2 <= 4096 for params in sent)
    assert [bool(params.get("reply_markup")) for params in sent] == [False] * (len(sent) - 1) + [
        True
    ]
    async with harness.runtime.sessions() as session:
        assert await brief_for_message(session, "telegram", "1001", ids[-1]) == brief_id
        assert await brief_for_message(session, "telegram", "1001", ids[0]) is None


# Files ----------------------------------------------------------------------------------------

OPML = b'<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head /><body /></opml>\n'


async def test_a_reply_file_follows_its_text_as_a_document_in_the_same_topic(
    harness: Harness,
) -> None:
    brief_id = await _add_brief(harness.runtime, "Tunisia and Italy sign a coast guard deal")
    opml = File("briefbot-sources.opml", OPML, "text/x-opml")
    reply = Reply(parts=(Text("Sources as OPML: 1 feed."),), brief_id=brief_id, files=(opml,))
    ids = await harness.bot.send("-100300", reply, "77")
    sent = [(name, params) for name, params in harness.api.calls if name.startswith("send")]
    assert [name for name, _ in sent] == ["sendMessage", "sendDocument"]
    document = sent[1][1]
    assert document["chat_id"] == "-100300" and document["message_thread_id"] == 77
    assert harness.api.uploads == [
        ("sendDocument", {"document": ("briefbot-sources.opml", OPML, "text/x-opml")})
    ]
    assert ids == ["500", "501"]  # the document counts as a message sent
    async with harness.runtime.sessions() as session:  # replies to the text ask about the brief
        assert await brief_for_message(session, "telegram", "-100300", "500") == brief_id
        assert await brief_for_message(session, "telegram", "-100300", "501") is None


async def test_a_file_over_the_upload_limit_is_a_line_saying_so(harness: Harness) -> None:
    big = File("archive.bin", bytes(50_000_001))
    ids = await harness.bot.send("1001", Reply(parts=(Text("Here it is."),), files=(big,)))
    assert harness.api.texts() == [
        "Here it is.",
        "archive.bin is not attached: at 50.1 MB it is over Telegram's 50 MB limit.",
    ]
    assert harness.api.uploads == [] and len(ids) == 2


async def test_a_flood_pause_before_the_document_is_waited_out(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text is out: the document is tried again after the pause rather than the outbox
    sending the whole reply again."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    harness.api.fail(
        "sendDocument",
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
        ),
    )
    reply = Reply(parts=(Text("Sources"),), files=(File("s.opml", OPML, "text/x-opml"),))
    ids = await harness.bot.send("1001", reply)
    assert [name for name, _ in harness.api.uploads] == ["sendDocument", "sendDocument"]
    assert len(harness.api.sent()) == 1 and len(ids) == 2


# Sending failures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "description"),
    [
        (403, "Forbidden: bot was blocked by the user"),
        (403, "Forbidden: bot was kicked from the group chat"),
        (400, "Bad Request: chat not found"),
    ],
)
async def test_unreachable_chat_is_chat_gone_and_reported_inactive(
    harness: Harness, code: int, description: str
) -> None:
    harness.api.fail(
        "sendMessage", (code, {"ok": False, "error_code": code, "description": description})
    )
    with pytest.raises(ChatGone) as caught:
        await harness.bot.send("-2001", Reply.text("Daily digest"))
    assert description.split(": ")[1].lower() in caught.value.reason.lower()
    assert harness.statuses == [("telegram", "-2001", False)]


async def test_flood_control_is_retry_later_with_telegrams_delay(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 warns about int delays otherwise
    harness.api.fail(
        "sendMessage",
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 17",
                "parameters": {"retry_after": 17},
            },
        ),
    )
    with pytest.raises(RetryLater) as caught:
        await harness.bot.send("-2001", Reply.text("Alert"))
    assert caught.value.retry_after == 17
    assert len(harness.api.sent()) == 1  # neither the limiter nor the adapter retried
    assert harness.statuses == []


async def test_network_failure_is_retry_later_and_the_token_is_never_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    harness.api.fail("sendMessage", OSError(f"POST https://api.telegram.org/bot{TOKEN}/x failed"))
    with pytest.raises(RetryLater) as caught:
        await harness.bot.send("1001", Reply.text("Alert"))
    assert caught.value.retry_after == 5
    assert TOKEN not in caught.value.reason and "***" in caught.value.reason
    assert TOKEN not in caplog.text


async def test_a_failing_update_is_logged_redacted_and_the_person_told(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    harness.api.fail(
        "sendMessage",
        (
            400,
            {
                "ok": False,
                "error_code": 400,
                "description": f"Bad Request: odd url /bot{TOKEN}/sendMessage",
            },
        ),
    )
    await harness.say("/help")
    told = harness.api.texts()[-1]
    assert told.startswith("Something went wrong on our side (incident ")
    incident = told.split("incident ")[1][:8]
    assert f"incident {incident}: telegram update" in caplog.text
    assert "BadRequest" in caplog.text and TOKEN not in caplog.text
    assert "Traceback" not in told


async def test_membership_changes_report_the_chat_status(harness: Harness) -> None:
    def change(old: str, new: str) -> dict[str, Any]:
        member: dict[str, Any] = {"user": BOT_USER, "status": new}
        if new == "kicked":
            member["until_date"] = 0
        return {
            "my_chat_member": {
                "chat": GROUP,
                "from": KARIM,
                "date": DATE,
                "old_chat_member": {"user": BOT_USER, "status": old},
                "new_chat_member": member,
            }
        }

    await harness.feed(change("left", "member"))
    await harness.feed(change("member", "kicked"))
    await harness.feed(change("left", "member"))
    await harness.feed(change("member", "left"))
    assert harness.statuses == [
        ("telegram", "-2001", active) for active in (True, False, True, False)
    ]


# Lifecycle ------------------------------------------------------------------------------------


async def test_start_survives_a_failing_set_my_commands_and_stops_cleanly(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    api = CannedBotApi()
    api.fail(
        "setMyCommands",
        (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
    )

    bot = TelegramBot(
        TelegramConfig(token=SecretStr(TOKEN)), runtime.context(), _ignore, request=api
    )
    try:
        await bot.start()
        assert bot.app.running and bot.app.updater is not None and bot.app.updater.running
    finally:
        await bot.stop()
    endpoints = [name for name, _ in api.calls]
    assert endpoints[:3] == ["getMe", "setMyCommands", "deleteWebhook"]
    assert "getUpdates" in endpoints and not bot.app.running
    assert "setMyCommands failed" in caplog.text


async def test_a_refused_token_stops_start_with_a_clear_message(runtime: Runtime) -> None:
    api = CannedBotApi()
    api.fail("getMe", (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}))
    bot = TelegramBot(
        TelegramConfig(token=SecretStr(TOKEN)), runtime.context(), _ignore, request=api
    )
    with pytest.raises(ConfigError, match=r"\[telegram\] token") as caught:
        await bot.start()
    assert TOKEN not in str(caught.value)
    assert [name for name, _ in api.calls] == ["getMe"]


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({}, "webhook_url"),
        ({"webhook_url": "https://bot.example.org/tg"}, "secret_token"),
        (
            {"webhook_url": "https://bot.example.org/tg", "secret_token": "has spaces"},
            "secret_token",
        ),
    ],
)
async def test_webhook_mode_needs_a_url_and_a_secret_token(
    runtime: Runtime, settings: dict[str, str], key: str
) -> None:
    api = CannedBotApi()
    config = TelegramConfig.model_validate({"token": TOKEN, "mode": "webhook", **settings})
    bot = TelegramBot(config, runtime.context(), _ignore, request=api)
    with pytest.raises(ConfigError, match=key):
        await bot.start()
    assert api.calls == []


WEBHOOK_SECRET = "hook-secret-0123456789_ABCDEF"
WRONG_SECRETS = ("hook-secret-0123456789_ABCDEx", "hook-secret-0123456789_ABCDEF-", "nope-wrong-42")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _sent_within(api: CannedBotApi, count: int, within: float = 10.0) -> list[str]:
    """The texts sent once there are `count` of them (polls with a deadline)."""
    deadline = time.monotonic() + within
    while len(api.texts()) < count:
        assert time.monotonic() < deadline, f"only {api.texts()} sent"
        await asyncio.sleep(0.01)
    return api.texts()


@pytest.fixture
async def webhook(runtime: Runtime) -> AsyncIterator[tuple[TelegramBot, CannedBotApi, str]]:
    api = CannedBotApi()
    port = _free_port()
    config = TelegramConfig(
        token=SecretStr(TOKEN),
        mode="webhook",
        webhook_url="https://bot.example.org/tg/updates",
        listen="127.0.0.1",
        port=port,
        secret_token=SecretStr(WEBHOOK_SECRET),
    )
    bot = TelegramBot(config, runtime.context(), _ignore, request=api)
    await bot.start()
    yield bot, api, f"http://127.0.0.1:{port}/tg/updates"
    await bot.stop()


def _update(update_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": _message(text, PRIVATE, ANN)}


async def test_the_webhook_refuses_a_wrong_secret_and_never_logs_it(
    caplog: pytest.LogCaptureFixture, webhook: tuple[TelegramBot, CannedBotApi, str]
) -> None:
    caplog.set_level(logging.DEBUG)
    bot, api, url = webhook
    [(_, hook)] = [call for call in api.calls if call[0] == "setWebhook"]
    assert hook["url"] == "https://bot.example.org/tg/updates"
    assert hook["secret_token"] == WEBHOOK_SECRET
    async with aiohttp.ClientSession() as http:
        for number, wrong in enumerate((None, "", *WRONG_SECRETS)):
            headers = {} if wrong is None else {"X-Telegram-Bot-Api-Secret-Token": wrong}
            async with http.post(url, json=_update(50 + number, "/help"), headers=headers) as sent:
                assert sent.status == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        async with http.post(url, json=_update(60, "/start"), headers=right) as sent:
            assert sent.status == 200
        [welcome] = await _sent_within(api, 1)
    await bot.stop()  # every update taken is handled by now; none of the refused ones was
    assert "Welcome to briefbot" in welcome and api.texts() == [welcome]
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text}" for record in caplog.records
    )
    for wrong in WRONG_SECRETS:
        assert wrong not in logged
    assert WEBHOOK_SECRET not in logged
    assert "refused a webhook request" in logged


async def test_the_webhook_answers_400_to_a_body_that_is_no_update(
    webhook: tuple[TelegramBot, CannedBotApi, str],
) -> None:
    _, api, url = webhook
    right = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with aiohttp.ClientSession() as http:
        for body in (b"{not json", b"[1, 2]", b'{"update_id": "x", "message": 5}'):
            headers = {**right, "Content-Type": "application/json"}
            async with http.post(url, data=body, headers=headers) as sent:
                assert sent.status == 400
        async with http.post(url, data=b"{}", headers=right) as sent:  # no JSON content type
            assert sent.status == 415
        async with http.post(url, json=_update(70, "/start"), headers=right) as sent:
            assert sent.status == 200
        await _sent_within(api, 1)


async def test_updates_of_one_chat_run_in_order_and_other_chats_meanwhile() -> None:
    processor = ChatOrderedProcessor(8)
    release_first = asyncio.Event()
    order: list[str] = []

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        order.append(name)

    def update(chat: dict[str, Any]) -> Update:
        return _parsed({"message": _message("/help", chat, ANN)})

    first = asyncio.create_task(
        processor.process_update(update(PRIVATE), work("first", release_first))
    )
    second = asyncio.create_task(processor.process_update(update(PRIVATE), work("second")))
    await processor.process_update(update(GROUP), work("other chat"))
    assert order == ["other chat"]
    release_first.set()
    await asyncio.gather(first, second)
    assert order == ["other chat", "first", "second"]
