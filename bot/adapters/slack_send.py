"""Putting Replies on Slack: chat.postMessage, chat.update, or a slash command's response_url
when the bot cannot post to the conversation itself (a private channel it is not in, a DM
between two other people). A reply's files are uploaded into the conversation after its text
(files_upload_v2); a response_url cannot carry files. Records which message shows which
brief."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.errors import ChatGone, RetryLater
from bot.adapters.slack_text import localise
from bot.adapters.slack_web import NETWORK_RETRY_AFTER, error_code, outbox_errors
from bot.chat import File, Reply
from bot.render.slack import SlackMessage, render_slack
from bot.storage.messages import brief_for_message, remember_message
from handlers.context import Context

log = logging.getLogger(__name__)

PLATFORM = "slack"
RESPONSE_TIMEOUT = 10  # seconds for a response_url post
UNDELIVERED = (ChatGone, RetryLater, SlackApiError)


class SlackSender:
    def __init__(self, client: AsyncWebClient, context: Context) -> None:
        self.client = client
        self.context = context

    @staticmethod
    def render(reply: Reply) -> list[SlackMessage]:
        return render_slack(localise(reply))

    async def send(self, channel: str, reply: Reply, thread_ts: str | None = None) -> list[str]:
        """The outbox's send: RetryLater / ChatGone for the outbox, other errors as they are.
        Once the text is out, a file Slack does not take becomes a line saying so (a retry
        would post the text again)."""
        ids = await self.post(channel, self.render(reply), thread_ts, reply.brief_id)
        return ids + await self.deliver_files(channel, reply.files, thread_ts, None)

    async def post(
        self,
        channel: str,
        messages: Sequence[SlackMessage],
        thread_ts: str | None,
        brief_id: int | None,
    ) -> list[str]:
        ids: list[str] = []
        with outbox_errors(channel):
            for message in messages:
                answer = await self.client.chat_postMessage(
                    channel=channel,
                    text=message.text,
                    blocks=message.blocks,
                    thread_ts=thread_ts,
                    unfurl_links=False,
                    unfurl_media=False,
                )
                ids.append(str(answer["ts"]))
        await self.remember(channel, ids, brief_id)
        return ids

    async def deliver(
        self, channel: str, reply: Reply, thread_ts: str | None, response_url: str | None
    ) -> None:
        """An answer to a person: posted, else through the response_url when there is one;
        then its files, into the conversation."""
        await self.deliver_messages(
            channel, self.render(reply), thread_ts, response_url, reply.brief_id
        )
        await self.deliver_files(channel, reply.files, thread_ts, response_url)

    async def deliver_messages(
        self,
        channel: str,
        messages: Sequence[SlackMessage],
        thread_ts: str | None,
        response_url: str | None,
        brief_id: int | None,
    ) -> None:
        try:
            await self.post(channel, messages, thread_ts, brief_id)
        except UNDELIVERED as error:
            if response_url is None:
                raise
            log.info(
                "slack: posting to %s failed (%s); answering through response_url",
                channel,
                _reason(error),
            )
            await self.respond(response_url, messages)

    async def deliver_files(
        self,
        channel: str,
        files: Sequence[File],
        thread_ts: str | None,
        response_url: str | None,
    ) -> list[str]:
        """Upload each file into the conversation (its thread, if any). One Slack refuses is a
        line instead, through the response_url when there is one, else posted; returns the ids
        of the lines posted."""
        ids: list[str] = []
        for file in files:
            try:
                await self.upload(channel, file, thread_ts)
            except UNDELIVERED as error:
                log.info("slack: %s not uploaded to %s (%s)", file.name, channel, _reason(error))
                note = self.render(Reply.text(_not_attached(file)))
                if response_url is not None:
                    await self.respond(response_url, note)
                else:
                    ids += await self.post(channel, note, thread_ts, None)
        return ids

    async def upload(self, channel: str, file: File, thread_ts: str | None) -> None:
        """files.getUploadURLExternal, the upload to the URL it gives, then
        files.completeUploadExternal to share it in the channel (and thread)."""
        with outbox_errors(channel):
            try:
                await self.client.files_upload_v2(
                    channel=channel,
                    thread_ts=thread_ts,
                    file=file.data,
                    filename=file.name,
                    title=file.name,
                )
            except SlackRequestError:  # the upload URL answered other than 200
                raise RetryLater(NETWORK_RETRY_AFTER, "slack: file upload failed") from None

    async def respond(
        self,
        response_url: str,
        messages: Sequence[SlackMessage],
        replace: bool = False,
        visible: bool = True,
    ) -> None:
        """Answer through a response_url: to the channel, or only to the person (`visible`)."""
        webhook = AsyncWebhookClient(response_url, timeout=RESPONSE_TIMEOUT)
        for index, message in enumerate(messages):
            answer = await webhook.send(
                text=message.text,
                blocks=message.blocks,
                response_type="in_channel" if visible else "ephemeral",
                replace_original=replace and index == 0,
                unfurl_links=False,
                unfurl_media=False,
            )
            if answer.status_code != 200:
                raise RuntimeError(f"response_url answered HTTP {answer.status_code}")

    async def update(
        self,
        channel: str,
        ts: str,
        reply: Reply,
        thread_ts: str | None,
        response_url: str | None,
    ) -> None:
        """A page turn: the message the button was on shows the new page (the first message of
        it; any further ones follow in the same place)."""
        messages = self.render(reply)
        if not messages:
            await self.deliver_files(channel, reply.files, thread_ts, response_url)
            return
        first = messages[0]
        try:
            await self.client.chat_update(
                channel=channel, ts=ts, text=first.text, blocks=first.blocks
            )
        except SlackApiError as error:
            log.info("slack: chat.update failed (%s); posting instead", error_code(error))
            await self.deliver(channel, reply, thread_ts, response_url)
            return
        await self.remember(channel, [ts], reply.brief_id)
        if len(messages) > 1:
            await self.deliver_messages(
                channel, messages[1:], thread_ts, response_url, reply.brief_id
            )
        await self.deliver_files(channel, reply.files, thread_ts, response_url)

    async def remember(self, channel: str, ids: Sequence[str], brief_id: int | None) -> None:
        """Which messages show this brief. The messages are out: a failure here is logged and
        does not make the caller send them again."""
        if brief_id is None or not ids:
            return
        try:
            async with self.context.sessions() as session, session.begin():
                for message_id in ids:
                    await remember_message(
                        session, PLATFORM, channel, message_id, brief_id, self.context.clock()
                    )
        except Exception:
            log.exception("slack: could not record which messages show brief %s", brief_id)

    async def brief_for(self, channel: str, ts: str | None) -> int | None:
        """The brief shown by that message (a thread's parent, a pressed button's message)."""
        if not ts:
            return None
        try:
            async with self.context.sessions() as session:
                return await brief_for_message(session, PLATFORM, channel, ts)
        except Exception:
            log.exception("slack: could not look up the brief of message %s", ts)
            return None


def _not_attached(file: File) -> str:
    return (
        f"{file.name} could not be attached here. In a channel, invite briefbot first, "
        "or ask in a direct message with briefbot."
    )


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return error_code(error) or "error"
    if isinstance(error, ChatGone | RetryLater):
        return error.reason
    return type(error).__name__
