"""Arabic in the topic packs: names folded like the text, and attached prefixes read off."""

from __future__ import annotations

import pytest

from bot.analysis.matchdoc import MatchDoc
from bot.analysis.query import compile_query
from bot.analysis.topics import load_topics, match_topics, parse_term

TOPICS = load_topics()


def topics_of(title: str, body: str) -> tuple[str, ...]:
    return match_topics(title, body, TOPICS)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("الصحراء الغربية", "الصحراء الغربيه"),  # ta marbuta
        ("إفريقيا", "افريقيا"),  # alef with hamza below
        ("أسلحة", "اسلحه"),  # alef with hamza above
        ("آسفي", "اسفي"),  # alef madda
        ("مؤسسة", "موسسه"),  # waw with hamza
        ("الموانئ", "المواني"),  # ya with hamza
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("سعيّد", "سعيد"),  # shadda
        ("الجـزائر", "الجزائر"),  # tatweel
    ],
)
def test_names_are_folded_like_the_text(written: str, folded: str) -> None:
    assert parse_term(written) == parse_term(folded)


def test_a_name_written_with_hamza_finds_the_text_written_without_and_back() -> None:
    body = "وقالت وزارة الدفاع إن الجنود ضبطوا أسلحة في ولاية تمنراست."
    doc = MatchDoc.build("الجيش الجزائري يعلن حجز اسلحه", body, clitics=True)
    assert doc.spots(parse_term("أسلحة")) and doc.spots(parse_term("اسلحه"))
    assert doc.spots(parse_term("الجزائرية*")) == doc.spots(parse_term("الجزائريه*"))


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("تونس", "فتونس"),  # ف
        ("تونس", "وتونس"),  # و
        ("تونس", "بتونس"),  # ب
        ("تونس", "لتونس"),  # ل
        ("المغرب", "كالمغرب"),  # ك + the article
        ("الجزائر", "وبالجزائر"),  # و + ب + the article
        ("الجزائر", "فالجزائر"),  # ف + the article
        ("الجيش", "للجيش"),  # ل + the article, its alef not written
        ("الجيش", "وللجيش"),  # و + ل + the article
        ("جيش", "والجيش"),  # a bare name finds the word with the article
        ("ليبيا", "ولليبيا"),  # و + ل before a word starting with ل
        ("حفتر", "فلحفتر"),  # ف + ل
    ],
)
def test_topic_packs_read_arabic_words_without_attached_prefixes(name: str, word: str) -> None:
    doc = MatchDoc.build(f"قال المتحدث {word} اليوم", "", clitics=True)
    assert doc.spots(parse_term(name))


def test_prefix_reading_does_not_invent_words() -> None:
    doc = MatchDoc.build("ليبيريا وجيش", "", clitics=True)
    assert not doc.spots(parse_term("ليبيا"))
    assert not doc.spots(parse_term("الجيش"))  # a name with the article needs the article


def test_users_watches_keep_the_short_prefix_list() -> None:
    assert not compile_query("تونس").mentions(MatchDoc.build("فتونس", ""))
    assert compile_query("تونس").mentions(MatchDoc.build("فتونس", "", clitics=True))


def test_arabic_story_with_prefixed_names_gets_its_topics() -> None:
    title = "فالجزائر تعزز انتشار جيشها على الحدود الجنوبية"
    body = (
        "أعلنت وزارة الدفاع الوطني يوم الأحد نشر وحدات إضافية من الجيش الوطني الشعبي في أقصى "
        "الجنوب، بعد تصاعد نشاط شبكات تهريب السلاح.\n\n"
        "وقال بيان للوزارة إن الوحدات ستتمركز قرب برج باجي مختار وتمنراست.\n\n"
        "وكانت السلطات الجزائرية قد أعلنت الشهر الماضي حجز كميات من الأسلحة والذخيرة."
    )
    assert topics_of(title, body) == ("algeria", "north-africa-security")


def test_arabic_sahel_story_without_the_word_sahel() -> None:
    title = "مقتل عشرات الجنود في هجوم على قاعدة عسكرية ببوركينا فاسو"
    body = (
        "قتل عشرات الجنود في هجوم شنه مسلحون على قاعدة عسكرية في شمال بوركينا فاسو، وفق ما "
        "أفادت مصادر أمنية يوم الاثنين.\n\n"
        "وتبنت جماعة نصرة الإسلام والمسلمين الهجوم في بيان، وقالت إن مقاتليها استولوا على "
        "أسلحة وآليات.\n\n"
        "ولم يصدر المجلس العسكري في واغادوغو أي تعليق."
    )
    assert topics_of(title, body) == ("sahel",)


def test_arabic_financial_mali_is_not_the_country() -> None:
    title = "الحكومة تعلن دعما ماليا جديدا للمزارعين"
    body = (
        "أعلنت الحكومة يوم الخميس عن دعم مالي جديد للمزارعين المتضررين من الجفاف، يشمل قروضا "
        "ميسرة وإعفاءات ضريبية.\n\n"
        "وقال وزير المالية إن الدعم المالي سيصرف قبل نهاية الشهر، وإن العجز المالي سيبقى تحت "
        "السيطرة."
    )
    assert topics_of(title, body) == ()


def test_arabic_mali_counts_beside_a_sahel_word() -> None:
    title = "مقتل عشرات المدنيين في هجوم على قرية"
    body = (
        "قتل عشرات المدنيين في هجوم شنه مسلحون على قرية في وسط مالي، وفق ما أفادت مصادر محلية "
        "يوم الأحد.\n\n"
        "وقال مسؤول محلي إن المهاجمين وصلوا على دراجات نارية وأضرموا النار في المنازل. ولم تتبن "
        "أي جهة الهجوم، لكن المنطقة تشهد نشاطا لجماعة نصرة الإسلام والمسلمين.\n\n"
        "ويحكم مالي مجلس عسكري منذ انقلاب عام 2020."
    )
    assert topics_of(title, body) == ("sahel",)
