"""Actors: the gazetteer pack, alias matching, people found by their titles, states in context."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.analysis.actors import Gazetteer, extract_actors, load_gazetteer
from bot.domain import Actor, ActorKind


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def names(title: str, body: str, gazetteer: Gazetteer, limit: int = 8) -> list[str]:
    return [actor.name for actor in extract_actors(title, body, gazetteer, limit)]


def by_name(title: str, body: str, gazetteer: Gazetteer) -> dict[str, Actor]:
    return {actor.name: actor for actor in extract_actors(title, body, gazetteer, limit=20)}


# ---------------------------------------------------------------- the pack


def test_the_shipped_gazetteer_loads_with_every_kind(gazetteer: Gazetteer) -> None:
    kinds = {entry.kind for entry in gazetteer.entries}
    assert kinds == set(ActorKind)
    assert len(gazetteer.entries) >= 120
    canonical = {entry.name for entry in gazetteer.entries}
    assert {"Tunisia", "Kais Saied", "Tunisian National Guard", "JNIM", "AFRICOM"} <= canonical


def write_pack(folder: Path, body: str) -> Path:
    path = folder / "actors.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_an_unknown_kind_is_refused_with_the_entry_named(tmp_path: Path) -> None:
    path = write_pack(tmp_path, '[[actor]]\nname = "Sea Wolves"\nkind = "militia"\n')
    with pytest.raises(ValueError, match=r"actor 'Sea Wolves': kind: 'militia' is not one of"):
        load_gazetteer(path)


def test_an_alias_claimed_by_two_entries_is_refused(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        '[[actor]]\nname = "Alpha Front"\nkind = "armed_group"\naliases = ["the Front"]\n'
        '[[actor]]\nname = "Beta Front"\nkind = "armed_group"\naliases = ["The front"]\n',
    )
    with pytest.raises(ValueError, match=r"'Beta Front': alias 'The front' .* 'Alpha Front'"):
        load_gazetteer(path)


def test_a_case_sensitive_alias_may_not_shadow_another_entry(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        '[[actor]]\nname = "Lima Union"\nkind = "institution"\naliases = ["LU"]\n'
        '[[actor]]\nname = "Lugano"\nkind = "state"\naliases_cs = ["Lu"]\n',
    )
    with pytest.raises(ValueError, match=r"'Lugano': alias 'Lu' is already an alias"):
        load_gazetteer(path)


def test_an_empty_alias_is_refused_with_the_entry_named(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, '[[actor]]\nname = "Gamma Party"\nkind = "organisation"\naliases = ["  "]\n'
    )
    with pytest.raises(ValueError, match=r"actor 'Gamma Party': aliases: an alias is empty"):
        load_gazetteer(path)


def test_a_misspelt_key_is_refused(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, '[[actor]]\nname = "Delta Bank"\nkind = "institution"\nalias = ["DB"]\n'
    )
    with pytest.raises(ValueError, match=r"actor 'Delta Bank': alias: unknown key"):
        load_gazetteer(path)


def test_demonyms_belong_to_states_only(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, '[[actor]]\nname = "Echo Group"\nkind = "organisation"\ndemonyms = ["echoic"]\n'
    )
    with pytest.raises(ValueError, match=r"'Echo Group': demonyms and capitals are for states"):
        load_gazetteer(path)


def test_an_ignore_phrase_may_not_be_an_alias(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        '[ignore]\nphrases = ["the Front"]\n'
        '[[actor]]\nname = "Alpha Front"\nkind = "armed_group"\naliases = ["the Front"]\n',
    )
    with pytest.raises(ValueError, match=r"\[ignore\]: alias 'the Front' .* 'Alpha Front'"):
        load_gazetteer(path)


def test_a_small_pack_of_ones_own_is_used(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        '[ignore]\nphrases = ["Harbour Watch Radio"]\n'
        '[[actor]]\nname = "Harbour Watch"\nkind = "organisation"\naliases = ["HW"]\n',
    )
    own = load_gazetteer(path)
    assert names("", "Harbour Watch said the port was closed.", own) == ["Harbour Watch"]
    assert names("", "Harbour Watch Radio said the port was closed.", own) == []


# ---------------------------------------------------------------- aliases


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Daesh claimed the ambush in the mountains.", "Islamic State"),
        ("L'organisation État islamique a revendiqué l'embuscade.", "Islamic State"),
        ("وتبنى تنظيم داعش الهجوم على الدورية.", "Islamic State"),
        ("La Cédéao a levé ses sanctions vendredi.", "Economic Community of West African States"),
        ("The Tunisian coast guard stopped two boats near Sfax.", "Tunisian National Guard"),
        ("La Garde nationale a intercepté deux embarcations.", "Tunisian National Guard"),
        ("وأعلن الحرس الوطني إحباط عملية اجتياز.", "Tunisian National Guard"),
        ("L'armée malienne a repris le camp.", "Malian Armed Forces"),
        ("The Pentagon confirmed the delivery.", "United States Department of Defense"),
        ("The Department of War confirmed the delivery.", "United States Department of Defense"),
        ("La Manul a présenté une feuille de route.", "UNSMIL"),
    ],
)
def test_aliases_in_three_languages_give_the_canonical_name(
    body: str, expected: str, gazetteer: Gazetteer
) -> None:
    assert names("", body, gazetteer) == [expected]


def test_an_arabic_alias_is_found_behind_attached_prefixes(gazetteer: Gazetteer) -> None:
    found = names("", "وقال إن قوات الدعم السريع وبالجيش السوداني تتقاتل.", gazetteer)
    assert found == ["Rapid Support Forces", "Sudanese Armed Forces"]


def test_short_acronyms_match_only_in_capitals(gazetteer: Gazetteer) -> None:
    french = "Il y a un accord qui a eu lieu hier, et un autre est prévu."
    assert names("", french, gazetteer) == []
    english = "The UN and the EU said IS fighters were seen; this is new."
    assert names("", english, gazetteer) == ["United Nations", "European Union", "Islamic State"]
    assert names("WHAT IS NEXT FOR THE UN", "", gazetteer) == []


def test_phrases_that_only_contain_an_alias_are_ignored(gazetteer: Gazetteer) -> None:
    body = "Agence France-Presse and Radio France Internationale reported the strike."
    assert names("", body, gazetteer) == []


def test_a_body_named_only_to_describe_another_is_left_out(gazetteer: Gazetteer) -> None:
    body = "The al-Qaeda-linked group JNIM attacked a convoy. A group linked to al-Qaeda fled."
    assert names("", body, gazetteer) == ["JNIM"]


# ---------------------------------------------------------------- people and their titles


def test_an_english_title_gives_the_role_as_written(gazetteer: Gazetteer) -> None:
    body = (
        "U.S. Assistant Secretary of War for Security and International Affairs Daniel Zimmerman "
        "spoke by phone with his counterparts."
    )
    assert extract_actors("", body, gazetteer)[0] == Actor(
        "Daniel Zimmerman",
        ActorKind.PERSON,
        "U.S. Assistant Secretary of War for Security and International Affairs",
    )


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            "Interior Minister Walid Baccar ordered more patrols.",
            "Walid Baccar",
            "Interior Minister",
        ),
        ("President Amara Diallo opened the session.", "Amara Diallo", "President"),
        ("Foreign Minister Ahmed Ould Bah arrived.", "Ahmed Ould Bah", "Foreign Minister"),
        ("Prime Minister Sami Gharbi resigned.", "Sami Gharbi", "Prime Minister"),
        ("General Omar Belhaj inspected the border.", "Omar Belhaj", "General"),
        ("Gen. Omar Belhaj inspected the border.", "Omar Belhaj", "Gen."),
        ("Col. Anis Trabelsi led the unit.", "Anis Trabelsi", "Col."),
        ("Army spokesman Fathi Ayari gave no figures.", "Fathi Ayari", "Army spokesman"),
        (
            "Walid Baccar, the interior minister, ordered more patrols.",
            "Walid Baccar",
            "interior minister",
        ),
        (
            "Nadia Amri, the head of the Sfax Port Authority, said the quay was closed.",
            "Nadia Amri",
            "head of the Sfax Port Authority",
        ),
        (
            "Le ministre de la Défense nationale Imed Gharbi a visité la caserne.",
            "Imed Gharbi",
            "ministre de la Défense nationale",
        ),
        (
            "Le ministre de l'Intérieur, Walid Baccar, a reçu les gouverneurs.",
            "Walid Baccar",
            "ministre de l'Intérieur",
        ),
        ("Le président Amara Diallo a ouvert la session.", "Amara Diallo", "président"),
        ("Le général Omar Belhaj a inspecté la frontière.", "Omar Belhaj", "général"),
        ("La ministre Leila Mansour a démissionné.", "Leila Mansour", "ministre"),
        (
            "Le porte-parole Fathi Ayari n'a donné aucun chiffre.",
            "Fathi Ayari",
            "porte-parole",
        ),
    ],
)
def test_people_are_found_from_titles_in_english_and_french(
    body: str, name: str, role: str, gazetteer: Gazetteer
) -> None:
    assert extract_actors("", body, gazetteer)[0] == Actor(name, ActorKind.PERSON, role)


def test_a_country_adjective_stays_in_the_role(gazetteer: Gazetteer) -> None:
    found = by_name("", "Tunisian Defense Minister Khaled Shtili met the delegation.", gazetteer)
    assert found["Khaled Shtili"].role == "Tunisian Defense Minister"
    assert "Tunisia" not in found  # a country inside a title does not act


def test_the_title_in_the_text_beats_the_gazetteer_role(gazetteer: Gazetteer) -> None:
    titled = by_name("", "Interior Minister Khaled Nouri chaired the meeting.", gazetteer)
    assert titled["Khaled Nouri"].role == "Interior Minister"
    untitled = by_name("", "Khaled Nouri chaired the meeting.", gazetteer)
    assert untitled["Khaled Nouri"].role == "Minister of the Interior of Tunisia"
    assert untitled["Khaled Nouri"].description


def test_a_known_person_keeps_the_full_name_as_first_written(gazetteer: Gazetteer) -> None:
    # In a Tunisian minister's story, "the army" is Tunisia's (see test_actors_national.py).
    assert names("", "Khaled Shtili said the army would help.", gazetteer) == [
        "Khaled Shtili",
        "Tunisian Armed Forces",
    ]
    assert names("", "Saied said the talks went well.", gazetteer) == ["Kais Saied"]
    assert names("", "استقبل قيس سعيد الوفد.", gazetteer) == ["Kais Saied"]


def test_a_surname_alone_joins_the_full_name_met_before(gazetteer: Gazetteer) -> None:
    body = (
        "Daniel Zimmerman, the U.S. official in charge of the file, called Tunis. "
        "Assistant Secretary Zimmerman promised equipment. Zimmerman said more would follow."
    )
    people = [actor for actor in extract_actors("", body, gazetteer) if actor.kind == "person"]
    assert [person.name for person in people] == ["Daniel Zimmerman"]
    assert people[0].role == "U.S. official in charge of the file"


def test_a_surname_with_a_french_honorific_joins_the_full_name(gazetteer: Gazetteer) -> None:
    body = (
        "La ministre de l'Équipement, Leila Ben Mansour, a visité le chantier. "
        "Mme Ben Mansour a annoncé des travaux."
    )
    assert names("", body, gazetteer) == ["Leila Ben Mansour"]


def test_a_title_case_headline_does_not_run_names_into_verbs(gazetteer: Gazetteer) -> None:
    title = "Interior Minister Walid Baccar Meets Italian Counterpart Over Border Patrols"
    assert names(title, "", gazetteer) == ["Walid Baccar"]


def test_a_name_followed_by_who_or_a_verb_of_speech_is_a_person(gazetteer: Gazetteer) -> None:
    body = (
        "Hedi Mabrouk, who leads the fishermen's union, urged calm. "
        "Salma Jaziri said the harbour was quiet."
    )
    assert names("", body, gazetteer) == ["Hedi Mabrouk", "Salma Jaziri"]


@pytest.mark.parametrize(
    "body",
    [
        "In December Tunisia and Algeria signed a gas deal.",
        "On Monday the General Assembly voted on the text.",
        "Speaking to Mosaique FM, the minister said the port would reopen.",
        "Interior Ministry officials said the border crossing at Ras Jedir would stay shut.",
        "The minister visited Sidi Bouzid and Kasserine on Friday.",
    ],
)
def test_capitalised_words_that_are_no_person_stay_out(body: str, gazetteer: Gazetteer) -> None:
    people = [actor for actor in extract_actors("", body, gazetteer) if actor.kind == "person"]
    assert people == []


# ---------------------------------------------------------------- states in context


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Tunisia signed the agreement on Monday.", ["Tunisia"]),
        (
            "Mali, Burkina Faso and Niger recalled their ambassadors.",
            ["Mali", "Burkina Faso", "Niger"],
        ),
        ("The resolution was drafted by the United States.", ["United States"]),
        ("Malian authorities closed the schools.", ["Mali"]),
        ("Les autorités tunisiennes ont fermé le poste frontière.", ["Tunisia"]),
        ("Bamako insists the drone fell on its soil.", ["Mali"]),
        ("The talks between Tunis and Washington went well.", ["Tunisia", "United States"]),
        ("Le Maroc a accepté l'aide de l'Espagne.", ["Morocco", "Spain"]),
        ("Most boats left from Tunisia and Libya.", []),
        ("Libya's oil output rose again.", []),
        (
            "Niger, once a close partner of Washington, ordered American forces out.",
            ["Niger", "United States"],
        ),
        ("The boat sank off the Greek island of Crete.", []),
        ("Libye : la production de pétrole augmente.", []),
    ],
)
def test_a_state_counts_only_where_it_acts(
    body: str, expected: list[str], gazetteer: Gazetteer
) -> None:
    assert names("", body, gazetteer) == expected


# ---------------------------------------------------------------- order and limit


def test_actors_in_the_title_come_first_then_by_first_appearance(gazetteer: Gazetteer) -> None:
    title = "Frontex and the IOM discuss returns"
    body = (
        "UNHCR said it was worried. The International Organization for Migration and Frontex "
        "met in Warsaw, where Amnesty International also protested."
    )
    assert names(title, body, gazetteer) == [
        "Frontex",
        "International Organization for Migration",
        "UNHCR",
        "Amnesty International",
    ]


def test_the_limit_keeps_the_first_actors(gazetteer: Gazetteer) -> None:
    body = "Frontex, UNHCR, UNICEF, NATO and Interpol met. The World Bank and the IMF joined."
    assert names("", body, gazetteer, limit=3) == ["Frontex", "UNHCR", "UNICEF"]
    assert len(names("", body, gazetteer)) == 7
    assert names("", body, gazetteer, limit=0) == []


def test_an_empty_article_has_no_actors(gazetteer: Gazetteer) -> None:
    assert extract_actors("", "", gazetteer) == ()
