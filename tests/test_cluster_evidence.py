"""The language-independent evidence: what is read from a report, how two reports are weighed,
and the story index that holds it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.analysis.cluster import JOIN_SCORE, MAX_MEMBERS, StoryIndex, signature
from bot.analysis.evidence import (
    WINDOW,
    Evidence,
    collect,
    compare,
    find_days,
    find_kinds,
    find_numbers,
    find_places,
)
from bot.analysis.text import fold, words
from bot.domain import Actor, ActorKind

SAT = datetime(2025, 12, 13, 10, 0, tzinfo=UTC)  # a Saturday
SAT_DAY = SAT.date()


def numbers(text: str, skip: frozenset[str] = frozenset()) -> set[str]:
    large, small = find_numbers(fold(text), skip)
    return set(large | small)


# ---------------------------------------------------------------- reading a report


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,400 migrants", {"1400"}),
        ("1 400 migrants", {"1400"}),
        ("1\u202f400 migrants", {"1400"}),  # French narrow no-break space
        ("1.400 migranti", {"1400"}),
        ("1400 مهاجر", {"1400"}),
        ("١٤٠٠ مهاجر", {"1400"}),  # Arabic-Indic digits
        ("عودة ١٬٤٠٠ مهاجر", {"1400"}),  # Arabic thousands separator
        ("a $1.3 billion deal", {"1300000000"}),
        ("un accord de 1,3 milliard de dollars", {"1300000000"}),
        ("اتفاق بقيمة 1.3 مليار دولار", {"1300000000"}),
        ("اتفاق بقيمة ١٫٣ مليار دولار", {"1300000000"}),
        ("6 milliards de mètres cubes", {"6000000000"}),
        ("6 مليارات متر مكعب", {"6000000000"}),
        ("2.3 million employees, a 20% rise", {"2300000", "20"}),
    ],
)
def test_figures_are_the_same_whatever_the_script_and_separators(
    text: str, expected: set[str]
) -> None:
    assert numbers(text) == expected


def test_years_durations_clock_times_and_names_are_not_figures() -> None:
    assert numbers("exports from 2028, 1,150 arrivals in 24 hours") == {"1150"}
    assert numbers("وصل 1150 مهاجرا خلال 24 ساعة منذ 2025") == {"1150"}
    assert numbers("at 10:30, 14 were killed; at 22h15 3 more") == {"14", "3"}
    assert numbers("اللواء 444 fought 19 hours", skip=frozenset({"444"})) == set()
    assert numbers("the 444th Brigade and 19 wounded") == {"19"}
    assert numbers("one killed, version 1.0") == set()


def test_small_figures_are_read_as_words_in_the_three_languages() -> None:
    title = "Six killed"
    for text in (title, "six morts", "مقتل ستة أشخاص", "وستة جرحى"):
        evidence = collect(text, "", (), (), SAT)
        assert evidence.small == {"6"}, text
        assert not evidence.numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Clashes in Tripoli", {"Tripoli"}),
        ("اشتباكات في طرابلس", {"Tripoli"}),
        ("اشتباكات بطرابلس وفي مصراتة", {"Tripoli", "Misrata"}),
        ("Talks in Cairo", {"Cairo"}),
        ("Entretiens au Caire", {"Cairo"}),
        ("مباحثات بالقاهرة", {"Cairo"}),
        ("زيارة للقاهرة", {"Cairo"}),
        ("Près de Tillabéri", {"Tillabéri"}),
        ("near Tillaberi", {"Tillabéri"}),
        ("قرب تيلابيري", {"Tillabéri"}),
        ("Signed in Algiers", {"Algiers"}),
        ("signé à Alger", {"Algiers"}),
        ("بالجزائر العاصمة", {"Algiers"}),
        ("الجزائر وتونس", set()),  # the countries, not their capitals
        ("Port-Saïd and Port Said", {"Port Said"}),
        ("Tunisie : à Tunis", {"Tunis"}),
        ("Sfaxien club wins", set()),  # not inside a longer word
    ],
)
def test_places_in_english_french_and_arabic_spellings(text: str, expected: set[str]) -> None:
    assert find_places(fold(text)) == expected


def test_days_named_by_weekday_or_date_are_calendar_days() -> None:
    def days(text: str, published: date = SAT_DAY) -> set[str]:
        folded = fold(text)
        return set(find_days(folded, words(folded), published)[0])

    assert days("the fighting on Friday") == {"2025-12-12"}
    assert days("dans la nuit de jeudi à vendredi") == {"2025-12-11", "2025-12-12"}
    assert days("ليل الخميس") == {"2025-12-11"}
    assert days("on Saturday") == {"2025-12-13"}  # the day of publication itself
    assert days("le 21 décembre") == days("on December 21") == days("يوم 21 ديسمبر")
    assert days("le 1er décembre") == {"2025-12-01"}
    assert days("on 28 December", date(2026, 1, 2)) == {"2025-12-28"}
    assert days("in May, and may 2026 come") == set()
    _, blanked = find_days(fold("le 21 décembre, 18 circonscriptions"), [], SAT_DAY)
    assert numbers(blanked) == {"18"}


def test_kinds_of_event_match_with_endings_and_arabic_prefixes() -> None:
    def kinds(text: str) -> set[str]:
        return set(find_kinds(words(text)))

    assert kinds("Armed groups clash") == kinds("affrontements armés") == {"clash"}
    assert kinds("والاشتباكات") == {"clash"}
    assert kinds("on Tuesday") == set()  # "tue*" is no cue: tué is spelled out
    assert kinds("six tués") == {"casualties"}
    assert kinds("a drone strike") == kinds("غارة بطائرة مسيرة") == {"strike"}
    assert kinds("للهجرة") == kinds("migration irrégulière") == {"migration"}
    assert kinds("according to officials") == set()


def test_collect_keeps_keys_by_kind_and_the_specific_kinds_of_the_title() -> None:
    actors = (
        Actor("خليفة حفتر", ActorKind.PERSON, key="Khalifa Haftar"),
        Actor("الجيش الوطني الليبي", ActorKind.ARMED_GROUP, key="Libyan National Army"),
        Actor("الحرس الوطني", ActorKind.INSTITUTION, key="Tunisian National Guard"),
        Actor("ليبيا", ActorKind.STATE, key="Libya"),
        Actor("Unknown Person", ActorKind.PERSON),
    )
    evidence = collect("Clashes and talks", "", actors, ("libya",), SAT)
    assert evidence.actors == {"Khalifa Haftar", "Libyan National Army"}
    assert evidence.institutions == {"Tunisian National Guard"}
    assert evidence.states == {"Libya"}
    assert evidence.kinds == {"clash", "talks"} and evidence.headline == {"clash"}
    assert Evidence.from_json(evidence.to_json()) == evidence


# ---------------------------------------------------------------- weighing two reports

GUARD = "Tunisian National Guard"
BASE = Evidence(
    at=SAT,
    institutions=frozenset({GUARD}),
    places=frozenset({"Sfax"}),
    numbers=frozenset({"137"}),
    kinds=frozenset({"migration", "rescue"}),
    headline=frozenset({"migration"}),
    days=frozenset({"2025-12-13"}),
    topics=frozenset({"tunisia"}),
)


def test_a_report_of_the_same_event_joins_with_several_pieces() -> None:
    other = replace(BASE, at=SAT + timedelta(hours=20), places=frozenset({"Sfax", "Jebiniana"}))
    comparison = compare(BASE, other)
    # institution 2 + place 2 + figure 3 + two kinds 4 + day 1 + topic 1
    assert comparison.score == 13 and comparison.anchors == 2 and comparison.corroborated
    assert comparison.joins(JOIN_SCORE)


def test_vetoes_time_headlines_and_days() -> None:
    late = replace(BASE, at=SAT + WINDOW + timedelta(minutes=1))
    assert compare(BASE, late).veto == "published too far apart"
    assert compare(BASE, replace(BASE, at=SAT + WINDOW)).veto is None
    election = replace(BASE, headline=frozenset({"election"}))
    assert compare(BASE, election).veto == "headlines tell of different things"
    assert compare(BASE, replace(BASE, headline=frozenset())).veto is None  # says nothing
    friday = replace(BASE, days=frozenset({"2025-12-12"}))
    assert compare(BASE, friday).veto == "different days"
    assert not compare(BASE, friday).joins(0)


def test_one_anchor_is_not_enough_however_much_else_is_shared() -> None:
    elsewhere = replace(BASE, places=frozenset({"Mahdia"}))
    comparison = compare(BASE, elsewhere)
    assert comparison.anchors == 1 and comparison.score >= 10
    assert not comparison.joins(JOIN_SCORE)


def test_states_anchor_only_as_a_pair_and_figures_only_two_at_a_time() -> None:
    one_state = Evidence(at=SAT, states=frozenset({"Mali"}), places=frozenset({"Kidal"}))
    assert compare(one_state, one_state).anchors == 1
    two = replace(one_state, states=frozenset({"Algeria", "Italy"}))
    assert compare(two, two).anchors == 2
    figures = Evidence(at=SAT, places=frozenset({"Lampedusa"}), numbers=frozenset({"1150"}))
    assert compare(figures, figures).anchors == 1
    both = replace(figures, numbers=frozenset({"1150", "23"}))
    assert compare(both, both).anchors == 2


def test_no_shared_figure_or_specific_kind_means_no_corroboration() -> None:
    talks = Evidence(
        at=SAT,
        actors=frozenset({"Khalifa Haftar", "Abdel Fattah al-Sisi"}),
        places=frozenset({"Cairo"}),
        kinds=frozenset({"talks", "visit"}),
        days=frozenset({"2025-12-13"}),
    )
    comparison = compare(talks, talks)
    assert comparison.score == 3 + 3 + 2 + 1 + 1 and not comparison.corroborated
    assert not comparison.joins(JOIN_SCORE)


def test_the_threshold_keeps_apart_two_interceptions_of_one_day_with_other_figures() -> None:
    """The closest call that should stay apart: same guard, same two stretches of coast,
    same day and kinds, different figures (9 points, one under the threshold)."""
    morning = replace(BASE, places=frozenset({"Sfax", "Mahdia"}))
    evening = replace(morning, at=SAT + timedelta(hours=8), numbers=frozenset({"85"}))
    comparison = compare(morning, evening)
    assert comparison.veto is None and comparison.anchors == 3 and comparison.corroborated
    assert comparison.score == 9 == JOIN_SCORE - 1
    assert not comparison.joins(JOIN_SCORE)
    assert compare(morning, replace(evening, numbers=morning.numbers)).joins(JOIN_SCORE)


# ---------------------------------------------------------------- the index


def test_the_index_joins_by_signature_first_then_by_evidence() -> None:
    index = StoryIndex()
    values = signature("Heavy rain floods the market", "Heavy rain flooded the old market.")
    index.add(1, values, [BASE])
    assert index.find(values) == 1  # no evidence needed for a rewrite
    other = signature("Garde nationale : 137 migrants", "Au large de Sfax.")
    assert index.find(other) is None
    assert index.find(other, replace(BASE, at=SAT + timedelta(hours=1))) == 1
    assert index.find(other, replace(BASE, places=frozenset({"Gabès"}))) is None


def test_a_rolled_back_join_or_brief_is_forgotten() -> None:
    index = StoryIndex()
    values = signature("Storm hits the coast", "A storm hit the coast.")
    other = signature("Autre chose", "Rien à voir.")
    index.add(1, values, [BASE])
    mark = index.mark()
    bridge = replace(BASE, places=frozenset({"Sfax", "Mahdia"}))
    index.join(1, bridge)
    index.add(2, signature("Another", "Story entirely."), [replace(BASE, places=frozenset())])
    probe = replace(BASE, places=frozenset({"Mahdia"}))
    assert index.find(other, probe) == 1  # through the joined report's Mahdia
    index.rollback(mark)
    assert index.find(other, probe) is None
    assert index.find(other, BASE) == 1  # the brief itself stays


def test_only_the_first_reports_of_a_brief_are_kept() -> None:
    index = StoryIndex()
    index.add(1, None, [BASE])
    for hour in range(1, MAX_MEMBERS + 3):
        index.join(1, replace(BASE, at=SAT + timedelta(hours=hour), places=frozenset({"Sfax"})))
    late = replace(BASE, at=SAT + timedelta(hours=MAX_MEMBERS + 1), places=frozenset({"Zarzis"}))
    index.join(1, late)
    assert index.explain(1, late).anchors == 1  # the guard only: Zarzis was not kept
    assert index.find(signature("x", "y"), late) is None
