"""Gazetteer: people's names compared across transliterations, and Arabic national bodies
named with the adjective that agrees with them."""

from __future__ import annotations

import pytest

from bot.analysis.actors import Gazetteer, extract_actors, load_gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.mark.parametrize(
    ("written", "known"),
    [
        ("Nasser Bourrita", "Nasser Bourita"),
        ("Mohamed el-Manfi", "Mohamed al-Menfi"),
        ("Muhammad al-Menfi", "Mohamed al-Menfi"),
        ("Bourrita", "Nasser Bourita"),
        ("Manfi", "Mohamed al-Menfi"),
        ("ناصر بوريطه", "Nasser Bourita"),
        ("Said", None),  # a given name as much as a surname
        ("Sayed", None),
        ("Barrett", None),  # not Barrot
        ("Said Kabir", None),  # not Sadiq al-Kabir: given names differ by more than vowels
        ("Imed Trabelsi", "Emad Trabelsi"),
    ],
)
def test_person_like_finds_one_known_person_or_none(
    written: str, known: str | None, gazetteer: Gazetteer
) -> None:
    entry = gazetteer.person_like(written)
    assert (entry.name if entry else None) == known


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("Yesterday Mohamed el-Manfi", True),
        ("Interior Minister Nasser Bourrita", True),
        ("The European Union", False),
        ("Said Kabir", True),  # the same consonants: person_like then tells them apart
    ],
)
def test_may_hold_person_is_a_quick_test_on_consonants(
    text: str, may: bool, gazetteer: Gazetteer
) -> None:
    assert gazetteer.may_hold_person(text) is may


def test_an_arabic_ministry_agrees_with_its_feminine_adjective(gazetteer: Gazetteer) -> None:
    def keys(body: str) -> list[str | None]:
        return [actor.key for actor in extract_actors("", body, gazetteer, limit=20)]

    assert "Ministry of the Interior (Tunisia)" in keys("وأعلنت الداخلية التونسية إيقاف 30 شخصا.")
    # "وزير الداخلية التونسي" is the minister: the masculine adjective agrees with him.
    assert "Ministry of the Interior (Tunisia)" not in keys(
        "وقال وزير الداخلية التونسي إن الحدود مؤمنة."
    )
