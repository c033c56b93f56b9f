"""Actors the gazetteer does not know, read from the way news copy introduces them."""

from __future__ import annotations

import pytest

from bot.analysis.actors import extract_actors, load_gazetteer
from bot.domain import Actor, ActorKind


@pytest.fixture(scope="module")
def gazetteer():  # type: ignore[no-untyped-def]
    return load_gazetteer()


def actors(gazetteer, body: str, title: str = "") -> dict[str, Actor]:  # type: ignore[no-untyped-def]
    return {actor.name: actor for actor in extract_actors(title, body, gazetteer)}


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            "Le préfet de la région de Sfax, Anis Gharbi, a ordonné la fermeture du port.",
            "Anis Gharbi",
            "préfet de la région de Sfax",
        ),
        (
            "La directrice de l'hôpital régional, Samia Ben Rejeb, a confirmé le bilan.",
            "Samia Ben Rejeb",
            "directrice de l'hôpital régional",
        ),
        (
            "The head of the fishermen's union in Zarzis, Karim Baccouche, said boats stayed in.",
            "Karim Baccouche",
            "head of the fishermen's union in Zarzis",
        ),
    ],
)
def test_a_title_with_its_complement_before_the_name(gazetteer, body, name, role) -> None:  # type: ignore[no-untyped-def]
    found = actors(gazetteer, body)
    assert name in found
    assert found[name].kind is ActorKind.PERSON
    assert found[name].role == role


def test_a_comma_after_a_plain_clause_is_no_title(gazetteer) -> None:  # type: ignore[no-untyped-def]
    found = actors(
        gazetteer, "Le maire de Tunis a parlé de la crise, Ali Hamdi Salem répond demain."
    )
    assert found["Ali Hamdi Salem"].role is None


def test_monarchs_and_popes_keep_their_regnal_number_and_single_name(gazetteer) -> None:  # type: ignore[no-untyped-def]
    found = actors(
        gazetteer,
        "Le roi Abdallah II et la reine Silvia ont reçu le délégué. "
        "Pope Benedict XVI met the envoy. Queen Rania visited the camp.",
    )
    assert {"Abdallah II", "Silvia", "Benedict XVI", "Rania"} <= found.keys()
    assert found["Silvia"].role == "reine"


def test_a_single_name_without_a_royal_title_is_not_an_actor(gazetteer) -> None:  # type: ignore[no-untyped-def]
    assert "Rania" not in actors(gazetteer, "The spokeswoman Rania said nothing more.")


def test_a_surname_that_is_a_particle_is_kept(gazetteer) -> None:  # type: ignore[no-untyped-def]
    found = actors(gazetteer, "Company chairman Omar Abu said the line would reopen on Monday.")
    assert "Omar Abu" in found


@pytest.mark.parametrize(
    ("body", "company"),
    [
        (
            "Le site est exploité par le groupe minier australien Kestrel Metals depuis 2019.",
            "Kestrel Metals",
        ),
        ("The Spanish utility firm Iberdrola said the line was restored.", "Iberdrola"),
        (
            "Output at the field operated by Zohr Offshore Energy fell by a third.",
            "Zohr Offshore Energy",
        ),
        (
            "La Compagnie Tunisienne de Navigation a suspendu ses traversées.",
            "Compagnie Tunisienne de Navigation",
        ),
    ],
)
def test_companies_named_the_way_business_copy_names_them(gazetteer, body, company) -> None:  # type: ignore[no-untyped-def]
    found = actors(gazetteer, body)
    assert company in found
    assert found[company].kind is ActorKind.ORGANISATION


def test_a_company_word_before_of_is_no_company(gazetteer) -> None:  # type: ignore[no-untyped-def]
    found = actors(gazetteer, "The company of engineers and the Ministry of Energy met in Tunis.")
    assert not [actor for actor in found.values() if actor.kind is ActorKind.ORGANISATION]


def test_a_ministry_cited_only_for_figures_is_no_actor(gazetteer) -> None:  # type: ignore[no-untyped-def]
    body = (
        "Some 9,000 people reached Lampedusa in May, according to the interior ministry. "
        "Italy's coast guard rescued 400 people off Sicily."
    )
    names = {actor.name for actor in extract_actors("Italy arrivals", body, gazetteer)}
    assert not any("Interior" in name for name in names)


def test_a_ministry_that_speaks_is_an_actor(gazetteer) -> None:  # type: ignore[no-untyped-def]
    body = (
        "Tunisian police arrested twelve people in Sfax on Monday. The interior ministry said "
        "the suspects ran crossings from the coast near Jebiniana."
    )
    names = {actor.name for actor in extract_actors("Sfax arrests", body, gazetteer)}
    assert any("Interior" in name for name in names)


def test_the_government_after_a_named_government_is_that_body(gazetteer) -> None:  # type: ignore[no-untyped-def]
    body = (
        "The Government of National Stability in eastern Libya expelled two envoys on Monday. "
        "The government said in a statement that the visit had not been agreed."
    )
    names = {actor.name for actor in extract_actors("Benghazi expels envoys", body, gazetteer)}
    assert "Government of National Stability" in names
    assert "Libya" not in names


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            '"The army has lost the roads," said Moussa Diallo, an independent researcher '
            "in Niamey.",
            "Moussa Diallo",
            "independent researcher in Niamey",
        ),
        (
            "« La junte n'a plus de marge », estime Awa Traoré, chercheuse au centre Timbuktu.",
            "Awa Traoré",
            "chercheuse au centre Timbuktu",
        ),
        (
            "Prices will climb again, according to Marco Ferri, an economist at Banca Sud.",
            "Marco Ferri",
            "economist at Banca Sud",
        ),
        ("Analyst Youssef Cherif said the move was expected.", "Youssef Cherif", "Analyst"),
    ],
)
def test_people_quoted_by_name_are_actors(gazetteer, body, name, role) -> None:  # type: ignore[no-untyped-def]
    found = actors(gazetteer, body)
    assert found[name].kind is ActorKind.PERSON
    assert found[name].role == role


@pytest.mark.parametrize(
    "body",
    [
        '"We will not stop," said Tuesday\'s statement.',
        '"No," said the minister.',
        "The figures rose, according to Tunisian Customs.",
    ],
)
def test_no_person_after_a_verb_of_speech_without_a_full_name(gazetteer, body) -> None:  # type: ignore[no-untyped-def]
    assert not [a for a in extract_actors("", body, gazetteer) if a.kind is ActorKind.PERSON]


def test_a_spokesman_for_a_court_of_first_instance(gazetteer) -> None:  # type: ignore[no-untyped-def]
    body = "Hatem Jaziri, a spokesman for the court of first instance, said the trial was fair."
    assert actors(gazetteer, body)["Hatem Jaziri"].role == (
        "spokesman for the court of first instance"
    )
