"""Schedule, time zone, pause, resume and settings: transcripts through the console."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest

from bot.adapters.console import ConsoleChat
from bot.chat import Command
from bot.domain import ChatKind
from bot.render.plain import render_plain
from bot.storage import chats
from handlers import schedule
from handlers.context import Context
from handlers.dispatch import dispatch
from tests.chat_settings_support import NOW, Clock, settings_context

SUMMER = datetime(2025, 7, 1, 9, 30, tzinfo=UTC)
TIME_HELP = "Use HH:MM in 24-hour time, e.g. /schedule 07:30 Africa/Tunis"


@pytest.fixture
async def context(sqlite_url: str) -> AsyncIterator[Context]:
    async for built in settings_context(sqlite_url):
        yield built


@pytest.fixture
async def any_context(database_url: str) -> AsyncIterator[Context]:
    async for built in settings_context(database_url):
        yield built


@pytest.fixture
def console(context: Context) -> ConsoleChat:
    return ConsoleChat(context)


async def _chat(context: Context, external_id: str = "console") -> chats.ChatSettings:
    async with context.sessions() as session:
        chat = await chats.ensure_chat(session, "console", external_id, ChatKind.PRIVATE, NOW)
        return await chats.settings_of(session, chat.id)


def _group(name: str, *args: str, chat_admin: bool = False) -> Command:
    return Command(
        platform="telegram",
        chat_id="-1001",
        chat_kind=ChatKind.GROUP,
        user_id="7",
        name=name,
        args=args,
        text=" ".join(args),
        user_is_chat_admin=chat_admin,
    )


# --- schedule ---


async def test_schedule_with_a_zone_sets_both(console: ConsoleChat) -> None:
    answer = await console.say("/schedule 07:30 Africa/Tunis")
    assert answer == "Daily digest at 07:30 Africa/Tunis (06:30 UTC)."
    chat = (await _chat(console.context)).chat
    assert (chat.digest_time, chat.timezone) == (time(7, 30), "Africa/Tunis")


async def test_schedule_keeps_the_zone_and_follows_summer_time(console: ConsoleChat) -> None:
    await console.say("/timezone Europe/Paris")
    assert "(07:00 UTC)" in await console.say("/schedule 8:00")
    clock = console.context.clock
    assert isinstance(clock, Clock)
    clock.now = SUMMER
    assert await console.say("/schedule") == (
        "Daily digest: 08:00 Europe/Paris (06:00 UTC).\n"
        "  Change it with /schedule HH:MM [Area/City], or /schedule off."
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("8:00", time(8, 0)),
        ("08:05", time(8, 5)),
        ("20h30", time(20, 30)),
        ("7am", time(7, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("6:45pm", time(18, 45)),
        ("6:45 pm", time(18, 45)),
        ("23:59", time(23, 59)),
        ("0:00", time(0, 0)),
    ],
)
async def test_schedule_reads_the_usual_ways_of_writing_a_time(
    console: ConsoleChat, typed: str, expected: time
) -> None:
    answer = await console.say(f"/schedule {typed}")
    assert answer == f"Daily digest at {expected:%H:%M} UTC."
    assert (await _chat(console.context)).chat.digest_time == expected


@pytest.mark.parametrize("typed", ["25:00", "7:60", "8", "noon", "13pm", "07:30:00", "-1:00"])
async def test_a_bad_time_says_what_is_accepted(console: ConsoleChat, typed: str) -> None:
    await console.say("/schedule 09:00")
    answer = await console.say(f"/schedule {typed}")
    assert answer == f'"{typed}" is not a time I can read.\n  {TIME_HELP}'
    assert (await _chat(console.context)).chat.digest_time == time(9, 0)


async def test_a_bad_zone_changes_nothing_and_suggests(console: ConsoleChat) -> None:
    await console.say("/schedule 09:00")
    answer = await console.say("/schedule 06:00 Tunis")
    assert answer == (
        '"Tunis" is not a time zone I know.\n'
        "  Did you mean Africa/Tunis? For example: /schedule 07:30 Africa/Tunis"
    )
    chat = (await _chat(console.context)).chat
    assert (chat.digest_time, chat.timezone) == (time(9, 0), "UTC")


async def test_schedule_off_and_back_on(console: ConsoleChat) -> None:
    assert (await console.say("/schedule off")).startswith("Daily digest off.")
    assert (await _chat(console.context)).chat.digest_time is None
    assert "Daily digest: off" in await console.say("/settings")
    assert "Usage: /schedule HH:MM [Area/City] · /schedule off" in await console.say(
        "/schedule off now"
    )
    assert await console.say("/schedule 09:15") == "Daily digest at 09:15 UTC."


async def test_schedule_in_a_paused_chat_says_it_is_paused(console: ConsoleChat) -> None:
    await console.say("/pause")
    answer = await console.say("/schedule 10:00")
    assert "This chat is paused: nothing is sent until /resume." in answer


# --- timezone ---


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Africa/Tunis", "Africa/Tunis"),
        ("africa/tunis", "Africa/Tunis"),
        ("AMERICA/NEW YORK", "America/New_York"),
        ("utc", "UTC"),
        ("GMT", "GMT"),
    ],
)
async def test_timezone_takes_iana_names_in_any_case(
    console: ConsoleChat, typed: str, zone: str
) -> None:
    answer = await console.say(f"/timezone {typed}")
    assert answer.startswith(f"Time zone set to {zone} (it is ")
    assert (await _chat(console.context)).chat.timezone == zone


async def test_timezone_reply_gives_local_time_and_the_digest(console: ConsoleChat) -> None:
    assert await console.say("/timezone Asia/Tokyo") == (
        "Time zone set to Asia/Tokyo (it is 18:30 there now).\n"
        "Daily digest at 08:00 Asia/Tokyo (23:00 UTC)."
    )


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("Tunis", "Africa/Tunis"),
        ("Afrika/Tunis", "Africa/Tunis"),
        ("new york", "America/New_York"),
        ("Europe/Pariss", "Europe/Paris"),
    ],
)
async def test_a_misspelt_zone_gets_a_suggestion(
    console: ConsoleChat, typed: str, suggested: str
) -> None:
    await console.say("/timezone Europe/Rome")
    answer = await console.say(f"/timezone {typed}")
    assert answer.startswith(f'"{typed}" is not a time zone I know.\n  Did you mean {suggested}')
    assert f"For example: /timezone {suggested}" in answer
    assert (await _chat(console.context)).chat.timezone == "Europe/Rome"


async def test_an_unknown_zone_gets_an_example(console: ConsoleChat) -> None:
    answer = await console.say("/timezone qqzzx")
    assert answer == (
        '"qqzzx" is not a time zone I know.\n'
        "  Zones are written Area/City, e.g. /timezone Africa/Tunis"
    )


async def test_timezone_alone_shows_the_current_zone(console: ConsoleChat) -> None:
    assert (await console.say("/timezone")).startswith("This chat's time zone is UTC.")


# --- quiet hours ---


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("22:00-07:00", "22:00-07:00"),
        ("22:00 - 07:00", "22:00-07:00"),
        ("22:00–07:00", "22:00-07:00"),
        ("10pm-7am", "22:00-07:00"),
        ("10 pm - 7:30 am", "22:00-07:30"),
        ("20h30-6:00", "20:30-06:00"),
        ("13:00-14:00", "13:00-14:00"),
    ],
)
async def test_quiet_reads_a_period_as_schedule_reads_times(
    console: ConsoleChat, typed: str, shown: str
) -> None:
    answer = await console.say(f"/quiet {typed}")
    end = shown.split("-")[1]
    assert answer == (
        f"Quiet hours {shown} UTC: alerts in those hours wait, then come as one message at {end}."
    )
    assert f"Quiet hours: {shown} UTC\n" in await console.say("/settings")


@pytest.mark.parametrize(
    "typed",
    [
        "22:00",
        "22:00-22:00",
        "7am-07:00",
        "25:00-07:00",
        "22:00-7:60",
        "22-7",
        "22:00-07:00-08:00",
        "tonight",
        "off now",
        "on",
        "22:00 07:00",
        "-07:00",
    ],
)
async def test_a_bad_quiet_period_gets_one_usage_line(console: ConsoleChat, typed: str) -> None:
    await console.say("/quiet 23:00-06:00")
    assert await console.say(f"/quiet {typed}") == schedule.QUIET_USAGE
    assert "\n" not in schedule.QUIET_USAGE
    assert "Quiet hours: 23:00-06:00 UTC\n" in await console.say("/settings")


async def test_quiet_alone_shows_the_period_and_off_ends_it(console: ConsoleChat) -> None:
    assert await console.say("/quiet") == (
        "Quiet hours: off.\n"
        "  /quiet 22:00-07:00 holds alerts at night and sends them as one message after."
    )
    await console.say("/timezone Europe/Paris")
    await console.say("/quiet 22:30-6:45")
    assert await console.say("/quiet") == (
        "Quiet hours: 22:30-06:45 Europe/Paris.\n"
        "  Change them with /quiet HH:MM-HH:MM, or /quiet off."
    )
    assert await console.say("/quiet OFF") == "Quiet hours off: alerts come as they happen."
    assert "Quiet hours: off\n" in await console.say("/settings")


async def test_quiet_follows_the_chat_zone(console: ConsoleChat) -> None:
    await console.say("/quiet 22:00-07:00")
    answer = await console.say("/timezone Africa/Tunis")
    assert answer.endswith("Quiet hours 22:00-07:00 Africa/Tunis.")
    assert "Quiet hours: 22:00-07:00 Africa/Tunis\n" in await console.say("/settings")


async def test_quiet_in_a_paused_chat_says_it_is_paused(console: ConsoleChat) -> None:
    await console.say("/pause")
    answer = await console.say("/quiet 22:00-07:00")
    assert answer.endswith("This chat is paused: nothing is sent until /resume.")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("23:00-05:00", (time(23), time(5))), ("9am-5pm", (time(9), time(17)))],
)
def test_parse_period(typed: str, expected: tuple[time, time]) -> None:
    assert schedule.parse_period(typed) == expected


# --- pause, resume ---


async def test_pause_and_resume_keep_everything(console: ConsoleChat) -> None:
    await console.say("/subscribe libya")
    assert (await console.say("/pause")).startswith("Paused: no alerts and no digests")
    assert "already paused" in await console.say("/pause")
    found = await _chat(console.context)
    assert found.chat.paused is True
    assert [s.topic for s in found.subscriptions] == ["libya"]
    assert await console.say("/resume") == ("Resumed.\nAlerts: on.\nDaily digest: 08:00 UTC.")
    assert (await _chat(console.context)).chat.paused is False
    assert "is not paused" in await console.say("/resume")


async def test_pause_and_resume_take_no_arguments(console: ConsoleChat) -> None:
    assert await console.say("/pause all") == "/pause takes no arguments.\n  Usage: /pause"
    assert "Usage: /resume" in await console.say("/resume now")
    assert "Usage: /settings" in await console.say("/settings please")
    assert (await _chat(console.context)).chat.paused is False


# --- settings ---


async def test_settings_shows_what_the_chat_hears_and_when(console: ConsoleChat) -> None:
    empty = await console.say("/settings")
    assert "Topics: none yet (/topics to pick some)." in empty
    assert 'Watches: none (/watch "query" adds one).' in empty
    await console.say("/subscribe tunisia")
    await console.say("/subscribe sahel")
    await console.say("/alerts off sahel")
    await console.say('/watch "border AND (drone OR drones)"')
    await console.say("/schedule 07:30 Africa/Tunis")
    await console.say("/quiet 22:00-07:00")
    await console.say("/alerts off")
    await console.say("/pause")
    assert await console.say("/settings") == "\n".join(
        [
            "Settings",
            "========",
            "",
            "Topics:",
            "• Tunisia — alerts on",
            "• Sahel — alerts off",
            "Watches:",
            "• W1 border AND (drone OR drones)",
            "Alerts: off",
            "Quiet hours: 22:00-07:00 Africa/Tunis",
            "Daily digest: 07:30 Africa/Tunis (06:30 UTC)",
            "Time zone: Africa/Tunis",
            "On a day with nothing new: a short line says so",
            "Paused: yes (/resume to restart)",
        ]
    )


async def test_settings_shortens_a_long_watch(console: ConsoleChat) -> None:
    long_query = " OR ".join(f"place{number}" for number in range(30))
    await console.say(f"/watch {long_query}")
    line = next(x for x in (await console.say("/settings")).split("\n") if x.startswith("• W1"))
    assert line.endswith("…")
    assert len(line) == len("• W1 ") + schedule.MAX_QUERY_SHOWN


# --- groups ---


async def test_in_a_group_only_admins_change_the_schedule(context: Context) -> None:
    refused = render_plain(await dispatch(_group("schedule", "07:30"), context))
    assert refused == (
        "In a group, only its admins can use /schedule.\n"
        "  Ask an admin of this chat, or use the bot in a private chat."
    )
    for name in ("timezone", "quiet", "pause", "resume"):
        answer = render_plain(await dispatch(_group(name), context))
        assert answer.startswith(f"In a group, only its admins can use /{name}.")
    allowed = render_plain(await dispatch(_group("schedule", "07:30", chat_admin=True), context))
    assert allowed == "Daily digest at 07:30 UTC."
    shown = render_plain(await dispatch(_group("settings"), context))
    assert "Daily digest: 07:30 UTC" in shown


# --- both backends ---


async def test_schedule_settings_persist_on_each_backend(any_context: Context) -> None:
    console = ConsoleChat(any_context)
    await console.say("/schedule 6:15pm Europe/Rome")
    await console.say("/pause")
    await console.say("/alerts off")
    found = await _chat(any_context)
    assert (found.chat.digest_time, found.chat.timezone) == (time(18, 15), "Europe/Rome")
    assert (found.chat.paused, found.chat.alerts) == (True, False)
    await console.say("/schedule off")
    await console.say("/timezone asia/kolkata")
    await console.say("/resume")
    found = await _chat(any_context)
    assert (found.chat.digest_time, found.chat.timezone) == (None, "Asia/Kolkata")
    assert found.chat.paused is False
    async with any_context.sessions() as session, session.begin():
        changed = await chats.update_chat(session, found.chat.id, empty_digest_line=False)
        assert changed.empty_digest_line is False
        changed = await chats.set_digest_time(session, found.chat.id, time(6, 5))
    assert changed.digest_time == time(6, 5)
    assert "On a day with nothing new: nothing is sent" in await console.say("/settings")
    await console.say("/quiet 23:30-6:15")
    async with any_context.sessions() as session:
        hours = await chats.quiet_hours(session, found.chat.id)
    assert hours == chats.QuietHours(time(23, 30), time(6, 15), "Asia/Kolkata")
    await console.say("/quiet off")
    async with any_context.sessions() as session:
        assert await chats.quiet_hours(session, found.chat.id) is None


@pytest.mark.parametrize("typed", ["7", "seven", "7:5", "24:00", "0am"])
def test_parse_clock_refuses(typed: str) -> None:
    assert schedule.parse_clock(typed) is None
