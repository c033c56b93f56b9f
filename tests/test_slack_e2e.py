"""Slack end to end: the real Bolt app served by SlackBot.start() on a loopback port, driven by
signed requests as Slack sends them, answering through the loopback Web API stub."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.adapters.slack import FAILED, SlackBot
from bot.app import Runtime
from bot.chat import Reply, Text
from bot.config import AdminConfig, Config, DatabaseConfig, SlackConfig
from bot.domain import ChatKind
from bot.ingest.opml import read_opml
from bot.storage import chats as chat_store
from bot.storage import sources as source_store
from tests.slack_stub import (
    BOT_USER,
    SlackStub,
    action_ids,
    block_actions_body,
    button_values,
    copy_db,
    event_body,
    free_port,
    home_press_body,
    seed_database,
    signature_headers,
    slash_command_body,
    sqlite_url,
    texts,
)

TOKEN = "xoxb-1111-2222-e2eTOKENvalue"
SECRET = "e2e-signing-secret-0123456789abcdef"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_database(tmp_path_factory.mktemp("slack"))


@dataclass
class Desk:
    """One running bot, its stub, its database, and a signed-request client."""

    bot: SlackBot
    stub: SlackStub
    runtime: Runtime
    http: aiohttp.ClientSession
    statuses: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.bot.bound_port}/slack/events"

    async def post(self, body: str, content_type: str = FORM, secret: str = SECRET,
                   timestamp: int | None = None) -> tuple[int, str]:  # fmt: skip
        headers = {"Content-Type": content_type, **signature_headers(secret, body, timestamp)}
        return await self.post_as_signed(body, headers)

    async def post_as_signed(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        async with self.http.post(self.url, data=body.encode(), headers=headers) as response:
            return response.status, await response.text()

    async def settle(self, within: float = 10.0) -> None:
        """Wait until the bot has finished every answer it started (polls with a deadline)."""
        deadline = time.monotonic() + within
        while self.bot.busy:
            assert time.monotonic() < deadline, "the bot is still busy"
            await asyncio.sleep(0.01)

    async def command(self, text: str, **fields: Any) -> dict[str, Any]:
        status, body = await self.post(slash_command_body(text, **fields))
        assert status == 200, body
        return json.loads(body)

    async def event(self, event: dict[str, Any]) -> None:
        status, body = await self.post(event_body(event), "application/json")
        assert status == 200, body

    async def mention(self, words: str, **extra: Any) -> None:
        text = f"<@{BOT_USER}> {words}"
        await self.event({"type": "app_mention", "user": "U0ANA", "channel": "C0DESK",
                          "text": text, "ts": "1700000006.000200", **extra})  # fmt: skip

    async def direct(self, text: str, **extra: Any) -> None:
        message = {"type": "message", "channel_type": "im", "channel": "D0ANA", "user": "U0ANA"}
        await self.event({**message, "text": text, "ts": "1700000007.000001", **extra})

    async def press(self, value: str, **fields: Any) -> None:
        status, body = await self.post(block_actions_body(value, **fields))
        assert status == 200, body


@pytest.fixture
async def desk(seeded_db: Path, tmp_path: Path) -> AsyncIterator[Desk]:
    stub = SlackStub()
    await stub.start()
    config = Config(
        database=DatabaseConfig(url=copy_db(seeded_db, tmp_path)),
        admin=AdminConfig(slack_ids=("U0CONF",)),
    )
    runtime = await Runtime.open(config)
    statuses: list[tuple[str, str, bool]] = []

    async def on_chat_status(platform: str, chat: str, active: bool) -> None:
        statuses.append((platform, chat, active))

    slack = SlackConfig(
        bot_token=TOKEN, signing_secret=SECRET, port=free_port(), api_base_url=stub.base_url
    )
    bot = SlackBot(slack, runtime.context(), on_chat_status)
    await bot.start()
    async with aiohttp.ClientSession() as http:
        yield Desk(bot, stub, runtime, http, statuses)
    await bot.stop()
    await runtime.close()
    await stub.stop()


async def test_url_verification_challenge_is_answered(desk: Desk) -> None:
    body = json.dumps({"token": "legacy", "challenge": "c4ll3nge-xyz", "type": "url_verification"})
    status, text = await desk.post(body, "application/json")
    assert status == 200 and "c4ll3nge-xyz" in text


async def test_bad_signature_and_stale_timestamp_get_401(desk: Desk) -> None:
    body = slash_command_body("help")
    assert (await desk.post(body, secret="not-the-secret"))[0] == 401
    stale = int(time.time()) - 6 * 60
    assert (await desk.post(body, timestamp=stale))[0] == 401
    assert (await desk.post(body))[0] == 200  # the same request, signed now, is fine
    assert not desk.stub.calls_to("chat.postMessage")


async def test_a_replayed_request_is_refused_and_runs_once(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    body = event_body({"type": "app_mention", "user": "U0ANA", "channel": "C0DESK",
                       "text": f"<@{BOT_USER}> help", "ts": "1700000006.000200"})  # fmt: skip
    signed = {"Content-Type": "application/json", **signature_headers(SECRET, body)}
    assert (await desk.post_as_signed(body, signed))[0] == 200
    with caplog.at_level(logging.INFO):
        assert (await desk.post_as_signed(body, signed))[0] == 401
    await desk.settle()
    assert len(desk.stub.calls_to("chat.postMessage")) == 1
    [refused] = [record for record in caplog.records if "replayed" in record.getMessage()]
    assert refused.levelno == logging.WARNING
    assert signed["X-Slack-Signature"] not in caplog.text
    assert signed["X-Slack-Signature"].removeprefix("v0=") not in caplog.text


async def test_a_replayed_slash_command_is_refused_but_a_new_one_runs(desk: Desk) -> None:
    body = slash_command_body("subscribe tunisia", channel="D0ANA", channel_name="directmessage")
    signed = {"Content-Type": FORM, **signature_headers(SECRET, body)}
    status, first = await desk.post_as_signed(body, signed)
    assert status == 200 and "Subscribed to Tunisia" in first
    assert (await desk.post_as_signed(body, signed))[0] == 401
    again = slash_command_body("subscribe tunisia ", channel="D0ANA", channel_name="directmessage")
    status, second = await desk.post(again)  # signed afresh: Slack never sends the same twice
    assert status == 200 and "already" in second


async def test_slash_help_is_the_ack_itself_in_blocks(desk: Desk) -> None:
    answer = await desk.command("help")
    assert answer["response_type"] == "in_channel"
    shown = texts(answer["blocks"])
    assert answer["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "briefbot commands"},
    }
    assert "/brief subscribe TOPIC" in shown and "/brief help COMMAND" in shown
    assert len(desk.stub.calls_to("auth.test")) == 1  # at start, not again per request


async def test_channel_subscription_needs_a_workspace_or_configured_admin(desk: Desk) -> None:
    refused = await desk.command("subscribe tunisia", user="U0ANA")
    assert "only its admins can use /brief subscribe" in texts(refused["blocks"])
    desk.stub.users["U0BOSS"] = {"is_owner": True}
    accepted = await desk.command("subscribe tunisia", user="U0BOSS")
    assert "Subscribed to Tunisia" in texts(accepted["blocks"])
    configured = await desk.command("subscribe libya", user="U0CONF")
    assert "Subscribed to Libya" in texts(configured["blocks"])
    assert [call.args["user"] for call in desk.stub.calls_to("users.info")] == ["U0ANA", "U0BOSS"]
    assert len(desk.stub.calls_to("conversations.info")) == 1  # the channel's kind is cached
    async with desk.runtime.sessions() as session:
        chat = await chat_store.ensure_chat(
            session, "slack", "C0DESK", ChatKind.GROUP, desk.runtime.clock()
        )
        topics = [sub.topic for sub in await chat_store.subscriptions(session, chat.id)]
    assert chat.kind.value == "channel" and chat.title == "#security-desk"
    assert topics == ["tunisia", "libya"]


async def test_private_channel_and_dm_kinds(desk: Desk) -> None:
    desk.stub.conversations["C0SECRET"] = {"is_private": True}
    refused = await desk.command("subscribe tunisia", channel="C0SECRET", channel_name="secret")
    assert "In a group, only its admins" in texts(refused["blocks"])
    assert len(desk.stub.calls_to("users.info")) == 1
    direct = await desk.command("subscribe tunisia", channel="D0ANA", channel_name="directmessage")
    assert "Subscribed to Tunisia" in texts(direct["blocks"])
    assert len(desk.stub.calls_to("users.info")) == 1  # in a DM the person is the chat's admin


async def test_slash_brief_alone_and_with_a_topic_shows_cards(desk: Desk) -> None:
    await desk.command("subscribe tunisia", channel="D0ANA", channel_name="directmessage")
    latest = await desk.command("", channel="D0ANA", channel_name="directmessage")
    assert texts(latest["blocks"]).startswith("Latest on Tunisia")
    assert any(value.startswith("more B") for value in button_values(latest["blocks"]))
    two = await desk.command("tunisia 2")
    cards = [block for block in two["blocks"] if block["type"] == "header"][1:]
    assert len(cards) == 2
    assert "*Event:*" in texts(two["blocks"]) and "`#B" in texts(two["blocks"])
    ids = action_ids(two["blocks"])
    assert len(ids) == len(set(ids))


async def test_a_slow_reply_is_acked_at_once_then_posted(desk: Desk) -> None:
    desk.bot.ack_budget = 0
    status, body = await desk.post(slash_command_body("help"))
    assert status == 200
    assert json.loads(body) == {"text": "Working on it…", "response_type": "ephemeral"}
    [posted] = await desk.stub.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C0DESK" and posted.authorized
    assert "briefbot commands" in texts(posted.args["blocks"])


async def test_a_late_reply_goes_through_response_url_when_posting_fails(desk: Desk) -> None:
    desk.bot.ack_budget = 0
    desk.stub.fail("chat.postMessage", "channel_not_found")
    await desk.command(
        "help",
        channel="G0PRIVATE",
        channel_name="privategroup",
        response_url=desk.stub.response_url("late"),
    )
    [responded] = await desk.stub.wait_for("respond:late")
    assert responded.args["response_type"] == "in_channel"
    assert "briefbot commands" in texts(responded.args["blocks"])


async def _first_brief_code(desk: Desk) -> str:
    answer = await desk.command("tunisia 1")
    return next(v for v in button_values(answer["blocks"]) if v.startswith("more ")).split()[1]


async def test_button_press_runs_the_same_handler_in_the_same_place(desk: Desk) -> None:
    code = await _first_brief_code(desk)
    await desk.press(f"more {code}", thread_ts="1699999999.000001")
    [posted] = await desk.stub.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == "1699999999.000001"
    assert f"#{code}" in texts(posted.args["blocks"])
    assert not desk.stub.calls_to("chat.update")


async def test_escaped_button_value_is_read_back(desk: Desk) -> None:
    await desk.press("help &lt;x&gt;")  # Slack may send a button's value back escaped
    [posted] = await desk.stub.wait_for("chat.postMessage")
    shown = texts(posted.args["blocks"])
    assert "There is no command /&lt;x&gt;." in shown and "&amp;" not in shown


async def test_page_turn_button_updates_the_message(desk: Desk) -> None:
    await desk.press("brief tunisia 1 p2", message_ts="1700000000.000042")
    [updated] = await desk.stub.wait_for("chat.update")
    assert updated.args["ts"] == "1700000000.000042" and updated.args["channel"] == "C0DESK"
    assert "Latest on Tunisia — page 2" in texts(updated.args["blocks"])
    assert not desk.stub.calls_to("chat.postMessage")


async def test_app_mention_in_a_thread_replies_in_that_thread(desk: Desk) -> None:
    await desk.mention("brief tunisia 1", thread_ts="1700000001.000100")
    [posted] = await desk.stub.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == "1700000001.000100"
    assert "Latest on Tunisia" in texts(posted.args["blocks"])
    await desk.mention("", text=f"<@{BOT_USER}|briefbot> help", ts="1700000008.000200")
    top_level = (await desk.stub.wait_for("chat.postMessage", 2))[1]
    assert "thread_ts" not in top_level.args
    assert "briefbot commands" in texts(top_level.args["blocks"])


async def test_a_mention_in_the_thread_of_a_brief_asks_about_that_brief(desk: Desk) -> None:
    code = await _first_brief_code(desk)
    brief_id = int(code.removeprefix("B"))
    [ts] = await desk.bot.send("C0DESK", Reply(parts=(Text("a brief"),), brief_id=brief_id))
    await desk.mention("source", thread_ts=ts)
    posted = (await desk.stub.wait_for("chat.postMessage", 2))[1]
    assert posted.args["thread_ts"] == ts
    assert "There is no brief" not in texts(posted.args["blocks"])
    assert "reply to a brief" not in texts(posted.args["blocks"])


async def test_direct_messages_work_like_the_command_and_bots_are_ignored(desk: Desk) -> None:
    await desk.direct("subscribe tunisia")
    [posted] = await desk.stub.wait_for("chat.postMessage")
    assert posted.args["channel"] == "D0ANA" and "Subscribed to Tunisia" in posted.args["text"]
    await desk.direct("help", user="U0OTHER", bot_id="B0OTHER")  # another bot
    await desk.direct("help", user=BOT_USER)  # briefbot itself
    await desk.direct("help", subtype="message_changed")  # an edit
    await desk.direct("topics")
    await desk.settle()
    posts = desk.stub.calls_to("chat.postMessage")
    assert len(posts) == 2 and "Topics" in texts(posts[1].args["blocks"])
    assert not desk.stub.calls_to("users.info")


async def test_app_home_shows_settings_and_latest_briefs(desk: Desk) -> None:
    await desk.command("subscribe tunisia", channel="D0ANA", channel_name="directmessage")
    await desk.event(
        {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home"}
    )
    [published] = await desk.stub.wait_for("views.publish")
    view = published.args["view"]
    assert published.args["user_id"] == "U0ANA" and view["type"] == "home"
    assert view["private_metadata"] == "D0ANA"
    shown = texts(view["blocks"])
    assert "Settings" in shown and "• Tunisia — alerts on" in shown
    assert "Latest on Tunisia" in shown and "*Event:*" in shown
    ids = action_ids(view["blocks"])
    assert len(ids) == len(set(ids)) and len(view["blocks"]) <= 100

    await desk.post(home_press_body("unsubscribe tunisia", "U0ANA", view["private_metadata"]))
    [posted] = await desk.stub.wait_for("chat.postMessage")
    assert posted.args["channel"] == "D0ANA" and "Tunisia" in posted.args["text"]
    refreshed = (await desk.stub.wait_for("views.publish", 2))[1]
    assert "Topics: none yet" in texts(refreshed.args["view"]["blocks"])


async def test_joining_and_leaving_channels_reports_chat_status(desk: Desk) -> None:
    joined = {"type": "member_joined_channel", "channel": "C0NEW", "channel_type": "C"}
    await desk.event({**joined, "user": BOT_USER})
    await desk.event({**joined, "user": "U0ANA"})
    await desk.event({"type": "channel_left", "channel": "C0OLD", "actor_id": "U0ANA"})
    await desk.settle()
    assert sorted(desk.statuses) == [("slack", "C0NEW", True), ("slack", "C0OLD", False)]


WEB_FEED = "https://feeds.example.org/desk-wire.xml"


async def _add_web_feed(desk: Desk) -> None:
    """A source fetched over https, which an OPML export carries (the samples are local)."""
    async with desk.runtime.sessions() as session, session.begin():
        await source_store.ensure_source(
            session, WEB_FEED, desk.runtime.clock(), name="Desk Wire", topics=("libya",)
        )


async def test_an_admin_gets_the_opml_file_uploaded_into_the_thread(desk: Desk) -> None:
    await _add_web_feed(desk)
    await desk.mention("sources opml", user="U0CONF", thread_ts="1700000001.000100")
    await desk.stub.wait_for("files.completeUploadExternal")
    await desk.settle()
    sending = ("chat.", "files.", "upload:")
    steps = [call for call in desk.stub.calls if call.method.startswith(sending)]
    assert [call.method.partition(":")[0] for call in steps] == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    posted, announced, uploaded, completed = steps
    assert posted.args["text"].startswith("Sources as OPML: 1 feed")
    assert posted.args["thread_ts"] == "1700000001.000100"
    [shared] = json.loads(completed.args["files"])
    assert uploaded.method == f"upload:{shared['id']}"
    assert announced.args["filename"] == shared["title"] == "briefbot-sources.opml"
    assert announced.args["length"] == str(len(uploaded.args["data"]))
    assert completed.args["channel_id"] == "C0DESK"
    assert completed.args["thread_ts"] == "1700000001.000100"
    [feed] = read_opml(uploaded.args["data"])
    assert (feed.url, feed.name, feed.categories) == (WEB_FEED, "Desk Wire", ("libya",))


async def test_a_quick_slash_command_acks_its_text_and_uploads_its_file(desk: Desk) -> None:
    await _add_web_feed(desk)
    answer = await desk.command("sources opml", user="U0CONF")
    assert texts(answer["blocks"]).startswith("Sources as OPML")
    [completed] = await desk.stub.wait_for("files.completeUploadExternal")
    assert completed.args["channel_id"] == "C0DESK"
    [uploaded] = [call for call in desk.stub.calls if call.method.startswith("upload:")]
    [feed] = read_opml(uploaded.args["data"])
    assert feed.url == WEB_FEED


async def test_a_file_for_a_channel_the_bot_is_not_in_is_a_line_via_response_url(
    desk: Desk,
) -> None:
    """The text goes through the slash command's response_url, which cannot carry a file: the
    file is offered to the channel, and when Slack refuses it there, a line says so."""
    desk.bot.ack_budget = 0
    desk.stub.fail("chat.postMessage", "channel_not_found")
    desk.stub.fail("files.completeUploadExternal", "channel_not_found")
    await desk.command(
        "sources opml",
        user="U0CONF",
        channel="G0PRIVATE",
        channel_name="privategroup",
        response_url=desk.stub.response_url("late"),
    )
    text, note = await desk.stub.wait_for("respond:late", 2)
    assert texts(text.args["blocks"]).startswith("Sources as OPML")
    assert note.args["text"].startswith("briefbot-sources.opml could not be attached here.")
    [completed] = desk.stub.calls_to("files.completeUploadExternal")
    assert completed.args["channel_id"] == "G0PRIVATE"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


async def test_secrets_never_reach_logs_or_replies(
    debug_logs: pytest.LogCaptureFixture,
    desk: Desk,  # logs at DEBUG from the bot's start on
) -> None:
    answer = await desk.command("subscribe tunisia", channel="D0ANA", channel_name="directmessage")
    await desk.post(slash_command_body("help"), secret="not-the-secret")
    await desk.mention("help")
    await desk.stub.wait_for("chat.postMessage")
    sent = json.dumps(answer) + json.dumps([call.args for call in desk.stub.calls])
    records = [*debug_logs.get_records("setup"), *debug_logs.get_records("call")]
    logged = "\n".join(record.getMessage() for record in records)
    assert "auth.test" in logged  # the bot's start, at DEBUG, is in there too
    for secret in (TOKEN, SECRET):
        assert secret not in logged and secret not in sent


async def test_a_failure_of_its_own_still_gets_a_short_sentence(desk: Desk) -> None:
    desk.stub.fail("chat.postMessage", "invalid_blocks")  # Slack refuses the first answer
    await desk.mention("help")
    refused, apology = await desk.stub.wait_for("chat.postMessage", 2)
    assert "briefbot commands" in refused.args["text"]
    assert apology.args["text"] == FAILED
    assert "invalid_blocks" not in json.dumps(apology.args)


async def test_briefbot_run_serves_slack(tmp_path: Path) -> None:
    """The real `briefbot run` in a subprocess, configured by the environment only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    demo = await _cli(tmp_path, env, "-q", "demo")
    _, demo_errors = await asyncio.wait_for(demo.communicate(), 120)
    assert demo.returncode == 0, demo_errors.decode()
    stub = SlackStub()
    await stub.start()
    stub.users["U0BOSS"] = {"is_admin": True}
    port = free_port()
    env |= {"BRIEFBOT_SLACK__BOT_TOKEN": TOKEN, "BRIEFBOT_SLACK__SIGNING_SECRET": SECRET}
    env |= {"BRIEFBOT_SLACK__PORT": str(port), "BRIEFBOT_SLACK__API_BASE_URL": stub.base_url}
    env["BRIEFBOT_DATABASE__URL"] = sqlite_url(tmp_path / "briefbot.db")
    service = await _cli(tmp_path, env, "run")
    body = slash_command_body("subscribe tunisia", user="U0BOSS")
    try:
        status, answer = await _post_when_listening(f"http://127.0.0.1:{port}/slack/events", body)
    finally:
        service.send_signal(signal.SIGTERM)
        _, errors = await asyncio.wait_for(service.communicate(), 60)
        await stub.stop()
    logged = errors.decode()
    assert status == 200, logged
    assert "Subscribed to Tunisia" in answer
    assert service.returncode == 0, logged
    assert "Traceback" not in logged and TOKEN not in logged and SECRET not in logged


async def _post_when_listening(url: str, body: str, within: float = 60.0) -> tuple[int, str]:
    """POST a signed slash command once the service accepts connections (polls a deadline)."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while True:
            headers = {"Content-Type": FORM, **signature_headers(SECRET, body)}
            try:
                async with http.post(url, data=body.encode(), headers=headers) as response:
                    return response.status, await response.text()
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)


async def _cli(cwd: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
