"""Arabic-script person names in their usual Latin spelling, or None where the spelling would
be a guess: table names, compounds, particles, the article, the letter-by-letter spelling of
one unlisted word, and transcribed foreign names left alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.analysis.romanise import given_names, load_names, romanise_name
from bot.analysis.text import fold


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("نزار بركة", "Nizar Baraka"),
        ("يوسف حمزة", "Youssef Hamza"),
        ("ليلى بن سالم", "Leila Ben Salem"),
        ("محمد بن عبد الله", "Mohamed Ben Abdallah"),
        ("عبد الحميد الدبيبة", "Abdelhamid Dbeibah"),
        ("عبد القادر مسعود", "Abdelkader Messaoud"),
        ("عبد الرحمن سليمان", "Abderrahmane Slimane"),
        ("نور الدين الطبوبي", "Noureddine Taboubi"),
        ("مصطفى عبد الجليل", "Mustapha Abdeljalil"),
        ("هشام المشيشي", "Hichem Mechichi"),
        ("خديجة بوعزيزي", "Khadija Bouazizi"),
        ("سيف الإسلام القذافي", "Seif al-Islam Gaddafi"),
        ("أحمد أبو الغيط", "Ahmed Aboul Gheit"),
        ("تميم بن حمد آل ثاني", "Tamim Ben Hamad Al Thani"),
        ("محمد ولد الغزواني", "Mohamed Ould Ghazouani"),
    ],
)
def test_listed_names_take_their_press_spelling(arabic: str, latin: str) -> None:
    assert romanise_name(arabic) == latin


def test_a_word_reads_as_a_given_name_first_and_as_a_family_name_after() -> None:
    assert romanise_name("سعيد حداد") == "Said Haddad"
    assert romanise_name("قيس سعيد") == "Kais Saied"


def test_the_article_before_a_listed_stem_is_written_al() -> None:
    assert romanise_name("منصور الشريف") == "Mansour al-Cherif"
    assert romanise_name("محمد المنفي") == "Mohamed al-Menfi"
    # A family name listed with its article reads the same with or without it.
    assert romanise_name("راشد الغنوشي") == romanise_name("راشد غنوشي") == "Rached Ghannouchi"


def test_abd_before_an_unlisted_compound_is_one_word() -> None:
    assert romanise_name("عبد الكبير العلوي") == "Abdelkebir Alaoui"
    assert romanise_name("عبدالعزيز بوتفليقة") == "Abdelaziz Bouteflika"
    assert romanise_name("عبدالله حداد") == romanise_name("عبد الله حداد") == "Abdallah Haddad"


def test_a_fused_prefix_before_a_listed_stem() -> None:
    assert romanise_name("نبيل بوعزيز") == "Nabil Bouaziz"
    assert romanise_name("خالد بلقاسم") == "Khaled Belkacem"


def test_a_fused_prefix_before_an_unlisted_stem() -> None:
    assert romanise_name("أحمد بنعبود") == "Ahmed Benaboud"
    assert romanise_name("سليم بوزكري") == "Salim Bouzakri"
    assert romanise_name("عمار بلحيمر") is None  # "Belhimr": two consonants at the end


@pytest.mark.parametrize(
    ("standard", "variant"),
    [
        ("أسامة حماد", "اسامه حماد"),
        ("مصطفى مدبولي", "مصطفي مدبولى"),
        ("إبراهيم عيسى", "ابراهيم عيسي"),
        ("فاطمة الزهراء بن علي", "فاطمه الزهراء بن على"),
        ("نزار بركة", "نِزار بَرَكة"),  # diacritics
        ("محمد إسلام", "مُحَمَّد إِسْلام"),
    ],
)
def test_hamza_and_ta_marbuta_spellings_read_the_same(standard: str, variant: str) -> None:
    assert romanise_name(standard) is not None
    assert romanise_name(standard) == romanise_name(variant)


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("أحمد الزروق", "Ahmed al-Zarouk"),  # the article of an unlisted family name
        ("سالم جحا", "Salem Jaha"),
        ("كريم العياري", "Karim al-Ayari"),
        ("يوسف الفلاني", "Youssef al-Falani"),
        ("سعاد العبادي", "Souad al-Abadi"),
        ("محمد الضاوي", "Mohamed al-Dawi"),
        ("خالد جبر", "Khaled Jabr"),  # three letters may end on two consonants
        ("أحمد معيتيق", "Ahmed Maytik"),
    ],
)
def test_one_unlisted_word_is_spelled_letter_by_letter(arabic: str, latin: str) -> None:
    assert romanise_name(arabic) == latin


@pytest.mark.parametrize(
    "arabic",
    [
        "ماتيو بيانتيدوسي",  # Matteo Piantedosi
        "جورجيا ميلوني",  # Giorgia Meloni
        "بيدرو سانشيز",  # Pedro Sánchez
        "أنطونيو غوتيريش",  # António Guterres
        "إيمانويل ماكرون",  # Emmanuel Macron
        "كيرياكوس ميتسوتاكيس",  # Kyriakos Mitsotakis
        "ستيفان دوجاريك",  # Stéphane Dujarric
        "سامي ماكرون",  # a listed given name does not vouch for a foreign family name
        "محمد بيانكو",  # a final و
        "أحمد تشيكو",  # "تش"
        "أورسولا فون دير لاين",  # European particles
        "علي پاشا",  # a letter for a foreign sound
    ],
)
def test_transcribed_foreign_names_give_none(arabic: str) -> None:
    assert romanise_name(arabic) is None


@pytest.mark.parametrize(
    "arabic",
    [
        "زهران قرطبي",  # two words in no table
        "الفلاني الزروق",
        "محمد حفترن",  # three consonants in a row
        "محمد 6",
        "Mohamed Ali",
        "",
        "بن",
        "محمد بن",  # a name does not end on a particle
        "محمد أحمد علي حسن عمر خالد يوسف",  # more than six words
    ],
)
def test_names_that_would_read_badly_give_none(arabic: str) -> None:
    assert romanise_name(arabic) is None


def test_every_word_is_capitalised_and_the_article_is_written_al() -> None:
    names = [
        "محمد بن عبد الله",
        "عبد الرحمن الزروق",
        "محمد ولد الغزواني",
        "أحمد أبو الغيط",
        "منصور الشريف",
    ]
    for arabic in names:
        latin = romanise_name(arabic)
        assert latin is not None
        for word in latin.split():
            assert word[0].isupper() or (word.startswith("al-") and word[3].isupper()), latin


def test_the_tables_are_folded_unique_and_spelled_in_latin() -> None:
    table = load_names()
    assert len(table.given) >= 300
    assert len(table.family) >= 150
    assert len(table.compound) >= 80
    spelling = re.compile(r"[A-Z][A-Za-z]*(?:[ -][A-Za-z]+)*")
    for names in (table.given, table.family, table.compound):
        for key, latin in names.items():
            assert fold(key) == key
            assert spelling.fullmatch(latin), (key, latin)


def test_keys_that_fold_alike_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "names.toml"
    path.write_text('[given]\n"أسامة" = "Oussama"\n"اسامه" = "Osama"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="folds like another key"):
        load_names(path)


def test_given_names_include_the_first_word_of_compounds() -> None:
    names = given_names()
    assert fold("أحمد") in names
    assert fold("عبد") in names
    assert fold("نور") in names
    assert fold("الدبيبة") not in names
