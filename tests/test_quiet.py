"""Quiet hours without a database: when a quiet period ends (across midnight, on the nights the
clocks change in Europe/Paris, in hours the clocks skip or repeat), and how held alerts become
messages that fit Telegram and Slack, each brief once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.chat import Card, Emphasis, Reply, Text
from bot.delivery.alerts import HELD_PER_MESSAGE, held_reply, merge_held, quiet_end, wall_clock
from bot.delivery.compose import Message
from bot.delivery.digest import brief_card
from bot.domain import Brief, SourceRef
from bot.render.plain import render_plain
from bot.render.slack import BLOCK_LIMIT, render_slack
from bot.render.telegram import MESSAGE_LIMIT, render_telegram
from bot.storage.chats import QuietHours

PARIS = ZoneInfo("Europe/Paris")
NIGHT = QuietHours(time(22, 0), time(7, 0), "Europe/Paris")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- when the quiet period ends ---


@pytest.mark.parametrize(
    ("now", "end"),
    [
        (utc(2025, 12, 13, 20, 59), None),  # 21:59 in Paris (UTC+1): not yet
        (utc(2025, 12, 13, 21, 0), utc(2025, 12, 14, 6, 0)),  # 22:00 sharp: quiet
        (utc(2025, 12, 13, 21, 59), utc(2025, 12, 14, 6, 0)),  # 22:59
        (utc(2025, 12, 13, 23, 30), utc(2025, 12, 14, 6, 0)),  # 00:30, after midnight
        (utc(2025, 12, 14, 5, 59), utc(2025, 12, 14, 6, 0)),  # 06:59
        (utc(2025, 12, 14, 6, 0), None),  # 07:00 sharp: the end is not quiet
        (utc(2025, 12, 14, 12, 0), None),
    ],
)
def test_a_window_across_midnight(now: datetime, end: datetime | None) -> None:
    assert quiet_end(NIGHT, now) == end


def test_a_window_within_one_day() -> None:
    lunch = QuietHours(time(12, 0), time(14, 30), "Africa/Tunis")  # UTC+1 all year
    assert quiet_end(lunch, utc(2025, 12, 13, 11, 15)) == utc(2025, 12, 13, 13, 30)
    assert quiet_end(lunch, utc(2025, 12, 13, 10, 59)) is None
    assert quiet_end(lunch, utc(2025, 12, 13, 13, 30)) is None
    assert quiet_end(lunch, utc(2025, 12, 13, 23, 0)) is None


def test_the_spring_night_is_an_hour_shorter() -> None:
    # 30 March 2025: at 02:00 CET the clocks go to 03:00 CEST (01:00 UTC).
    start = utc(2025, 3, 29, 21, 0)  # 22:00 CET
    end = utc(2025, 3, 30, 5, 0)  # 07:00 CEST
    assert quiet_end(NIGHT, start) == end
    assert end - start == timedelta(hours=8)
    assert quiet_end(NIGHT, utc(2025, 3, 30, 0, 59)) == end  # 01:59 CET
    assert quiet_end(NIGHT, utc(2025, 3, 30, 1, 0)) == end  # 03:00 CEST
    assert quiet_end(NIGHT, utc(2025, 3, 30, 4, 59)) == end  # 06:59 CEST
    assert quiet_end(NIGHT, utc(2025, 3, 30, 5, 0)) is None  # 07:00 CEST: over


def test_the_autumn_night_is_an_hour_longer() -> None:
    # 26 October 2025: at 03:00 CEST the clocks go back to 02:00 CET (01:00 UTC).
    start = utc(2025, 10, 25, 20, 0)  # 22:00 CEST
    end = utc(2025, 10, 26, 6, 0)  # 07:00 CET
    assert quiet_end(NIGHT, start) == end
    assert end - start == timedelta(hours=10)
    assert quiet_end(NIGHT, utc(2025, 10, 26, 5, 30)) == end  # 06:30 CET, still quiet
    assert quiet_end(NIGHT, utc(2025, 10, 26, 6, 0)) is None
    # The next evening is back to the usual nine hours.
    assert quiet_end(NIGHT, utc(2025, 10, 26, 21, 0)) == utc(2025, 10, 27, 6, 0)


def test_a_time_the_clocks_skip_ends_at_the_jump() -> None:
    # 02:30 never shows on 30 March 2025: the first moment past it is the jump to 03:00 CEST.
    jump = utc(2025, 3, 30, 1, 0)
    assert wall_clock(datetime(2025, 3, 30).date(), time(2, 30), PARIS) == jump
    late = QuietHours(time(23, 0), time(2, 30), "Europe/Paris")
    assert quiet_end(late, utc(2025, 3, 30, 0, 45)) == jump  # 01:45 CET
    assert quiet_end(late, jump) is None
    # A period that starts in the skipped hour starts at the jump.
    early = QuietHours(time(2, 30), time(6, 0), "Europe/Paris")
    assert quiet_end(early, utc(2025, 3, 30, 0, 59)) is None
    assert quiet_end(early, jump) == utc(2025, 3, 30, 4, 0)


def test_a_time_the_clocks_repeat_counts_from_its_first_showing() -> None:
    # 02:30 shows twice on 26 October 2025: first at 00:30 UTC (CEST), again at 01:30 (CET).
    first = utc(2025, 10, 26, 0, 30)
    assert wall_clock(datetime(2025, 10, 26).date(), time(2, 30), PARIS) == first
    late = QuietHours(time(22, 0), time(2, 30), "Europe/Paris")
    assert quiet_end(late, utc(2025, 10, 26, 0, 29)) == first
    assert quiet_end(late, utc(2025, 10, 26, 1, 40)) is None  # 02:40 CET, the second 02:40


def test_no_window_and_unknown_zones() -> None:
    same = QuietHours(time(7, 0), time(7, 0), "UTC")
    assert quiet_end(same, utc(2025, 12, 13, 7, 0)) is None
    unknown = QuietHours(time(22, 0), time(7, 0), "Mars/Olympus")
    assert quiet_end(unknown, utc(2025, 12, 13, 23, 0)) == utc(2025, 12, 14, 7, 0)


# --- held alerts as messages ---


def _brief(number: int) -> Brief:
    return Brief(
        id=number,
        title=f"Coast guard story number {number} " + "with a long headline " * 3,
        event=f"Event {number}: " + "The coast guard intercepted boats off Sfax overnight. " * 6,
        actors=(),
        implications=tuple(f"Implication {n} of brief {number}, stated plainly." for n in (1, 2)),
        topics=("tunisia",),
        language="en",
        primary=SourceRef(f"https://wire.example.org/{number}", "Coast Wire"),
        source_count=1,
        published_at=utc(2025, 12, 13, 5, 0),
    )


def _alert(number: int, label: str = "Tunisia", thread: str | None = None) -> Message:
    card = brief_card(_brief(number), {"tunisia": "Tunisia"})
    reply = Reply(parts=(Text(f"Alert · {label}", Emphasis.HEADING), card), brief_id=number)
    return Message("telegram", "-100", reply, thread)


def _cards(reply: Reply) -> list[int]:
    return [part.brief.id for part in reply.parts if isinstance(part, Card)]


def test_held_alerts_merge_into_one_message_under_their_headings() -> None:
    alerts = [(1, _alert(1)), (2, _alert(2, "Watch W1: wagner")), (3, _alert(3))]
    [(claims, message)] = merge_held(alerts)
    assert claims == [1, 2, 3]
    assert (message.platform, message.chat_external_id, message.thread_id) == (
        "telegram",
        "-100",
        None,
    )
    text = render_plain(message.reply)
    assert text.startswith("While you were quiet: 3 alerts.\n\nAlert · Tunisia\n")
    assert text.count("Alert · Tunisia") == 1 and text.count("Alert · Watch W1: wagner") == 1
    assert _cards(message.reply) == [1, 3, 2]
    assert message.reply.brief_id is None  # several briefs: a reply names one by its id


def test_one_held_alert_still_says_it_was_held() -> None:
    [(claims, message)] = merge_held([("only", _alert(7))])
    assert claims == ["only"]
    assert render_plain(message.reply).startswith("While you were quiet: 1 alert.")
    assert message.reply.brief_id == 7


def test_each_thread_gets_its_own_message() -> None:
    alerts = [(1, _alert(1, thread="9")), (2, _alert(2)), (3, _alert(3, thread="9"))]
    merged = merge_held(alerts)
    assert [(claims, message.thread_id) for claims, message in merged] == [
        ([1, 3], "9"),
        ([2], None),
    ]


def test_a_long_night_is_cut_into_numbered_parts_within_platform_limits() -> None:
    count = HELD_PER_MESSAGE * 2 + 3
    merged = merge_held([(number, _alert(number)) for number in range(1, count + 1)])
    assert [len(claims) for claims, _ in merged] == [HELD_PER_MESSAGE, HELD_PER_MESSAGE, 3]
    leads = [render_plain(message.reply).split("\n")[0] for _, message in merged]
    assert leads == [f"While you were quiet: {count} alerts ({n}/3)." for n in (1, 2, 3)]
    shown = [brief_id for _, message in merged for brief_id in _cards(message.reply)]
    assert shown == list(range(1, count + 1))  # every brief once, in order
    for claims, message in merged:
        assert _cards(message.reply) == claims
        telegram = render_telegram(message.reply)
        assert all(len(sent.text) <= MESSAGE_LIMIT for sent in telegram)
        codes = [f"#B{number}<" for number in claims]
        joined = "".join(sent.text for sent in telegram)
        assert all(joined.count(code) == 1 for code in codes)
        buttons = [button for row in telegram[-1].buttons for button in row]
        assert {b.callback_data for b in buttons} >= {f"more B{number}" for number in claims}
        slack = render_slack(message.reply)
        assert all(len(sent.blocks) <= BLOCK_LIMIT for sent in slack)


def test_held_reply_counts_the_whole_night() -> None:
    reply = held_reply([_alert(4).reply], total=12, part=2, parts=2)
    assert reply.parts[0] == Text("While you were quiet: 12 alerts (2/2).")
