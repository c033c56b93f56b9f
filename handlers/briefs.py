"""Briefs on demand: the latest per topic, the digest now, full-text search, and the follow-ups
on one brief (more, actors, source, related). Every command here only reads.

Pages: a trailing `p2` asks for page 2 (`/brief tunisia 5 p2`, `/search wagner p2`); the
"Older" button carries exactly that, so a press runs the same command and edits the message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.chat import (
    Button,
    ButtonRow,
    Card,
    Command,
    CommandSpec,
    Emphasis,
    Part,
    Reply,
    Text,
    UserError,
)
from bot.delivery.digest import (
    DIGEST_CAP,
    LIST_MAX,
    brief_card,
    collect_digest,
    digest_reply,
    digest_window,
    is_muted,
    watch_matches,
)
from bot.domain import Brief, SourceRef, brief_code, parse_brief_code
from bot.storage import briefs as brief_store
from bot.storage import chats as chat_store
from bot.storage.briefs import RelatedBrief
from bot.storage.search import find_briefs, page_of
from handlers.context import Context
from handlers.subscriptions import find_topic, read_query

FAMILY = "briefs"
DEFAULT_COUNT = 5
SEARCH_PAGE = 5
MAX_PAGE = 1000
CALLBACK_BYTES = 64  # what a Telegram button can carry back
NO_TOPICS_HINT = "/topics to pick one, or /brief tunisia"
WHICH_BRIEF = "reply to a brief, or give its id like B12"
BRIEF_USAGE = "/brief [TOPIC] [N] [pPAGE]"
SEARCH_USAGE = "/search QUERY [pPAGE]"

_PAGE = re.compile(r"p(\d+)", re.IGNORECASE)
_COUNT = re.compile(r"[-+]?\d+")


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _page_number(token: str, usage: str) -> int | None:
    """`p3` → 3; None when the token is not a page; a UserError when it is out of range."""
    match = _PAGE.fullmatch(token)
    if match is None:
        return None
    digits = match.group(1)
    page = int(digits) if len(digits) <= 6 else MAX_PAGE + 1
    if not 1 <= page <= MAX_PAGE:
        raise UserError(f"Pages run from p1 to p{MAX_PAGE}.", f"Usage: {usage}")
    return page


def _brief_arguments(args: Sequence[str]) -> tuple[list[str], int, int, bool]:
    """`north africa security 3 p2` → (topic words, count, page, whether the count was cut)."""
    words, count, page = list(args), None, None
    while words:
        if page is None and (number := _page_number(words[-1], BRIEF_USAGE)) is not None:
            page = number
        elif count is None and _COUNT.fullmatch(words[-1]):
            digits = words[-1].lstrip("+")
            count = int(digits) if len(digits) <= 6 else LIST_MAX + 1
        else:
            break
        words.pop()
    count = DEFAULT_COUNT if count is None else count
    if count < 1:
        raise UserError(
            f"Ask for 1 to {LIST_MAX} briefs, e.g. /brief tunisia 3.", f"Usage: {BRIEF_USAGE}"
        )
    return words, min(count, LIST_MAX), page or 1, count > LIST_MAX


def _page_turn(label: str, action: str, args: tuple[str, ...]) -> tuple[Button | None, list[Text]]:
    """The page-turn button, or, when it cannot fit a button, a note saying what to type."""
    button = Button(label, action, args)
    if len(button.data.encode()) <= CALLBACK_BYTES:
        return button, []
    return None, [Text(f"{label}: send /{button.data}", Emphasis.NOTE)]


def _cards(context: Context, briefs: Sequence[Brief]) -> list[Card]:
    names = {slug: topic.name for slug, topic in context.topics.items()}
    return [brief_card(brief, names) for brief in briefs]


def _only_brief(cards: Sequence[Card]) -> int | None:
    return cards[0].brief.id if len(cards) == 1 else None


async def brief(context: Context, command: Command) -> Reply:
    words, count, page, cut = _brief_arguments(command.args)
    slug = find_topic(context, words, "brief") if words else None
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        if slug is not None:
            slugs = [slug]
        else:
            slugs = [sub.topic for sub in await chat_store.subscriptions(session, chat.id)]
            if not slugs:
                return Reply.text("This chat follows no topics yet.").plus(
                    Text(NO_TOPICS_HINT, Emphasis.NOTE)
                )
        found = await brief_store.brief_page(session, slugs, count + 1, (page - 1) * count)
    shown, more = page_of(found, count)
    scope = " · ".join(context.topic_name(topic) for topic in slugs)
    if not shown:
        if page > 1:
            return Reply(parts=(Text(f"No older briefs on {scope}."),), edit=True)
        return Reply.text(f"No briefs on {scope} yet.").plus(
            Text("They appear here as the feeds are read.", Emphasis.NOTE)
        )
    cards = _cards(context, shown)
    heading = f"Latest on {scope}" + (f" — page {page}" if page > 1 else "")
    parts: list[Part] = [Text(heading, Emphasis.HEADING), *cards]
    if cut:
        parts.append(Text(f"At most {LIST_MAX} at a time.", Emphasis.NOTE))
    button: Button | None = None
    notes: list[Text] = []
    if more:
        scope_args = (slug,) if slug else ()
        button, notes = _page_turn("Older", "brief", (*scope_args, str(count), f"p{page + 1}"))
    return Reply(
        parts=(*parts, *notes), next_page=button, brief_id=_only_brief(cards), edit=page > 1
    )


async def digest(context: Context, command: Command) -> Reply:
    """The digest as it would be if made now: the same window as the scheduled one (since the
    chat's last digest, else the last 24 hours), ending now. It moves nothing: only the
    scheduled digest does, so the daily one still covers everything since the last one."""
    now = context.clock()
    async with context.sessions() as session, session.begin():
        chat = await context.chat(session, command)
        subscriptions = await chat_store.subscriptions(session, chat.id)
        window = digest_window(await chat_store.last_digest_at(session, chat.id), now)
        made = await collect_digest(session, chat.id, window, context.topics, now)
    muted = [context.topic_name(sub.topic) for sub in subscriptions if is_muted(sub, now)]
    if made is None:
        if muted:
            return Reply.text(f"Every topic here is muted: {', '.join(muted)}.").plus(
                Text("/settings shows until when.", Emphasis.NOTE)
            )
        return Reply.text("This chat follows no topics yet.").plus(
            Text(NO_TOPICS_HINT, Emphasis.NOTE)
        )
    names = {slug: topic.name for slug, topic in context.topics.items()}
    reply = digest_reply(made, window, names, chat.timezone, on_demand=True, cap=DIGEST_CAP)
    if muted:
        reply = reply.plus(Text(f"Muted, so left out: {', '.join(muted)}.", Emphasis.NOTE))
    return reply


def _search_request(command: Command) -> tuple[str, int]:
    """The query as typed and the page: `wagner OR libya p2` → ("wagner OR libya", 2). The raw
    text, not the split words: quotes make phrases."""
    text = (command.text or " ".join(command.args)).strip()
    head, _, last = text.rpartition(" ")
    if head.strip() and (number := _page_number(last, SEARCH_USAGE)) is not None:
        return head.strip(), number
    return text, 1


def _no_match_hint(written: str) -> str:
    if " AND " in written:
        return "Every term joined by AND (or by a space) must be there; OR gives alternatives."
    return (
        "Whole words only (secur* for any ending); a word counts in the headline or event, or "
        "when it comes up twice — as for a watch."
    )


async def search(context: Context, command: Command) -> Reply:
    text, page = _search_request(command)
    if not text.strip():
        raise UserError(
            "Tell me what to look for: words from a headline, a name, a place.",
            f"Usage: {SEARCH_USAGE} — e.g. /search wagner OR libya",
        )
    read = read_query(text, "search")
    written = read.written
    async with context.sessions() as session, session.begin():
        await context.chat(session, command)
        found = await find_briefs(
            session,
            read.requirement,
            lambda brief: watch_matches(written, brief),
            SEARCH_PAGE + 1,
            (page - 1) * SEARCH_PAGE,
        )
    shown, more = page_of(found.briefs, SEARCH_PAGE)
    notes: list[Text] = []
    if not found.complete:
        notes.append(
            Text(
                f"Stopped after checking {found.stopped_after:,} older briefs holding these words: "
                "narrow the query to reach further back.",
                Emphasis.NOTE,
            )
        )
    if not shown and page > 1:
        return Reply(parts=(Text(f"No more briefs match {written}."), *notes), edit=True)
    if not shown:
        hint = Text(_no_match_hint(written), Emphasis.NOTE)
        return Reply(parts=(Text(f"No briefs match {written}."), hint, *notes))
    cards = _cards(context, shown)
    heading = f"Briefs matching {written}, newest first" + (f" — page {page}" if page > 1 else "")
    button: Button | None = None
    if more:
        button, turn = _page_turn("Older", "search", (written, f"p{page + 1}"))
        notes.extend(turn)
    return Reply(
        parts=(Text(heading, Emphasis.HEADING), *cards, *notes),
        next_page=button,
        brief_id=_only_brief(cards),
        edit=page > 1,
    )


def _brief_id(command: Command, name: str) -> int:
    if command.args:
        brief_id = parse_brief_code(command.args[0])
        if brief_id is None:
            shown = _one_line(command.args[0])[:30]
            raise UserError(f'"{shown}" is not a brief id.', f"Usage: /{name} ID — {WHICH_BRIEF}")
        return brief_id
    if command.reply_to_brief is not None:
        return command.reply_to_brief
    raise UserError(
        f"Which brief? Usage: /{name} ID", f"{WHICH_BRIEF[0].upper()}{WHICH_BRIEF[1:]}."
    )


async def _load(context: Context, command: Command, name: str) -> tuple[Brief, list[SourceRef]]:
    """The brief the command is about and every source that carried it, primary first."""
    brief_id = _brief_id(command, name)
    async with context.sessions() as session, session.begin():
        await context.chat(session, command)
        found = await brief_store.get_brief(session, brief_id)
        if found is None:
            raise UserError(
                f"There is no brief {brief_code(brief_id)}.",
                "/brief shows the latest; /search finds older ones.",
            )
        sources = await brief_store.brief_sources(session, brief_id)
    primary = [s for s in sources if s.url == found.primary.url][:1] or [found.primary]
    rest = [s for s in sources if s not in primary]
    return found, [*primary, *rest]


def _follow_up_buttons(found: Brief, *actions: str) -> ButtonRow:
    labels = {"more": "More", "actors": "Actors", "source": "Source", "related": "Related"}
    return ButtonRow(tuple(Button(labels[action], action, (found.code,)) for action in actions))


def _title(found: Brief) -> str:
    return _one_line(found.title) or "(no headline)"


async def more(context: Context, command: Command) -> Reply:
    found, sources = await _load(context, command, "more")
    names = {slug: topic.name for slug, topic in context.topics.items()}
    buttons = tuple(b for b in brief_card(found, names).buttons if b.action != "more")
    card = Card(
        found,
        topic_names=tuple(context.topic_name(slug) for slug in found.topics),
        buttons=(Button("Actors", "actors", (found.code,)), *buttons),
        all_sources=tuple((source.outlet, source.url) for source in sources),
    )
    count = len(sources)
    facts = (
        f"Published {found.published_at:%d %b %Y %H:%M} UTC · language {found.language} · "
        f"{count} source{'s' * (count != 1)}"
    )
    return Reply(parts=(card, Text(facts, Emphasis.NOTE)), brief_id=found.id)


async def actors(context: Context, command: Command) -> Reply:
    found, _ = await _load(context, command, "actors")
    parts: list[Part] = [Text(f"Actors in {found.code}: {_title(found)}", Emphasis.HEADING)]
    for actor in found.actors:
        line = f"• {_one_line(actor.name)} — {actor.kind.value.replace('_', ' ')}"
        if _one_line(actor.role):
            line += f", {_one_line(actor.role)}"
        if _one_line(actor.description):
            line += f". {_one_line(actor.description)}"
        parts.append(Text(line))
    if not found.actors:
        parts.append(Text("The source names no actors."))
    parts.append(_follow_up_buttons(found, "more", "related"))
    return Reply(parts=tuple(parts), brief_id=found.id)


async def source(context: Context, command: Command) -> Reply:
    found, sources = await _load(context, command, "source")
    parts: list[Part] = [Text(f"Sources for {found.code}: {_title(found)}", Emphasis.HEADING)]
    for number, ref in enumerate(sources, start=1):
        outlet = _one_line(ref.outlet) or "Unnamed outlet"
        first = " (primary)" if number == 1 else ""
        parts.append(Text(f"{number}. {outlet}{first} — {_one_line(ref.url) or 'no link given'}"))
    parts.append(_follow_up_buttons(found, "more", "related"))
    return Reply(parts=tuple(parts), brief_id=found.id)


def _shared(context: Context, match: RelatedBrief) -> str:
    """`shares Wagner Group, Libya; same topic: Libya`."""
    said = []
    if match.actors:
        said.append("shares " + ", ".join(_one_line(name) for name in match.actors))
    if match.topics:
        said.append("same topic: " + ", ".join(context.topic_name(t) for t in match.topics))
    return "; ".join(said)


async def related(context: Context, command: Command) -> Reply:
    found, _ = await _load(context, command, "related")
    async with context.sessions() as session:
        matches = await brief_store.related_briefs(session, found)
    heading = Text(f"Related to {found.code}: {_title(found)}", Emphasis.HEADING)
    if not matches:
        return Reply(
            parts=(
                heading,
                Text("Nothing related yet."),
                Text("Related briefs share actors, or a topic within a week.", Emphasis.NOTE),
            ),
            brief_id=found.id,
        )
    parts: list[Part] = [heading]
    for match in matches:
        other = match.brief
        parts.append(Text(f"{other.code} · {other.published_at:%d %b %Y} · {_title(other)}"))
        parts.append(Text(_shared(context, match), Emphasis.NOTE))
    parts.append(
        ButtonRow(tuple(Button(f"More {m.brief.code}", "more", (m.brief.code,)) for m in matches))
    )
    return Reply(parts=tuple(parts), brief_id=found.id)


def _follow_up(name: str, summary: str, handler: object) -> CommandSpec:
    usage, example = f"/{name} ID", f"/{name} B12"
    return CommandSpec(
        name, usage, summary, handler, max_args=1, family=FAMILY, examples=(example,)
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "brief",
        BRIEF_USAGE,
        f"The latest briefs on a topic, or on every topic this chat follows "
        f"({DEFAULT_COUNT} unless you give N, at most {LIST_MAX}).",
        brief,
        max_args=None,
        family=FAMILY,
        examples=("/brief tunisia", "/brief north africa security 3", "/brief 10 p2"),
    ),
    CommandSpec(
        "digest",
        "/digest",
        "This chat's digest now: what is new on its topics and watches.",
        digest,
        family=FAMILY,
        examples=("/digest",),
    ),
    CommandSpec(
        "search",
        SEARCH_USAGE,
        "Past briefs that match a query, newest first: the briefs a watch with that query "
        "would have brought.",
        search,
        max_args=None,
        family=FAMILY,
        examples=("/search wagner OR libya", "/search securite frontiere -tunis* p2"),
    ),
    _follow_up("more", "The whole brief: every implication, actor and source.", more),
    _follow_up("actors", "Who is in a brief: kind, role and who they are.", actors),
    _follow_up("source", "Every outlet that carried the story, with links.", source),
    _follow_up("related", "Other briefs on the same actors, or the same topic that week.", related),
)
