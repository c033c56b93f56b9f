from __future__ import annotations

import random

import pytest

from bot.analysis.query import (
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    MatchDoc,
    QueryError,
    compile_query,
    describe_error,
)


def doc(title: str, body: str = "") -> MatchDoc:
    return MatchDoc.build(title, body)


def matches(query: str, title: str, body: str = "") -> bool:
    return compile_query(query).matches(doc(title, body))


def mentions(query: str, title: str, body: str = "") -> bool:
    return compile_query(query).mentions(doc(title, body))


# --- operators and precedence ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title", "expected"),
    [
        ("tunisia libya", "Tunisia and Libya talk", True),
        ("tunisia libya", "Tunisia talks", False),
        ("tunisia AND libya", "Libya only", False),
        ("tunisia OR libya", "Libya only", True),
        ("tunisia OR libya", "Egypt only", False),
        # AND binds tighter than OR: a OR (b AND c)
        ("tunisia OR libya egypt", "Tunisia alone", True),
        ("tunisia OR libya egypt", "Libya alone", False),
        ("tunisia OR libya egypt", "Libya and Egypt", True),
        ("(tunisia OR libya) egypt", "Tunisia alone", False),
        ("(tunisia OR libya) egypt", "Tunisia and Egypt", True),
        # NOT binds tighter than AND: (NOT a) AND b
        ("NOT tunisia libya", "Libya news", True),
        ("NOT tunisia libya", "Libya and Tunisia news", False),
        ("NOT (tunisia OR egypt) libya", "Libya and Egypt", False),
        ("libya NOT tunisia", "Libya news", True),
        ("libya -tunisia", "Libya and Tunisia", False),
        ("libya -(tunisia OR egypt)", "Libya and Egypt", False),
        ('libya -"east libya"', "Trouble in east Libya", False),
        ("NOT NOT libya", "Libya news", True),
        ("libya AND NOT NOT tunisia", "Libya news", False),
    ],
)
def test_boolean_operators_and_precedence(query: str, title: str, expected: bool) -> None:
    assert matches(query, title) is expected


def test_keywords_are_upper_case_only() -> None:
    # lower-case "or" is an ordinary word, so this is tunisia AND or AND libya
    assert not matches("tunisia or libya", "Libya alone")
    assert matches("tunisia OR libya", "Libya alone")


# --- terms: folding, phrases, prefixes, word boundaries --------------------------------------


def test_accents_and_case_are_folded_on_both_sides() -> None:
    assert matches("securite", "La sécurité à Tunis")
    assert matches("sécurité", "LA SECURITE A TUNIS")
    assert matches("ALGERIE", "L'Algérie et ses voisins")


def test_phrase_matches_consecutive_words_only() -> None:
    assert matches('"coast guard"', "The Tunisian coast guard stopped a boat")
    assert not matches('"coast guard"', "The guard on the coast road")
    assert matches('"ministre de la defense"', "Le ministre de la Défense en visite")
    assert matches('"al qaeda"', "Al-Qaeda affiliate claims attack")


def test_curly_and_angle_quotes_work_as_phrases() -> None:
    assert matches("“coast guard”", "Coast guard busy")
    assert matches("«garde nationale»", "La garde nationale déployée")


def test_punctuation_inside_a_term_makes_a_phrase() -> None:
    assert matches("al-qaeda", "Al Qaeda in the Sahel")
    assert not matches("al-qaeda", "Al said Qaeda")
    assert matches("l'armee", "L'armée algérienne en exercice")


def test_prefix_matches_word_starts() -> None:
    for title in ("Tunisia", "La Tunisie", "Tunisian troops", "Les Tunisiens votent", "Tunis"):
        assert matches("tunis*", title), title
    assert not matches("tunis*", "Neptunism and atunisia are not words that start with it")
    assert matches('"armed group*"', "Armed groups clash")
    assert matches('"armed group*"', "An armed grouping")
    assert not matches('"armed group*"', "Armed men group together")


def test_words_match_on_boundaries_only() -> None:
    assert not matches("mali", "Somalia drought deepens")
    assert not matches("mali", "Un documentaire animalier primé")
    assert matches("mali", "Mali's junta extends transition")
    assert not matches("niger", "Nigeria votes")


def test_possessive_and_elision_do_not_hide_a_word() -> None:
    assert matches("egypt", "Egypt's parliament")
    assert matches("algerie", "Le président de l'Algérie")


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("تونس", "زار الوزير وتونس"),
        ("تونس", "عاد الى تونس"),
        ("تونس", "في بتونس اجتماع"),
        ("الجيش", "قوات الشرطة والجيش"),
        ("الجيش", "قال المتحدث باسم بالجيش"),
        ("الجيش", "دعم للجيش"),
        ("جيش", "الجيش"),
        ("تونس*", "الحكومة التونسية"),
        ("الجزائر", "وصل بالجزائر"),
        ('"قيس سعيد"', "قال الرئيس قيس سعيّد"),
        ("الحرس", "الحَرَس"),
    ],
)
def test_arabic_terms_match_with_attached_prefixes(query: str, text: str) -> None:
    assert mentions(query, text)


def test_arabic_prefix_stripping_stays_small() -> None:
    assert not mentions("الجيش", "جيش")  # a definite query term needs the article
    assert not mentions("ليبيا", "ليبيريا")
    assert not mentions("تونس", "فتونس")  # ف is not in the short list


def test_arabic_letter_variants_are_folded() -> None:
    assert mentions("القاهرة", "في القاهره")
    assert mentions("إرهاب", "مكافحة الارهاب")


# --- the substance rule -----------------------------------------------------------------------

FILLER = " ".join(
    f"Paragraph {n} covers the harvest, rainfall and prices in the valley." for n in range(12)
)


def test_a_term_in_the_title_or_lead_counts() -> None:
    assert matches("tunisia", "Tunisia raises rates", FILLER)
    assert matches("tunisia", "Rates rise", f"Tunisia's bank acted. {FILLER}")
    assert matches("tunisia", "Rates rise", f"The bank acted. Tunisia followed. {FILLER}")


def test_a_single_late_mention_does_not_count() -> None:
    body = f"The bank acted. Prices rose. {FILLER} A trader flew in from Tunisia."
    assert not matches("tunisia", "Rates rise", body)
    assert mentions("tunisia", "Rates rise", body)


def test_two_late_mentions_count() -> None:
    body = f"The bank acted. Prices rose. {FILLER} Tunisia sent a delegate. Tunisia agreed."
    assert matches("tunisia", "Rates rise", body)


def test_the_third_sentence_is_not_the_lead() -> None:
    body = f"The bank acted. Prices rose. Tunisia noticed. {FILLER}"
    assert not matches("tunisia", "Rates rise", body)
    assert compile_query("tunisia").matches(MatchDoc.build("Rates rise", body, lead_sentences=3))


def test_the_lead_stops_at_the_end_of_the_first_paragraph() -> None:
    opening = "The central bank held its main rate on Tuesday, as most economists had expected."
    body = f"{opening}\n\nTunisia followed. {FILLER}"
    assert not matches("tunisia", "Rates rise", body)
    assert matches("tunisia", "Rates rise", body.replace("\n\n", " "))


def test_a_first_paragraph_too_short_to_be_a_lead_runs_on() -> None:
    for opening in ("By a staff reporter", "BRUSSELS, 3 May", "Updated at 10:45"):
        body = f"{opening}\n\nTunisia's central bank cut its key rate. {FILLER}"
        assert matches("tunisia", "Rates fall", body), opening


def test_single_line_breaks_end_the_lead_but_wrapped_lines_join() -> None:
    # extracted page text: one paragraph a line, the headline repeated on the first one
    extracted = (
        "Rates rise again\nThe central bank held its main rate on Tuesday, as most economists "
        f"had expected.\nTunisia followed. {FILLER}"
    )
    assert not matches("tunisia", "Rates rise again", extracted)
    wrapped = (
        "The central bank held its main rate on Tuesday, as most\neconomists in Tunisia had "
        f"expected. {FILLER}"
    )
    assert matches("tunisia", "Rates rise", wrapped)


def test_a_lead_without_sentence_ends_is_capped() -> None:
    endless = " ".join(["word"] * 200) + " tunisia"
    assert not matches("tunisia", "Title", endless)


def test_under_not_a_single_late_mention_excludes() -> None:
    body = f"The bank acted. Prices rose. {FILLER} A trader flew in from Tunisia."
    assert matches("bank", "Bank news", body)
    assert not matches("bank NOT tunisia", "Bank news", body)


def test_phrase_and_prefix_counts_follow_the_substance_rule() -> None:
    late_once = f"Calm day. Nothing else. {FILLER} The coast guard stayed home."
    late_twice = f"{late_once} The coast guard came back."
    assert not matches('"coast guard"', "Harbour news", late_once)
    assert matches('"coast guard"', "Harbour news", late_twice)
    prefix_twice = f"Calm day. Nothing else. {FILLER} Tunisian fishers and Tunisie both."
    assert matches("tunis*", "Harbour news", prefix_twice)


def test_mentions_ignores_the_substance_rule_but_not_the_logic() -> None:
    body = f"Calm day. Nothing else. {FILLER} Libya and Egypt once each."
    assert mentions("libya AND egypt", "Harbour news", body)
    assert not mentions("libya AND NOT egypt", "Harbour news", body)


def test_one_document_serves_many_queries() -> None:
    article = doc("Tunisian army and coast guard", "Troops deployed near Ben Guerdane.")
    results = [compile_query(q).matches(article) for q in ("tunis*", "army", "libya", "troops")]
    assert results == [True, True, False, True]


def test_compiled_queries_are_cached() -> None:
    assert compile_query("tunisia OR libya") is compile_query("tunisia OR libya")


# --- EXCEPT: occurrences inside given phrases do not count ------------------------------------


def test_except_ignores_occurrences_inside_the_phrase_only() -> None:
    query = 'sinai EXCEPT "mount sinai"'
    assert not mentions(query, "Pilgrims climb Mount Sinai at dawn")
    assert matches(query, "Troops sent to Sinai", "A convoy passed the road to Mount Sinai.")
    # NOT drops the whole article as soon as the phrase appears anywhere
    assert not matches('sinai NOT "mount sinai"', "Troops sent to Sinai", "Near Mount Sinai.")


def test_except_leaves_the_substance_rule_to_the_remaining_occurrences() -> None:
    query = 'algeri* EXCEPT "algerian border"'
    late = f"Mali's army fought rebels. Losses were heavy. {FILLER}"
    assert not matches(query, "Mali clashes near the Algerian border", late)
    assert not matches(query, "Mali clashes", f"{late} Near the Algerian border, again.")
    assert matches(query, "Mali clashes", f"{late} Algeria protested. Algeria called envoys.")
    assert matches(query, "Algerian border guards on alert", "Algeria deployed more troops.")


def test_except_applies_to_every_term_of_a_group_and_takes_prefixes() -> None:
    query = '(liby* OR tripoli) EXCEPT ("sail* from libya" OR "from tripoli" OR "libyan border")'
    body = "The boat had sailed from Libya; others left from Tripoli. Near the Libyan border too."
    assert not mentions(query, "Migrants rescued off Crete", body)
    assert matches(query, "Libya's parliament meets", body)
    assert compile_query(query).term_count == 5


def test_except_under_not_and_in_arabic() -> None:
    query = 'egypt NOT sinai EXCEPT "mount sinai"'
    assert matches(query, "Egypt opens a road to Mount Sinai")
    assert not matches(query, "Egypt sends troops to Sinai")
    assert not mentions('الجزائر EXCEPT "الحدود مع الجزائر"', "اشتباكات قرب الحدود مع الجزائر")
    assert mentions('الجزائر EXCEPT "الحدود مع الجزائر"', "الجزائر تغلق الحدود مع مالي")


def test_lower_case_except_is_an_ordinary_word() -> None:
    assert matches("except", "Everyone except the minister")
    assert not matches("tunisia except libya", "Tunisia alone")


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("", "empty query", 0),
        ("   ", "empty query", 0),
        ("tunisia AND libya)", 'unexpected ")"', 17),
        ("(tunisia OR libya", 'unclosed "("', 0),
        ("tunisia (", 'unclosed "("', 8),
        ("()", 'unexpected ")"', 1),
        ("tunisia AND", '"AND" needs a term after it', 8),
        ("tunisia OR", '"OR" needs a term after it', 8),
        ("NOT", '"NOT" needs a term after it', 0),
        ("OR tunisia", 'unexpected "OR"', 0),
        ("tunisia AND OR libya", 'unexpected "OR"', 12),
        ("tunisia -", '"-" needs a term right after it', 8),
        ("tunisia *", 'lone "*"', 8),
        ('"coast *"', 'lone "*"', 7),
        ("tun*sia", '"*" is only allowed at the end of a word', 3),
        ("tunis**", '"*" is only allowed at the end of a word', 5),
        ('tunisia "coast guard', "unterminated quote", 8),
        ('tunisia ""', "empty phrase", 8),
        ("a*", "prefix too short (at least 2 letters)", 0),
        ("tunisia &", '"&" has no letters or digits', 8),
        ("sinai EXCEPT", '"EXCEPT" needs a term after it', 6),
        ("EXCEPT sinai", 'unexpected "EXCEPT"', 0),
        (
            'sinai EXCEPT ("mount sinai" "hospital")',
            '"EXCEPT" takes a term or ( terms joined by OR )',
            6,
        ),
        ('sinai EXCEPT -"mount sinai"', '"EXCEPT" takes a term or ( terms joined by OR )', 6),
        (
            "sinai EXCEPT mount EXCEPT hospital",
            '"EXCEPT" takes a term or ( terms joined by OR )',
            6,
        ),
        ('sinai EXCEPT ("mount sinai"', 'unclosed "("', 13),
    ],
)
def test_errors_name_the_problem_and_position(query: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert caught.value.message == message
    assert caught.value.position == position
    assert str(caught.value) == f"{message} at position {position}"
    assert isinstance(caught.value, ValueError)


def test_too_long_query_is_refused() -> None:
    with pytest.raises(QueryError) as caught:
        compile_query("x" * (MAX_QUERY_LENGTH + 1))
    assert caught.value.position == MAX_QUERY_LENGTH
    assert "query too long" in caught.value.message
    compile_query("x" * MAX_QUERY_LENGTH)


def test_too_many_terms_is_refused_at_the_first_extra_term() -> None:
    compile_query(" OR ".join(["w"] * MAX_TERMS))
    query = " ".join(["w"] * (MAX_TERMS + 1))
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert caught.value.message == f"too many terms (at most {MAX_TERMS})"
    assert caught.value.position == 2 * MAX_TERMS


@pytest.mark.parametrize(
    ("opening", "closing", "levels", "position"),
    [
        ("(", ")", 1, MAX_DEPTH),
        ("NOT ", "", 1, 4 * MAX_DEPTH),
        ("-", "", 1, MAX_DEPTH),
        ("(NOT ", ")", 2, 5 * MAX_DEPTH // 2),
        ("a EXCEPT (", ")", 2, 10 * MAX_DEPTH // 2 + 2),  # at the EXCEPT
    ],
)
def test_nesting_is_capped_with_the_caret_on_the_first_level_too_deep(
    opening: str, closing: str, levels: int, position: int
) -> None:
    if "EXCEPT" not in opening:  # nested EXCEPTs are refused for their own reason
        fits = MAX_DEPTH // levels
        compile_query(opening * fits + "x" + closing * fits)
    query = opening * 400 + "x" + closing * 400
    with pytest.raises(QueryError) as caught:
        compile_query(query[:MAX_QUERY_LENGTH])
    assert caught.value.message == f"too deeply nested (at most {MAX_DEPTH} levels)"
    assert caught.value.position == position


def test_nesting_counts_open_levels_not_groups_in_a_row() -> None:
    side_by_side = " OR ".join(["(NOT a)"] * (MAX_DEPTH * 3))
    assert compile_query(side_by_side).term_count == MAX_DEPTH * 3


def _hostile_queries() -> list[str]:
    operators = ["(", ")", "((", "))", " ", "AND", "OR", "NOT", "EXCEPT", "-", "--", "*"]
    words = ['"', "“", "»", "x", "ab*", "تونس", "\u0301", "\ud800", "\x00", "\n", "é", "&", "w"]
    pieces = operators + words
    rng = random.Random(20251213)
    built = ["".join(rng.choices(pieces, k=rng.randint(1, 400))) for _ in range(300)]
    return [
        *built,
        "(" * 340 + "x" + ")" * 340,
        "AND OR NOT " * 90,
        "AND",
        "- - -",
        '"' * 999,
        '"abc',
        " ".join(["ab"] * 10_000),
        "x" * 100_000,
        "NOT " * 240 + "x",
        "a EXCEPT " * 110 + "b",
    ]


def test_every_hostile_query_fails_with_a_query_error_or_compiles() -> None:
    for query in _hostile_queries():
        try:
            compiled = compile_query(query)
        except QueryError as error:
            assert 0 <= error.position <= len(query)
            assert "\n" not in error.message
            describe_error(query, error)
        else:
            compiled.matches(doc(query[:200], query))


def test_limits_can_be_raised_for_trusted_queries() -> None:
    query = " OR ".join(["w"] * (MAX_TERMS + 1))
    assert compile_query(query, max_length=10_000, max_terms=1_000).term_count == MAX_TERMS + 1


def test_describe_error_puts_a_caret_under_the_position() -> None:
    query = "tunisia AND libya)"
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    text_line, caret_line = describe_error(query, caught.value).split("\n")
    assert text_line == query
    assert caret_line == " " * 17 + "^"


def test_describe_error_at_the_end_and_across_lines() -> None:
    query = "tunisia\nAND"
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert describe_error(query, caught.value) == "tunisia AND\n        ^"
    end = QueryError("unexpected end", 3)
    assert describe_error("abc", end) == "abc\n   ^"


def test_describe_error_windows_a_long_query() -> None:
    query = "tunisia OR " * 20 + ")" + " OR libya" * 20
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    text_line, caret_line = describe_error(query, caught.value).split("\n")
    assert text_line.startswith("…")
    assert text_line.endswith("…")
    assert text_line[caret_line.index("^")] == ")"
