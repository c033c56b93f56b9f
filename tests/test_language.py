from __future__ import annotations

import pytest

from bot.analysis.language import SAMPLE_CHARS, detect_language

ENGLISH = (
    "Tunisia's president dismissed the prime minister on Friday, the presidency said in a "
    "statement, weeks after protests over water shortages spread across the south of the country."
)
FRENCH = (
    "Le ministre tunisien de la Défense s'est entretenu vendredi avec un haut responsable "
    "américain, selon un communiqué du ministère, qui évoque le renforcement de la coopération."
)
ARABIC = (
    "أعلنت وزارة الدفاع التونسية يوم الجمعة أن الوزير بحث مع مسؤول أمريكي سبل دعم الجيش "
    "التونسي في مراقبة الحدود مع ليبيا."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ENGLISH, "en"),
        (FRENCH, "fr"),
        (ARABIC, "ar"),
        (
            "El Gobierno de Marruecos anunció el martes que reforzará la vigilancia en su "
            "frontera con Argelia tras varios incidentes, según la agencia oficial.",
            "es",
        ),
        (
            "Die Bundesregierung will die Zusammenarbeit mit Tunesien bei der Grenzsicherung "
            "ausbauen, teilte das Innenministerium am Dienstag in Berlin mit.",
            "de",
        ),
        (
            "La guardia costiera ha soccorso nella notte oltre trecento migranti partiti dalle "
            "coste tunisine, ha riferito il ministero dell'Interno in una nota.",
            "it",
        ),
    ],
)
def test_detects_the_language_of_a_lead(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Tunisia's president sacks the prime minister", "en"),
        ("Algeria recalls its ambassador to Paris over Western Sahara stance", "en"),
        ("Tunisie : les États-Unis réaffirment leur soutien à l'armée", "fr"),
        ("Niger : la junte expulse l'ambassadeur de France", "fr"),
        ("Libye: affrontements meurtriers à Tripoli", "fr"),
        ("الجيش التونسي يحبط عملية تهريب على الحدود", "ar"),
    ],
)
def test_detects_short_titles(title: str, expected: str) -> None:
    assert detect_language(title) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "Tunis", "Wagner", "12/12/2025 14:05", "Sahel: Junta expels French envoy"],
)
def test_is_undetermined_without_signal(text: str) -> None:
    assert detect_language(text) == "und"


def test_french_article_quoting_an_english_title_stays_french() -> None:
    text = (
        "Le secrétaire adjoint américain Daniel Zimmerman, « Assistant Secretary of War for "
        "Security and International Affairs », a réaffirmé vendredi le soutien de Washington à "
        "l'armée tunisienne. Les deux responsables ont évoqué la prochaine réunion de la "
        "commission militaire mixte, prévue en mai aux États-Unis."
    )
    assert detect_language(text) == "fr"


def test_english_article_quoting_french_stays_english() -> None:
    text = (
        "The main union called a general strike for Thursday. « Nous ne céderons pas », its "
        "leader told reporters outside the union's headquarters in Tunis, as police looked on "
        "and the government said it was open to talks."
    )
    assert detect_language(text) == "en"


def test_arabic_with_latin_acronyms_stays_arabic() -> None:
    text = "قال وزير الخارجية إن اجتماع مجلس الأمن (UN Security Council) سيعقد في نيويورك."
    assert detect_language(text) == "ar"


def test_persian_is_not_mistaken_for_arabic() -> None:
    text = "وزیر دفاع تونس روز جمعه با یک مقام آمریکایی درباره همکاری نظامی گفتگو کرد."
    assert detect_language(text) == "fa"


def test_language_outside_the_profiles_is_undetermined_rather_than_guessed() -> None:
    dutch = (
        "De Tunesische president heeft vrijdag de premier ontslagen, zo meldde het "
        "presidentschap in een verklaring, weken na protesten tegen het watertekort."
    )
    assert detect_language(dutch) == "und"


def test_only_the_beginning_of_a_long_text_is_read() -> None:
    english_start = (ENGLISH + " ") * (SAMPLE_CHARS // len(ENGLISH) + 1)
    assert detect_language(english_start + (FRENCH + " ") * 50) == "en"
    assert detect_language((FRENCH + " ") * 50 + english_start) == "fr"
