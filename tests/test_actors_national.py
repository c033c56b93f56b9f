"""Actors: national bodies named generically ("the interior ministry", "l'armée", "الجيش"),
resolved through the country written next to them or the country the story is about; a country
that is only a place is no actor, and a body that acts stands for its state."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.analysis.actors import Gazetteer, extract_actors, load_gazetteer
from bot.domain import Actor, ActorKind


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def actors(title: str, body: str, gazetteer: Gazetteer) -> list[Actor]:
    return list(extract_actors(title, body, gazetteer, limit=20))


def keys(title: str, body: str, gazetteer: Gazetteer) -> list[str | None]:
    return [actor.key for actor in actors(title, body, gazetteer)]


# ---------------------------------------------------------------- the country of the story


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Forty migrants held near Sfax",
            "SFAX, Tunisia - The interior ministry said on Monday that forty people were held "
            "as they prepared to board two boats.",
            "Ministry of the Interior (Tunisia)",
        ),
        (
            "Deux soldats tués au mont Chaambi",
            "Le ministère de la Défense a annoncé mardi la mort de deux soldats lors d'une "
            "opération de ratissage dans la région de Kasserine, en Tunisie.",
            "Ministry of National Defence (Tunisia)",
        ),
        (
            "إيقاف 12 مهاجرا في صفاقس",
            "تونس - أعلنت وزارة الداخلية يوم الاثنين إيقاف 12 شخصا كانوا يستعدون لاجتياز "
            "الحدود البحرية خلسة.",
            "Ministry of the Interior (Tunisia)",
        ),
        (
            "Mali: convoy ambushed near Gao",
            "The army said its soldiers repelled the attack and killed several assailants.",
            "Malian Armed Forces",
        ),
        (
            "Algérie : deux terroristes neutralisés",
            "L'armée a neutralisé deux terroristes dans la wilaya de Tipaza, selon un bilan "
            "publié à Alger.",
            "Algerian People's National Army",
        ),
        (
            "الجزائر: القضاء على إرهابيين في تيبازة",
            "قال الجيش إن وحداته قضت على إرهابيين اثنين خلال عملية تمشيط.",
            "Algerian People's National Army",
        ),
    ],
)
def test_a_generic_name_is_the_body_of_the_country_of_the_story(
    title: str, body: str, expected: str, gazetteer: Gazetteer
) -> None:
    assert keys(title, body, gazetteer) == [expected]


def test_a_national_body_shows_its_wikipedia_name_and_its_country_as_role(
    gazetteer: Gazetteer,
) -> None:
    found = actors("", "Rabat, Morocco - The foreign ministry summoned the envoy.", gazetteer)
    ministry = found[0]
    assert (ministry.name, ministry.role, ministry.kind) == (
        "Ministry of Foreign Affairs",
        "Morocco",
        ActorKind.INSTITUTION,
    )
    assert ministry.key == "Ministry of Foreign Affairs (Morocco)"
    assert "(" not in ministry.name and ministry.description


def test_the_same_body_has_the_same_key_in_three_languages(gazetteer: Gazetteer) -> None:
    english = keys("", "Tunisia's interior ministry said 30 people were arrested.", gazetteer)
    french = keys("", "Le ministère tunisien de l'Intérieur a annoncé 30 arrestations.", gazetteer)
    arabic = keys("", "أعلنت وزارة الداخلية التونسية إيقاف 30 شخصا.", gazetteer)
    assert english == french == arabic == ["Ministry of the Interior (Tunisia)"]


# ---------------------------------------------------------------- the country written next to it


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A Tunisian story, but the adjective names another country's body.
        (
            "Tunisia said on Friday that the Libyan coast guard had handed over 40 Tunisians.",
            ["Tunisia", "Libyan Coast Guard"],
        ),
        (
            "La Tunisie a annoncé que la garde côtière libyenne avait remis 40 Tunisiens.",
            ["Tunisia", "Libyan Coast Guard"],
        ),
        (
            "أعلنت مالي إنهاء الاتفاق، وردت وزارة الخارجية الجزائرية ببيان شديد اللهجة.",
            ["Ministry of Foreign Affairs (Algeria)"],
        ),
    ],
)
def test_the_adjective_next_to_a_generic_name_wins_over_the_story(
    body: str, expected: list[str], gazetteer: Gazetteer
) -> None:
    assert keys("", body, gazetteer) == expected


def test_a_country_without_such_a_body_gives_its_state_for_forces_only(
    gazetteer: Gazetteer,
) -> None:
    # Libya has no single army: "the Libyan army" is Libya, as "Chadian forces" is Chad.
    assert keys("", "The Libyan army deployed units to the border.", gazetteer) == ["Libya"]
    # A ministry without an entry gives neither the state nor anything invented.
    assert keys("", "The Nigerian interior ministry said the camp was closed.", gazetteer) == []


@pytest.mark.parametrize(
    "body",
    [
        "Army officers met in Geneva to discuss the report.",  # no article, no country
        "The army said the situation was under control.",  # no country in the story
        "Libya: the army said it had secured the road to Sirte.",  # no single Libyan army
        "Tunis, Tunisia - A government facing heavy debt needs a deal.",  # not "the"
        "Tunisie : les autorités sanitaires ont ouvert une enquête à Sfax.",
        "ليبيا: أعلنت السلطات الصحية ارتفاع الحصيلة في طرابلس.",
    ],
)
def test_a_generic_name_without_a_country_or_an_article_is_no_actor(
    body: str, gazetteer: Gazetteer
) -> None:
    assert [a for a in actors("", body, gazetteer) if a.kind is not ActorKind.STATE] == []


# ---------------------------------------------------------------- the state and its bodies


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Burkina Faso: scores killed near Barsalogho",
            "Villagers had been ordered by the authorities to dig trenches around the town.",
            ["Burkina Faso"],
        ),
        (
            "Tunisie : remaniement",
            "Le gouvernement a adopté jeudi un projet de loi sur les finances.",
            ["Tunisia"],
        ),
        (
            "مصر: الحكومة ترفع أسعار الوقود",
            "قررت الحكومة رفع أسعار البنزين بنسبة 15 في المئة.",
            ["Egypt"],
        ),
    ],
)
def test_the_government_or_the_authorities_are_the_state(
    title: str, body: str, expected: list[str], gazetteer: Gazetteer
) -> None:
    assert keys(title, body, gazetteer) == expected


@pytest.mark.parametrize(
    "body",
    [
        "Tunisie : Kaïs Saïed nomme Sara Zaafrani Zenzri à la tête du gouvernement.",
        "Tunisia: Ahmed Hachani was asked to lead the government after the dismissal.",
        "تونس: كلف الرئيس قيس سعيد كمال المدوري برئاسة الحكومة وتشكيل الحكومة الجديدة.",
    ],
)
def test_a_government_named_as_an_office_is_not_the_state_acting(
    body: str, gazetteer: Gazetteer
) -> None:
    assert "Tunisia" not in keys("", body, gazetteer)


@pytest.mark.parametrize(
    "body",
    [
        "The Tunisian interior ministry said 30 people were arrested.",
        "Le ministère de l'Intérieur tunisien a annoncé 30 arrestations.",
        "قالت وزارة الداخلية التونسية إنها أوقفت 30 شخصا.",
    ],
)
def test_when_the_ministry_acts_the_state_is_not_listed_as_well(
    body: str, gazetteer: Gazetteer
) -> None:
    assert keys("", body, gazetteer) == ["Ministry of the Interior (Tunisia)"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("أعلنت الجزائر استدعاء سفيرها لدى باماكو.", ["Algeria"]),
        ("مصر توقع مع الإمارات اتفاقا لتطوير رأس الحكمة.", ["Egypt", "United Arab Emirates"]),
        ("وأعلنت السلطات المغربية فتح تحقيق في الحادث.", ["Morocco"]),
        ("فرض القادة عقوبات مالية فورية على النيجر.", ["Niger"]),
        ("أعلنت النيجر وبوركينا فاسو انسحابهما من المجموعة.", ["Niger", "Burkina Faso"]),
        ("رحبت مقديشو بالشحنة وأكدت حقها السيادي.", ["Somalia"]),
        ("وأضاف أن قطر ومصر والولايات المتحدة ستعمل معا.", ["Qatar", "Egypt", "United States"]),
        ("قتل نحو أربعين جنديا تشاديا في الهجوم.", ["Chad"]),
    ],
)
def test_an_arabic_state_counts_where_it_acts_or_is_acted_upon(
    body: str, expected: list[str], gazetteer: Gazetteer
) -> None:
    assert keys("", body, gazetteer) == expected


@pytest.mark.parametrize(
    "body",
    [
        "وصل المهاجرون من تونس إلى إيطاليا على متن قوارب حديدية.",
        "وتقع المدينة في شمال مالي قرب الحدود مع الجزائر.",
        "وعقد القادة قمة طارئة في أبوجا فرض خلالها حظر.",
        "وتجمع آلاف المحتجين بتونس العاصمة.",
        "ليبيا: ارتفاع إنتاج النفط إلى أعلى مستوى منذ عشر سنوات.",
    ],
)
def test_an_arabic_state_that_is_only_a_place_is_no_actor(body: str, gazetteer: Gazetteer) -> None:
    assert keys("", body, gazetteer) == []


# ---------------------------------------------------------------- the pack


def write_pack(folder: Path, body: str) -> Path:
    path = folder / "actors.toml"
    path.write_text(body, encoding="utf-8")
    return path


STATE = '[[actor]]\nname = "Ruritania"\nkind = "state"\ndemonyms = ["Ruritanian", "ruritanien"]\n'


def test_a_small_pack_spells_out_wildcard_forms_for_each_country(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        STATE + '[[actor]]\nname = "Ministry of Mines (Ruritania)"\nkind = "institution"\n'
        'country = "Ruritania"\nnational = ["mines"]\n'
        '[[generic]]\ntype = "mines"\nforms = ["mines ministry", "ministère * des Mines"]\n',
    )
    own = load_gazetteer(path)
    french = extract_actors("", "Le ministère ruritanien des Mines a signé.", own)
    english = extract_actors("", "Ruritania - The mines ministry signed.", own)
    assert [a.key for a in french] == [a.key for a in english] == ["Ministry of Mines (Ruritania)"]
    assert english[0].name == "Ministry of Mines" and english[0].role == "Ruritania"


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ('country = "Ruritania"\nnational = ["mines"]\n', r"national: 'mines' is not a generic"),
        ('national = ["army"]\n', r"national needs a country"),
        ('country = "Atlantis"\n', r"country: 'Atlantis' is not a state entry"),
    ],
)
def test_a_national_body_must_name_a_known_state_and_type(
    tmp_path: Path, extra: str, error: str
) -> None:
    path = write_pack(
        tmp_path,
        STATE
        + '[[actor]]\nname = "Ruritanian Army"\nkind = "institution"\n'
        + extra
        + '[[generic]]\ntype = "army"\nforms = ["army"]\n',
    )
    with pytest.raises(ValueError, match=error):
        load_gazetteer(path)


def test_two_bodies_may_not_answer_to_one_type_in_one_country(tmp_path: Path) -> None:
    body = '[[actor]]\nname = "{}"\nkind = "institution"\n'
    body += 'country = "Ruritania"\nnational = ["army"]\n'
    path = write_pack(
        tmp_path,
        STATE
        + body.format("Ruritanian Army")
        + body.format("Royal Guard")
        + '[[generic]]\ntype = "army"\nforms = ["army"]\n',
    )
    with pytest.raises(ValueError, match=r"'Royal Guard': national: 'army' is already"):
        load_gazetteer(path)
