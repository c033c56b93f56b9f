"""Actors in Arabic: people found by their titles and by "قال X، المتحدث باسم ...", known
people under their English name, unknown people in Arabic script as written, a name ending
before a noun that follows it ("ونظيره", "ووزراء") or "و" with another given name, and every
word list folded like the text, so that hamza and ta marbuta spellings read the same."""

from __future__ import annotations

import pytest

from bot.analysis import agency, lexicon, titles_arabic
from bot.analysis.actors import Gazetteer, extract_actors, load_gazetteer
from bot.analysis.romanise import romanise_name
from bot.analysis.text import fold
from bot.domain import Actor, ActorKind


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def actors(body: str, gazetteer: Gazetteer) -> list[Actor]:
    return list(extract_actors("", body, gazetteer, limit=20))


def people(body: str, gazetteer: Gazetteer) -> list[tuple[str, str | None]]:
    return [(actor.name, actor.role) for actor in actors(body, gazetteer) if actor.kind == "person"]


# ---------------------------------------------------------------- people the gazetteer lacks


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            "وقالت وزيرة الداخلية ليلى بن سالم إن الحدود مؤمنة.",
            "ليلى بن سالم",
            "وزيرة الداخلية",
        ),
        (
            "وقال أحمد الزروق، الناشط الحقوقي، إن السجون مكتظة.",
            "أحمد الزروق",
            "الناشط الحقوقي",
        ),
        (
            "وقال سالم العبيدي، المتحدث باسم جمعية الصيادين، إن القوارب بقيت في الميناء.",
            "سالم العبيدي",
            "المتحدث باسم جمعية الصيادين",
        ),
        (
            "وبحسب سالم العبيدي، المتحدث باسم جمعية الصيادين، فإن القوارب بقيت في الميناء.",
            "سالم العبيدي",
            "المتحدث باسم جمعية الصيادين",
        ),
        (
            "وقال نائب رئيس المجلس الأعلى للدولة عمر بوشاح إن الحوار مستمر.",
            "عمر بوشاح",
            "نائب رئيس المجلس الأعلى للدولة",
        ),
        (
            "وقال قائد اللواء 166 سالم جحا إن قواته انسحبت.",
            "سالم جحا",
            "قائد اللواء 166",
        ),
        (
            "وقال العقيد منصور الشريف، آمر الكتيبة، إن الوضع هادئ.",
            "منصور الشريف",
            "آمر الكتيبة",
        ),
        ("وقال العقيد منصور الشريف إن الوضع هادئ.", "منصور الشريف", "العقيد"),
        (
            "وقال الفريق أول مراد الزين إن الحدود آمنة.",
            "مراد الزين",
            "الفريق أول",
        ),
        ("وقال السيد أحمد الزروق إن الوضع هادئ.", "أحمد الزروق", None),
    ],
)
def test_an_unknown_person_keeps_the_arabic_name_and_title_as_written(
    body: str, name: str, role: str | None, gazetteer: Gazetteer
) -> None:
    assert people(body, gazetteer) == [(name, role)]


def test_a_surname_alone_joins_the_full_arabic_name(gazetteer: Gazetteer) -> None:
    body = (
        "وقال أحمد الزروق، الناشط الحقوقي، إن السجون مكتظة. وأضاف الزروق أن الزيارات ممنوعة. "
        "وتابع زروق أن العائلات تنتظر."
    )
    assert people(body, gazetteer) == [("أحمد الزروق", "الناشط الحقوقي")]


@pytest.mark.parametrize(
    "body",
    [
        "قال رئيس الحكومة الجديدة يواجه تحديات كبيرة في الملف الاقتصادي.",
        "وقالت منظمات إنسانية إن الوضع خطير.",
        "وقال مسؤول في الوزارة إن القرار نهائي.",
        "وقال المسئول الأمني إن الحدود آمنة.",
        "وقال مسئولون إن الحدود آمنة.",
        "ويرى رئيس الوزراء أن الاتفاق مهم.",
        "وقال المتحدث باسم الجيش إن القوات صدت الهجوم.",
        "وأشار مدير المستشفى إلى أن عدد الجرحى ارتفع.",
        "وتولى الرئيس الراحل إدريس ديبي الحكم ثلاثين عاما.",
        "وأعلن الزروق أن الزيارات ممنوعة.",  # a surname nobody was named with
    ],
)
def test_no_person_without_a_name_after_the_title_or_the_verb(
    body: str, gazetteer: Gazetteer
) -> None:
    assert people(body, gazetteer) == []


def keys(body: str, gazetteer: Gazetteer) -> list[str | None]:
    return [actor.key for actor in actors(body, gazetteer)]


def test_a_ministers_title_does_not_name_the_ministry(gazetteer: Gazetteer) -> None:
    ministry = "Ministry of Foreign Affairs (Italy)"
    assert ministry not in keys("وقالت وزيرة الخارجية الإيطالية إن روما تدعم تونس.", gazetteer)
    assert ministry in keys("وأعلنت الخارجية الإيطالية دعمها لتونس.", gazetteer)
    # The masculine adjective agrees with the minister, never with the ministry.
    masculine = "وقال وزير الداخلية التونسي خالد النوري إن الحدود مؤمنة."
    assert keys(masculine, gazetteer) == ["Khaled Nouri"]


# ---------------------------------------------------------------- known people


def test_a_known_person_keeps_the_english_name_and_the_title_as_written(
    gazetteer: Gazetteer,
) -> None:
    found = actors("وقال وزير الخارجية المغربي ناصر بوريطة إن الرباط ترحب بالخطة.", gazetteer)
    person = next(actor for actor in found if actor.kind is ActorKind.PERSON)
    assert (person.name, person.key, person.role) == (
        "Nasser Bourita",
        "Nasser Bourita",
        "وزير الخارجية المغربي",
    )


def test_a_one_word_title_gives_way_to_the_gazetteers_role(gazetteer: Gazetteer) -> None:
    assert people("واستقبل الرئيس قيس سعيد الوفد.", gazetteer) == [
        ("Kais Saied", "President of Tunisia")
    ]


def test_a_known_surname_alone_after_a_verb_is_the_known_person(gazetteer: Gazetteer) -> None:
    body = "وقال ناصر بوريطة إن المغرب يرحب. وأضاف بوريطه أن الرباط مستعدة."
    assert keys(body, gazetteer) == ["Nasser Bourita", "Morocco"]


def test_a_known_surname_in_another_arabic_name_is_another_person(
    gazetteer: Gazetteer,
) -> None:
    found = actors("وقال المستشار إبراهيم الدبيبة إن المحادثات مفيدة.", gazetteer)
    assert [(actor.name, actor.key) for actor in found] == [("إبراهيم الدبيبة", None)]


# ---------------------------------------------------------------- folding


_ARABIC_LISTS = {
    "titles_arabic.ARABIC_HEADS": titles_arabic.ARABIC_HEADS,
    "titles_arabic.ARABIC_RANKS": titles_arabic.ARABIC_RANKS,
    "titles_arabic.ARABIC_RANK_PARTS": titles_arabic.ARABIC_RANK_PARTS,
    "titles_arabic.ARABIC_HONORIFICS": titles_arabic.ARABIC_HONORIFICS,
    "titles_arabic.ARABIC_TITLE_NOUNS": titles_arabic.ARABIC_TITLE_NOUNS,
    "titles_arabic.ARABIC_SPEECH_VERBS": titles_arabic.ARABIC_SPEECH_VERBS,
    "titles_arabic.ARABIC_ACCORDING": titles_arabic.ARABIC_ACCORDING,
    "titles_arabic.ARABIC_STOPS": titles_arabic.ARABIC_STOPS,
    "lexicon.ARABIC_PARTICLES": lexicon.ARABIC_PARTICLES,
    "titles_arabic.ARABIC_LATE": titles_arabic.ARABIC_LATE,
    "titles_arabic.ARABIC_NOT_NAMES": titles_arabic.ARABIC_NOT_NAMES,
    "titles_arabic.ARABIC_AFTER_NAME": titles_arabic.ARABIC_AFTER_NAME,
    "titles_arabic.ARABIC_NUMBERS": titles_arabic.ARABIC_NUMBERS,
    "agency.ARABIC_VERBS": agency.ARABIC_VERBS,
    "agency.ARABIC_ACTING_NOUNS": agency.ARABIC_ACTING_NOUNS,
    "agency.ARABIC_AID_NOUNS": agency.ARABIC_AID_NOUNS,
    "agency.ARABIC_DEALINGS": agency.ARABIC_DEALINGS,
    "agency.ARABIC_BLOWS": agency.ARABIC_BLOWS,
    "agency.ARABIC_PLACES": agency.ARABIC_PLACES,
    "agency.ARABIC_OFFICES": agency.ARABIC_OFFICES,
}


@pytest.mark.parametrize("name", sorted(_ARABIC_LISTS))
def test_every_arabic_word_list_is_folded_like_the_text(name: str) -> None:
    words = _ARABIC_LISTS[name]
    assert words
    assert all(fold(word) == word for word in words)
    assert not any(letter in word for word in words for letter in "أإآؤئةى")


@pytest.mark.parametrize(
    ("standard", "variant"),
    [
        # ta marbuta written as ha, hamza on alif dropped
        (
            "وقالت وزيرة الداخلية ليلى بن سالم إن الحدود مؤمنة.",
            "وقالت وزيره الداخليه ليلى بن سالم ان الحدود مؤمنه.",
        ),
        (
            "وأكد الناطق باسم الحماية المدنية سالم العبيدي أن الحريق أخمد.",
            "واكد الناطق باسم الحمايه المدنيه سالم العبيدى ان الحريق اخمد.",
        ),
        # hamza below and alif maqsura
        (
            "وأشارت رئيسة اللجنة منى الشريف إلى أن التقرير جاهز.",
            "واشارت رئيسه اللجنه منى الشريف الي ان التقرير جاهز.",
        ),
        # a known person, his surname with ta marbuta or ha
        (
            "وقال وزير الخارجية ناصر بوريطة إن الرباط ترحب.",
            "وقال وزير الخارجيه ناصر بوريطه ان الرباط ترحب.",
        ),
        (
            "ودعا رئيس الوزراء مصطفى مدبولي إلى التهدئة.",
            "ودعا رئيس الوزراء مصطفي مدبولى الى التهدئه.",
        ),
    ],
)
def test_hamza_and_ta_marbuta_spellings_give_the_same_actors(
    standard: str, variant: str, gazetteer: Gazetteer
) -> None:
    def folded(body: str) -> list[tuple[str, str | None, str | None]]:
        return [
            (fold(actor.name), fold(actor.role) if actor.role else None, actor.key)
            for actor in actors(body, gazetteer)
        ]

    assert folded(standard) == folded(variant)
    assert folded(standard)


# ---------------------------------------------------------------- where a name ends
# The name is checked as found, whether the actor shows it in Arabic script or in its Latin
# spelling (romanise.py): a name cut in the wrong place reads differently either way.


def shown(arabic: str) -> set[str]:
    return {arabic, romanise_name(arabic) or arabic}


def person(body: str, gazetteer: Gazetteer) -> tuple[str, str | None]:
    [found] = people(body, gazetteer)
    return found


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        # a counterpart, with and without "و"
        (
            "والتقى وزير الداخلية الإيطالي ماتيو بيانتيدوسي ونظيره التونسي في روما.",
            "ماتيو بيانتيدوسي",
            "وزير الداخلية الإيطالي",
        ),
        (
            "واستقبلت وزيرة الخارجية ليلى بن سالم نظيرتها المالية في تونس.",
            "ليلى بن سالم",
            "وزيرة الخارجية",
        ),
        # a group of officials, a number
        (
            "وشارك وزير المالية سالم العبيدي ووزراء ثلاث دول أفريقية في الاجتماع.",
            "سالم العبيدي",
            "وزير المالية",
        ),
        (
            "وقال المتحدث باسم الحكومة منير الزين وممثلو النقابات إن الحوار مستمر.",
            "منير الزين",
            "المتحدث باسم الحكومة",
        ),
        (
            "ووصل وزير الداخلية خالد الزين وخمسة من مساعديه إلى الحدود.",
            "خالد الزين",
            "وزير الداخلية",
        ),
        (
            "وقال وزير التجارة سالم الزين فمسؤولو الوزارة إن الأسعار مستقرة.",
            "سالم الزين",
            "وزير التجارة",
        ),
        # kin
        ("واستقبل السفير أحمد الزروق وزوجته الضيوف.", "أحمد الزروق", "السفير"),
    ],
)
def test_a_name_ends_before_a_noun_that_follows_it(
    body: str, name: str, role: str, gazetteer: Gazetteer
) -> None:
    found, title = person(body, gazetteer)
    assert found in shown(name)
    assert title == role


@pytest.mark.parametrize(
    "body",
    [
        "وحضر الاجتماع الوزير ووزراء ثلاث دول أفريقية.",
        "وقال السيد ووزراء الخارجية إن الاتفاق مهم.",
        "وتعين الرئيسة ثلث أعضاء المجلس.",
        # "إلى" folds to "الي", which is no article carrying the title on
        "وترجمت الروايات الفائزة والمرشحة إلى لغات عدة.",
    ],
)
def test_a_noun_after_a_title_is_no_name(body: str, gazetteer: Gazetteer) -> None:
    assert people(body, gazetteer) == []


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("وقال رئيس الحزب عمر بوشاح وأحمد الزروق إن الحزب سيشارك.", "عمر بوشاح"),
        ("وقال رئيس الحزب عمر بوشاح وعبد الله الزين إن الحزب سيشارك.", "عمر بوشاح"),
    ],
)
def test_and_with_a_given_name_opens_another_person(
    body: str, name: str, gazetteer: Gazetteer
) -> None:
    found, title = person(body, gazetteer)
    assert found in shown(name)
    assert title == "رئيس الحزب"


@pytest.mark.parametrize(
    ("body", "name"),
    [
        # given names that begin with "و" or "ف" are names, not "and" + a word
        ("وقال رئيس النقابة وليد الزين إن الإضراب مستمر.", "وليد الزين"),
        ("وقال المدير العام وسيم الشريف إن الإضراب مستمر.", "وسيم الشريف"),
        ("وقال رئيس النقابة فتحي الزين إن الإضراب مستمر.", "فتحي الزين"),
        # "علي" with its ya is the name Ali; "على" (on) folds to the same word
        ("وقال وزير التجارة علي الزين إن الأسعار مستقرة.", "علي الزين"),
        ("وقال وزير التجارة سالم الزين على هامش المعرض إن الأسعار مستقرة.", "سالم الزين"),
    ],
)
def test_names_that_look_like_a_conjunction_or_a_preposition(
    body: str, name: str, gazetteer: Gazetteer
) -> None:
    found, _ = person(body, gazetteer)
    assert found in shown(name)


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            "وقال الأمين العام لحزب النور الجديد، سمير الزين، إن الحزب سيشارك.",
            "سمير الزين",
            "الأمين العام لحزب النور الجديد",
        ),
        # the words after a body without the article name the body, up to the comma
        (
            "وقال الأمين العام لحزب غد مشرق، سمير الزين، إن الحزب سيشارك.",
            "سمير الزين",
            "الأمين العام لحزب غد مشرق",
        ),
        (
            "ووقعت الاتفاق المديرة العامة لشركة الموانئ، سعاد بن عمر، في الرباط.",
            "سعاد بن عمر",
            "المديرة العامة لشركة الموانئ",
        ),
    ],
)
def test_a_comma_after_a_title_may_lead_to_a_given_name_and_a_family_name(
    body: str, name: str, role: str, gazetteer: Gazetteer
) -> None:
    found, title = person(body, gazetteer)
    assert found in shown(name)
    assert title == role


def test_a_comma_after_a_title_does_not_lead_to_a_word_alone(gazetteer: Gazetteer) -> None:
    assert people("وقال وزير الداخلية، في بيان، إن الحدود مؤمنة.", gazetteer) == []
    assert people("واجتمع وزير الداخلية، الزروق، بالوفد.", gazetteer) == []
