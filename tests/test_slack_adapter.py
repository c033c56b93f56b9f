"""The Slack adapter's parts: reading what people type, sending through the Web API stub with
its retries and errors, the cached look-ups, the App Home view, start-up, and Socket Mode."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_sdk.errors import SlackApiError

from bot.adapters.errors import ChatGone, RetryLater
from bot.adapters.slack import SlackBot
from bot.adapters.slack_home import home_view
from bot.adapters.slack_replay import GRACE, WINDOW, ReplayGuard
from bot.adapters.slack_text import (
    kind_from_hint,
    localise,
    plain_text,
    shown_channel_name,
    split_command,
    unescape,
    without_mention,
)
from bot.adapters.slack_web import Directory, create_client, retry_after
from bot.app import Runtime
from bot.chat import Button, ButtonRow, Card, CommandSpec, Emphasis, File, Reply, Text
from bot.config import Config, ConfigError, DatabaseConfig, SlackConfig
from bot.domain import ChatKind
from bot.startup import PlatformUnreachable
from bot.storage import briefs as brief_store
from handlers.registry import all_commands
from tests.slack_stub import SlackStub, copy_db, free_port, seed_database, slash_command_body

TOKEN = "xoxb-3333-4444-adapterTOKEN"
SECRET = "adapter-signing-secret-fedcba9876543210"
SPECS = all_commands()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", ("brief", (), "")),
        ("help", ("help", (), "")),
        ("subscribe tunisia", ("subscribe", ("tunisia",), "tunisia")),
        ("Subscribe Tunisia", ("subscribe", ("Tunisia",), "Tunisia")),
        ("/help subscribe", ("help", ("subscribe",), "subscribe")),
        ("more B12", ("more", ("B12",), "B12")),
        ("libya 3", ("brief", ("libya", "3"), "libya 3")),
        (
            "north africa security",
            ("brief", ("north", "africa", "security"), "north africa security"),
        ),
        (
            'watch "wagner OR africa corps"',
            ("watch", ("wagner OR africa corps",), '"wagner OR africa corps"'),
        ),
        ('watch "unbalanced', ("watch", ('"unbalanced',), '"unbalanced')),
    ],
)
def test_the_first_word_is_the_command_when_it_is_one(
    typed: str, expected: tuple[str, tuple[str, ...], str]
) -> None:
    assert split_command(typed, SPECS) == expected


def test_aliases_count_as_commands() -> None:
    specs = [CommandSpec("latest", "/latest", "The latest.", handler=None, aliases=("news",))]
    assert split_command("news libya", specs) == ("news", ("libya",), "libya")
    assert split_command("libya", specs)[0] == "brief"


def test_slack_markup_reads_back_as_typed() -> None:
    assert plain_text("addsource <https://example.org/feed.xml|example.org/feed.xml>") == (
        "addsource https://example.org/feed.xml"
    )
    assert plain_text("search a &amp;amp; b &lt;x&gt;") == "search a &amp; b <x>"
    assert plain_text("<#C0DESK|security-desk> <@U0ANA|ana> <!here> <@U0BOB>") == (
        "#security-desk @ana @here @U0BOB"
    )
    assert plain_text("watch “wagner OR ‘africa corps’”") == "watch \"wagner OR 'africa corps'\""
    assert unescape("&amp;lt;") == "&lt;"


def test_the_words_addressed_to_the_bot() -> None:
    assert without_mention("<@UBOT> brief libya", "UBOT").strip() == "brief libya"
    assert without_mention("<@UBOT|briefbot>   help", "UBOT").strip() == "help"
    assert without_mention("latest on libya <@UBOT>", "UBOT").strip() == "latest on libya"
    assert without_mention("<@UOTHER> hi", "UBOT") == "<@UOTHER> hi"


def test_chat_kinds_from_the_payload() -> None:
    assert kind_from_hint("D0ANA", None) is ChatKind.PRIVATE
    assert kind_from_hint("C0DESK", "channel") is ChatKind.CHANNEL
    assert kind_from_hint("C0SECRET", "group") is ChatKind.GROUP
    assert kind_from_hint("G0MANY", "mpim") is ChatKind.GROUP
    assert kind_from_hint("C0SECRET", "privategroup") is ChatKind.GROUP
    assert kind_from_hint("C0DESK", "security-desk") is None  # a name: public or not, ask
    assert shown_channel_name("security-desk") == "#security-desk"
    assert shown_channel_name("privategroup") is None and shown_channel_name(None) is None


def test_retry_after_header_in_any_shape() -> None:
    assert retry_after({"Retry-After": ["7"]}) == 7
    assert retry_after({"retry-after": "12"}) == 12
    assert retry_after({"Retry-After": "0"}) == 1  # never a busy loop
    assert retry_after({"Retry-After": "soon"}) == 60
    assert retry_after(None) == 60


def test_localise_writes_commands_as_typed_on_slack() -> None:
    reply = Reply(parts=(Text("Topics: none yet (/topics to pick some)."), Text("/brief tunisia")))
    assert [part.text for part in localise(reply).parts if isinstance(part, Text)] == [
        "Topics: none yet (/brief topics to pick some).",
        "/brief tunisia",
    ]


def test_home_view_has_unique_action_ids_and_fits_slack() -> None:
    row = ButtonRow((Button("Topics", "topics"), Button("Help", "help")))
    many = Reply(parts=tuple(Text(f"line {n}", Emphasis.HEADING) for n in range(120)))
    view = home_view([Reply(parts=(row,)), Reply(parts=(row,)), many], "D0ANA")
    ids = [
        element["action_id"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert ids == ["topics:0", "help:1", "topics:2", "help:3"]
    assert view["type"] == "home" and view["private_metadata"] == "D0ANA"
    assert len(view["blocks"]) == 100 and view["blocks"][1] == {"type": "divider"}


# -- against the Web API stub --------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_database(tmp_path_factory.mktemp("slack"))


@pytest.fixture
async def stub() -> AsyncIterator[SlackStub]:
    stub = SlackStub()
    await stub.start()
    yield stub
    await stub.stop()


@pytest.fixture
async def runtime(seeded_db: Path, tmp_path: Path) -> AsyncIterator[Runtime]:
    runtime = await Runtime.open(Config(database=DatabaseConfig(url=copy_db(seeded_db, tmp_path))))
    yield runtime
    await runtime.close()


async def _ignore_status(platform: str, chat: str, active: bool) -> None:
    raise AssertionError(f"unexpected chat status {platform} {chat} {active}")


def _bot(runtime: Runtime, base_url: str, **settings: Any) -> SlackBot:
    config = SlackConfig(bot_token=TOKEN, signing_secret=SECRET, api_base_url=base_url, **settings)
    return SlackBot(config, runtime.context(), _ignore_status)


async def _card_reply(runtime: Runtime) -> tuple[Reply, int]:
    async with runtime.sessions() as session:
        [brief] = await brief_store.latest_briefs(session, ["tunisia"], 1)
    card = Card(brief, ("Tunisia",), buttons=(Button("More", "more", (brief.code,)),))
    return Reply(parts=(card,), brief_id=brief.id), brief.id


async def test_send_posts_blocks_in_the_thread_and_remembers_the_brief(
    stub: SlackStub, runtime: Runtime
) -> None:
    bot = _bot(runtime, stub.base_url)
    reply, brief_id = await _card_reply(runtime)
    ids = await bot.send("C0DESK", reply, thread_id="1699999999.000001")
    [posted] = stub.calls_to("chat.postMessage")
    assert ids == ["1700000000.000001"] and posted.authorized
    assert posted.args["channel"] == "C0DESK" and posted.args["thread_ts"] == "1699999999.000001"
    assert posted.args["blocks"][0]["type"] == "header" and posted.args["unfurl_links"] is False
    assert posted.args["blocks"][-1]["elements"][0]["value"] == f"more B{brief_id}"
    assert await bot.sender.brief_for("C0DESK", ids[0]) == brief_id
    assert await bot.sender.brief_for("C0OTHER", ids[0]) is None


async def test_a_429_with_retry_after_is_retried_by_the_client(
    stub: SlackStub, runtime: Runtime
) -> None:
    stub.fail("chat.postMessage", "ratelimited", status=429, retry_after=0)
    ids = await _bot(runtime, stub.base_url).send("C0DESK", Reply.text("hello"))
    assert len(stub.calls_to("chat.postMessage")) == 2 and len(ids) == 1


async def test_a_persistent_429_becomes_retry_later(stub: SlackStub, runtime: Runtime) -> None:
    stub.fail("chat.postMessage", "ratelimited", status=429, retry_after=0, times=None)
    with pytest.raises(RetryLater) as raised:
        await _bot(runtime, stub.base_url).send("C0DESK", Reply.text("hello"))
    assert raised.value.retry_after >= 1
    assert len(stub.calls_to("chat.postMessage")) == 2  # the retry handler's one retry


@pytest.mark.parametrize(
    "code", ["channel_not_found", "not_in_channel", "account_inactive", "is_archived"]
)
async def test_a_chat_that_is_gone_raises_chat_gone(
    stub: SlackStub, runtime: Runtime, code: str
) -> None:
    stub.fail("chat.postMessage", code)
    with pytest.raises(ChatGone) as raised:
        await _bot(runtime, stub.base_url).send("C0GONE", Reply.text("hello"))
    assert code in raised.value.reason


async def test_other_refusals_and_outages(stub: SlackStub, runtime: Runtime) -> None:
    bot = _bot(runtime, stub.base_url)
    stub.fail("chat.postMessage", "invalid_blocks")
    with pytest.raises(SlackApiError):
        await bot.send("C0DESK", Reply.text("hello"))
    stub.fail("chat.postMessage", "service_unavailable", status=503)
    with pytest.raises(RetryLater):
        await bot.send("C0DESK", Reply.text("hello"))
    unreachable = _bot(runtime, f"http://127.0.0.1:{free_port()}/api/")
    with pytest.raises(RetryLater):
        await unreachable.send("C0DESK", Reply.text("hello"))


OPML = File(
    "briefbot-sources.opml",
    b'<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head /><body /></opml>\n',
    "text/x-opml",
)


async def test_a_reply_file_is_uploaded_in_three_steps_into_the_thread(
    stub: SlackStub, runtime: Runtime
) -> None:
    bot = _bot(runtime, stub.base_url)
    reply = Reply(parts=(Text("Sources as OPML"),), files=(OPML,))
    ids = await bot.send("C0DESK", reply, thread_id="1699999999.000001")
    assert [call.method for call in stub.calls] == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "upload:F0FILE0001",
        "files.completeUploadExternal",
    ]
    _, announced, uploaded, completed = stub.calls
    assert announced.authorized and announced.args["filename"] == "briefbot-sources.opml"
    assert announced.args["length"] == str(len(OPML.data))
    assert uploaded.args["data"] == OPML.data
    assert not uploaded.authorized  # the upload URL is Slack's own: the token does not go there
    assert completed.authorized and completed.args["channel_id"] == "C0DESK"
    assert completed.args["thread_ts"] == "1699999999.000001"
    assert json.loads(completed.args["files"]) == [
        {"id": "F0FILE0001", "title": "briefbot-sources.opml"}
    ]
    assert ids == ["1700000000.000001"]


async def test_a_file_slack_refuses_after_the_text_is_a_line_saying_so(
    stub: SlackStub, runtime: Runtime
) -> None:
    """The text is out: the outbox must not send it again, so no RetryLater or ChatGone."""
    stub.fail("files.completeUploadExternal", "not_in_channel")
    reply = Reply(parts=(Text("Sources as OPML"),), files=(OPML,))
    ids = await _bot(runtime, stub.base_url).send("C0DESK", reply, thread_id="1699999999.000001")
    text, note = stub.calls_to("chat.postMessage")
    assert text.args["text"] == "Sources as OPML"
    assert note.args["text"].startswith("briefbot-sources.opml could not be attached here.")
    assert note.args["thread_ts"] == "1699999999.000001"
    assert ids == ["1700000000.000001", "1700000000.000002"]
    assert stub.uploads == {"F0FILE0001": OPML.data}  # uploaded, but never shared


async def test_workspace_admins_are_asked_once_per_five_minutes(stub: SlackStub) -> None:
    now = [1000.0]
    directory = Directory(
        create_client(SlackConfig(bot_token=TOKEN, api_base_url=stub.base_url)), lambda: now[0]
    )
    stub.users["U0BOSS"] = {"is_admin": True}
    assert await directory.is_workspace_admin("U0BOSS")
    assert await directory.is_workspace_admin("U0BOSS")
    assert not await directory.is_workspace_admin("U0ANA")
    assert len(stub.calls_to("users.info")) == 2
    now[0] += 301
    stub.users["U0BOSS"] = {"is_admin": False}
    assert not await directory.is_workspace_admin("U0BOSS")
    stub.fail("users.info", "user_not_found")
    assert not await directory.is_workspace_admin("U0GHOST")


async def test_conversation_kinds_are_looked_up_once(stub: SlackStub) -> None:
    directory = Directory(create_client(SlackConfig(bot_token=TOKEN, api_base_url=stub.base_url)))
    stub.conversations.update(
        {"C0SECRET": {"is_private": True}, "G0MANY": {"is_mpim": True}, "C0DESK": {"name": "desk"}}
    )
    assert await directory.channel("C0SECRET") == (ChatKind.GROUP, "#c0secret")
    assert await directory.channel("G0MANY") == (ChatKind.GROUP, "#g0many")
    assert await directory.channel("C0DESK") == (ChatKind.CHANNEL, "#desk")
    assert await directory.channel("C0DESK") == (ChatKind.CHANNEL, "#desk")
    assert await directory.channel("D0ANA") == (ChatKind.PRIVATE, None)
    assert len(stub.calls_to("conversations.info")) == 3
    stub.fail("conversations.info", "missing_scope")
    assert await directory.channel("G0OLD") == (ChatKind.GROUP, None)


async def test_start_refuses_a_bad_token_without_showing_it(
    stub: SlackStub, runtime: Runtime
) -> None:
    stub.fail("auth.test", "invalid_auth")
    with pytest.raises(ConfigError, match="invalid_auth") as raised:
        await _bot(runtime, stub.base_url, port=free_port()).start()
    assert TOKEN not in str(raised.value)
    with pytest.raises(ConfigError, match="app_token"):
        await _bot(runtime, stub.base_url, mode="socket").start()
    with pytest.raises(PlatformUnreachable, match="cannot reach the Web API"):
        await _bot(runtime, f"http://127.0.0.1:{free_port()}/api/").start()


async def test_socket_mode_answers_a_slash_command_over_the_websocket(
    stub: SlackStub, runtime: Runtime
) -> None:
    bot = _bot(runtime, stub.base_url, mode="socket", app_token="xapp-1-A0APP-socketTOKEN")
    await bot.start()
    try:
        payload = dict(parse_qsl(slash_command_body("help")))
        envelope = await stub.push("slash_commands", payload)
        [answer] = await stub.wait_for(f"envelope:{envelope}")
        again = await stub.push("slash_commands", payload)  # no signatures: no replay check
        await stub.wait_for(f"envelope:{again}")
    finally:
        await bot.stop()
    assert bot.bound_port is None  # no HTTP server in Socket Mode
    assert answer.args["payload"]["response_type"] == "in_channel"
    assert answer.args["payload"]["blocks"][0]["text"]["text"] == "briefbot commands"
    assert stub.calls_to("apps.connections.open")[0].authorized


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_replay_guard_remembers_a_pair_until_its_window_has_passed() -> None:
    clock = Clock(1_700_000_000.0)
    guard = ReplayGuard(clock=clock)
    assert guard.first_time("1700000000", "v0=aa")
    assert guard.first_time("1700000000", "v0=bb")  # same second, another request
    assert not guard.first_time("1700000000", "v0=aa")
    clock.now += WINDOW + GRACE
    assert not guard.first_time("1700000000", "v0=aa")
    clock.now += 1
    assert guard.first_time("1700000301", "v0=cc")
    assert len(guard) == 1  # the expired pairs are gone


def test_replay_guard_memory_is_capped(caplog: pytest.LogCaptureFixture) -> None:
    guard = ReplayGuard(capacity=3, clock=Clock(1_700_000_000.0))
    for number in range(10):
        assert guard.first_time(str(1_700_000_000 + number), f"v0={number}")
    assert len(guard) == 3
    assert not guard.first_time("1700000009", "v0=9")  # the newest are kept
    assert caplog.text.count("more than 3 signed requests") == 1


def test_the_manifest_declares_what_the_adapter_uses() -> None:
    manifest = (Path(__file__).parent.parent / "slack-manifest.yml").read_text(encoding="utf-8")
    listed = {line.strip().removeprefix("- ") for line in manifest.splitlines()}
    scopes = {
        "commands",
        "chat:write",
        "chat:write.public",
        "files:write",
        "app_mentions:read",
        "im:history",
        "im:read",
        "im:write",
        "users:read",
        "channels:read",
        "groups:read",
    }
    events = {
        "app_mention",
        "message.im",
        "app_home_opened",
        "member_joined_channel",
        "channel_left",
        "group_left",
    }
    assert scopes | events <= listed
    assert "command: /brief" in listed and "home_tab_enabled: true" in listed
    assert "messages_tab_enabled: true" in listed and "socket_mode_enabled: false" in listed
    assert "is_enabled: true" in listed and "name: briefbot" in listed
    assert manifest.count("https://YOUR-HOST/slack/events") == 3
    assert "\t" not in manifest  # YAML indents with spaces only
