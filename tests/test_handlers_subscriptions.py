"""Topics, subscribe, watch, alerts and mute: transcripts through the console, real storage."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.adapters.console import ConsoleChat
from bot.analysis.topics import load_topics
from bot.chat import ButtonRow, Command, Reply
from bot.delivery.alerts import queue_alerts
from bot.domain import ChatKind
from bot.render.plain import render_plain
from bot.storage import chats
from handlers import subscriptions
from handlers.context import Context
from handlers.dispatch import dispatch
from tests.chat_settings_support import NOW, Clock, settings_context
from tests.test_alerts import alerts_queued, make_brief

TOPICS = load_topics()


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


async def _settings(context: Context, external_id: str = "console") -> chats.ChatSettings:
    async with context.sessions() as session:
        chat = await chats.ensure_chat(session, "console", external_id, ChatKind.PRIVATE, NOW)
        return await chats.settings_of(session, chat.id)


def _group(name: str, *args: str, user: str = "7", chat_admin: bool = False) -> Command:
    return Command(
        platform="telegram",
        chat_id="-1001",
        chat_kind=ChatKind.GROUP,
        user_id=user,
        name=name,
        args=args,
        text=" ".join(args),
        user_is_chat_admin=chat_admin,
    )


def _buttons(reply: Reply) -> list[tuple[str, str]]:
    return [
        (button.label, button.data)
        for part in reply.parts
        if isinstance(part, ButtonRow)
        for button in part.buttons
    ]


# --- topics, subscribe, unsubscribe ---


async def test_topics_lists_every_topic_with_a_button_that_works(console: ConsoleChat) -> None:
    await console.say("/subscribe tunisia")
    reply = await console.reply("/topics")
    assert reply is not None
    text = render_plain(reply)
    assert "✓ Tunisia — News substantially about Tunisia" in text
    assert "• Libya — " in text
    buttons = _buttons(reply)
    assert len(buttons) == len(console.context.topics)
    assert ("Unsubscribe from Tunisia", "unsubscribe tunisia") in buttons
    assert ("Subscribe to North Africa security", "subscribe north-africa-security") in buttons
    assert all(len(data.encode()) <= 64 for _, data in buttons)
    assert "Subscribed to Libya." in await console.say("/subscribe libya")  # a press is the data
    assert [s.topic for s in (await _settings(console.context)).subscriptions] == [
        "tunisia",
        "libya",
    ]


async def test_subscribe_confirms_with_the_name_and_a_hint(console: ConsoleChat) -> None:
    answer = await console.say("/subscribe Tunisia")
    assert answer == "Subscribed to Tunisia.\n  /brief tunisia shows the latest."


@pytest.mark.parametrize(
    "typed", ["north africa security", "north-africa-security", "NORTH Africa Sécurity"]
)
async def test_subscribe_takes_a_name_of_several_words_or_the_slug(
    console: ConsoleChat, typed: str
) -> None:
    assert "Subscribed to North Africa security." in await console.say(f"/subscribe {typed}")
    assert [s.topic for s in (await _settings(console.context)).subscriptions] == [
        "north-africa-security"
    ]


async def test_subscribing_twice_says_so_plainly(console: ConsoleChat) -> None:
    await console.say("/subscribe sahel")
    assert "This chat is already subscribed to Sahel." in await console.say("/subscribe Sahel")
    assert len((await _settings(console.context)).subscriptions) == 1


async def test_unknown_topic_suggests_the_closest(console: ConsoleChat) -> None:
    answer = await console.say("/subscribe tunisya")
    assert answer == 'There is no topic "tunisya".\n  Did you mean Tunisia? /subscribe tunisia'
    answer = await console.say("/subscribe north africa")
    assert 'There is no topic "north africa".' in answer
    assert "North Africa security" in answer
    assert (await _settings(console.context)).subscriptions == ()


async def test_unknown_topic_with_nothing_close_points_at_the_list(console: ConsoleChat) -> None:
    answer = await console.say("/unsubscribe qqqqzz")
    assert answer == 'There is no topic "qqqqzz".\n  /topics lists the topics on offer.'


async def test_subscribe_without_a_topic_shows_the_usage(console: ConsoleChat) -> None:
    assert "Usage: /subscribe TOPIC" in await console.say("/subscribe")


async def test_subscribe_remembers_the_thread_and_moves_to_a_new_one(context: Context) -> None:
    forum = Command(
        platform="console",
        chat_id="console",
        chat_kind=ChatKind.PRIVATE,
        user_id="u",
        name="subscribe",
        args=("libya",),
        thread_id="77",
    )
    assert "Subscribed to Libya." in render_plain(await dispatch(forum, context))
    assert (await _settings(context)).subscriptions[0].thread_id == "77"
    moved = replace(forum, thread_id="88")
    assert "its alerts now come here" in render_plain(await dispatch(moved, context))
    assert (await _settings(context)).subscriptions[0].thread_id == "88"


async def test_unsubscribe_and_unsubscribing_what_is_not_followed(console: ConsoleChat) -> None:
    await console.say("/subscribe egypt")
    answer = await console.say("/unsubscribe egypt")
    assert answer == "Unsubscribed from Egypt.\n  /subscribe egypt brings it back."
    answer = await console.say("/unsubscribe egypt")
    assert answer.startswith("This chat is not subscribed to Egypt.")
    assert (await _settings(console.context)).subscriptions == ()


# --- watches ---


async def test_watch_saves_the_query_as_understood(console: ConsoleChat) -> None:
    answer = await console.say('/watch "tunisia AND border"')
    assert answer.startswith("Watch W1: tunisia AND border\n  Saved: matching briefs come")
    assert "/unwatch W1 removes it." in answer
    saved = (await _settings(console.context)).watches
    assert [(w.id, w.query, w.created_by) for w in saved] == [(1, "tunisia AND border", "console")]
    await console.say('/watch "Kais Saied" or Carthage')  # quotes inside the query stay
    assert (await _settings(console.context)).watches[1].query == '"Kais Saied" OR Carthage'
    for same in ["tunisia AND border", "tunisia and border", "Tunisia border", "border tunisia"]:
        if same == "border tunisia":  # the same words in another order are another query
            assert "Watch W3: border AND tunisia" in await console.say(f"/watch {same}")
            continue
        assert "already watches that: W1" in await console.say(f"/watch {same}"), same


@pytest.mark.parametrize(
    ("typed", "echo", "stored"),
    [
        ("wagner or libya", "Watch W1: wagner OR libya", "wagner OR libya"),
        ("libya NOT haftar", "Watch W1: libya AND NOT haftar", "libya AND NOT haftar"),
        ("libya -haftar", "Watch W1: libya AND NOT haftar", "libya AND NOT haftar"),
        ("coast or (libya and not tunisia)", "Watch W1: coast OR (libya AND NOT tunisia)", None),
        ('"Kais Saied"', 'Watch W1: "Kais Saied"', '"Kais Saied"'),
        ("sécurité frontière", "Watch W1: sécurité AND frontière", None),
        ("تونس OR ليبيا", "Watch W1: تونس OR ليبيا", None),
    ],
)
async def test_watch_echoes_the_canonical_form_and_stores_it(
    console: ConsoleChat, typed: str, echo: str, stored: str | None
) -> None:
    assert (await console.say(f"/watch {typed}")).split("\n")[0] == echo
    saved = (await _settings(console.context)).watches
    assert [w.query for w in saved] == [stored or echo.removeprefix("Watch W1: ")]


@pytest.mark.parametrize(
    ("typed", "first_line"),
    [
        (
            "haftar NEAR wagner",
            'That watch query has a problem: "NEAR" is not supported: use AND, OR, NOT, '
            '"phrases" and ( ).',
        ),
        (
            "title:haftar",
            'That watch query has a problem: fields such as "title:" are not supported: every '
            "term is looked for in the headline, the event and the implications.",
        ),
        (
            "haftar && wagner",
            'That watch query has a problem: "&" is not an operator here: use AND, OR, NOT or '
            "-word.",
        ),
        (
            "NOT libya",
            "That watch query only excludes: a brief with none of its words would match, so it "
            "would bring nearly every brief.",
        ),
        (
            "-libya",
            "That watch query only excludes: a brief with none of its words would match, so it "
            "would bring nearly every brief.",
        ),
        (
            "wagner or not libya",
            "That watch query only excludes: a brief with none of its words would match, so it "
            "would bring nearly every brief.",
        ),
    ],
)
async def test_unsupported_syntax_and_exclusions_only_are_refused(
    console: ConsoleChat, typed: str, first_line: str
) -> None:
    answer = await console.say(f"/watch {typed}")
    lines = answer.split("\n")
    assert lines[0] == first_line
    if "only excludes" in first_line:
        assert (
            lines[1]
            == "  Say what to look for, then what to leave out, e.g. /watch libya AND NOT haftar"
        )
    else:
        assert lines[1] == typed  # the query, then a caret under the problem
        assert 'Queries: words, "exact phrases", prefix*, AND, OR, NOT (any case)' in lines[3]
    assert (await _settings(console.context)).watches == ()


async def test_watches_and_watch_alone_list_the_chat_watches(console: ConsoleChat) -> None:
    empty = await console.say("/watches")
    assert empty.startswith("This chat has no watches.\n  /watch QUERY adds one.")
    assert await console.say("/watch") == empty
    await console.say("/watch wagner or libya")
    await console.say('/watch "coast guard" -tunisia')
    listed = await console.say("/watches")
    assert listed.split("\n")[:5] == [
        "Watches",
        "=======",
        "",
        "W1: wagner OR libya",
        'W2: "coast guard" AND NOT tunisia',
    ]
    assert "/unwatch ID removes one; /watch QUERY adds one (at most 20)." in listed
    assert await console.say("/watch") == listed
    other = ConsoleChat(console.context, chat="other")
    assert (await other.say("/watches")).startswith("This chat has no watches.")


async def test_bad_query_points_at_the_error(console: ConsoleChat) -> None:
    answer = await console.say("/watch tunisia AND (border OR coast")
    lines = answer.split("\n")
    assert lines[0] == 'That watch query has a problem: unclosed "(".'
    assert lines[1] == "tunisia AND (border OR coast"
    assert lines[2] == " " * len("tunisia AND ") + "^"
    assert "Example: /watch" in lines[3]
    answer = await console.say('/watch "sahel OR"')
    assert answer.split("\n")[1:3] == ["sahel OR", "      ^"]
    assert (await _settings(console.context)).watches == ()


async def test_a_deeply_nested_query_gets_a_plain_answer_not_an_incident(
    console: ConsoleChat, caplog: pytest.LogCaptureFixture
) -> None:
    answer = await console.say("/watch " + "(" * 340 + "drones" + ")" * 340)
    lines = answer.split("\n")
    assert lines[0] == "That watch query has a problem: too deeply nested (at most 20 levels)."
    assert lines[2].index("^") == lines[1].index("(") + 20
    assert "incident" not in answer
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert (await _settings(console.context)).watches == ()


async def test_a_chat_has_at_most_twenty_watches(console: ConsoleChat) -> None:
    for number in range(subscriptions.MAX_WATCHES):
        assert "Saved" in await console.say(f"/watch border{number}")
    answer = await console.say("/watch one-too-many")
    assert "already has 20 watches" in answer
    assert len((await _settings(console.context)).watches) == 20


async def test_unwatch_by_id_and_the_bad_ids(context: Context) -> None:
    console, other = ConsoleChat(context), ConsoleChat(context, chat="other")
    await console.say("/watch drones")
    await console.say("/watch migrants")
    await other.say("/watch phosphate")
    assert await console.say("/unwatch W1") == "Watch W1 removed."
    assert await console.say("/unwatch 2") == "Watch W2 removed."
    assert "This chat has no watch W2." in await console.say("/unwatch w2")
    assert "This chat has no watch W3." in await console.say("/unwatch W3")  # another chat's
    assert '"zebra" is not a watch id.' in await console.say("/unwatch zebra")
    assert "Usage: /unwatch ID" in await console.say("/unwatch W1 W2")
    assert [w.query for w in (await _settings(context, "other")).watches] == ["phosphate"]


# --- alerts ---


async def test_alerts_for_the_chat_and_for_one_topic(console: ConsoleChat) -> None:
    await console.say("/subscribe tunisia")
    assert "Alerts off for every topic." in await console.say("/alerts off")
    assert (await _settings(console.context)).chat.alerts is False
    answer = await console.say("/alerts on tunisia")
    assert answer.startswith("Alerts on for Tunisia.")
    assert "Alerts are off for the whole chat" in answer
    assert "Alerts off for Tunisia." in await console.say("/alerts tunisia off")
    assert (await _settings(console.context)).subscriptions[0].alerts is False
    assert "Alerts on:" in await console.say("/alerts ON")
    assert (await _settings(console.context)).chat.alerts is True


async def test_alerts_refuse_a_topic_not_followed_and_a_bad_switch(console: ConsoleChat) -> None:
    answer = await console.say("/alerts off libya")
    assert answer == (
        "This chat is not subscribed to Libya.\n  /subscribe libya first, then /alerts off libya."
    )
    assert "Say on or off." in await console.say("/alerts sometimes")
    assert "Usage: /alerts on|off [TOPIC]" in await console.say("/alerts")
    assert "There is no topic" in await console.say("/alerts off lybia")


# --- mute ---


@pytest.mark.parametrize(
    ("typed", "length"),
    [
        ("", timedelta(days=1)),
        (" for 3d", timedelta(days=3)),
        (" 3d", timedelta(days=3)),
        (" 12h", timedelta(hours=12)),
        (" for 2w", timedelta(weeks=2)),
        (" for 30m", timedelta(minutes=30)),
        (" for 3 days", timedelta(days=3)),
        (" 90d", timedelta(days=90)),
    ],
)
async def test_mute_takes_a_duration(console: ConsoleChat, typed: str, length: timedelta) -> None:
    await console.say("/subscribe north africa security")
    answer = await console.say(f"/mute north africa security{typed}")
    until = NOW + length
    assert answer.startswith(f"Muted North Africa security until {until:%a %d %b %H:%M} UTC.")
    assert (await _settings(console.context)).subscriptions[0].muted_until == until


@pytest.mark.parametrize("typed", ["for 3x", "for", "for 0d", "for 91d", "4 fortnights"])
async def test_a_bad_duration_says_what_is_accepted(console: ConsoleChat, typed: str) -> None:
    await console.say("/subscribe sahel")
    answer = await console.say(f"/mute sahel {typed}")
    assert "e.g. /mute tunisia for 3d (at most 90 days)" in answer
    assert (await _settings(console.context)).subscriptions[0].muted_until is None


async def test_mute_shows_in_settings_in_the_chat_zone_until_it_ends(
    console: ConsoleChat,
) -> None:
    clock = console.context.clock
    assert isinstance(clock, Clock)
    await console.say("/subscribe tunisia")
    await console.say("/timezone Africa/Tunis")
    answer = await console.say("/mute tunisia for 3d")
    assert answer.startswith("Muted Tunisia until Tue 16 Dec 10:30 Africa/Tunis.")
    assert "/mute tunisia off ends it early." in answer
    settings = await console.say("/settings")
    assert "• Tunisia — alerts on, muted until Tue 16 Dec 10:30 Africa/Tunis" in settings
    clock.now = NOW + timedelta(days=4)
    assert "• Tunisia — alerts on\n" in await console.say("/settings")


async def test_mute_off_unmutes(console: ConsoleChat) -> None:
    await console.say("/subscribe libya")
    assert await console.say("/mute libya off") == "Libya was not muted."
    await console.say("/mute libya for 2d")
    assert await console.say("/mute libya off") == "Libya is no longer muted."
    assert (await _settings(console.context)).subscriptions[0].muted_until is None


async def test_mute_refuses_a_topic_not_followed_or_missing(console: ConsoleChat) -> None:
    answer = await console.say("/mute algeria for 2d")
    assert "not subscribed to Algeria, so there is nothing to mute" in answer
    assert "/subscribe algeria to follow it." in answer
    assert "Which topic should be muted?" in await console.say("/mute for 3d")


# --- groups ---


async def test_in_a_group_only_admins_change_subscriptions(context: Context) -> None:
    refused = render_plain(await dispatch(_group("subscribe", "tunisia"), context))
    assert refused.startswith("In a group, only its admins can use /subscribe.")
    assert "Ask an admin of this chat" in refused
    chat_admin = _group("subscribe", "tunisia", chat_admin=True)
    assert "Subscribed to Tunisia." in render_plain(await dispatch(chat_admin, context))
    bot_admin = _group("watch", "drones", user="42")
    assert "Watch W1: drones" in render_plain(await dispatch(bot_admin, context))
    shown = render_plain(await dispatch(_group("topics"), context))
    assert "✓ Tunisia" in shown  # reading is open to everyone
    assert "W1: drones" in render_plain(await dispatch(_group("watches"), context))
    refused = render_plain(await dispatch(_group("watch", "ports"), context))
    assert refused.startswith("In a group, only its admins can use /watch.")


# --- storage: the queries the delivery stage uses, on both backends ---


async def test_settings_and_alert_targets_on_each_backend(any_context: Context) -> None:
    async with any_context.sessions() as session, session.begin():
        calm = await chats.ensure_chat(session, "telegram", "1", ChatKind.PRIVATE, NOW)
        paused = await chats.ensure_chat(session, "telegram", "2", ChatKind.GROUP, NOW)
        quiet = await chats.ensure_chat(session, "slack", "C3", ChatKind.CHANNEL, NOW)
        for chat in (calm, paused, quiet):
            await chats.subscribe(session, chat.id, "tunisia", NOW, thread_id="9")
        await chats.subscribe(session, calm.id, "libya", NOW)
        await chats.subscribe(session, calm.id, "sahel", NOW)
        await chats.update_chat(session, paused.id, paused=True)
        await chats.update_chat(session, quiet.id, alerts=False, timezone="Europe/Rome")
        await chats.update_subscription(session, calm.id, "libya", alerts=False)
        until = NOW + timedelta(hours=2)
        assert await chats.set_muted_until(session, calm.id, "sahel", until) is not None
        assert await chats.set_muted_until(session, calm.id, "egypt", until) is None
        assert await chats.update_subscription(session, calm.id, "egypt", alerts=True) is None
        watch = await chats.add_watch(session, calm.id, "drones", "u1", NOW)
        await chats.add_watch(session, paused.id, "ports", None, NOW)
    async with any_context.sessions() as session:
        topics = ["tunisia", "libya", "sahel"]
        targets = await chats.alert_subscriptions(session, topics, NOW)
        assert [(chat.external_id, sub.topic, sub.thread_id) for chat, sub in targets] == [
            ("1", "tunisia", "9")
        ]
        later = await chats.alert_subscriptions(session, topics, NOW + timedelta(hours=3))
        assert [(chat.external_id, sub.topic) for chat, sub in later] == [
            ("1", "tunisia"),
            ("1", "sahel"),
        ]
        assert await chats.alert_subscriptions(session, [], NOW) == []
        watched = await chats.alert_watches(session)
        assert [(chat.external_id, w.query) for chat, w in watched] == [("1", "drones")]
        found = await chats.settings_of(session, calm.id)
        assert [(s.topic, s.alerts) for s in found.subscriptions] == [
            ("tunisia", True),
            ("libya", False),
            ("sahel", True),
        ]
        assert found.subscriptions[2].muted_until == NOW + timedelta(hours=2)
        assert found.watches == (watch,)
        assert (await chats.settings_of(session, quiet.id)).chat.timezone == "Europe/Rome"
        assert await chats.remove_watch(session, paused.id, watch.id) is False


async def test_a_conversation_on_each_backend(any_context: Context) -> None:
    console = ConsoleChat(any_context)
    assert "Subscribed to Tunisia." in await console.say("/subscribe tunisia")
    assert "Subscribed to Sahel." in await console.say("/subscribe SAHEL")
    assert "Watch W1: tunis* AND drone*" in await console.say("/watch tunis* and drone*")
    assert "Muted Sahel until" in await console.say("/mute sahel for 12h")
    assert "Alerts off for Tunisia." in await console.say("/alerts off tunisia")
    settings = await console.say("/settings")
    assert "• Tunisia — alerts off" in settings
    assert "• Sahel — alerts on, muted until Sat 13 Dec 21:30 UTC" in settings
    assert "• W1 tunis* AND drone*" in settings
    assert "Unsubscribed from Sahel." in await console.say("/unsubscribe sahel")
    assert "Watch W1 removed." in await console.say("/unwatch W1")
    found = await _settings(any_context)
    assert [s.topic for s in found.subscriptions] == ["tunisia"]
    assert found.watches == ()


# --- the parsing helpers ---


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("tunisia",), (["tunisia"], None, False)),
        (("tunisia", "off"), (["tunisia"], None, True)),
        (
            ("north", "africa", "security", "for", "3d"),
            (["north", "africa", "security"], "3d", False),
        ),
        (("sahel", "12h"), (["sahel"], "12h", False)),
        (("sahel", "3", "days"), (["sahel"], "3 days", False)),
    ],
)
def test_split_mute(args: tuple[str, ...], expected: tuple[list[str], str | None, bool]) -> None:
    assert subscriptions.split_mute(args) == expected


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ('"tunisia AND border"', "tunisia AND border"),
        ('"(tunisia OR libya) border"', "(tunisia OR libya) border"),
        ("'sahel'", "sahel"),
        ("'wagner or libya'", "wagner or libya"),
        ('"tunisia border"', '"tunisia border"'),  # a phrase
        ('"rock and roll"', '"rock and roll"'),
        ("«tunisie»", "«tunisie»"),
        ('"a" OR "b"', '"a" OR "b"'),
        ("plain words", "plain words"),
    ],
)
def test_watch_query_drops_quotes_around_a_whole_query(text: str, query: str) -> None:
    command = Command(
        platform="console",
        chat_id="c",
        chat_kind=ChatKind.PRIVATE,
        user_id="u",
        name="watch",
        args=(text,),
        text=text,
    )
    assert subscriptions.watch_query(command) == query


# --- watches saved before chats had their own query language ---

OLD_ROWS = (
    "wagner or libya",
    "NOT libya",
    "haftar NEAR wagner",
    "tunisia AND (border",
    "tunisia AND border",
)


async def _store_as_before(context: Context, chat: str, *queries: str) -> int:
    """Watches stored the way /watch stored them before: the text as typed."""
    async with context.sessions() as session, session.begin():
        found = await chats.ensure_chat(session, "console", chat, ChatKind.PRIVATE, NOW)
        for query in queries:
            await chats.add_watch(session, found.id, query, "u1", NOW)
    return found.id


async def test_older_watches_are_listed_as_they_are_read(console: ConsoleChat) -> None:
    await _store_as_before(console.context, "console", *OLD_ROWS)
    listed = (await console.say("/watches")).split("\n")[3:]
    assert listed[:8] == [
        'W1: wagner AND "or" AND libya',
        "  Saved before and, or, not worked in lower case. For wagner OR libya: /unwatch W1, "
        "then /watch it again.",
        "W2: NOT libya",
        "  It only excludes, so it matches nearly every brief: /unwatch W2.",
        'W3: haftar AND "NEAR" AND wagner',
        "W4: tunisia AND (border",
        "  It does not parse, so it never matches: /unwatch W4.",
        "W5: tunisia AND border",
    ]
    # Nothing was rewritten: the rows are read as they always were.
    assert [w.query for w in (await _settings(console.context)).watches] == list(OLD_ROWS)
    assert "Watch W6: wagner OR libya" in await console.say("/watch wagner or libya")
    assert "already watches that: W5" in await console.say("/watch Tunisia and border")
    assert "Watch W4 removed." in await console.say("/unwatch W4")


async def test_older_and_newer_watches_alert_as_they_read(any_context: Context) -> None:
    async with any_context.sessions() as session, session.begin():
        old = await chats.ensure_chat(session, "telegram", "100", ChatKind.PRIVATE, NOW)
        await chats.add_watch(session, old.id, "wagner or libya", "u1", NOW)  # as stored before
    typed = Command(
        platform="telegram",
        chat_id="200",
        chat_kind=ChatKind.PRIVATE,
        user_id="5",
        name="watch",
        args=("wagner", "or", "libya"),
        text="wagner or libya",
        user_is_chat_admin=True,
    )
    assert render_plain(await dispatch(typed, any_context)).startswith("Watch W2: wagner OR libya")
    async with any_context.sessions() as session, session.begin():
        new = await chats.ensure_chat(session, "telegram", "200", ChatKind.PRIVATE, NOW)
        only_libya = await make_brief(session, "Libya budget vote in Tripoli", stored=NOW)
        all_three = await make_brief(session, "Wagner or Libya: who holds Sirte?", stored=NOW)
        unrelated = await make_brief(session, "Egypt opens a new port", stored=NOW)
        await queue_alerts(session, [only_libya, all_three, unrelated], TOPICS, NOW)
    async with any_context.sessions() as session:
        queued = await alerts_queued(session)
    assert queued == sorted([(old.id, all_three), (new.id, only_libya), (new.id, all_three)])


@pytest.mark.parametrize("platform", ["telegram", "slack"])
async def test_the_platforms_path_saves_lists_and_refuses_alike(
    context: Context, platform: str
) -> None:
    def command(name: str, text: str) -> Command:
        return Command(
            platform=platform,
            chat_id="D1" if platform == "slack" else "1",
            chat_kind=ChatKind.PRIVATE,
            user_id="u",
            name=name,
            args=tuple(text.split()),
            text=text,
            user_is_chat_admin=True,
        )

    async def said(name: str, text: str = "") -> str:
        return render_plain(await dispatch(command(name, text), context))

    assert (await said("watch", "wagner or libya")).startswith("Watch W1: wagner OR libya")
    assert (await said("watch", "libya -haftar")).startswith("Watch W2: libya AND NOT haftar")
    assert (await said("watch", "haftar NEAR wagner")).startswith(
        'That watch query has a problem: "NEAR" is not supported'
    )
    assert (await said("watch", "title:haftar")).startswith(
        'That watch query has a problem: fields such as "title:" are not supported'
    )
    assert (await said("watch", "NOT libya")).startswith("That watch query only excludes")
    listed = await said("watches")
    assert "W1: wagner OR libya\nW2: libya AND NOT haftar\n" in listed
    assert await said("watch") == listed
