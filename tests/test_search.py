"""/search over stored briefs, on SQLite (FTS5) and PostgreSQL (tsvector): the watches' query
language (whole words, prefix*, phrases, AND / OR / NOT in any case), folding, newest first,
pages, refusals, and hostile input that must never break the query."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.analysis.query import QueryError, parse_chat_query
from bot.analysis.text import fold
from bot.chat import Reply
from bot.domain import Actor, ActorKind
from bot.render.plain import render_plain
from bot.storage import briefs as brief_store
from bot.storage.models import BriefRow
from bot.storage.search import MAX_TERMS, find_briefs, search_briefs, search_terms
from handlers.context import Context
from tests.test_handlers_briefs import NOW, add_brief, ask, cards, open_context, say

HOSTILE = [
    '"',
    '""',
    "*",
    "wagner*",
    '"wagner" NEAR/2 "libya"',
    "NEAR(wagner libya, 3)",
    "wagner OR libya",
    "NOT wagner",
    "AND",
    "(",
    ")))(((",
    "wagner:* & !libya | (x <-> y)",
    "'; DROP TABLE briefs; --",
    '" OR 1=1 --',
    "search_text:wagner",
    "^wagner",
    "-wagner",
    "\\",
    "%_%",
    "\x00",
    "briefs_fts MATCH 'x'",
    "½ ² ª ﬁ",
    "हिंदी समाचार",
    "🙂 🇱🇾",
    "فاغنر",
    "x" * 5000,
    " ".join(["word"] * 300),
]


@pytest.fixture
async def context(sqlite_url: str) -> AsyncIterator[Context]:
    async for made in open_context(sqlite_url):
        yield made


@pytest.fixture
async def both(database_url: str) -> AsyncIterator[Context]:
    async for made in open_context(database_url):
        yield made


@pytest.fixture
async def stocked(both: Context) -> Context:
    await add_brief(
        both,
        "Renforcement de la sécurité à la frontière tunisienne",
        event="Les autorités annoncent des patrouilles supplémentaires près de Ben Guerdane.",
        published=NOW - timedelta(hours=2),
    )
    await add_brief(
        both,
        "Wagner fighters seen near Sirte",
        event="Witnesses reported Wagner convoys south of Sirte.",
        topics=("libya",),
        actors=(Actor("Wagner Group", ActorKind.ARMED_GROUP), Actor("Libya", ActorKind.STATE)),
        published=NOW - timedelta(hours=1),
    )
    await add_brief(
        both,
        "Security plan for the southern border adopted",
        event="The plan adds border posts on the Libyan frontier.",
        published=NOW - timedelta(hours=3),
    )
    return both


def titles(reply: Reply) -> list[str]:
    return [card.brief.title for card in cards(reply)]


def test_search_terms_fold_and_keep_only_letters_and_digits() -> None:
    assert search_terms("Sécurité  FRONTIÈRE") == ["securite", "frontiere"]
    assert search_terms('"x" OR (y) NEAR*') == ["x", "or", "y", "near"]
    assert search_terms("al-Qaïda l'armée") == ["al", "qaida", "l", "armee"]
    assert search_terms("... !!! ***") == []
    assert len(search_terms(" ".join(f"w{n}" for n in range(50)))) == MAX_TERMS
    assert search_terms("wagner Wagner WAGNER") == ["wagner"]


async def test_accents_and_case_do_not_matter(stocked: Context) -> None:
    async with stocked.sessions() as session:
        texts = list(await session.scalars(select(BriefRow.search_text)))
    assert any("securite a la frontiere tunisienne" in text for text in texts)
    assert all(text == fold(text) for text in texts)
    for words in ["securite", "SÉCURITÉ", "sécu*", "Sécurite frontière", "FRONTIERE tunisienne"]:
        found = titles(await ask(stocked, f"/search {words}"))
        assert "Renforcement de la sécurité à la frontière tunisienne" in found, words


async def test_whole_words_prefixes_and_phrases_newest_first(stocked: Context) -> None:
    assert titles(await ask(stocked, "/search secur*")) == [
        "Renforcement de la sécurité à la frontière tunisienne",
        "Security plan for the southern border adopted",
    ]
    assert titles(await ask(stocked, "/search border libyan")) == [
        "Security plan for the southern border adopted"
    ]
    assert titles(await ask(stocked, "/search agner*")) == []  # inside a word is not a match
    assert titles(await ask(stocked, '/search "wagner fighters"')) == [
        "Wagner fighters seen near Sirte"
    ]
    assert titles(await ask(stocked, '/search "fighters wagner"')) == []
    reply = await ask(stocked, "/search sirte")
    assert reply.brief_id == cards(reply)[0].brief.id and reply.next_page is None
    assert "Briefs matching sirte, newest first" in render_plain(reply)
    text = await say(stocked, "/search secur")
    assert "No briefs match secur." in text and "secur* for any ending" in text
    # Actors and outlets are not read, as for a watch: "group" is only in an actor's name.
    text = await say(stocked, "/search wagner group")
    assert "No briefs match wagner AND group." in text and "OR gives alternatives" in text


async def test_and_or_not_in_any_case(stocked: Context) -> None:
    both = [
        "Wagner fighters seen near Sirte",
        "Renforcement de la sécurité à la frontière tunisienne",
    ]
    assert titles(await ask(stocked, "/search wagner OR tunisienne")) == both
    assert titles(await ask(stocked, "/search wagner or tunisienne")) == both
    assert titles(await ask(stocked, "/search border NOT libyan")) == []
    assert titles(await ask(stocked, "/search border -sirte")) == [
        "Security plan for the southern border adopted"
    ]
    assert titles(await ask(stocked, "/search (wagner or border) and not sirte")) == [
        "Security plan for the southern border adopted"
    ]
    heading = render_plain(await ask(stocked, "/search border -sirte")).splitlines()[0]
    assert heading == "Briefs matching border AND NOT sirte, newest first"


@pytest.mark.parametrize(
    ("line", "first_line"),
    [
        ("/search NOT wagner", "That search query only excludes"),
        ("/search -wagner", "That search query only excludes"),
        ('/search "wagner" NEAR sirte', 'That search query has a problem: "NEAR" is not supported'),
        ("/search title:wagner", 'That search query has a problem: fields such as "title:"'),
        ("/search wagner OR", 'That search query has a problem: "OR" needs a term after it.'),
    ],
)
async def test_what_the_language_lacks_is_refused(
    stocked: Context, line: str, first_line: str
) -> None:
    text = await say(stocked, line)
    assert text.startswith(first_line), text
    assert "Traceback" not in text and "incident" not in text


async def test_a_word_counts_as_for_a_watch_in_the_headline_event_or_twice(
    context: Context,
) -> None:
    implications = ("Ports stay open.", "Trade continues.", "Observers mention Zarzis.")
    await add_brief(context, "Fishing season opens", implications=implications)
    await add_brief(
        context,
        "Fishing fleet returns",
        implications=(*implications[:2], "Zarzis boats return.", "Zarzis gains."),
    )
    assert titles(await ask(context, "/search zarzis")) == ["Fishing fleet returns"]
    assert "a word counts in the headline or event" in await say(context, "/search observers")


async def test_nothing_to_search_for_gets_the_usage(context: Context) -> None:
    assert "Usage: /search QUERY [pPAGE]" in await say(context, "/search")
    for line, problem in [
        ("/search ...", '"..." has no letters or digits'),
        ("/search ?! -- ()", '"-" needs a term right after it'),
        ("/search «»", "empty phrase"),
        ("/search _", '"_" has no letters or digits'),
    ]:
        text = await say(context, line)
        assert text.startswith(f"That search query has a problem: {problem}."), line
        assert "Queries: words," in text


async def test_results_come_five_a_page(both: Context) -> None:
    made = [
        await add_brief(both, f"Drought report number {n}", published=NOW - timedelta(hours=n))
        for n in range(1, 8)
    ]
    first = await ask(both, "/search drought")
    assert [card.brief.id for card in cards(first)] == made[:5] and not first.edit
    assert first.next_page is not None and first.next_page.data == "search drought p2"
    second = await ask(both, "/" + first.next_page.data)
    assert [card.brief.id for card in cards(second)] == made[5:] and second.edit
    assert second.next_page is None and "page 2" in render_plain(second)
    assert "No more briefs match drought." in await say(both, "/search drought p3")
    assert "Pages run from p1 to p1000" in await say(both, "/search drought p0")
    assert "No briefs match p2." in await say(both, "/search p2")  # alone, p2 is a word
    assert titles(await ask(both, "/search number 7")) == ["Drought report number 7"]
    # The button carries the query as understood, phrases and operators included.
    for typed, data in [
        ("drought or famine", "search drought OR famine p2"),
        ('"drought report" -flood', 'search "drought report" AND NOT flood p2'),
    ]:
        reply = await ask(both, f"/search {typed}")
        assert reply.next_page is not None and reply.next_page.data == data
        turned = await ask(both, "/" + reply.next_page.data)
        assert [card.brief.id for card in cards(turned)] == made[5:] and turned.edit


async def test_a_query_too_long_for_a_button_says_what_to_type(context: Context) -> None:
    long_words = "extraordinarily comprehensive multinational reconnaissance"
    for n in range(6):
        await add_brief(context, f"An {long_words} mission, part {n}")
    reply = await ask(context, f"/search {long_words}")
    assert len(cards(reply)) == 5 and reply.next_page is None
    written = " AND ".join(long_words.split())
    assert f"Older: send /search {written} p2" in render_plain(reply)
    assert len(cards(await ask(context, f"/search {written} p2"))) == 1


async def test_hostile_input_never_breaks_the_query(stocked: Context) -> None:
    for words in HOSTILE:
        text = await say(stocked, f"/search {words}")
        assert "incident" not in text and "Traceback" not in text, words
        async with stocked.sessions() as session:
            assert isinstance(await search_briefs(session, words, limit=5), list)
            try:
                query = parse_chat_query(words)
            except QueryError:
                continue
            requirement = query.requirement()
            assert requirement is not None
            found = await find_briefs(session, requirement, lambda brief: True, 5)
            assert isinstance(found.briefs, list)
    async with stocked.sessions() as session:
        assert await brief_store.count_briefs(session) == 3
