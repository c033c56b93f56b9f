"""The gazetteer's coverage of the region's people, companies and national bodies: variant
spellings in French, English and Arabic give the canonical entry, and common words that look
like an alias do not."""

from __future__ import annotations

import pytest

from bot.analysis.actors import Gazetteer, extract_actors, load_gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def keys(body: str, gazetteer: Gazetteer, title: str = "") -> list[str | None]:
    return [actor.key for actor in extract_actors(title, body, gazetteer, limit=20)]


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (
            "Le ministre de l'Intérieur, Laurent Nunez, a annoncé mardi de nouvelles mesures "
            "contre les passeurs.",
            "Laurent Nuñez",
        ),
        (
            "Jaouhar Ben Mbarek a entamé une grève de la faim dans sa cellule, a indiqué sa sœur.",
            "Jawhar Ben Mbarek",
        ),
        (
            "Le pape Léon XIV a appelé l'Europe à ne pas fermer ses portes aux migrants.",
            "Leo XIV",
        ),
        (
            "Essam Abu Zriba, the eastern government's interior minister, said 400 migrants "
            "had been deported.",
            "Issam Abu Zriba",
        ),
        (
            "Le groupe canadien Barrick Mining a repris le contrôle de la mine de Loulo-Gounkoto.",
            "Barrick Gold",
        ),
    ],
)
def test_a_variant_spelling_gives_the_canonical_entry(
    body: str, key: str, gazetteer: Gazetteer
) -> None:
    assert key in keys(body, gazetteer)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("وقال رئيس الوزراء السوداني كامل إدريس إن الحكومة ستعود إلى الخرطوم.", "Kamil Idris"),
        ("وأعلن ماتاريلا أن إيطاليا لن تتخلى عن المهاجرين.", "Sergio Mattarella"),
        ("وقالت المؤسسة الوطنية للنفط الليبية إن الإنتاج ارتفع.", "National Oil Corporation"),
        ("ووقعت سوناطراك وإيني اتفاقا جديدا لتطوير حقل في الجنوب.", "Eni"),
    ],
)
def test_an_arabic_spelling_gives_the_english_name(
    body: str, key: str, gazetteer: Gazetteer
) -> None:
    found = extract_actors("", body, gazetteer, limit=20)
    assert key in [actor.key for actor in found]
    assert all(actor.name.isascii() for actor in found if actor.key == key)


def test_a_generic_ministry_resolves_to_the_new_national_body(gazetteer: Gazetteer) -> None:
    body = "Le ministère malien des Affaires étrangères a convoqué l'ambassadeur d'Algérie."
    assert "Ministry of Foreign Affairs (Mali)" in keys(body, gazetteer)
    body = "The Mauritanian coast guard intercepted a boat carrying 180 people off Nouadhibou."
    assert "Mauritanian Coast Guard" in keys(body, gazetteer)


@pytest.mark.parametrize(
    "body",
    [
        "Investigators traced the money through shell companies registered in Dubai.",
        "Shell companies were used to hide the smuggling network's profits, the court heard.",
        "She collected sea shells on the beach at Djerba before the storm.",
        "A chevron of police vans blocked the road to the port.",
        "Residents welcomed the new arrivals with open arms, the mayor said.",
        "The total energies consumed by the plant doubled.",
    ],
)
def test_common_words_do_not_name_a_company(body: str, gazetteer: Gazetteer) -> None:
    assert not {"Shell plc", "Chevron", "TotalEnergies", "BP"} & set(keys(body, gazetteer))


def test_a_capitalised_company_name_still_fires(gazetteer: Gazetteer) -> None:
    body = "Shell and BP signed exploration deals with Egypt, and Chevron joined them a week later."
    assert {"Shell plc", "BP", "Chevron"} <= set(keys(body, gazetteer))


def test_people_who_share_a_surname_stay_apart(gazetteer: Gazetteer) -> None:
    body = (
        "Abdel Rahim Dagalo, the deputy commander of the RSF, met envoys in Nairobi, while "
        "Mohamed Hamdan Dagalo stayed in Darfur."
    )
    found = keys(body, gazetteer)
    assert "Abdel Rahim Dagalo" in found
    assert "Mohamed Hamdan Dagalo" in found
