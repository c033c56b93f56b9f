"""Slack: Bolt's AsyncApp over HTTP (its aiohttp adapter) or Socket Mode. The `/brief` slash
command, button presses, mentions, direct messages and the App Home all become Commands for
the same dispatch; Replies go out as Block Kit.

Over HTTP, a signed request sent a second time is refused (slack_replay, per process).

Slash commands are answered within Slack's 3 seconds: the reply itself when it is ready in time,
else a short "working on it" and the reply posted after. Answers are visible to the channel.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError

from bot.adapters.slack_commands import Origin, Translator, event_origin, slash_origin
from bot.adapters.slack_home import home_intro, home_view
from bot.adapters.slack_replay import ReplayGuard
from bot.adapters.slack_send import SlackSender
from bot.adapters.slack_web import Directory, create_client, error_code
from bot.chat import Reply
from bot.config import ConfigError, SlackConfig
from bot.startup import PlatformUnreachable, StartupError
from handlers.context import Context
from handlers.dispatch import dispatch

log = logging.getLogger(__name__)

PLATFORM = "slack"
EVENTS_PATH = "/slack/events"
ACK_BUDGET = 2.5  # seconds for the reply itself; Slack wants the ack within 3
CONNECT_TIMEOUT = 30.0  # seconds for the Socket Mode connection
STOP_GRACE = 5.0
WORKING = "Working on it…"
FAILED = "Sorry, that did not work on our side. Please try again in a moment."
HOME_COMMANDS = ("settings", "brief")

ChatStatus = Callable[[str, str, bool], Awaitable[None]]
T = TypeVar("T")


class SlackBot:
    """The Slack side of briefbot: `await start()`, `await stop()`, `await send(...)`."""

    ack_budget: float = ACK_BUDGET

    def __init__(self, config: SlackConfig, context: Context, on_chat_status: ChatStatus) -> None:
        self.config = config
        self.context = context
        self.on_chat_status = on_chat_status
        self.client = create_client(config)
        self.directory = Directory(self.client)
        self.sender = SlackSender(self.client, context)
        self.bot_user_id: str | None = None
        self.translate = Translator(
            context, self.directory, self.sender.brief_for, lambda: self.bot_user_id
        )
        self.app: AsyncApp | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token, then serve `/slack/events` (HTTP) or connect (Socket Mode).
        A refused token is a ConfigError; a Web API that does not answer is
        PlatformUnreachable (start may be called again later)."""
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            if not _refused(error):
                raise self._unreachable(f"it answered {error_code(error) or 'an error'}") from None
            raise ConfigError(
                f"[slack] bot_token: Slack refused it ({error_code(error)}): check the bot token "
                "(xoxb-…) in the app's settings (or BRIEFBOT_SLACK__BOT_TOKEN)"
            ) from None
        except (aiohttp.ClientError, OSError) as error:  # TimeoutError is an OSError
            raise self._unreachable(type(error).__name__) from None
        self.bot_user_id = identity.get("user_id")
        self.app = self._build_app(
            AuthorizeResult.from_auth_test_response(
                bot_token=self.config.bot_token.get_secret_value(), auth_test_response=identity
            )
        )
        if self.config.mode == "socket":
            await self._connect_socket()
            log.info("slack: connected in Socket Mode as %s", identity.get("user"))
            return
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self._handle_http)
        runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=STOP_GRACE)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.config.host, self.config.port).start()
        except OSError as error:
            await runner.cleanup()
            raise StartupError(
                f"slack: cannot listen on {self.config.host}:{self.config.port} "
                f"({error.strerror or error}): free the port or change [slack] host and port"
            ) from None
        self._runner = runner
        log.info(
            "slack: serving %s on %s:%s as %s",
            EVENTS_PATH,
            self.config.host,
            self.bound_port,
            identity.get("user"),
        )

    async def _connect_socket(self) -> None:
        assert self.app is not None
        app_token = self.config.app_token.get_secret_value()
        if not app_token:
            raise ConfigError(
                '[slack] app_token: missing while mode = "socket": add the app-level token '
                '(xapp-…) or set mode = "http"'
            )
        try:  # the connection itself would retry a refused token for ever
            await self.client.apps_connections_open(app_token=app_token)
        except SlackApiError as error:
            if not _refused(error):
                raise self._unreachable(f"it answered {error_code(error) or 'an error'}") from None
            raise ConfigError(
                f"[slack] app_token: Slack refused it ({error_code(error)}): check the app-level "
                "token (xapp-…) in the app's settings (or BRIEFBOT_SLACK__APP_TOKEN)"
            ) from None
        except (aiohttp.ClientError, OSError) as error:
            raise self._unreachable(type(error).__name__) from None
        self._socket = AsyncSocketModeHandler(self.app, app_token)
        try:
            await asyncio.wait_for(self._socket.connect_async(), CONNECT_TIMEOUT)
        except TimeoutError:
            await self._socket.close_async()
            self._socket = None
            raise PlatformUnreachable(
                f"slack: the Socket Mode connection did not open within {CONNECT_TIMEOUT:g} s: "
                "check the network"
            ) from None

    def _unreachable(self, reason: str) -> PlatformUnreachable:
        return PlatformUnreachable(
            f"slack: cannot reach the Web API at {self.config.api_base_url} ({reason}): check "
            "the network and [slack] api_base_url"
        )

    @property
    def bound_port(self) -> int | None:
        if self._runner is None or not self._runner.addresses:
            return None
        return int(self._runner.addresses[0][1])

    @property
    def busy(self) -> bool:
        """Whether answers are still being worked on or sent."""
        return bool(self._tasks)

    async def stop(self) -> None:
        """Stop taking requests, let running answers finish briefly, then cancel the rest."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def send(
        self, chat_external_id: str, reply: Reply, thread_id: str | None = None
    ) -> list[str]:
        """Post a Reply; returns the message timestamps (Slack's message ids). Raises RetryLater
        or ChatGone for the outbox (see slack_web.outbox_errors)."""
        return await self.sender.send(chat_external_id, reply, thread_id)

    def _build_app(self, authorized: AuthorizeResult) -> AsyncApp:
        async def authorize() -> AuthorizeResult:  # known since start(): no auth.test per request
            return authorized

        app = AsyncApp(
            name="briefbot",
            client=create_client(self.config, with_token=False),
            signing_secret=self.config.signing_secret.get_secret_value(),
            authorize=authorize,
        )
        app.use(ReplayGuard())  # after Bolt's signature check: only verified pairs are kept
        app.command(re.compile(r".+"))(self._on_command)
        app.action(re.compile(r".+"))(self._on_action)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home_opened)
        app.event("member_joined_channel")(self._on_joined)
        app.event("channel_left")(self._on_left)
        app.event("group_left")(self._on_left)
        return app

    async def _handle_http(self, request: web.Request) -> web.Response:
        assert self.app is not None
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    def _spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- listeners: none lets an error escape (Bolt 1.30 may then answer 404 after the ack) ----

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        try:
            origin = slash_origin(body)
            job = self._spawn(self._answer_command(body, origin))
            try:
                reply = await asyncio.wait_for(asyncio.shield(job), self.ack_budget)
            except TimeoutError:
                await ack(text=WORKING, response_type="ephemeral")
                self._spawn(self._guarded(self._deliver_when_done(job, origin), origin))
                return
            messages = self.sender.render(reply)
            if not messages:
                await ack()
            else:
                first = messages[0]
                await ack(
                    text=first.text,
                    blocks=first.blocks,
                    response_type="in_channel",
                    unfurl_links=False,
                    unfurl_media=False,
                )
            if len(messages) > 1 or reply.files:
                self._spawn(self._guarded(self._send_rest(reply, messages[1:], origin), origin))
        except Exception:
            log.exception("incident %s: slack slash command failed", uuid.uuid4().hex[:8])
            if ack.response is None:
                await ack(text=FAILED, response_type="ephemeral")

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._spawn(self._guarded(self._press(body), None))

    async def _on_mention(self, event: dict[str, Any]) -> None:
        if event.get("bot_id") or not event.get("user"):
            return  # another bot: answering could start a loop
        origin = event_origin(event)
        self._spawn(self._guarded(self._converse(event, origin, None), origin))

    async def _on_message(self, event: dict[str, Any]) -> None:
        direct = event.get("channel_type") == "im"
        user = event.get("user")
        if not direct or event.get("subtype") or event.get("bot_id") or not user:
            return  # edits, deletions, bots and other channels
        if user == self.bot_user_id:
            return
        origin = event_origin(event)
        self._spawn(self._guarded(self._converse(event, origin, "im"), origin))

    async def _on_home_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            home = self._publish_home(str(event["user"]), event.get("channel"))
            self._spawn(self._guarded(home, None))

    async def _on_joined(self, event: dict[str, Any]) -> None:
        if event.get("user") == self.bot_user_id and event.get("channel"):
            self._spawn(self._guarded(self._chat_status(str(event["channel"]), True), None))

    async def _on_left(self, event: dict[str, Any]) -> None:
        if event.get("channel"):
            self._spawn(self._guarded(self._chat_status(str(event["channel"]), False), None))

    # -- answering -----------------------------------------------------------------------------

    async def _answer_command(self, body: dict[str, Any], origin: Origin) -> Reply:
        try:
            command = await self.translate.slash_command(body, origin)
        except Exception:
            log.exception("incident %s: slack slash command not understood", uuid.uuid4().hex[:8])
            return Reply.text(FAILED)
        return await dispatch(command, self.context)

    async def _deliver_when_done(self, job: asyncio.Task[Reply], origin: Origin) -> None:
        await self._deliver(origin, await job)

    async def _deliver(self, origin: Origin, reply: Reply) -> None:
        await self.sender.deliver(origin.channel, reply, origin.thread_ts, origin.response_url)

    async def _converse(self, event: dict[str, Any], origin: Origin, hint: str | None) -> None:
        command = await self.translate.message(event, origin, hint)
        await self._deliver(origin, await dispatch(command, self.context))

    async def _press(self, body: dict[str, Any]) -> None:
        origin = await self.translate.press_origin(body)
        if origin is not None:
            await self._guarded(self._answer_press(body, origin), origin)

    async def _answer_press(self, body: dict[str, Any], origin: Origin) -> None:
        reply = await dispatch(await self.translate.press(body, origin), self.context)
        if origin.home_user is not None:
            await self._deliver(origin, reply)
            await self._publish_home(origin.home_user, origin.channel)
        elif origin.ephemeral and origin.response_url:
            messages = self.sender.render(reply)
            await self.sender.respond(origin.response_url, messages, reply.edit, visible=False)
        elif reply.edit and origin.message_ts:
            await self.sender.update(
                origin.channel, origin.message_ts, reply, origin.thread_ts, origin.response_url
            )
        else:
            await self._deliver(origin, reply)

    async def _publish_home(self, user: str, dm_channel: str | None) -> None:
        """The App Home: the person's DM settings and latest briefs, from the same handlers."""
        channel = dm_channel or await self.directory.direct_channel(user)
        if channel is None:
            return
        replies = [home_intro()]
        for name in HOME_COMMANDS:
            command = self.translate.home_command(user, channel, name)
            replies.append(await dispatch(command, self.context))
        await self.client.views_publish(user_id=user, view=home_view(replies, channel))

    async def _chat_status(self, channel: str, active: bool) -> None:
        await self.on_chat_status(PLATFORM, channel, active)

    async def _send_rest(self, reply: Reply, messages: Sequence[Any], origin: Origin) -> None:
        """What an inline ack could not carry: the further messages, then the files."""
        if messages:
            await self.sender.deliver_messages(
                origin.channel, messages, None, origin.response_url, reply.brief_id
            )
        if reply.files:
            await self.sender.deliver_files(origin.channel, reply.files, None, origin.response_url)

    async def _guarded(self, work: Awaitable[None], origin: Origin | None) -> None:
        """Background work: a failure is logged with an incident id and the person gets a short
        fixed sentence, never the error."""
        try:
            await work
        except Exception:
            log.exception("incident %s: slack answer failed", uuid.uuid4().hex[:8])
            if origin is not None:
                await self._tell_failure(origin)

    async def _tell_failure(self, origin: Origin) -> None:
        try:
            await self._deliver(origin, Reply.text(FAILED))
        except Exception:  # the failure may be Slack itself; the log has it
            log.warning("slack: could not tell %s that an answer failed", origin.channel)


def _refused(error: SlackApiError) -> bool:
    """Slack answered and said no (a bad or revoked token), rather than failing to answer."""
    status = error.response.status_code if error.response is not None else 0
    code = error_code(error)
    return bool(code) and status < 500 and status != 429 and code != "ratelimited"
