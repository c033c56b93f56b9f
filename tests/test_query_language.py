"""The query language chats type (/watch, /search): operators in any case, refusals of what it
does not have, a query must ask for something, and the canonical form that is stored, shown
and read back the same by the packs' parser."""

from __future__ import annotations

import random

import pytest

from bot.analysis.query import (
    MAX_QUERY_LENGTH,
    AllOf,
    AnyOf,
    Has,
    MatchDoc,
    OnlyExcludes,
    QueryError,
    compile_query,
    parse_chat_query,
    word_forms,
)
from bot.analysis.topics import PACK_MAX_LENGTH, PACK_MAX_TERMS, load_topics


def written(text: str) -> str:
    return parse_chat_query(text).canonical()


def chat_matches(text: str, title: str, body: str = "") -> bool:
    return parse_chat_query(text).matches(MatchDoc.build(title, body))


# --- operators in any case, written out -------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("wagner or libya", "wagner OR libya"),
        ("wagner Or libya", "wagner OR libya"),
        ("Wagner OR LIBYA", "Wagner OR LIBYA"),
        ("libya not haftar", "libya AND NOT haftar"),
        ("libya NOT haftar", "libya AND NOT haftar"),
        ("libya -haftar", "libya AND NOT haftar"),
        ("libya and haftar", "libya AND haftar"),
        ("libya haftar", "libya AND haftar"),
        ("coast OR libya", "coast OR libya"),
        ('"Kais Saied" or carthage', '"Kais Saied" OR carthage'),
        ("«Kais  Saïed»", '"Kais Saïed"'),
        ("tunis* and (drone or drones)", "tunis* AND (drone OR drones)"),
        ("(a or b) or (c d)", "a OR b OR (c AND d)"),
        ("a b or c", "(a AND b) OR c"),
        ("a -(b or c)", "a AND NOT (b OR c)"),
        ('sinai -"mount sinai"', 'sinai AND NOT "mount sinai"'),
        ('wagner "or"', 'wagner AND "or"'),
        ("al-qaeda", "al-qaeda"),
        ("sécurité frontière", "sécurité AND frontière"),
        ("تونس OR الجزائر", "تونس OR الجزائر"),
        ("Libya: clashes", '"Libya:" AND clashes'),
        ("near sirte", "near AND sirte"),
        ("except sirte", "except AND sirte"),
    ],
)
def test_the_query_comes_back_written_out(typed: str, canonical: str) -> None:
    assert written(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "title", "expected"),
    [
        ("wagner or libya", "Clashes in Libya", True),
        ("wagner or libya", "Wagner convoy seen", True),
        ("wagner or libya", "Egypt news", False),
        ("libya not haftar", "Libya budget vote", True),
        ("libya not haftar", "Haftar visits Libya's south", False),
        ("libya -haftar", "Haftar visits Libya's south", False),
        ("(coast or port) and libya", "Libya closes a port", True),
        ("(coast or port) and libya", "Libya closes a road", False),
        ("securite", "Sécurité renforcée", True),
        ('"coast guard"', "Coast guard rescues 40", True),
        ('"coast guard"', "Guard on the coast", False),
        ("تونس", "اجتماع في وتونس", True),
    ],
)
def test_chat_queries_match_as_written(typed: str, title: str, expected: bool) -> None:
    assert chat_matches(typed, title) is expected


def test_lower_case_operators_are_words_in_the_packs_language() -> None:
    """Topic packs keep their upper-case keywords: `or` there is a word."""
    assert compile_query("wagner or libya").canonical() == 'wagner AND "or" AND libya'
    assert not compile_query("wagner or libya").matches(MatchDoc.build("Libya", ""))
    assert compile_query("wagner OR libya").matches(MatchDoc.build("Libya", ""))


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message", "position"),
    [
        ("haftar NEAR wagner", '"NEAR" is not supported: use AND, OR, NOT, "phrases" and ( )', 7),
        ("haftar NEAR/3 wagner", '"NEAR" is not supported: use AND, OR, NOT, "phrases" and ( )', 7),
        ("NEAR(haftar wagner)", '"NEAR" is not supported: use AND, OR, NOT, "phrases" and ( )', 0),
        (
            'sinai EXCEPT "mount sinai"',
            '"EXCEPT" is not supported: use AND, OR, NOT, "phrases" and ( )',
            6,
        ),
        (
            "title:haftar",
            'fields such as "title:" are not supported: every term is looked for in the '
            "headline, the event and the implications",
            0,
        ),
        (
            'libya title:"haftar"',
            'fields such as "title:" are not supported: every term is looked for in the '
            "headline, the event and the implications",
            6,
        ),
        (
            "wagner:*",
            'fields such as "wagner:" are not supported: every term is looked for in the '
            "headline, the event and the implications",
            0,
        ),
        ("wagner && libya", '"&" is not an operator here: use AND, OR, NOT or -word', 7),
        ("wagner || libya", '"|" is not an operator here: use AND, OR, NOT or -word', 7),
        ("wagner|libya", '"|" is not an operator here: use AND, OR, NOT or -word', 0),
        ("libya !haftar", '"!" is not an operator here: use AND, OR, NOT or -word', 6),
        ("+libya", '"+" is not an operator here: use AND, OR, NOT or -word', 0),
        ("wagner or", '"or" needs a term after it', 7),
        ("not", '"not" needs a term after it', 0),
        ("libya and or haftar", 'unexpected "or"', 10),
        ("(libya", 'unclosed "("', 0),
        ("", "empty query", 0),
    ],
)
def test_what_the_language_lacks_is_refused_not_read_as_words(
    typed: str, message: str, position: int
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_chat_query(typed)
    assert (caught.value.message, caught.value.position) == (message, position)


@pytest.mark.parametrize(
    "typed",
    ["NOT libya", "not libya", "-libya", "-libya -haftar", "wagner OR NOT libya", "NOT (a AND b)"],
)
def test_a_query_that_only_excludes_is_refused(typed: str) -> None:
    with pytest.raises(OnlyExcludes) as caught:
        parse_chat_query(typed)
    assert caught.value.message == "it only excludes: a brief with none of its words would match"


@pytest.mark.parametrize("typed", ["libya -haftar", "NOT NOT libya", "NOT (NOT a OR NOT b)"])
def test_a_query_that_needs_a_word_is_accepted(typed: str) -> None:
    assert parse_chat_query(typed).requirement() is not None


def test_a_query_too_long_once_written_out_is_refused() -> None:
    typed = " ".join(f"w{n % 10}" for n in range(199))  # under 1000 characters as typed
    assert len(typed) < MAX_QUERY_LENGTH
    with pytest.raises(QueryError, match="too long once written out"):
        parse_chat_query(typed)


# --- what a brief must hold ---------------------------------------------------------------------


def test_requirement_keeps_and_or_and_drops_not() -> None:
    wagner, libya, haftar = (Has(((word, False),)) for word in ("wagner", "libya", "haftar"))
    assert parse_chat_query("wagner or libya").requirement() == AnyOf((wagner, libya))
    assert parse_chat_query("libya -haftar").requirement() == libya
    assert parse_chat_query("libya haftar -wagner").requirement() == AllOf((libya, haftar))
    assert parse_chat_query("NOT (NOT libya OR NOT haftar)").requirement() == AllOf((libya, haftar))
    assert parse_chat_query('"coast guard*"').requirement() == Has(
        (("coast", False), ("guard", True))
    )


def test_word_forms_hold_every_article_word_the_matcher_reads_as_the_query_word() -> None:
    """Search asks the index for these forms: any word an article may hold that the matcher
    reads as the query word must be among them."""
    stems = ["تونس", "الجيش", "جيش", "ليبيا", "2023", "libya"]
    prefixes = ["", "و", "ب", "ل", "ال", "وال", "بال", "لل", "ف", "ك"]
    article_words = {prefix + stem for prefix in prefixes for stem in stems}
    article_words |= {"لل" + stem[2:] for stem in stems if stem.startswith("ال")}
    for query_word in stems + ["ال" + stem for stem in stems]:
        query = compile_query(query_word)
        prefix_query = compile_query(query_word + "*")
        forms = word_forms(query_word)
        for word in article_words:
            doc = MatchDoc.build(word, "")
            if query.mentions(doc):
                assert word in forms, (query_word, word)
            if prefix_query.mentions(doc):
                assert any(word.startswith(form) for form in forms), (query_word, word)
    assert {"وتونس", "بتونس", "لتونس", "التونس"} <= set(word_forms("تونس"))
    assert {"والجيش", "بالجيش", "للجيش"} <= set(word_forms("الجيش"))


# --- the canonical form reads back the same, in both languages ------------------------------


def _random_query(rng: random.Random) -> str:
    words = ["libya", "Wagner", "sécurité", "تونس", "al-qaeda", "tunis*", '"coast guard"', "or"]
    pieces: list[str] = []
    for _ in range(rng.randint(1, 7)):
        piece = rng.choice(words)
        if rng.random() < 0.2:
            piece = "-" + piece.strip('"') if piece != "or" else "-x"
        pieces.append(piece)
        pieces.append(rng.choice(["", "", "and", "OR", "or", "not", "AND NOT"]))
    pieces[-1] = ""
    text = " ".join(p for p in pieces if p)
    if rng.random() < 0.3:
        text = f"({text}) {rng.choice(['or', 'and'])} libya"
    return text


def test_canonical_form_round_trips_through_both_parsers() -> None:
    rng = random.Random(20251213)
    docs = [
        MatchDoc.build(title, body)
        for title, body in [
            ("Wagner in Libya", ""),
            ("Sécurité à Tunis", "La garde côtière."),
            ("Coast guard of Tunisia", "Al-Qaeda claims an attack; or so it says."),
            ("وتونس", "الجيش في ليبيا"),
            ("Nothing here", ""),
        ]
    ]
    tried = 0
    for _ in range(400):
        typed = _random_query(rng)
        try:
            chat = parse_chat_query(typed)
        except QueryError:
            continue
        tried += 1
        canonical = chat.canonical()
        stored = compile_query(canonical)  # how an alert reads a stored watch
        again = parse_chat_query(canonical)
        assert again.canonical() == canonical, typed
        assert stored.key() == chat.key() == again.key(), typed
        for doc in docs:
            assert stored.matches(doc) == chat.matches(doc), (typed, doc.words)
    assert tried > 150


def test_every_topic_pack_writes_out_to_the_same_query() -> None:
    for slug, topic in load_topics().items():
        pack = compile_query(topic.query, max_length=PACK_MAX_LENGTH, max_terms=PACK_MAX_TERMS)
        again = compile_query(pack.canonical(), max_length=10 * PACK_MAX_LENGTH, max_terms=10**4)
        assert again.key() == pack.key(), slug
