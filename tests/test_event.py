from __future__ import annotations

import pytest

from bot.analysis.event import ELLIPSIS, clean_title_text, clip, pick_event, strip_dateline
from bot.analysis.text import squash_spaces

REUTERS_STYLE = """By Samir Ben Ali

TUNIS, Dec 12 (Reuters) - Tunisian President Kais Saied dismissed Prime Minister Ahmed Hachani \
on Friday and named a former central bank official to replace him, the presidency said, after \
weeks of protests over water cuts in the south.

Saied gave no reason for the decision in a short statement posted on Facebook late on Friday.

Tunisia has been hit by repeated droughts since 2020, and rationing has angered residents.

(Reporting by Samir Ben Ali; Editing by Clara Jones)"""

AP_STYLE = """OUAGADOUGOU, Burkina Faso (AP) — The trucks slowed at dawn near a dry riverbed.

At least 12 soldiers were killed when gunmen attacked a military convoy in northern Burkina \
Faso on Tuesday, the army said in a statement.

No group claimed responsibility, but fighters linked to al-Qaida are active in the area."""

TAP_STYLE = """Tunis, 12 décembre (TAP) — Les unités de la garde nationale ont intercepté dans la \
nuit de jeudi à vendredi plus de 300 migrants au large de Sfax, a indiqué vendredi leur \
porte-parole.

Selon lui, les migrants tentaient de rejoindre les côtes italiennes à bord de petites barques.

Depuis le début de l'année, des milliers de tentatives de traversée ont été déjouées."""

FRENCH_FEATURE = """Photo : archives
Par Jeanne Martin
Les relations entre Niamey et Paris n'ont cessé de se dégrader depuis le coup d'État de \
juillet. Le régime militaire a ordonné mardi l'expulsion de l'ambassadeur de France, lui \
accordant 48 heures pour quitter le territoire, selon un communiqué lu à la télévision."""

QUESTION_LEAD = """Why is Algeria angry with Spain? The answer goes back to a shift in policy.

Algeria suspended a 20-year friendship treaty with Spain on Wednesday, the presidency said, \
escalating a dispute over Madrid's support for Morocco's plan for Western Sahara."""

LONG_LEAD = (
    "A senior U.S. defence official pledged continued American military support for Tunisia "
    "during a phone call with Tunisian Defence Minister Khaled Shtili on Friday, according to a "
    "statement from the Tunisian defence ministry, which said the two sides also discussed the "
    "next session of the joint military commission and the delivery of surveillance equipment "
    "and patrol boats to help secure the desert border with Libya."
)


def test_reuters_dateline_and_byline_are_stripped_and_lead_chosen() -> None:
    event = pick_event("Tunisia's president sacks prime minister", REUTERS_STYLE, "en")
    assert event.startswith("Tunisian President Kais Saied dismissed Prime Minister")
    assert "Reuters" not in event
    assert event.endswith("water cuts in the south.")


def test_event_sentence_beats_a_scene_setting_opening() -> None:
    event = pick_event("Gunmen kill 12 soldiers in Burkina Faso ambush", AP_STYLE, "en")
    assert event.startswith("At least 12 soldiers were killed when gunmen attacked")


def test_french_tap_dateline_is_stripped() -> None:
    title = "Tunisie : la garde nationale intercepte 300 migrants au large de Sfax"
    event = pick_event(title, TAP_STYLE, "fr")
    assert event.startswith("Les unités de la garde nationale ont intercepté")
    assert "TAP" not in event


def test_caption_byline_and_background_are_passed_over_in_french() -> None:
    event = pick_event("Niger : la junte expulse l'ambassadeur de France", FRENCH_FEATURE, "fr")
    assert event.startswith("Le régime militaire a ordonné mardi l'expulsion")


def test_a_question_is_not_the_event() -> None:
    event = pick_event("Algeria suspends treaty with Spain", QUESTION_LEAD, "en")
    assert event.startswith("Algeria suspended a 20-year friendship treaty")


def test_long_sentence_is_cut_at_a_clause_boundary() -> None:
    event = pick_event("US pledges support for Tunisia", LONG_LEAD, "en")
    assert len(event) <= 300
    assert event == LONG_LEAD[: len(event)]
    assert LONG_LEAD[len(event)] == ","
    assert not event.endswith(ELLIPSIS)


def test_sentence_without_clause_break_is_cut_at_a_word_with_ellipsis() -> None:
    sentence = "The army said " + " ".join(["soldiers"] * 60) + " were deployed."
    cut = clip(sentence, 100)
    assert len(cut) <= 100
    assert cut.endswith(ELLIPSIS)
    assert sentence.startswith(cut.removesuffix(ELLIPSIS))
    assert cut.removesuffix(ELLIPSIS).endswith("soldiers")


def test_empty_body_falls_back_to_the_cleaned_title() -> None:
    title = "UPDATE 2-Libya's rival forces clash in Tripoli - Reuters"
    assert pick_event(title, "", "en") == "Libya's rival forces clash in Tripoli"


def test_boilerplate_only_body_falls_back_to_title() -> None:
    body = "Subscribe to our newsletter for daily updates.\nPhoto: AFP\nRead more: our Libya file"
    assert pick_event("Libya: rival forces clash in Tripoli", body, "en") == (
        "Libya: rival forces clash in Tripoli"
    )


def test_feed_tails_are_dropped_but_prose_about_signing_up_is_kept() -> None:
    body = (
        "Tunisia did not sign up to the joint declaration on migration adopted in Rome on "
        "Monday, diplomats said. Continue reading"
    )
    assert pick_event("Tunisia stays out of Rome migration declaration", body, "en") == (
        "Tunisia did not sign up to the joint declaration on migration adopted in Rome on "
        "Monday, diplomats said."
    )
    truncated = "Algeria recalled its ambassador to Madrid on Saturday over the dispute [...]"
    assert pick_event("Algeria recalls envoy", truncated, "en") == (
        "Algeria recalled its ambassador to Madrid on Saturday over the dispute" + ELLIPSIS
    )


def test_never_empty_when_something_was_given() -> None:
    assert pick_event("", "PARIS — France will pull its troops out of Niger.", "en") == (
        "France will pull its troops out of Niger."
    )
    assert pick_event("   ", "Subscribe to our newsletter today.", "en")
    assert pick_event("Sahel", "", "und") == "Sahel"
    assert pick_event("", "", "en") == ""


def test_arabic_dateline_is_stripped() -> None:
    body = (
        "تونس (وات) - أعلنت وزارة الدفاع الوطني يوم الجمعة أن وحدات الجيش أحبطت عملية تهريب "
        "كميات من الوقود على الحدود مع ليبيا."
    )
    event = pick_event("الجيش التونسي يحبط عملية تهريب", body, "ar")
    assert event.startswith("أعلنت وزارة الدفاع الوطني")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("TUNIS, Dec 12 (Reuters) - Tunisia's president fired his minister.", "Tunisia's"),
        ("WASHINGTON/TUNIS, Dec. 12, 2025 (Reuters) -Tunisia's army got new boats.", "Tunisia's"),
        ("TUNIS, Tunisia (AP) — Tunisia's president fired the prime minister.", "Tunisia's"),
        ("PARIS — France will withdraw its troops from Niger this year.", "France"),
        ("TUNIS: Tunisia's president fired the prime minister on Friday.", "Tunisia's"),
        ("Tunis (AFP) - Le président tunisien a limogé son Premier ministre.", "Le président"),
        ("Tunis, le 12 décembre 2025 (TAP) – Le ministre a reçu son homologue.", "Le ministre"),
        ("By Samir Ben Ali TUNIS, Dec 12 (Reuters) - The army deployed more troops.", "The army"),
        ("The Tunisian General Labour Union (UGTT) - the main union - called a strike.", "The"),
        ("NATO said on Friday that it would boost patrols in the Mediterranean.", "NATO"),
        ("U.S.-Tunisian military cooperation will expand, the Pentagon said.", "U.S.-Tunisian"),
    ],
)
def test_strip_dateline(sentence: str, expected: str) -> None:
    assert strip_dateline(sentence).startswith(expected)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Algeria-Morocco tensions rise - Reuters", "Algeria-Morocco tensions rise"),
        ("Sahel : la junte au pouvoir – un an après", "Sahel : la junte au pouvoir – un an après"),
        (
            "Tunisie : Washington réaffirme son soutien | Jeune Afrique",
            "Tunisie : Washington réaffirme son soutien",
        ),
        (
            "EXCLUSIVE-Wagner fighters seen in Libya's south",
            "Wagner fighters seen in Libya's south",
        ),
        ("Tunisia - US pledges support for army", "Tunisia - US pledges support for army"),
    ],
)
def test_clean_title_text(title: str, expected: str) -> None:
    assert clean_title_text(title) == expected


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        ("Tunisia's president sacks prime minister", REUTERS_STYLE, "en"),
        ("Gunmen kill 12 soldiers", AP_STYLE, "en"),
        ("Migrants interceptés au large de Sfax", TAP_STYLE, "fr"),
        ("Niger : expulsion de l'ambassadeur", FRENCH_FEATURE, "fr"),
        ("US pledges support for Tunisia", LONG_LEAD, "en"),
    ],
)
def test_event_is_an_exact_span_of_the_source(title: str, body: str, language: str) -> None:
    event = pick_event(title, body, language, max_chars=120)
    assert event
    assert len(event) <= 120
    assert event.removesuffix(ELLIPSIS) in squash_spaces(f"{title} {body}")


def test_a_french_quote_opening_with_a_guillemet_and_a_space_starts_a_sentence() -> None:
    from bot.analysis.text import sentences

    text = "Le port a fermé. « C'est un recul », résume un diplomate.\u00a0« Rien ne bouge. »"
    assert sentences(text) == [
        "Le port a fermé.",
        "« C'est un recul », résume un diplomate.",
        "« Rien ne bouge. »",
    ]
