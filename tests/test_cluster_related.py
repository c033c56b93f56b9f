"""/related links briefs by canonical actor key across scripts (an Arabic brief about Haftar
relates to an English one), and by folded name for actors outside the gazetteer."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.console import to_command
from bot.analysis.topics import load_topics
from bot.domain import Actor, ActorKind, Analysis, Article
from bot.render.plain import render_plain
from bot.storage import briefs as brief_store
from bot.storage import db
from handlers import briefs as brief_handlers
from handlers.context import Context
from handlers.dispatch import dispatch

NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)
_identities = itertools.count(1)

HAFTAR_EN = Actor("Khalifa Haftar", ActorKind.PERSON, key="Khalifa Haftar")
HAFTAR_AR = Actor("خليفة حفتر", ActorKind.PERSON, key="Khalifa Haftar")
HAFTAR_FR = Actor("maréchal Haftar", ActorKind.PERSON, key="Khalifa Haftar")
HAFTAR_UNKEYED = Actor("Khalifa Haftar", ActorKind.PERSON)  # stored before actors had keys
LNA_AR = Actor("الجيش الوطني الليبي", ActorKind.ARMED_GROUP, key="Libyan National Army")
LNA_EN = Actor("Libyan National Army", ActorKind.ARMED_GROUP, key="Libyan National Army")
LOCAL_MAYOR = Actor("Abdelhakim Ben Aïssa", ActorKind.PERSON)  # not in the gazetteer
LOCAL_MAYOR_PLAIN = Actor("ABDELHAKIM BEN AISSA", ActorKind.PERSON)
LIBYA_AR = Actor("ليبيا", ActorKind.STATE, key="Libya")
LIBYA_EN = Actor("Libya", ActorKind.STATE, key="Libya")


@pytest.fixture
async def both(database_url: str) -> AsyncIterator[Context]:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    yield Context(
        sessions=db.sessions(engine),
        clock=lambda: NOW,
        topics=load_topics(),
        admin_ids={"console": frozenset({"admin"})},
        commands=brief_handlers.COMMANDS,
    )
    await engine.dispose()


async def add_brief(
    context: Context,
    title: str,
    actors: Sequence[Actor],
    *,
    language: str = "en",
    topics: Sequence[str] = (),
    days_ago: float = 1,
) -> int:
    published = NOW - timedelta(days=days_ago)
    identity = f"item-{next(_identities)}"
    article = Article(
        identity, title, f"https://news.example.org/{identity}", title, "", "Desk", published
    )
    analysis = Analysis(language, tuple(topics), tuple(actors), title, ())
    async with context.sessions() as session, session.begin():
        return await brief_store.create_brief(session, article, analysis, None, published)


async def related(context: Context, brief_id: int) -> str:
    command = to_command(f"/related B{brief_id}", "desk")
    assert command is not None
    return render_plain(await dispatch(command, context))


async def test_an_arabic_brief_relates_to_english_and_french_ones_by_key(both: Context) -> None:
    arabic = await add_brief(
        both, "حفتر يستقبل وفدا عسكريا في بنغازي", [HAFTAR_AR, LNA_AR, LIBYA_AR], language="ar"
    )
    english = await add_brief(both, "Haftar meets Sisi in El Alamein", [HAFTAR_EN], days_ago=3)
    french = await add_brief(
        both, "Le maréchal Haftar à Moscou", [HAFTAR_FR, LNA_EN], language="fr", days_ago=5
    )
    older = await add_brief(both, "Haftar, a profile", [HAFTAR_UNKEYED], days_ago=9)
    state_only = await add_brief(both, "Libya's budget", [LIBYA_EN], days_ago=2)
    await add_brief(
        both, "Unrelated story", [Actor("Kais Saied", ActorKind.PERSON, key="Kais Saied")]
    )

    text = await related(both, arabic)
    order = [text.index(f"B{other} · ") for other in (french, english, older, state_only)]
    assert order == sorted(order)  # Haftar and the LNA (6), Haftar (3), closer first; a state
    assert "shares maréchal Haftar, Libyan National Army" in text
    assert "shares Khalifa Haftar" in text and "Unrelated story" not in text
    # and back: the English brief finds the Arabic one, naming Haftar as it does.
    assert f"B{arabic} · " in (back := await related(both, english))
    assert "shares خليفة حفتر" in back


async def test_actors_outside_the_gazetteer_relate_by_folded_name(both: Context) -> None:
    first = await add_brief(both, "Mayor opens the port", [LOCAL_MAYOR])
    second = await add_brief(both, "Mayor resigns", [LOCAL_MAYOR_PLAIN], days_ago=2)
    namesake = await add_brief(both, "Another mayor", [Actor("Abdelhakim", ActorKind.PERSON)])
    text = await related(both, first)
    assert f"B{second} · " in text and f"B{namesake} · " not in text


async def test_the_fast_query_scores_as_relatedness_does_across_scripts(both: Context) -> None:
    ids = [
        await add_brief(both, "حفتر", [HAFTAR_AR, LIBYA_AR], language="ar", topics=("libya",)),
        await add_brief(both, "Haftar", [HAFTAR_EN], days_ago=2, topics=("libya",)),
        await add_brief(both, "Haftar old", [HAFTAR_UNKEYED, LIBYA_EN], days_ago=20),
        await add_brief(both, "Libya", [LIBYA_EN], days_ago=4, topics=("libya",)),
        await add_brief(both, "Mayor", [LOCAL_MAYOR], days_ago=1),
    ]
    async with both.sessions() as session:
        briefs = [await brief_store.get_brief(session, brief_id) for brief_id in ids]
        for brief in briefs:
            assert brief is not None
            expected = [
                found
                for other in briefs
                if other is not None
                and other.id != brief.id
                and (found := brief_store.relatedness(brief, other)) is not None
            ]
            expected.sort(
                key=lambda m: (
                    -m.score,
                    abs(m.brief.published_at - brief.published_at),
                    -m.brief.id,
                )
            )
            assert await brief_store.related_briefs(session, brief) == expected
    assert expected == []  # the last brief, the mayor's, shares nothing with the others
    haftar = briefs[0]
    assert haftar is not None
    scores = {
        m.brief.id: m.score
        for m in [brief_store.relatedness(haftar, b) for b in briefs[1:] if b]
        if m
    }
    assert scores == {ids[1]: 3 + 1, ids[2]: 3 + 1, ids[3]: 1 + 1}
