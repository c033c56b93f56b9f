"""The outbox worker: claim due deliveries, compose them, send them, record how each ended.

    worker = OutboxWorker(sessions, {"telegram": telegram.send}, topics, clock)
    await worker.run(stop)  # every process runs one; several share one PostgreSQL outbox

Each round claims a batch (at most one delivery per chat, the chat's oldest unfinished one, so
a chat's messages go out one at a time and in order), sends up to `concurrency` at once, and
records outcomes as they come in. Sent: `sent_at` and the platform's message id. `RetryLater`
or an unexpected error: back to pending with `not_before = now + max(retry_after, back-off)`;
after `max_attempts` the row fails with its reason. `ChatGone`: the row fails and the chat is
marked inactive. A claimed row whose chat is inactive fails with "chat inactive" (paused chats
are the producers' business: the digest sweep and alerts queue nothing for them). Chats on a
platform with no sender in this process are never claimed: their rows stay pending (logged
once). No row is dropped silently.

Alerts held for a chat's quiet hours (`bot.storage.held`) are claimed first in each round,
all of a chat's due ones together (`claim_held`), and go out merged (`merge_held`): one message
per thread, cut into numbered parts past `HELD_PER_MESSAGE` briefs. Every alert of one message
is settled with that message's outcome — sent with its message id, retried together with one
`not_before`, or failed — in one write, and a group whose claim lapsed or that is retried is
claimed again as a group: after a crash no held alert is lost, and each goes out in one message.

A claim older than the lease (its worker crashed, or stalled) is claimed again: that delivery
may reach its chat twice, so it is logged as "re-sent after a crash/lease expiry" and counted.
A live worker renews its claims while a long batch is in flight.

An outcome the database does not take (it is down, or the write fails) is held in memory, with
the platform's message id, and written again with back-off; meanwhile the worker keeps renewing
the claims on those rows, so neither another worker nor this one sends them again, and claims
nothing new. A failure episode is logged once as it starts and once as it ends. Stopping, the
worker tries once more and logs each outcome it still could not write: once their claims lapse,
those deliveries go out again. So does a held delivery whose claim lapsed while the database was
unreachable (for longer than the lease) if another worker takes it over before this one writes
its outcome: it is counted and logged as re-sent, as after a crash.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.errors import ChatGone, RetryLater
from bot.chat import Reply
from bot.delivery.alerts import merge_held
from bot.delivery.compose import Message, Unsendable, compose, load_batch
from bot.domain import DeliveryStatus, Topic
from bot.storage.chats import set_chat_active
from bot.storage.held import claim_held
from bot.storage.outbox import (
    ClaimedDelivery,
    Outcome,
    claim_due,
    renew_claims,
    settle,
    stranded_platforms,
)

log = logging.getLogger(__name__)

Send = Callable[[str, Reply, str | None], Awaitable[list[str]]]
RESENT = "re-sent after a crash/lease expiry"
_STRANDED_CHECK = timedelta(minutes=1)
# Errors that say the database is unreachable or refusing, rather than that the code is wrong.
_DATABASE_ERRORS = (DBAPIError, PoolTimeout, OSError)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class OutboxSettings:
    batch_size: int = 200
    concurrency: int = 32  # sends in flight per worker
    lease: timedelta = timedelta(seconds=90)
    max_attempts: int = 8
    backoff_base: float = 5.0  # seconds before the second attempt, doubling after each failure
    backoff_cap: float = 3600.0
    idle_seconds: float = 2.0  # how long an idle worker waits for a nudge before looking again
    record_retry_base: float = 1.0  # seconds before writing held outcomes again, doubling
    record_retry_cap: float = 5.0

    def backoff(self, attempts: int) -> float:
        return min(self.backoff_cap, self.backoff_base * 2 ** max(attempts - 1, 0))

    def record_retry(self, failures: int) -> float:
        return min(self.record_retry_cap, self.record_retry_base * 2 ** max(failures - 1, 0))


@dataclass
class DrainReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0  # handed back unsent at shutdown
    resent_after_crash: int = 0

    def count(self, outcome: Outcome) -> None:
        if outcome.released:
            self.released += 1
        elif outcome.status is DeliveryStatus.SENT:
            self.sent += 1
        elif outcome.status is DeliveryStatus.FAILED:
            self.failed += 1
        else:
            self.retried += 1

    def summary(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in asdict(self).items())


@dataclass
class OutboxMetrics(DrainReport):
    """Totals since the worker started, for `/stats` and the metrics endpoint."""

    batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class _Batch:
    """One claimed batch: outcomes wait here until the recorder writes them."""

    claims: list[ClaimedDelivery]
    report: DrainReport
    metrics: OutboxMetrics
    held: frozenset[int] = frozenset()  # claimed as held alerts: merged per chat
    outcomes: list[Outcome] = field(default_factory=list)
    gone: list[tuple[str, str]] = field(default_factory=list)
    unsettled: set[int] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False

    def __post_init__(self) -> None:
        self.unsettled = {claim.id for claim in self.claims}

    @property
    def token(self) -> str:
        return self.claims[0].token

    def finish(self, outcome: Outcome, gone: tuple[str, str] | None = None) -> None:
        self.outcomes.append(outcome)
        if gone is not None:
            self.gone.append(gone)
        self.report.count(outcome)
        self.metrics.count(outcome)
        self.ready.set()

    def take(self) -> tuple[list[Outcome], list[tuple[str, str]]]:
        outcomes, self.outcomes = self.outcomes, []
        gone, self.gone = self.gone, []
        return outcomes, gone

    def close(self) -> None:
        self.closed = True
        self.ready.set()


@dataclass
class _Held:
    """Outcomes the database has not taken yet; their rows stay claimed while they wait here."""

    outcomes: dict[int, Outcome] = field(default_factory=dict)
    gone: list[tuple[str, str]] = field(default_factory=list)
    renewed_at: datetime | None = None  # when their claims were last made fresh
    failures: int = 0  # writes failed in a row
    retry_at: datetime | None = None

    def add(self, outcomes: list[Outcome], gone: list[tuple[str, str]]) -> None:
        self.outcomes.update((outcome.delivery_id, outcome) for outcome in outcomes)
        self.gone += gone

    def written(self, outcomes: list[Outcome], gone: list[tuple[str, str]]) -> None:
        for outcome in outcomes:
            self.outcomes.pop(outcome.delivery_id, None)
        del self.gone[: len(gone)]
        self.failures, self.retry_at = 0, None

    def claims(self) -> dict[str, set[int]]:
        by_token: dict[str, set[int]] = {}
        for outcome in self.outcomes.values():
            by_token.setdefault(outcome.token, set()).add(outcome.delivery_id)
        return by_token


def _messages(
    batch: _Batch, items: list[tuple[ClaimedDelivery, Message]]
) -> list[tuple[list[ClaimedDelivery], Message]]:
    """One chat's messages in claim order: each ordinary delivery alone; its held alerts merged,
    where the first of them comes."""
    held = [(claim, message) for claim, message in items if claim.id in batch.held]
    messages: list[tuple[list[ClaimedDelivery], Message]] = []
    for claim, message in items:
        if claim.id not in batch.held:
            messages.append(([claim], message))
        elif claim is held[0][0]:
            messages += merge_held(held)
    return messages


def _ids(claims: list[ClaimedDelivery]) -> str:
    shown = ", ".join(str(claim.id) for claim in claims[:10])
    return shown + (f" (+{len(claims) - 10} more)" if len(claims) > 10 else "")


def _reason(error: BaseException) -> str:
    """One short line: the error's type and the first line of the driver's message."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(cause).strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:200]}" if lines else type(error).__name__


class _Outage:
    """Database failures, told once per episode: as the first one comes, and as it ends."""

    def __init__(self) -> None:
        self.since: datetime | None = None
        self.failures = 0

    def failed(self, now: datetime, doing: str, error: Exception, held: int) -> None:
        self.failures += 1
        if self.since is not None:
            log.debug("outbox: could not %s: %s", doing, _reason(error), exc_info=True)
            return
        self.since = now
        unexpected = not isinstance(error, _DATABASE_ERRORS)
        what = "unexpected error from the database" if unexpected else "the database is failing"
        if held:
            then = (
                f"holding {held} delivery outcomes in memory and keeping their claims, claiming "
                "nothing new until they are recorded"
            )
        else:
            then = "trying again shortly"
        log.warning(
            "outbox: %s (%s): could not %s; %s",
            what,
            _reason(error),
            doing,
            then,
            exc_info=unexpected or log.isEnabledFor(logging.DEBUG),
        )

    def over(self, now: datetime, recorded: int = 0) -> None:
        if self.since is None:
            return
        log.warning(
            "outbox: the database answers again, after %d failed attempts over %.0f s%s",
            self.failures,
            (now - self.since).total_seconds(),
            f"; {recorded} held delivery outcomes recorded" if recorded else "",
        )
        self.since, self.failures = None, 0


def _unwritten(outcome: Outcome) -> str:
    if outcome.released:
        done, then = "was handed back unsent", "it goes out once its claim lapses"
    elif outcome.status is DeliveryStatus.SENT:
        done = f"was sent (message id {outcome.message_id or 'none'})"
        then = "its chat will get it a second time once its claim lapses"
    elif outcome.status is DeliveryStatus.FAILED:
        done, then = f"failed ({outcome.error})", "it is tried again once its claim lapses"
    else:
        done = f"is to be retried ({outcome.error})"
        then = "it is tried again once its claim lapses"
    return f"delivery {outcome.delivery_id} {done}, but that could not be recorded; {then}"


class OutboxWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        senders: Mapping[str, Send],
        topics: Mapping[str, Topic],
        clock: Callable[[], datetime] = utc_now,
        settings: OutboxSettings | None = None,
        name: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.senders = dict(senders)
        self.topics = topics
        self.clock = clock
        self.settings = settings or OutboxSettings()
        self.name = name or f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(3)}"
        self.metrics = OutboxMetrics()
        self._limit = asyncio.Semaphore(self.settings.concurrency)
        self._nudged = asyncio.Event()
        self._stop: asyncio.Event | None = None
        self._warned: set[str] = set()
        self._stranded_checked: datetime | None = None
        self._rounds = 0
        self._held = _Held()
        self._outage = _Outage()

    def nudge(self) -> None:
        """Something was queued: look now instead of at the end of the idle wait."""
        self._nudged.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until `stop` is set; a batch in flight finishes, unsent claims are released."""
        self._stop = stop
        try:
            while not stop.is_set():
                self._nudged.clear()
                try:
                    report = await self.drain_once()
                except _DATABASE_ERRORS as error:
                    self._outage.failed(self.clock(), "claim deliveries", error, 0)
                    report = DrainReport()
                except Exception:
                    log.exception("outbox round failed; trying again shortly")
                    report = DrainReport()
                if not report.claimed and not stop.is_set():
                    await self._idle(stop)
            await self._record_before_stopping()
        finally:
            self._stop = None

    async def _idle(self, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(self._nudged.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(
                waits, timeout=self.settings.idle_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiting in waits:
                waiting.cancel()

    async def drain_once(self, now: datetime | None = None) -> DrainReport:
        """Claim one batch of due deliveries at `now` (default: the clock), send it, and record
        every outcome before returning, holding any the database does not take. Held outcomes
        come first: until they are written, a round only retries them and keeps their claims."""
        now = now or self.clock()
        if self._held.outcomes and not await self._catch_up(now):
            return DrainReport()
        await self._warn_stranded(now)
        self._rounds += 1
        token = f"{self.name}#{self._rounds}"
        settings = self.settings
        async with self.sessions() as session, session.begin():
            held = await claim_held(
                session, now, settings.batch_size, settings.lease, token, self.senders
            )
            claims = held + await claim_due(
                session, now, settings.batch_size - len(held), settings.lease, token, self.senders
            )
        claims.sort(key=lambda claim: claim.id)
        self._outage.over(now)
        report = DrainReport(claimed=len(claims))
        if not claims:
            return report
        self._held.renewed_at = now
        self.metrics.batches += 1
        self.metrics.claimed += len(claims)
        self._note_reclaims(claims, report)
        batch = _Batch(claims, report, self.metrics, frozenset(claim.id for claim in held))
        recorder = asyncio.create_task(self._record(batch))
        heartbeat = asyncio.create_task(self._renew(batch))
        try:
            await self._process(batch)
        finally:
            heartbeat.cancel()
            batch.close()
            await asyncio.gather(recorder, heartbeat, return_exceptions=True)
        log.debug("outbox batch %s: %s", token, report.summary())
        return report

    def _note_reclaims(self, claims: Collection[ClaimedDelivery], report: DrainReport) -> None:
        reclaimed = [claim.id for claim in claims if claim.reclaimed]
        if not reclaimed:
            return
        report.resent_after_crash += len(reclaimed)
        self.metrics.resent_after_crash += len(reclaimed)
        shown = ", ".join(str(delivery_id) for delivery_id in reclaimed[:50])
        log.warning(
            "%s: %d deliveries whose previous claim lapsed unconfirmed go out again (ids %s%s); "
            "their chats may see them twice",
            RESENT,
            len(reclaimed),
            shown,
            ", …" if len(reclaimed) > 50 else "",
        )

    async def _process(self, batch: _Batch) -> None:
        try:
            async with self.sessions() as session:
                data = await load_batch(session, batch.claims)
        except Exception:
            log.exception("could not load %d deliveries to compose them", len(batch.claims))
            for claim in batch.claims:
                batch.finish(self._retry(claim, 0.0, "could not load the delivery"))
            return
        by_chat: dict[int, list[tuple[ClaimedDelivery, Message]]] = {}
        for claim in batch.claims:
            if claim.attempts > self.settings.max_attempts:
                batch.finish(Outcome.failed(claim, f"gave up after {claim.attempts - 1} attempts"))
                continue
            try:
                composed = compose(claim, data, self.topics)
            except Exception as error:
                log.exception("could not compose delivery %s", claim.id)
                reason = f"could not compose: {type(error).__name__}"
                batch.finish(self._retry(claim, 0.0, reason))
                continue
            if isinstance(composed, Unsendable):
                batch.finish(Outcome.failed(claim, composed.reason))
            else:
                by_chat.setdefault(claim.chat_id, []).append((claim, composed))
        await asyncio.gather(
            *(self._send_chat(batch, _messages(batch, items)) for items in by_chat.values())
        )

    async def _send_chat(
        self, batch: _Batch, messages: list[tuple[list[ClaimedDelivery], Message]]
    ) -> None:
        """One chat's messages, one after another."""
        for claims, message in messages:
            async with self._limit:
                if self._stop is not None and self._stop.is_set():
                    for claim in claims:
                        batch.finish(Outcome.release(claim))
                    continue
                await self._send(batch, claims, message)

    async def _send(self, batch: _Batch, claims: list[ClaimedDelivery], message: Message) -> None:
        """Send one message; every delivery it carries ends the same way."""
        send = self.senders[message.platform]
        shown = _ids(claims)
        gone: tuple[str, str] | None = None
        try:
            ids = await send(message.chat_external_id, message.reply, message.thread_id)
        except RetryLater as error:
            outcomes = self._retry_all(claims, error.retry_after, error.reason)
        except ChatGone as error:
            log.info(
                "%s chat %s is gone (%s): delivery %s failed, chat marked inactive",
                message.platform,
                message.chat_external_id,
                error.reason,
                shown,
            )
            outcomes = [Outcome.failed(claim, f"chat gone: {error.reason}") for claim in claims]
            gone = (message.platform, message.chat_external_id)
        except Exception as error:
            log.exception(
                "sending delivery %s to %s chat %s failed",
                shown,
                message.platform,
                message.chat_external_id,
            )
            reason = f"unexpected error: {type(error).__name__}"
            outcomes = self._retry_all(claims, 0.0, reason)
        else:
            at, message_id = self.clock(), ids[-1] if ids else None
            outcomes = [Outcome.sent(claim, at, message_id) for claim in claims]
        for index, outcome in enumerate(outcomes):
            batch.finish(outcome, gone if index == 0 else None)

    def _retry(self, claim: ClaimedDelivery, retry_after: float, reason: str) -> Outcome:
        return self._retry_all([claim], retry_after, reason)[0]

    def _retry_all(
        self, claims: list[ClaimedDelivery], retry_after: float, reason: str
    ) -> list[Outcome]:
        """Back to pending, all at one `not_before` (a merged message is retried whole); a
        delivery out of attempts fails instead."""
        attempts = max(claim.attempts for claim in claims)
        delay = max(retry_after, self.settings.backoff(attempts))
        not_before = self.clock() + timedelta(seconds=delay)
        outcomes = []
        for claim in claims:
            if claim.attempts >= self.settings.max_attempts:
                log.warning(
                    "delivery %s gave up after %d attempts: %s", claim.id, claim.attempts, reason
                )
                error = f"gave up after {claim.attempts} attempts: {reason}"
                outcomes.append(Outcome.failed(claim, error))
            else:
                outcomes.append(Outcome.retry(claim, not_before, reason))
        return outcomes

    async def _record(self, batch: _Batch) -> None:
        """Write outcomes as they arrive, as many per transaction as have piled up; what the
        database does not take stays held (and its claim renewed) until it does."""
        while True:
            await batch.ready.wait()
            batch.ready.clear()
            self._held.add(*batch.take())
            batch.unsettled.difference_update(await self._write_held(self.clock()))
            if batch.closed and not batch.outcomes:
                return

    async def _write_held(self, now: datetime, force: bool = False) -> set[int]:
        """Write every held outcome in one transaction, unless an earlier failure's back-off
        has not passed (`force` ignores it); returns the ids written."""
        held = self._held
        if not held.outcomes or (not force and held.retry_at is not None and now < held.retry_at):
            return set()
        outcomes, gone = list(held.outcomes.values()), list(held.gone)
        try:
            async with self.sessions() as session, session.begin():
                await settle(session, outcomes)
                for platform, chat_external_id in gone:
                    await set_chat_active(session, platform, chat_external_id, False)
        except Exception as error:
            held.failures += 1
            held.retry_at = now + timedelta(seconds=self.settings.record_retry(held.failures))
            doing = f"record {len(outcomes)} delivery outcomes"
            self._outage.failed(now, doing, error, len(held.outcomes))
            return set()
        held.written(outcomes, gone)
        self._outage.over(now, len(outcomes))
        return {outcome.delivery_id for outcome in outcomes}

    async def _catch_up(self, now: datetime) -> bool:
        """Between batches: write the held outcomes, or else keep their claims. True once none
        are held."""
        await self._write_held(now)
        held = self._held
        if held.outcomes and (
            held.renewed_at is None or now - held.renewed_at >= self.settings.lease / 3
        ):
            await self._renew_claims(held.claims(), now)
        return not held.outcomes

    async def _renew_claims(self, claims: Mapping[str, Collection[int]], now: datetime) -> None:
        try:
            async with self.sessions() as session, session.begin():
                for token, ids in claims.items():
                    await renew_claims(session, ids, token, now)
        except Exception as error:
            doing = "renew the claims of deliveries in hand"
            self._outage.failed(now, doing, error, len(self._held.outcomes))
        else:
            self._held.renewed_at = now

    async def _renew(self, batch: _Batch) -> None:
        interval = self.settings.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            await self._renew_claims({batch.token: set(batch.unsettled)}, self.clock())

    async def _record_before_stopping(self) -> None:
        """One last try to write the held outcomes; each one still unwritten gets a line."""
        if not self._held.outcomes:
            return
        await self._write_held(self.clock(), force=True)
        for outcome in self._held.outcomes.values():
            sent = outcome.status is DeliveryStatus.SENT
            log.log(logging.ERROR if sent else logging.WARNING, "outbox: %s", _unwritten(outcome))
        for platform, chat_external_id in self._held.gone:
            log.warning(
                "outbox: %s chat %s is gone, but could not be marked inactive",
                platform,
                chat_external_id,
            )

    async def _warn_stranded(self, now: datetime) -> None:
        """Once per platform: deliveries wait for a platform this process cannot send to."""
        checked = self._stranded_checked
        if checked is not None and now - checked < _STRANDED_CHECK:
            return
        self._stranded_checked = now
        async with self.sessions() as session:
            platforms = await stranded_platforms(session, self.senders)
        for platform in platforms:
            if platform not in self._warned:
                self._warned.add(platform)
                log.warning(
                    "deliveries to %s chats are waiting, but %s is not configured here; they "
                    "stay pending until a process with %s sends them",
                    platform,
                    platform,
                    platform,
                )
