"""/search answers with exactly the briefs a watch with the same query would match: checked on
a seeded store in English, French and Arabic, on SQLite (FTS5) and PostgreSQL (tsvector),
through the recent window and past it, and in the MATCH / tsquery text the index is asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.analysis.query import AllOf, AnyOf, Has, parse_chat_query, word_forms
from bot.delivery.digest import watch_matches
from bot.domain import Actor, ActorKind, Brief
from bot.storage import search as search_store
from bot.storage.briefs import to_brief
from bot.storage.models import BriefRow
from bot.storage.search import find_briefs, fts5_query, tsquery
from handlers.context import Context
from tests.test_handlers_briefs import NOW, add_brief, ask, cards, open_context

# (title, event, implications, actors): the store every equivalence check runs on
SEEDED: list[tuple[str, str, tuple[str, ...], tuple[Actor, ...]]] = [
    (
        "Wagner fighters seen near Sirte",
        "Witnesses reported Wagner convoys south of Sirte.",
        (),
        (Actor("Wagner Group", ActorKind.ARMED_GROUP),),
    ),
    (
        "Haftar meets Wagner envoys in Benghazi",
        "Khalifa Haftar received Russian envoys in Benghazi on Monday.",
        ("The meeting signals closer ties between the LNA and Moscow.",),
        (Actor("Khalifa Haftar", ActorKind.PERSON),),
    ),
    (
        "Libya's coast guard intercepts 300 migrants",
        "The Libyan coast guard stopped five boats off Zuwara.",
        ("Departures may shift west towards Tunisia.",),
        (),
    ),
    (
        "U.S. sends F-16 jets to a Tunisia exercise",
        "The U.S. Air Force flew F-16s over Bizerte during a joint drill.",
        (),
        (),
    ),
    (
        "Parliament adopts a 3.5 billion dinar budget",
        "Deputies adopted a budget of 3.5 billion dinars for 2026.",
        ("Spending on security rises by 12.5 percent.",),
        (),
    ),
    (
        "Al-Qaeda affiliate claims an attack in the Sahel",
        "JNIM, al-Qaeda's branch in the Sahel, claimed the attack near Gao.",
        (),
        (),
    ),
    (
        "Egypt and Sudan sign a water accord",
        "The two governments signed a Nile water accord in Cairo.",
        (
            "Ethiopia may respond within weeks.",
            "Farmers downstream expect steadier flows.",
            "Libya was briefed on the talks.",
        ),
        (Actor("Libya", ActorKind.STATE),),
    ),
    (
        "Security talks between Tunisia and Libya",
        "Interior ministers of Tunisia and Libya met at Ras Jedir.",
        ("The crossing may reopen to trade.",),
        (),
    ),
    (
        "Renforcement de la sécurité à la frontière tunisienne",
        "Les autorités annoncent des patrouilles près de Ben Guerdane.",
        (),
        (),
    ),
    (
        "L'armée libyenne déploie des renforts à Syrte",
        "L'armée a déployé deux brigades à Syrte, selon un porte-parole.",
        ("Les combats pourraient reprendre près de Syrte.",),
        (),
    ),
    (
        "Sécurité : la Tunisie et la Libye coopèrent",
        "Les deux pays signent un accord de sécurité à la frontière.",
        (),
        (),
    ),
    ("الجيش الليبي ينتشر في سرت", "أعلن الجيش انتشار وحدات جديدة في سرت.", (), ()),
    (
        "وزير الداخلية التونسي يزور الحدود مع ليبيا",
        "زار الوزير معبر رأس جدير على الحدود مع ليبيا.",
        (),
        (),
    ),
    ("اجتماع أمني بين تونس والجزائر", "عقد مسؤولون من تونس والجزائر اجتماعا أمنيا.", (), ()),
    ("مقاتلو فاغنر في ليبيا", "قالت مصادر إن مقاتلي فاغنر وصلوا إلى بنغازي وللجيش رأي.", (), ()),
    *[
        (
            f"Port strike in Sfax enters day {day}",
            f"Dockers in Sfax stayed out for a {day}th day."
            + (" Libya-bound cargo is stuck." if day % 3 == 0 else ""),
            ("Libya imports may slow.",) if day % 4 == 0 else (),
            (),
        )
        for day in range(1, 25)
    ],
]

QUERIES = [
    "wagner",
    "wagner or libya",
    "libya -haftar",
    "libya not haftar",
    "coast OR libya",
    '"coast guard"',
    '"guard coast"',
    "u.s.",
    "f-16",
    "f-16*",
    "3.5",
    '"3.5 billion"',
    "billion",
    "al-qaeda",
    "qaeda",
    "securite",
    "sécurité frontière",
    "secur*",
    "libye*",
    "الجيش",
    "جيش",
    "تونس",
    "ليبيا",
    "فاغنر OR wagner",
    "(sirte or syrte or سرت) -wagner",
    "libya AND NOT (haftar OR wagner)",
    "tunisia libya",
    "group",
    "ledger",
    "sfax",
    "strike -sfax",
    "libya* -sfax",
    "migrants OR migrant*",
    '"libya bound"',
    "dockers -(libya or cargo)",
]


@pytest.fixture
async def seeded(database_url: str) -> AsyncIterator[Context]:
    async for context in open_context(database_url):
        for number, (title, event, implications, actors) in enumerate(SEEDED):
            await add_brief(
                context,
                title,
                event=event,
                implications=implications,
                actors=actors,
                topics=("libya",),
                published=NOW - timedelta(hours=number, minutes=number % 7),
            )
        yield context


async def _every_brief(context: Context) -> list[Brief]:
    async with context.sessions() as session:
        rows = await session.scalars(select(BriefRow))
        briefs = [to_brief(row) for row in rows]
    return sorted(briefs, key=lambda brief: (brief.published_at, brief.id), reverse=True)


async def _searched(context: Context, typed: str, limit: int, offset: int) -> list[int]:
    query = parse_chat_query(typed)
    written = query.canonical()
    requirement = query.requirement()
    assert requirement is not None
    async with context.sessions() as session:
        found = await find_briefs(
            session, requirement, lambda brief: watch_matches(written, brief), limit, offset
        )
    assert found.complete
    return [brief.id for brief in found.briefs]


async def _check_every_query(context: Context, every: list[Brief], queries: list[str]) -> None:
    for typed in queries:
        written = parse_chat_query(typed).canonical()
        watched = [brief.id for brief in every if watch_matches(written, brief)]
        for limit, offset in ((4, 0), (4, 3), (50, 0)):
            found = await _searched(context, typed, limit, offset)
            assert found == watched[offset : offset + limit], (typed, limit, offset)


# Words PostgreSQL's parser keeps inside a longer token (the 5 of 3.5): among the newest briefs,
# where the words are looked for as substrings, they are found as the matcher finds them.
INSIDE_TOKENS = ["5", '"5 billion"', "16", "s -wagner"]


async def test_search_finds_what_the_watch_matcher_finds(seeded: Context) -> None:
    every = await _every_brief(seeded)
    await _check_every_query(seeded, every, [*QUERIES, *INSIDE_TOKENS])
    # The store is varied enough for the check to mean something.
    sizes = {
        typed: sum(watch_matches(parse_chat_query(typed).canonical(), b) for b in every)
        for typed in [*QUERIES, *INSIDE_TOKENS]
    }
    assert sizes["wagner or libya"] > sizes["wagner"] > 0
    assert sizes["libya -haftar"] < sizes["libya* -sfax"] + sizes["sfax"]
    for typed in ["f-16", "u.s.", "3.5", "al-qaeda", "الجيش", "تونس", "securite", "secur*", "5"]:
        assert sizes[typed] > 0, typed
    assert sizes["group"] == sizes["ledger"] == 0  # actors and outlets are not what watches read


async def test_past_the_recent_window_the_answers_are_the_same(
    seeded: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_store, "RECENT_WINDOW", 2)
    monkeypatch.setattr(search_store, "FIRST_CHUNK", 1)
    await _check_every_query(seeded, await _every_brief(seeded), QUERIES)


async def test_a_search_that_would_test_too_many_candidates_says_it_stopped(
    seeded: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_store, "RECENT_WINDOW", 1)
    monkeypatch.setattr(search_store, "SCAN_LIMIT", 3)
    query = parse_chat_query("sfax -dockers")  # many candidates, no match
    requirement = query.requirement()
    assert requirement is not None
    async with seeded.sessions() as session:
        found = await find_briefs(
            session, requirement, lambda b: watch_matches(query.canonical(), b), 6
        )
    assert found.briefs == [] and not found.complete
    reply = await ask(seeded, "/search sfax -dockers")
    text = " ".join(getattr(part, "text", "") for part in reply.parts)
    assert "Stopped after checking 3 older briefs holding these words" in text
    narrow = await ask(seeded, "/search haftar")  # few candidates: every one is tested
    assert len(cards(narrow)) == 1
    assert not any("Stopped" in getattr(part, "text", "") for part in narrow.parts)


def test_the_index_is_asked_for_every_form_the_matcher_reads() -> None:
    libya, tunis = Has((("libya", False),)), Has((("تونس", False),))
    assert fts5_query(libya) == '("libya")'
    assert fts5_query(tunis) == "(" + " OR ".join(f'"{f}"' for f in word_forms("تونس")) + ")"
    assert '"وتونس"' in fts5_query(tunis)
    coast_guard = Has((("coast", False), ("guard", True)))
    fts = fts5_query(AllOf((coast_guard, AnyOf((libya, Has((("tunis", True),)))))))
    assert fts == '(("coast") AND ("guard"*)) AND ((("libya")) OR (("tunis"*)))'
    assert tsquery(Has((("f", False), ("16", False)))) == "('f':*)"  # f-16: one token in PG
    digits = tsquery(Has((("16", False),)))
    assert "'-16':*" in digits and "'16':*" in digits and "'و16':*" in digits
    pg = tsquery(Has((("3", False), ("5", False), ("billion", False))))
    assert pg.startswith("('3':*") and "'5':*" not in pg and pg.endswith("('billion':*)")
    assert tsquery(AnyOf((libya, tunis))).startswith("(('libya':*)) | (('تونس':*")
