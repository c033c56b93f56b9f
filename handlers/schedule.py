"""When a chat hears from the bot: the digest time, the time zone, quiet hours, pause and resume,
settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat import Command, CommandSpec, Emphasis, Reply, Text, UserError
from bot.delivery.alerts import quiet_end
from bot.domain import Chat, Subscription
from bot.storage import chats as chat_store
from bot.storage import held as held_store
from bot.storage.chats import QuietHours
from handlers.context import Context
from handlers.dispatch import suggest

FAMILY = "schedule"
TIME_HELP = "Use HH:MM in 24-hour time, e.g. /schedule 07:30 Africa/Tunis"
ZONE_EXAMPLE = "Africa/Tunis"
MAX_QUERY_SHOWN = 80

QUIET_USAGE = (
    "Usage: /quiet HH:MM-HH:MM in this chat's time zone, e.g. /quiet 22:00-07:00 · /quiet off"
)

# 07:30, 7:30, 20h30 (French style), 7am, 7:30pm, 7:30 pm
_CLOCK = re.compile(r"(\d{1,2})(?:[:h](\d{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE)
# 22:00-07:00, 22:00 - 07:00, 10pm–7am: two times of day around one dash
_PERIOD = re.compile(r"([^-–—]+)[-–—]([^-–—]+)")


def parse_clock(text: str) -> time | None:
    """A time of day as people type it, or None when it is not one."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if match[2] is None and not half:
        return None  # a bare "8" could be a time or a count; ask for 08:00
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _zone_key(text: str) -> str:
    return "_".join(text.split()).lower()


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {_zone_key(name): name for name in available_timezones()}


def _zone_suggestions(text: str) -> list[str]:
    key = _zone_key(text)
    city = key.rsplit("/", 1)[-1]
    same_city = sorted(name for k, name in _zones().items() if k.rsplit("/", 1)[-1] == city)
    if same_city:
        return same_city[:3]
    return suggest(text, sorted(_zones().values()), limit=3)


def find_zone(text: str, example: str) -> str:
    """The IANA zone name for `text`, any case, spaces for underscores; else a UserError."""
    found = _zones().get(_zone_key(text))
    if found is not None:
        return found
    shown = " ".join(text.split())[:60]
    close = _zone_suggestions(text)
    if close:
        either = f"{', '.join(close[:-1])} or {close[-1]}" if len(close) > 1 else close[0]
        hint = f"Did you mean {either}? For example: {example.format(zone=close[0])}"
    else:
        hint = f"Zones are written Area/City, e.g. {example.format(zone=ZONE_EXAMPLE)}"
    raise UserError(f'"{shown}" is not a time zone I know.', hint)


def zone_of(name: str) -> ZoneInfo:
    """The chat's zone; UTC if the stored name is unknown to this system."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_local(moment: datetime, zone: str) -> str:
    """`Tue 16 Dec 10:30 Africa/Tunis`: a moment as the chat reads it."""
    return f"{moment.astimezone(zone_of(zone)):%a %d %b %H:%M} {zone}"


def digest_label(chat: Chat, now: datetime) -> str:
    """`07:30 Africa/Tunis (06:30 UTC)`, or `off`."""
    if chat.digest_time is None:
        return "off"
    zone = zone_of(chat.timezone)
    local = datetime.combine(now.astimezone(zone).date(), chat.digest_time, tzinfo=zone)
    label = f"{chat.digest_time:%H:%M} {chat.timezone}"
    if chat.timezone == "UTC":
        return label
    return f"{label} ({local.astimezone(UTC):%H:%M} UTC)"


def _paused_note(chat: Chat) -> tuple[Text, ...]:
    if not chat.paused:
        return ()
    return (Text("This chat is paused: nothing is sent until /resume.", Emphasis.NOTE),)


def _split_time(args: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """`7:30 pm Africa/Tunis` → ("7:30 pm", ("Africa/Tunis",))."""
    if len(args) > 1 and re.fullmatch(r"[ap]\.?m\.?", args[1], re.IGNORECASE):
        return f"{args[0]} {args[1]}", args[2:]
    return args[0], args[1:]


async def schedule(context: Context, command: Command) -> Reply:
    now = context.clock()
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        if not command.args:
            return Reply.text(f"Daily digest: {digest_label(chat, now)}.").plus(
                Text("Change it with /schedule HH:MM [Area/City], or /schedule off.", Emphasis.NOTE)
            )
        if command.args[0].lower() == "off":
            if len(command.args) > 1:
                raise UserError("/schedule off takes nothing after it.", f"Usage: {SCHEDULE.usage}")
            await chat_store.set_digest_time(session, chat.id, None)
            return Reply.text("Daily digest off.").plus(
                Text("/schedule 07:30 turns it back on; /digest shows one now.", Emphasis.NOTE)
            )
        time_text, zone_words = _split_time(command.args)
        digest_time = parse_clock(time_text)
        if digest_time is None:
            raise UserError(f'"{time_text[:40]}" is not a time I can read.', TIME_HELP)
        if zone_words:
            zone = find_zone(" ".join(zone_words), "/schedule 07:30 {zone}")
            await chat_store.update_chat(session, chat.id, timezone=zone)
        chat = await chat_store.set_digest_time(session, chat.id, digest_time)
    return Reply.text(f"Daily digest at {digest_label(chat, now)}.").plus(*_paused_note(chat))


async def timezone(context: Context, command: Command) -> Reply:
    now = context.clock()
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        if not command.args:
            return Reply.text(f"This chat's time zone is {chat.timezone}.").plus(
                Text(
                    f"Change it with /timezone Area/City, e.g. /timezone {ZONE_EXAMPLE}.",
                    Emphasis.NOTE,
                )
            )
        zone = find_zone(" ".join(command.args), "/timezone {zone}")
        chat = await chat_store.update_chat(session, chat.id, timezone=zone)
        hours = await chat_store.quiet_hours(session, chat.id)
        held = await _release_held(session, chat.id, hours, now) if hours else None
    local = now.astimezone(zone_of(zone))
    lines = [f"Time zone set to {zone} (it is {local:%H:%M} there now)."]
    if chat.digest_time is not None:
        lines.append(f"Daily digest at {digest_label(chat, now)}.")
    if hours is not None:
        lines.append(f"Quiet hours {quiet_label(hours)}.")
    return Reply.text(*lines).plus(*_held_note(held, zone, now))


# --- quiet hours ---


def quiet_label(hours: QuietHours) -> str:
    """`22:00-07:00 Africa/Tunis`."""
    return f"{hours.start:%H:%M}-{hours.end:%H:%M} {hours.timezone}"


def parse_period(text: str) -> tuple[time, time] | None:
    """`22:00-07:00` (each side as /schedule reads a time) as (start, end); None when it is not
    two different times of day."""
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        return None
    start, end = parse_clock(match[1]), parse_clock(match[2])
    if start is None or end is None or start == end:
        return None
    return start, end


async def _release_held(
    session: AsyncSession, chat_id: int, hours: QuietHours | None, now: datetime
) -> tuple[int, datetime]:
    """The chat's held alerts go out when the quiet period in force at `now` ends, or at once
    when there is none; (how many are held, when they go)."""
    end = quiet_end(hours, now) if hours is not None else None
    at = end or now
    return await held_store.release_held_at(session, chat_id, at), at


def _held_note(held: tuple[int, datetime] | None, zone: str, now: datetime) -> tuple[Text, ...]:
    """`Held alerts: 3, going out at 07:00.`, when the chat has some."""
    if held is None or not held[0]:
        return ()
    count, at = held
    when = "now" if at <= now else f"at {at.astimezone(zone_of(zone)):%H:%M}"
    return (Text(f"Held alerts: {count}, going out {when}.", Emphasis.NOTE),)


def _quiet_shown(hours: QuietHours | None) -> Reply:
    if hours is None:
        return Reply.text("Quiet hours: off.").plus(
            Text(
                "/quiet 22:00-07:00 holds alerts at night and sends them as one message after.",
                Emphasis.NOTE,
            )
        )
    return Reply.text(f"Quiet hours: {quiet_label(hours)}.").plus(
        Text("Change them with /quiet HH:MM-HH:MM, or /quiet off.", Emphasis.NOTE)
    )


async def quiet(context: Context, command: Command) -> Reply:
    now = context.clock()
    words = command.args
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        if not words:
            return _quiet_shown(await chat_store.quiet_hours(session, chat.id))
        if [word.lower() for word in words] == ["off"]:
            await chat_store.set_quiet_hours(session, chat.id, None, None)
            held = await _release_held(session, chat.id, None, now)
            return Reply.text("Quiet hours off: alerts come as they happen.").plus(
                *_held_note(held, chat.timezone, now)
            )
        period = parse_period(" ".join(words))
        if period is None:
            raise UserError(QUIET_USAGE)
        await chat_store.set_quiet_hours(session, chat.id, *period)
        hours = QuietHours(*period, chat.timezone)
        held = await _release_held(session, chat.id, hours, now)
    return Reply.text(
        f"Quiet hours {quiet_label(hours)}: alerts in those hours wait, then come as one "
        f"message at {hours.end:%H:%M}."
    ).plus(*_held_note(held, chat.timezone, now), *_paused_note(chat))


async def pause(context: Context, command: Command) -> Reply:
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        if chat.paused:
            return Reply.text("This chat is already paused.").plus(
                Text("/resume to hear from the bot again.", Emphasis.NOTE)
            )
        await chat_store.update_chat(session, chat.id, paused=True)
    return Reply.text("Paused: no alerts and no digests until you send /resume.").plus(
        Text("Subscriptions, watches and the schedule are kept.", Emphasis.NOTE)
    )


async def resume(context: Context, command: Command) -> Reply:
    now = context.clock()
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        if not chat.paused:
            return Reply.text("This chat is not paused: alerts and digests are running.")
        chat = await chat_store.update_chat(session, chat.id, paused=False)
    alerts = "on" if chat.alerts else "off (/alerts on to get them)"
    return Reply.text("Resumed.", f"Alerts: {alerts}.", f"Daily digest: {digest_label(chat, now)}.")


def _topic_line(context: Context, subscription: Subscription, zone: str, now: datetime) -> str:
    state = [f"alerts {'on' if subscription.alerts else 'off'}"]
    if subscription.muted_until is not None and subscription.muted_until > now:
        state.append(f"muted until {format_local(subscription.muted_until, zone)}")
    return f"• {context.topic_name(subscription.topic)} — {', '.join(state)}"


def _shown_query(query: str) -> str:
    flat = " ".join(query.split())
    return flat if len(flat) <= MAX_QUERY_SHOWN else flat[: MAX_QUERY_SHOWN - 1] + "…"


async def settings(context: Context, command: Command) -> Reply:
    now = context.clock()
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        found = await chat_store.settings_of(session, chat.id)
        hours = await chat_store.quiet_hours(session, chat.id)
        held = await held_store.held_alerts(session, chat.id)
    lines = ["Topics:"] if found.subscriptions else ["Topics: none yet (/topics to pick some)."]
    lines += [_topic_line(context, sub, chat.timezone, now) for sub in found.subscriptions]
    lines += ["Watches:"] if found.watches else ['Watches: none (/watch "query" adds one).']
    lines += [f"• W{watch.id} {_shown_query(watch.query)}" for watch in found.watches]
    quiet = "a short line says so" if chat.empty_digest_line else "nothing is sent"
    lines += [
        f"Alerts: {'on' if chat.alerts else 'off'}",
        f"Quiet hours: {_quiet_setting(hours, held, chat.timezone, now)}",
        f"Daily digest: {digest_label(chat, now)}",
        f"Time zone: {chat.timezone}",
        f"On a day with nothing new: {quiet}",
        f"Paused: {'yes (/resume to restart)' if chat.paused else 'no'}",
    ]
    return Reply(parts=(Text("Settings", Emphasis.HEADING), Text("\n".join(lines))))


def _quiet_setting(
    hours: QuietHours | None, held: tuple[int, datetime | None], zone: str, now: datetime
) -> str:
    """`22:00-07:00 Africa/Tunis (3 alerts held until 07:00)`, or `off`."""
    count, until = held
    shown = quiet_label(hours) if hours is not None else "off"
    if not count or until is None:
        return shown
    alerts = f"{count} alert{'s' * (count != 1)}"
    if until <= now:
        return f"{shown} ({alerts} held, going out now)"
    return f"{shown} ({alerts} held until {until.astimezone(zone_of(zone)):%H:%M})"


SCHEDULE = CommandSpec(
    "schedule",
    "/schedule HH:MM [Area/City] · /schedule off",
    "Set the daily digest time in this chat's time zone, or turn the digest off.",
    schedule,
    changes_chat=True,
    max_args=None,
    family=FAMILY,
    examples=("/schedule 07:30", "/schedule 07:30 Africa/Tunis", "/schedule 6pm", "/schedule off"),
)
COMMANDS: tuple[CommandSpec, ...] = (
    SCHEDULE,
    CommandSpec(
        "timezone",
        "/timezone Area/City",
        "Set this chat's time zone for the digest and times.",
        timezone,
        changes_chat=True,
        max_args=None,
        family=FAMILY,
        examples=("/timezone Africa/Tunis", "/timezone Europe/Paris", "/timezone UTC"),
    ),
    CommandSpec(
        "quiet",
        "/quiet HH:MM-HH:MM · /quiet off",
        "Hold alerts in those hours (this chat's time zone) and send them as one message after.",
        quiet,
        changes_chat=True,
        max_args=None,
        family=FAMILY,
        examples=("/quiet 22:00-07:00", "/quiet 10pm-7am", "/quiet off"),
    ),
    CommandSpec(
        "pause",
        "/pause",
        "Stop all alerts and digests without losing subscriptions.",
        pause,
        changes_chat=True,
        family=FAMILY,
    ),
    CommandSpec(
        "resume",
        "/resume",
        "Restart alerts and digests after /pause.",
        resume,
        changes_chat=True,
        family=FAMILY,
    ),
    CommandSpec(
        "settings",
        "/settings",
        "What this chat follows and when it hears from the bot.",
        settings,
        family=FAMILY,
    ),
)
