"""/start and /help through dispatch and the plain renderer, plus the adapters' command lists."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.console import to_command
from bot.analysis.topics import load_topics
from bot.chat import Button, ButtonRow, Command, CommandSpec, Reply
from bot.domain import ChatKind
from bot.render.plain import render_plain
from bot.storage import chats as chat_store
from bot.storage import db
from bot.storage.models import ChatRow
from handlers import admin, onboarding
from handlers.context import Context
from handlers.dispatch import dispatch, find_spec
from handlers.onboarding import menu_entries, usage_text

NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)
ADMIN = "console"
GUEST = "guest"


async def _stub(context: Context, command: Command) -> Reply:
    return Reply.text(f"stub {command.name}")


# Stand-ins for the other families, so help has a whole table to work from.
OTHER_FAMILIES = (
    CommandSpec(
        name="topics",
        usage="/topics",
        summary="The topics on offer, with subscribe buttons.",
        handler=_stub,
        family="subscriptions",
    ),
    CommandSpec(
        name="subscribe",
        usage="/subscribe TOPIC",
        summary="Follow a topic in this chat.",
        handler=_stub,
        aliases=("sub",),
        changes_chat=True,
        min_args=1,
        max_args=None,
        family="subscriptions",
        examples=("/subscribe tunisia", "subscribe north africa security"),
    ),
    CommandSpec(
        name="brief",
        usage="/brief [TOPIC] [N]",
        summary="The latest briefs for a topic, or for every topic this chat follows.",
        handler=_stub,
        max_args=None,
        family="briefs",
    ),
)


def _context(engine: AsyncEngine) -> Context:
    return Context(
        sessions=db.sessions(engine),
        clock=lambda: NOW,
        topics=load_topics(),
        admin_ids={"console": frozenset({ADMIN})},
        commands=(*onboarding.COMMANDS, *OTHER_FAMILIES, *admin.COMMANDS),
    )


@pytest.fixture
async def context(engine: AsyncEngine) -> Context:
    """On SQLite and on PostgreSQL: for the commands that store something."""
    return _context(engine)


@pytest.fixture
def lite(sqlite_engine: AsyncEngine) -> Context:
    """On SQLite only: help reads nothing from storage."""
    return _context(sqlite_engine)


async def ask(context: Context, line: str, user: str = ADMIN, platform: str = "console") -> Reply:
    command = to_command(line, "desk")
    assert command is not None
    return await dispatch(replace(command, user_id=user, platform=platform), context)


async def say(context: Context, line: str, user: str = ADMIN, platform: str = "console") -> str:
    return render_plain(await ask(context, line, user, platform))


async def test_start_welcomes_explains_and_offers_buttons(context: Context) -> None:
    reply = await ask(context, "/start", user=GUEST)
    text = render_plain(reply)
    assert text.startswith("Welcome to briefbot")
    assert "short brief" in text
    assert "/topics lists the topics, then /subscribe tunisia subscribes this chat" in text
    assert "/brief tunisia 3" in text and "/help lists every command" in text
    rows = [part for part in reply.parts if isinstance(part, ButtonRow)]
    assert rows == [
        ButtonRow(
            (Button("Topics", "topics"), Button("Latest briefs", "brief"), Button("Help", "help"))
        )
    ]
    for button in rows[0].buttons:
        assert find_spec(button.action, context.commands) is not None
    assert "[Latest briefs: brief]" in text


async def test_start_registers_the_chat_and_mentions_its_topics(context: Context) -> None:
    assert "already follows" not in await say(context, "start")
    async with context.sessions() as session, session.begin():
        assert await session.scalar(select(func.count()).select_from(ChatRow)) == 1
        chat = await chat_store.ensure_chat(session, "console", "desk", ChatKind.PRIVATE, NOW)
        await chat_store.subscribe(session, chat.id, "north-africa-security", NOW)
    assert "This chat already follows: North Africa security." in await say(context, "start")


async def test_start_on_slack_writes_commands_the_slack_way(lite: Context) -> None:
    text = await say(lite, "start", user="U1", platform="slack")
    assert "/brief topics lists the topics, then /brief subscribe tunisia" in text
    assert "/brief tunisia 3" in text and "/brief brief" not in text


async def test_help_for_a_member_lists_families_without_admin_commands(lite: Context) -> None:
    text = await say(lite, "/help", user=GUEST)
    assert "Getting started\n===" in text
    assert "Topics and subscriptions\n===" in text and "Briefs\n===" in text
    assert "/subscribe TOPIC — Follow a topic in this chat." in text
    assert "/help [COMMAND] — Every command, or the details of one." in text
    assert text.index("Getting started") < text.index("Topics and subscriptions")
    assert text.index("Topics and subscriptions") < text.index("Briefs\n")
    assert "Admin" not in text and "addsource" not in text and "/stats" not in text
    assert "/help subscribe" in text


async def test_help_for_an_admin_adds_the_admin_family(lite: Context) -> None:
    text = await say(lite, "help")
    assert "Admin\n=====" in text
    for spec in admin.COMMANDS:
        assert f"{spec.usage} — {spec.summary}" in text
    assert text.index("Briefs\n") < text.index("Admin\n")


async def test_help_of_one_command_shows_usage_aliases_and_examples(lite: Context) -> None:
    text = await say(lite, "help subscribe", user=GUEST)
    assert text.startswith("/subscribe TOPIC\n")
    assert "Follow a topic in this chat." in text
    assert "Also works as: /sub" in text
    assert "  /subscribe tunisia\n  /subscribe north africa security" in text
    assert "only their admins" in text
    assert await say(lite, "help /sub", user=GUEST) == text
    on_slack = await say(lite, "help subscribe", user="U1", platform="slack")
    assert on_slack.startswith("/brief subscribe TOPIC\n") and "/brief sub" in on_slack


async def test_help_of_an_admin_command_depends_on_who_asks(lite: Context) -> None:
    for_admin = await say(lite, "help addsource")
    assert for_admin.startswith("/addsource URL [TOPIC ...]")
    assert "Only briefbot's admins can use it." in for_admin
    for_guest = await say(lite, "help addsource", user=GUEST)
    assert "There is no command /addsource." in for_guest and "URL" not in for_guest


async def test_help_of_an_unknown_command_suggests_the_closest(lite: Context) -> None:
    text = await say(lite, "help subscrbe", user=GUEST)
    assert "There is no command /subscrbe. Did you mean /subscribe?" in text
    assert "/help lists every command." in text
    assert "Did you mean" not in await say(lite, "help qqqqqqqq", user=GUEST)
    too_many = await say(lite, "help subscribe topics", user=GUEST)
    assert "/help takes at most 1." in too_many


def test_menu_entries_fit_telegram_and_all_dispatch() -> None:
    specs = (*onboarding.COMMANDS, *OTHER_FAMILIES, *admin.COMMANDS)
    entries = menu_entries(specs)
    assert [name for name, _ in entries] == ["start", "help", "topics", "subscribe", "brief"]
    admin_entries = menu_entries(specs, include_admin=True)
    assert {"sources", "addsource", "removesource", "stats"} <= {n for n, _ in admin_entries}
    for name, description in admin_entries:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name)
        assert 1 <= len(description) <= 256
        assert find_spec(name, specs) is not None


def test_menu_entries_map_or_skip_names_telegram_refuses() -> None:
    specs = (
        CommandSpec("add-note", "/add-note TEXT", "Note.", _stub, aliases=("addnote",)),
        CommandSpec("Weird-Name", "/Weird-Name", "Odd.", _stub),
        CommandSpec("x" * 33, "/x", "Too long a name.", _stub),
        CommandSpec("long", "/long", "word " * 80, _stub),
    )
    entries = dict(menu_entries(specs))
    assert set(entries) == {"addnote", "long"}
    assert 250 <= len(entries["long"]) <= 256 and entries["long"].endswith("…")


def test_usage_text_is_the_slack_form_of_every_member_command() -> None:
    lines = usage_text((*onboarding.COMMANDS, *OTHER_FAMILIES, *admin.COMMANDS)).splitlines()
    assert "/brief subscribe TOPIC — Follow a topic in this chat." in lines
    assert "/brief help [COMMAND] — Every command, or the details of one." in lines
    assert (
        "/brief [TOPIC] [N] — The latest briefs for a topic, or for every topic this chat "
        "follows." in lines
    )
    assert len(lines) == 5 and not any("addsource" in line for line in lines)
    with_admin = usage_text(admin.COMMANDS, include_admin=True)
    assert with_admin.startswith("/brief sources [PAGE] — ")


def test_slack_usage_rewrites_every_command_mention_but_not_paths() -> None:
    spec = CommandSpec(
        "schedule",
        "/schedule HH:MM [Area/City] · /schedule off",
        "Set the digest time; /pause stops it, https://example.org/x shows how.",
        _stub,
    )
    assert usage_text((spec,)) == (
        "/brief schedule HH:MM [Area/City] · /brief schedule off — "
        "Set the digest time; /brief pause stops it, https://example.org/x shows how."
    )
    assert onboarding.usage_line("telegram", spec).startswith("/schedule HH:MM [Area/City] · ")
