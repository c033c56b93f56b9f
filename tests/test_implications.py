from __future__ import annotations

import pytest

from bot.analysis.event import ELLIPSIS, pick_event
from bot.analysis.implications import find_implications
from bot.analysis.text import squash_spaces

ENGLISH = """TUNIS, Dec 12 (Reuters) - Tunisian President Kais Saied dismissed Prime Minister \
Ahmed Hachani on Friday, the presidency said, after weeks of protests over water cuts.

The presidency did not give a reason. A government spokesman could not be reached for comment.

Analysts said the reshuffle could deepen tensions with the powerful UGTT union, which has \
threatened a general strike.

The move signals that Saied intends to keep tight control of economic policy ahead of talks \
with the IMF, said Youssef Cherif, a political analyst in Tunis.

The new prime minister will meet union leaders on Monday. Saied said he would name a new \
cabinet within days.

As many as 40 people may have been injured in clashes in Gafsa on May 12, rights groups said.

"It is a disaster," one protester said. Could the union bring the country to a halt?"""

FRENCH = """Tunis, 12 décembre (TAP) — Le ministre de la Défense, Khaled Shtili, s'est \
entretenu vendredi avec le secrétaire adjoint américain Daniel Zimmerman.

Les deux responsables ont évoqué la prochaine session de la commission militaire mixte, \
prévue en mai aux États-Unis.

Ce rapprochement témoigne de la volonté de Tunis de diversifier ses partenaires de sécurité, \
estiment plusieurs observateurs.

La livraison de nouveaux équipements pourrait renforcer la surveillance de la frontière avec \
la Libye, selon un officier.

Le ministre a souligné l'importance de la coopération. Le ministère n'a pas souhaité commenter."""

WHY_IT_MATTERS = """A senior U.S. defence official pledged continued support for Tunisia's army \
during a call with Defence Minister Khaled Shtili on Friday.

The two officials discussed the next meeting of the joint military commission, set for May 12.

Why it matters

Tunisia sits between Libya and Algeria on Europe's southern flank. A better-equipped border \
force helps both Tunis and European capitals worried about irregular migration.

Background

The two countries agreed on a ten-year cooperation roadmap in 2020."""

NO_CUES = """Police arrested five people in Sfax on Tuesday after a night of clashes.

They were released on Wednesday, a lawyer said. The court will hear the case on May 12.

The army said it would deploy more troops to the area. Reuters could not independently \
verify the report. Explosions could be heard across the city on Tuesday night."""


def _assert_extractive(results: tuple[str, ...], body: str) -> None:
    source = squash_spaces(body)
    for text in results:
        assert text.removesuffix(ELLIPSIS) in source


def test_english_cue_sentences_strongest_first_and_false_cues_rejected() -> None:
    event = pick_event("Tunisia's president sacks prime minister", ENGLISH, "en")
    found = find_implications(ENGLISH, "en", exclude=event)
    assert found == (
        "Analysts said the reshuffle could deepen tensions with the powerful UGTT union, which "
        "has threatened a general strike.",
        "The move signals that Saied intends to keep tight control of economic policy ahead of "
        "talks with the IMF, said Youssef Cherif, a political analyst in Tunis.",
    )
    _assert_extractive(found, ENGLISH)


def test_french_cue_sentences_and_reported_emphasis_is_not_a_cue() -> None:
    found = find_implications(FRENCH, "fr")
    assert found == (
        "Ce rapprochement témoigne de la volonté de Tunis de diversifier ses partenaires de "
        "sécurité, estiment plusieurs observateurs.",
        "La livraison de nouveaux équipements pourrait renforcer la surveillance de la frontière "
        "avec la Libye, selon un officier.",
    )
    _assert_extractive(found, FRENCH)


def test_nothing_stated_gives_an_empty_tuple() -> None:
    assert find_implications(NO_CUES, "en") == ()
    assert find_implications("", "en") == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "A spokesman for the ministry could not be reached for comment on Friday.",
        "The interior ministry declined to comment on whether the arrests could continue.",
        "The trial of the six opposition figures opened in Tunis on May 12.",
        "The new session of the joint military commission opens in May, officials said.",
        "The ministry said it would push ahead with a new fence along the Libyan border.",
        "Up to 40 migrants may have been killed when the boat capsized, officials said.",
        "Residents said they could hear gunfire across the city all night.",
        "Will the union call a general strike that could paralyse the economy?",
        "The ministry would not comment on reports that it may close the crossing.",
        "Read more: why the coast guard deal could collapse before the summer.",
    ],
)
def test_false_cues_are_not_implications(sentence: str) -> None:
    assert find_implications(sentence, "en") == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "Les deux ministres ont évoqué les enjeux sécuritaires de la région et la coopération.",
        "Le ministre souligne l'importance de renforcer la coordination entre les deux pays.",
        "Son implication dans l'attentat de Sousse a été établie par les enquêteurs.",
        "Les deux parties ont signé un accord afin de renforcer la coopération douanière.",
        "Le naufrage aurait fait au moins 40 morts et le bilan pourrait encore s'alourdir.",
        "Le porte-parole, qui pourrait s'exprimer lundi, n'a pas pu être joint jeudi.",
    ],
)
def test_french_readout_phrases_are_not_implications(sentence: str) -> None:
    assert find_implications(sentence, "fr") == ()


def test_why_it_matters_section_counts_without_cues_and_ends_at_next_heading() -> None:
    found = find_implications(WHY_IT_MATTERS, "en")
    assert found == (
        "Tunisia sits between Libya and Algeria on Europe's southern flank.",
        "A better-equipped border force helps both Tunis and European capitals worried about "
        "irregular migration.",
    )


def test_inline_label_is_dropped_and_its_paragraph_counts() -> None:
    body = (
        "Algeria suspended its friendship treaty with Spain on Wednesday.\n\n"
        "Why it matters: Algeria supplies much of Spain's gas and a long dispute raises the "
        "price of winter heating for Spanish households."
    )
    assert find_implications(body, "en") == (
        "Algeria supplies much of Spain's gas and a long dispute raises the price of winter "
        "heating for Spanish households.",
    )


def test_list_items_under_a_heading_belong_to_its_section() -> None:
    body = (
        "Tunisia and Italy signed a coast guard deal on Friday.\n\n"
        "Why it matters\n\n"
        "- Italy gets earlier warnings about boats leaving Sfax for Lampedusa.\n"
        "- Tunisia receives patrol vessels and radar equipment worth 20 million euros.\n\n"
        "What's next\n\n"
        "The deal goes to the Italian parliament in January for a final vote."
    )
    assert find_implications(body, "en") == (
        "Italy gets earlier warnings about boats leaving Sfax for Lampedusa.",
        "Tunisia receives patrol vessels and radar equipment worth 20 million euros.",
    )


def test_french_enjeux_heading() -> None:
    body = (
        "Le Parlement a adopté jeudi une loi sur les associations.\n\n"
        "Les enjeux\n\n"
        "Des dizaines d'organisations dépendent de financements étrangers pour leurs activités."
    )
    assert find_implications(body, "fr") == (
        "Des dizaines d'organisations dépendent de financements étrangers pour leurs activités.",
    )


def test_the_event_sentence_is_excluded() -> None:
    body = (
        "Parliament approved a law on Friday that could jail critics for up to five years. "
        "Rights groups said the law signals a return to the methods of the old regime."
    )
    event = pick_event("Tunisia passes law", body, "en")
    assert find_implications(body, "en", exclude=event) == (
        "Rights groups said the law signals a return to the methods of the old regime.",
    )
    assert len(find_implications(body, "en")) == 2


def test_short_quotes_and_questions_are_skipped() -> None:
    body = (
        '"This could end badly," he said. Could the deal collapse before the vote? '
        '"The closure of the crossing could cost traders in the south millions of dinars," '
        "the chamber of commerce said."
    )
    assert find_implications(body, "en") == (
        '"The closure of the crossing could cost traders in the south millions of dinars," '
        "the chamber of commerce said.",
    )


def test_limit_is_respected() -> None:
    body = " ".join(
        f"The decision could affect trade route number {number} across the region."
        for number in range(6)
    )
    assert len(find_implications(body, "en", limit=2)) == 2


def test_long_sentence_is_cut_and_keeps_its_cue() -> None:
    body = (
        "The agreement, signed in Rome after months of talks between the two coast guards, "
        "could reshape how migrant boats leaving Sfax are intercepted, because Italian "
        "surveillance aircraft will pass their sightings directly to Tunisian patrol vessels, "
        "which until now waited for orders from the capital before acting at sea."
    )
    (found,) = find_implications(body, "en", max_chars=200)
    assert len(found) <= 200
    assert "could reshape" in found
    _assert_extractive((found,), body)


def test_arabic_cue() -> None:
    body = (
        "وقعت تونس وإيطاليا اتفاقا جديدا يوم الجمعة. "
        "ويرى محللون أن الاتفاق من شأنه أن يعزز مراقبة السواحل في المتوسط."
    )
    assert find_implications(body, "ar") == (
        "ويرى محللون أن الاتفاق من شأنه أن يعزز مراقبة السواحل في المتوسط.",
    )


def test_arabic_cues_match_whatever_the_hamza_and_ta_marbuta() -> None:
    body = (
        "أعلنت وزارة الداخلية التونسية اعتقال خلية مسلحة في ولاية القصرين يوم الأحد.\n\n"
        "قد تؤدي هذه العملية إلى تصعيد المواجهة مع الجماعات المتحصنة في جبال الشعانبي.\n\n"
        "ويرى مراقبون أن الضربة تعكس تحسنا واضحا في قدرات الأجهزة الأمنية على الاستباق."
    )
    found = find_implications(body, "ar")
    assert len(found) == 2
    assert found[0].startswith("ويرى مراقبون") or found[1].startswith("ويرى مراقبون")
    assert any(text.startswith("قد تؤدي") for text in found)
    _assert_extractive(found, body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Le gouvernement a déployé des renforts à la frontière sud mardi. Cette décision "
            "risque d'aggraver les tensions avec les tribus de la région frontalière.",
            "Cette décision risque d'aggraver les tensions avec les tribus de la région "
            "frontalière.",
        ),
        (
            "Des hommes armés ont attaqué un poste frontière samedi près de Ben Guerdane. "
            "L'attaque pourrait pousser Tunis à renforcer sa présence militaire dans le sud.",
            "L'attaque pourrait pousser Tunis à renforcer sa présence militaire dans le sud.",
        ),
        (
            "Le ministre a reçu son homologue libyen jeudi à Tunis. Un diplomate estime qu'il "
            "pourrait s'agir d'un tournant dans la coopération sécuritaire entre les deux pays.",
            "Un diplomate estime qu'il pourrait s'agir d'un tournant dans la coopération "
            "sécuritaire entre les deux pays.",
        ),
    ],
)
def test_french_elisions_do_not_hide_a_cue(body: str, expected: str) -> None:
    assert find_implications(body, "fr") == (expected,)


def test_a_lead_in_cut_off_leaves_a_sentence_with_a_capital() -> None:
    body = (
        "Tunisia signed a coast guard deal with Italy on Monday in Rome.\n\n"
        "Why it matters: the shift puts Tunis firmly inside the European security orbit."
    )
    assert find_implications(body, "en") == (
        "The shift puts Tunis firmly inside the European security orbit.",
    )


def test_contentless_and_dangling_sentences_rank_below_a_concrete_one() -> None:
    body = (
        "Algeria recalled its ambassador from Mali on Sunday after a drone was shot down.\n\n"
        "Officials in Bamako gave no further details about the incident.\n\n"
        "This could have wide consequences.\n\n"
        "The row has clear regional implications.\n\n"
        "The rupture could push Mali closer to Russian military contractors and cut Algeria "
        "out of the mediation it has led in the north since 2015."
    )
    found = find_implications(body, "en")
    assert found[0].startswith("The rupture could push Mali closer")
    assert "The row has clear regional implications." not in found[:1]


def test_an_assessment_inside_a_quote_counts_but_a_plan_does_not() -> None:
    body = (
        "Libya's rival governments met in Tunis on Thursday under UN auspices.\n\n"
        '"A new clash over the central bank could destabilise the whole oil sector," said '
        "Jalel Harchaoui, an analyst who follows Libya.\n\n"
        "The UN envoy will visit Rome on Monday to brief Italian officials on the talks."
    )
    assert find_implications(body, "en") == (
        '"A new clash over the central bank could destabilise the whole oil sector," said '
        "Jalel Harchaoui, an analyst who follows Libya.",
    )


def test_arabic_assessments_by_observers_count_and_the_pluperfect_is_no_cue() -> None:
    body = (
        "أعلنت السلطات في نيامي إغلاق الحدود مع بنين يوم الخميس.\n\n"
        "وكانت الحكومة قد أغلقت المعبر نفسه لفترة قصيرة في العام الماضي بعد خلاف تجاري.\n\n"
        "ويخشى دبلوماسيون غربيون أن يدفع القرار التجار إلى طرق التهريب عبر الصحراء.\n\n"
        "وقال محلل في مركز للدراسات إن الإغلاق يحرم البلاد من منفذها الرئيسي إلى البحر."
    )
    found = find_implications(body, "ar")
    assert len(found) == 2
    assert all("قد أغلقت" not in text for text in found)
    assert {text.split()[0] for text in found} == {"ويخشى", "وقال"}


LEAD = "The interior ministry announced new measures at the border on Tuesday. "
LEAD_FR = "Le ministère de l'Intérieur a annoncé mardi de nouvelles mesures à la frontière. "


@pytest.mark.parametrize(
    ("lead", "sentence", "language"),
    [
        (LEAD, "Western diplomats said the transfer would give Moscow a fallback port.", "en"),
        (
            LEAD,
            "The mayor of Lampedusa said the island could not cope with the arrivals alone.",
            "en",
        ),
        (
            LEAD,
            "Officials hope the new terminal will lift visitor numbers and currency earnings.",
            "en",
        ),
        (
            LEAD,
            "Critics say the checks strain the principle of free movement inside Schengen.",
            "en",
        ),
        (
            LEAD_FR,
            "Le score de l'opposant montre toutefois qu'une partie de la jeunesse décroche.",
            "fr",
        ),
        (LEAD_FR, "Faute de financements, le plan risque toutefois de rester lettre morte.", "fr"),
        (LEAD_FR, "Rabat espère que cette position entraînera d'autres pays européens.", "fr"),
        (
            LEAD_FR,
            "L'adoption du texte renforce le rôle de l'Égypte comme médiateur régional.",
            "fr",
        ),
    ],
)
def test_stated_consequences_without_a_plain_modal_are_found(
    lead: str, sentence: str, language: str
) -> None:
    assert find_implications(lead + sentence, language) == (sentence,)


@pytest.mark.parametrize(
    ("lead", "sentence", "language"),
    [
        (LEAD, "The ministry said it would build a second fence along the border.", "en"),
        (LEAD, "More than 10,000 troops are expected to take part in the exercise.", "en"),
        (
            LEAD_FR,
            "Le bilan pourrait encore s'alourdir, plusieurs blessés étant dans un état grave.",
            "fr",
        ),
        (LEAD_FR, "Une conférence sur la reconstruction pourrait se tenir au Caire en mars.", "fr"),
        (LEAD_FR, "Le président doit prêter serment dans les prochains jours à Alger.", "fr"),
        (
            LEAD_FR,
            "Le général a salué le rôle d'Alger face à la menace dans le Sahel voisin.",
            "fr",
        ),
    ],
)
def test_plans_tolls_and_passing_nouns_are_not_implications(
    lead: str, sentence: str, language: str
) -> None:
    assert find_implications(lead + sentence, language) == ()


@pytest.mark.parametrize(
    ("body", "language", "expected"),
    [
        (
            "Rebels took the town on Monday. Officials gave no toll. "
            '"The army now holds only the main road," said Amadou Sy, an independent '
            "security researcher in Niamey.",
            "en",
            '"The army now holds only the main road," said Amadou Sy',
        ),
        (
            "Le port a fermé lundi. Les dockers sont en grève. « Le pays perd sa seule "
            "porte vers la mer », estime Awa Diop, politologue à Dakar.",
            "fr",
            "« Le pays perd sa seule porte vers la mer », estime Awa Diop",
        ),
        (
            "Le port a fermé lundi. Les dockers sont en grève. « C'est un retour en "
            "arrière de dix ans », résume un diplomate européen.",
            "fr",
            "« C'est un retour en arrière de dix ans », résume un diplomate européen.",
        ),
    ],
)
def test_a_commentators_quoted_reading_is_an_implication(
    body: str, language: str, expected: str
) -> None:
    assert any(found.startswith(expected) for found in find_implications(body, language))


def test_a_quote_reported_without_a_reading_is_not_an_implication() -> None:
    body = (
        "Le port a fermé lundi. Les dockers sont en grève. « Nous reprendrons le travail "
        "mardi », a déclaré Awa Diop, porte-parole du syndicat."
    )
    assert find_implications(body, "fr") == ()
