"""Actors: one person is one actor however the article shortens or spells the name, people the
gazetteer lacks count when the text shows them acting, and a long article keeps its most
active actors."""

from __future__ import annotations

import pytest

from bot.analysis.actors import DEFAULT_LIMIT, Gazetteer, extract_actors, load_gazetteer
from bot.domain import Actor, ActorKind


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def people(body: str, gazetteer: Gazetteer, title: str = "") -> list[Actor]:
    found = extract_actors(title, body, gazetteer, limit=20)
    return [actor for actor in found if actor.kind is ActorKind.PERSON]


def names(title: str, body: str, gazetteer: Gazetteer, limit: int = DEFAULT_LIMIT) -> list[str]:
    return [actor.name for actor in extract_actors(title, body, gazetteer, limit)]


# ---------------------------------------------------------------- partial mentions


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            "Karim Haddad, the head of the fishermen's union in Zarzis, said boats stayed in "
            "port. Haddad added that fuel was scarce.",
            "Karim Haddad",
            "head of the fishermen's union in Zarzis",
        ),
        (
            "Ibrahim al-Dabbashi, a former envoy, said the council was split. Dabbashi added "
            "that talks would resume.",
            "Ibrahim al-Dabbashi",
            "former envoy",
        ),
        (
            "Ibrahim al-Dabbashi, a former envoy, said the council was split. Ibrahim Dabashi "
            "added that talks would resume.",
            "Ibrahim al-Dabbashi",
            "former envoy",
        ),
        (
            "Le ministre de l'Équipement, Leila Ben Mansour, a visité le chantier. M. Mansour a "
            "annoncé des travaux.",
            "Leila Ben Mansour",
            "ministre de l'Équipement",
        ),
    ],
)
def test_a_shortened_name_joins_the_full_name_of_someone_unknown(
    body: str, name: str, role: str, gazetteer: Gazetteer
) -> None:
    assert people(body, gazetteer) == [Actor(name, ActorKind.PERSON, role)]


@pytest.mark.parametrize(
    "body",
    [
        "Nasser Bourita met his counterpart in Rabat. Bourita said the plan was realistic.",
        "Mohamed al-Menfi received the envoy. Menfi said the talks were useful.",
        "Mohamed Menfi received the envoy. Al-Menfi said the talks were useful.",
        "Foreign Minister Nasser Bourita met his counterpart. The minister said the plan was "
        "realistic.",
        "Nasser Bourita met his counterpart. Minister Bourita later told reporters it went well.",
    ],
)
def test_a_surname_a_name_without_al_or_a_title_alone_is_the_same_known_person(
    body: str, gazetteer: Gazetteer
) -> None:
    assert len(people(body, gazetteer)) == 1


def test_a_title_with_a_surname_gives_the_role(gazetteer: Gazetteer) -> None:
    found = people("Nasser Bourita arrived. Minister Bourita then met the envoy.", gazetteer)
    assert [(person.name, person.role) for person in found] == [("Nasser Bourita", "Minister")]


# ---------------------------------------------------------------- spellings of one person


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("Nasser Bourrita received his counterpart. Bourita said Rabat agreed.", "Nasser Bourita"),
        ("Bourrita said Rabat welcomed the plan.", "Nasser Bourita"),
        ("Mohamed el-Manfi met the envoy. Manfi said the talks were useful.", "Mohamed al-Menfi"),
        ("Mohammed Menfi met the envoy. El-Menfi said the talks were useful.", "Mohamed al-Menfi"),
        ("Le Premier ministre Abdelhamid Dbeibah a reçu l'envoyée.", "Abdul Hamid Dbeibah"),
        ("Dbaibah said the vote would take place in June.", "Abdul Hamid Dbeibah"),
    ],
)
def test_spellings_of_one_person_are_one_actor_with_one_key(
    body: str, key: str, gazetteer: Gazetteer
) -> None:
    assert [person.key for person in people(body, gazetteer)] == [key]


@pytest.mark.parametrize(
    "body",
    [
        "Mohamed el-Menfi met the envoy in Tripoli.",
        "Le président du Conseil présidentiel, Mohamed el-Manfi, a reçu l'envoyée.",
        "استقبل رئيس المجلس الرئاسي محمد المنفي المبعوثة الأممية.",
        "وقال المنفي إن الحوار مستمر.",
    ],
)
def test_menfi_has_one_key_in_every_language(body: str, gazetteer: Gazetteer) -> None:
    assert [person.key for person in people(body, gazetteer)] == ["Mohamed al-Menfi"]


def test_a_misspelt_known_person_keeps_the_name_as_written(gazetteer: Gazetteer) -> None:
    found = people("Nasser Bourrita received his Spanish counterpart.", gazetteer)
    assert [(person.name, person.key) for person in found] == [
        ("Nasser Bourrita", "Nasser Bourita")
    ]


def test_a_known_surname_in_another_persons_name_is_not_that_person(
    gazetteer: Gazetteer,
) -> None:
    found = people("Kamel Saied, a lawyer, said the court had erred.", gazetteer)
    assert [(person.name, person.key) for person in found] == [("Kamel Saied", None)]


def test_a_surname_alone_goes_to_the_namesake_the_article_names(gazetteer: Gazetteer) -> None:
    body = (
        "Ibrahim Dbeibah, an adviser to the prime minister, said the talks were useful. "
        "Dbeibah added that a deal was near."
    )
    assert [(person.name, person.key) for person in people(body, gazetteer)] == [
        ("Ibrahim Dbeibah", None)
    ]


def test_a_title_with_the_surname_stays_with_the_known_person(gazetteer: Gazetteer) -> None:
    body = "Kamel Saied, a lawyer, said the court had erred. President Saied did not comment."
    assert [person.key for person in people(body, gazetteer)] == [None, "Kais Saied"]


def test_a_known_person_with_a_middle_name_stays_known(gazetteer: Gazetteer) -> None:
    found = people("Field Marshal Khalifa Belqasim Haftar inspected the troops.", gazetteer)
    assert [person.key for person in found] == ["Khalifa Haftar"]


# ---------------------------------------------------------------- unknown people acting


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            "Samir Gharbi, the head of the Sfax fishermen's union, said no boat went out.",
            "Samir Gharbi",
            "head of the Sfax fishermen's union",
        ),
        (
            '"No boat went out," said Samir Gharbi, head of the fishermen\'s union.',
            "Samir Gharbi",
            "head of the fishermen's union",
        ),
        (
            "According to Samir Gharbi, a spokesman for the union, no boat went out.",
            "Samir Gharbi",
            "spokesman for the union",
        ),
        (
            "Selon Hichem Ben Ayed, porte-parole de la garde nationale, 30 migrants ont été "
            "secourus.",
            "Hichem Ben Ayed",
            "porte-parole de la garde nationale",
        ),
        (
            "Selon Hichem Ben Ayed, le porte-parole du tribunal, l'audience est reportée.",
            "Hichem Ben Ayed",
            "porte-parole du tribunal",
        ),
        (
            "« Nous avons secouru 30 personnes », a déclaré Hichem Ben Ayed, porte-parole de "
            "la protection civile.",
            "Hichem Ben Ayed",
            "porte-parole de la protection civile",
        ),
    ],
)
def test_an_unknown_person_counts_where_the_text_shows_them_acting(
    body: str, name: str, role: str, gazetteer: Gazetteer
) -> None:
    assert people(body, gazetteer) == [Actor(name, ActorKind.PERSON, role)]


def test_an_english_article_with_an_arabic_quote_still_finds_titles(
    gazetteer: Gazetteer,
) -> None:
    body = (
        'Protesters chanted "الشعب يريد" outside the court. Interior Minister Walid Baccar '
        "said the march had been peaceful."
    )
    assert people(body, gazetteer) == [Actor("Walid Baccar", ActorKind.PERSON, "Interior Minister")]


# ---------------------------------------------------------------- the limit


def test_the_default_limit_keeps_ten_actors(gazetteer: Gazetteer) -> None:
    body = (
        "Frontex, UNHCR, UNICEF, NATO, Interpol, the World Bank, the IMF, the African Union, "
        "the Arab League, the WHO, the ICRC and the WFP met in Geneva."
    )
    assert DEFAULT_LIMIT == 10
    assert len(names("", body, gazetteer)) == 10


def test_over_the_limit_the_most_active_actors_are_kept_in_order(gazetteer: Gazetteer) -> None:
    title = "Frontex warns of more crossings"
    body = (
        "UNHCR, UNICEF and NATO sent observers. Frontex said crossings rose. Interpol later "
        "joined. Interpol said smugglers had changed routes, and Interpol asked for data."
    )
    # Frontex is in the title, Interpol named three times: they outweigh UNICEF and NATO.
    assert names(title, body, gazetteer, limit=3) == ["Frontex", "UNHCR", "Interpol"]
    assert names(title, body, gazetteer) == ["Frontex", "UNHCR", "UNICEF", "NATO", "Interpol"]
