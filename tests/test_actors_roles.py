"""Actors: a role is clean text, shown in brackets after the name, so it never holds brackets."""

from __future__ import annotations

import pytest

from bot.analysis.actors import Gazetteer, clean_role, extract_actors, load_gazetteer
from bot.render.plain import actor_label


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def roles(body: str, gazetteer: Gazetteer) -> dict[str, str | None]:
    return {actor.name: actor.role for actor in extract_actors("", body, gazetteer, limit=20)}


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            "Khalifa Haftar, Commander of the Libyan National Army (LNA), received the envoy.",
            "Khalifa Haftar",
            "Commander of the Libyan National Army",
        ),
        (
            "Le maréchal Khalifa Haftar, commandant de l'Armée nationale libyenne (ANL), a reçu "
            "l'envoyée de l'ONU.",
            "Khalifa Haftar",
            "commandant de l'Armée nationale libyenne",
        ),
        (
            "General Youssef Mansour, head of the Border Security Agency (BSA), said the wall "
            "was finished.",
            "Youssef Mansour",
            "head of the Border Security Agency",
        ),
    ],
)
def test_an_acronym_in_brackets_leaves_the_role(
    body: str, name: str, role: str, gazetteer: Gazetteer
) -> None:
    found = roles(body, gazetteer)
    assert found[name] == role
    assert actor_label(extract_actors("", body, gazetteer)[0]) == f"{name} ({role})"


def test_a_gazetteer_role_with_dates_in_brackets_reads_with_a_comma(gazetteer: Gazetteer) -> None:
    found = roles("Michael Langley inspected the base.", gazetteer)
    assert found["Michael Langley"] == "Commander of U.S. Africa Command, 2022-2025"


def test_nothing_bridges_to_a_rank(gazetteer: Gazetteer) -> None:
    body = "The government of Captain Ibrahim Traoré has not released a death toll."
    assert roles(body, gazetteer)["Ibrahim Traoré"] == "Captain"


def test_a_french_title_starts_at_its_head(gazetteer: Gazetteer) -> None:
    body = (
        "L'attaque a eu lieu après la visite à N'Djamena du chef de la diplomatie chinoise, "
        "Wang Yi."
    )
    assert roles(body, gazetteer)["Wang Yi"] == "chef de la diplomatie chinoise"


def test_an_honorific_alone_is_no_role(gazetteer: Gazetteer) -> None:
    found = roles("M. Tebboune a prêté serment à Alger.", gazetteer)
    assert found["Abdelmadjid Tebboune"] == "President of Algeria"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Commander of U.S. Africa Command (AFRICOM)", "Commander of U.S. Africa Command"),
        ("Prime Minister (2023-2025)", "Prime Minister, 2023-2025"),
        ("chef (par intérim) de la mission", "chef, par intérim de la mission"),
        ("head of the (unclosed", "head of the unclosed"),
        ("(LNA)", None),
    ],
)
def test_clean_role_leaves_no_bracket(raw: str, clean: str | None) -> None:
    assert clean_role(raw) == clean
