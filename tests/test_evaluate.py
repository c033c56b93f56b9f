"""The labelled dev set loads and is well formed, and the scorer's arithmetic is right."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.analysis.text import sentences
from bot.domain import Actor, ActorKind, Analysis, Article
from bot.evaluate import (
    BASELINE_CAP,
    TOPIC_SLUGS,
    Counts,
    LabelledArticle,
    Miss,
    cue_word_implications,
    format_report,
    implication_similarity,
    load_devset,
    match_implications,
    score,
)

DEVSET = Path(__file__).parent / "devset"
HOLDOUT = Path(__file__).parent / "devset-holdout"
CORE_TOPICS = {"sahel", "north-africa-security", "mediterranean-migration"}


@pytest.fixture(scope="module")
def devset() -> list[LabelledArticle]:
    return load_devset(DEVSET)


def _record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "title": "A title",
        "url": "https://wire.example.org/world/item",
        "published": "2025-03-01T10:00:00Z",
        "outlet": "Wire",
        "text": "First sentence here. Second sentence here.",
        "gold": {"topics": [], "actors": []},
    }
    record.update(changes)
    return record


def _write(folder: Path, name: str, record: dict[str, Any]) -> None:
    (folder / name).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def _analysis(
    language: str,
    topics: tuple[str, ...],
    actors: tuple[str, ...],
    implications: tuple[str, ...] = (),
) -> Analysis:
    return Analysis(
        language=language,
        topics=topics,
        actors=tuple(Actor(name, ActorKind.PERSON) for name in actors),
        event="",
        implications=implications,
    )


# --- the real dev set ---------------------------------------------------------------------


def test_real_devset_is_large_enough_and_trilingual(devset: list[LabelledArticle]) -> None:
    assert len(devset) >= 48
    languages = [item.language for item in devset]
    assert set(languages) == {"en", "fr", "ar"}
    for language in ("en", "fr", "ar"):
        assert languages.count(language) / len(devset) >= 0.15, language


def test_real_devset_labels_use_known_topics_and_cover_each(
    devset: list[LabelledArticle],
) -> None:
    for item in devset:
        assert item.gold_topics <= set(TOPIC_SLUGS), item.file_name
    for slug in TOPIC_SLUGS:
        assert sum(slug in item.gold_topics for item in devset) >= 3, slug
    core = sum(bool(item.gold_topics & CORE_TOPICS) for item in devset)
    assert 0.4 <= core / len(devset) <= 0.6
    assert sum(not item.gold_topics for item in devset) >= 8


def test_real_devset_articles_follow_the_format(devset: list[LabelledArticle]) -> None:
    for item in devset:
        article = item.article
        assert re.fullmatch(r"(en|fr|ar)-\d{3}-[a-z0-9-]+\.json", item.file_name)
        assert re.match(r"https://[a-z0-9-]+\.example\.org/", article.url or "")
        assert article.published_at is not None
        assert article.published_at.utcoffset() is not None
        assert 2023 <= article.published_at.year <= 2025
        assert 4 <= len(sentences(article.text)) <= 40, item.file_name
        assert all(part.strip() for part in article.text.split("\n\n")), item.file_name
        assert item.gold_actors, item.file_name
        assert not any(name.lower().startswith("the ") for name in item.gold_actors)


@pytest.mark.parametrize("folder", [DEVSET, HOLDOUT], ids=["devset", "holdout"])
def test_gold_implications_are_exact_substrings_of_the_text(folder: Path) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder.name} is not there yet")
    labelled = [item for item in load_devset(folder) if item.gold_implications is not None]
    for item in labelled:
        for implication in item.gold_implications or ():
            assert implication in item.article.text, (item.file_name, implication)
        assert len(set(item.gold_implications or ())) == len(item.gold_implications or ())


def test_real_devset_identities_are_unique_file_stems(devset: list[LabelledArticle]) -> None:
    identities = [item.article.identity for item in devset]
    assert len(set(identities)) == len(identities)
    assert all(item.file_name == f"{item.article.identity}.json" for item in devset)


# --- scoring arithmetic on a hand-made set ------------------------------------------------


@pytest.fixture
def tiny_devset(tmp_path: Path) -> list[LabelledArticle]:
    _write(
        tmp_path,
        "en-001-alpha.json",
        _record(
            gold={
                "topics": ["tunisia", "north-africa-security"],
                "actors": ["Khaled Shtili", "European Union", "Frontex"],
            }
        ),
    )
    _write(
        tmp_path,
        "fr-002-beta.json",
        _record(
            gold={
                "topics": ["libya"],
                "actors": ["Khalifa Haftar", "Libyan National Army", "Kaïs Saïed"],
            }
        ),
    )
    _write(
        tmp_path, "en-003-gamma.json", _record(gold={"topics": [], "actors": ["Christine Lagarde"]})
    )
    return load_devset(tmp_path)


PREDICTIONS = {
    # topics: TP tunisia, FP mediterranean-migration, FN north-africa-security
    # actors: TP Shtili (case), TP "The European Union"; FP National Guard; FN Frontex
    "en-001-alpha": _analysis(
        "en",
        ("tunisia", "mediterranean-migration"),
        ("KHALED SHTILI", "The European Union", "Tunisian National Guard"),
    ),
    # topics: TP libya, FP sahel; actors: TP x3 (duplicate and accents fold away), FP Wagner;
    # language wrong
    "fr-002-beta": _analysis(
        "en",
        ("libya", "sahel"),
        ("Khalifa Haftar", "khalifa haftar", "Libyan National Army", "Kais Saied", "Wagner Group"),
    ),
    # a slug outside the labels is ignored; actors: FN Lagarde
    "en-003-gamma": _analysis("en", ("my-watch",), ()),
}


def _fake_analyse(article: Article) -> Analysis:
    return PREDICTIONS[article.identity]


def test_score_micro_averages_topics_and_actors(tiny_devset: list[LabelledArticle]) -> None:
    report = score(tiny_devset, _fake_analyse)

    assert report.article_count == 3
    # topics: TP 2, FP 2, FN 1
    assert (report.topics.true_positives, report.topics.false_positives) == (2, 2)
    assert report.topics.false_negatives == 1
    assert report.topics.precision == pytest.approx(0.5)
    assert report.topics.recall == pytest.approx(2 / 3)
    assert report.topics.f1 == pytest.approx(4 / 7)
    # actors: TP 5, FP 2, FN 2
    assert (report.actors.true_positives, report.actors.false_positives) == (5, 2)
    assert report.actors.false_negatives == 2
    assert report.actors.precision == pytest.approx(5 / 7)
    assert report.actors.recall == pytest.approx(5 / 7)
    assert report.actors.f1 == pytest.approx(5 / 7)


def test_score_per_topic_values(tiny_devset: list[LabelledArticle]) -> None:
    per_topic = score(tiny_devset, _fake_analyse).per_topic

    assert list(per_topic) == list(TOPIC_SLUGS)
    assert (per_topic["tunisia"].precision, per_topic["tunisia"].f1) == (1.0, 1.0)
    assert per_topic["libya"].true_positives == 1
    missed = per_topic["north-africa-security"]
    assert (missed.false_negatives, missed.precision, missed.recall, missed.f1) == (1, 0, 0, 0)
    invented = per_topic["sahel"]
    assert (invented.false_positives, invented.precision, invented.recall) == (1, 0, 0)
    untouched = per_topic["egypt"]
    assert (untouched.precision, untouched.recall, untouched.f1) == (1.0, 1.0, 1.0)


def test_score_lists_errors_by_file(tiny_devset: list[LabelledArticle]) -> None:
    report = score(tiny_devset, _fake_analyse)

    assert report.topic_false_positives == (
        Miss("en-001-alpha.json", "mediterranean-migration"),
        Miss("fr-002-beta.json", "sahel"),
    )
    assert report.topic_false_negatives == (Miss("en-001-alpha.json", "north-africa-security"),)
    assert report.actor_false_positives == (
        Miss("en-001-alpha.json", "Tunisian National Guard"),
        Miss("fr-002-beta.json", "Wagner Group"),
    )
    assert report.actor_false_negatives == (
        Miss("en-003-gamma.json", "Christine Lagarde"),
        Miss("en-001-alpha.json", "Frontex"),
    )
    assert report.worst_articles == (
        ("en-001-alpha.json", 4),
        ("fr-002-beta.json", 2),
        ("en-003-gamma.json", 1),
    )
    assert (report.language_matches, report.language_total) == (2, 3)
    assert report.unlabelled_topics == (("my-watch", 1),)


def test_errors_that_recur_across_files_come_first(tmp_path: Path) -> None:
    for name in ("en-001-a.json", "en-002-b.json", "en-003-c.json"):
        _write(tmp_path, name, _record(gold={"topics": [], "actors": ["Frontex"]}))
    guesses = {
        "en-001-a": ("Frontex", "Africa Corps"),
        "en-002-b": ("Frontex", "Wagner Group"),
        "en-003-c": ("Frontex", "Wagner Group"),
    }
    report = score(
        load_devset(tmp_path), lambda article: _analysis("en", (), guesses[article.identity])
    )
    assert report.actor_false_positives == (
        Miss("en-002-b.json", "Wagner Group"),
        Miss("en-003-c.json", "Wagner Group"),
        Miss("en-001-a.json", "Africa Corps"),
    )


def test_score_hands_analyse_the_article_built_from_the_file(
    tiny_devset: list[LabelledArticle],
) -> None:
    seen: list[Article] = []

    def recording(article: Article) -> Analysis:
        seen.append(article)
        return _analysis("en", (), ())

    score(tiny_devset[:1], recording)
    assert seen == [
        Article(
            identity="en-001-alpha",
            title="A title",
            url="https://wire.example.org/world/item",
            summary="",
            text="First sentence here. Second sentence here.",
            outlet="Wire",
            published_at=datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        )
    ]


def test_score_names_the_file_when_analyse_fails(tiny_devset: list[LabelledArticle]) -> None:
    def broken(article: Article) -> Analysis:
        raise KeyError(article.identity)

    with pytest.raises(RuntimeError, match=r"en-001-alpha\.json"):
        score(tiny_devset, broken)


def test_format_report_shows_scores_and_errors(tiny_devset: list[LabelledArticle]) -> None:
    text = format_report(score(tiny_devset, _fake_analyse))

    assert "3 articles, language right in 2/3" in text
    assert re.search(r"topics \(micro\)\s+0\.500\s+0\.667\s+0\.571\s+2\s+2\s+1", text)
    assert re.search(r"actors \(micro\)\s+0\.714\s+0\.714\s+0\.714\s+5\s+2\s+2", text)
    assert re.search(r"north-africa-security\s+0\.000\s+0\.000\s+0\.000\s+0\s+0\s+1", text)
    assert re.search(r"Frontex\s+×1\s+en-001-alpha", text)
    assert "my-watch ×1" in text
    assert re.search(r"4\s+en-001-alpha\.json", text)


def test_report_of_a_perfect_analysis_is_all_ones(devset: list[LabelledArticle]) -> None:
    gold = {item.article.identity: item for item in devset}

    def oracle(article: Article) -> Analysis:
        item = gold[article.identity]
        return _analysis(
            item.language or "",
            tuple(item.gold_topics),
            item.gold_actors,
            item.gold_implications or (),
        )

    report = score(devset, oracle)
    assert (report.topics.f1, report.actors.f1, report.implications.f1) == (1.0, 1.0, 1.0)
    assert report.implications_scored == sum(item.gold_implications is not None for item in devset)
    assert report.language_matches == report.language_total == len(devset)
    assert not report.worst_articles


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(["a", "list"]), "must be a JSON object"),
        (json.dumps({k: v for k, v in _record().items() if k != "outlet"}), "missing outlet"),
        (json.dumps(_record(summary="extra")), "unknown keys summary"),
        (json.dumps(_record(title="  ")), "title must be a non-empty string"),
        (json.dumps(_record(url="ftp://x.example.org/a")), "url must start with"),
        (
            json.dumps(_record(gold={"topics": [], "actors": [], "implications": "It may."})),
            "gold.implications must be a list of non-empty strings",
        ),
        (
            json.dumps(_record(gold={"topics": [], "actors": [], "implications": [" "]})),
            "gold.implications must be a list of non-empty strings",
        ),
        (
            json.dumps(_record(gold={"topics": [], "actors": [], "implication": []})),
            "gold has unknown keys implication",
        ),
        (json.dumps(_record(gold={"topics": []})), "gold is missing actors"),
        (json.dumps(_record(gold={"topics": ["tunisie"], "actors": []})), "unknown slug 'tunisie'"),
        (json.dumps(_record(gold={"topics": ["libya", "libya"], "actors": []})), "repeats a slug"),
        (json.dumps(_record(gold={"topics": [], "actors": "Frontex"})), "must be a list"),
        (json.dumps(_record(gold={"topics": [], "actors": [""]})), "blank or padded name"),
        (
            json.dumps(_record(gold={"topics": [], "actors": ["Kaïs Saïed", "Kais Saied"]})),
            "names 'Kais Saied' twice",
        ),
    ],
)
def test_load_devset_rejects_a_bad_file_naming_it(
    tmp_path: Path, content: str, problem: str
) -> None:
    _write(tmp_path, "en-001-good.json", _record())
    (tmp_path / "fr-002-broken.json").write_text(content, encoding="utf-8")

    with pytest.raises(ValueError, match=r"fr-002-broken\.json") as caught:
        load_devset(tmp_path)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2025-03-01T10:00:00Z", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2025-03-01T10:00:00", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2023-09", datetime(2023, 9, 1, tzinfo=UTC)),
        ("2023", datetime(2023, 1, 1, tzinfo=UTC)),
        ("yesterday", None),
        (None, None),
        (20230914, None),
    ],
)
def test_load_devset_reads_partial_dates_and_keeps_an_unreadable_one_as_unknown(
    tmp_path: Path, published: object, expected: datetime | None
) -> None:
    _write(tmp_path, "en-001-dated.json", _record(published=published))
    [item] = load_devset(tmp_path)
    assert item.article.published_at == expected


def test_load_devset_rejects_an_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no \.json files"):
        load_devset(tmp_path)
    with pytest.raises(ValueError, match="not a directory"):
        load_devset(tmp_path / "absent")


def test_language_comes_only_from_a_known_prefix(tmp_path: Path) -> None:
    _write(tmp_path, "us-election.json", _record())
    _write(tmp_path, "ar-001-x.json", _record())
    languages = {item.file_name: item.language for item in load_devset(tmp_path)}
    assert languages == {"ar-001-x.json": "ar", "us-election.json": None}


def test_gold_implications_are_optional(tmp_path: Path) -> None:
    _write(tmp_path, "en-001-none.json", _record())
    _write(
        tmp_path,
        "en-002-null.json",
        _record(gold={"topics": [], "actors": [], "implications": None}),
    )
    _write(
        tmp_path,
        "en-003-empty.json",
        _record(gold={"topics": [], "actors": [], "implications": []}),
    )
    sentence = "Second sentence here."
    _write(
        tmp_path,
        "en-004-one.json",
        _record(gold={"topics": [], "actors": [], "implications": [sentence]}),
    )
    labels = {item.file_name: item.gold_implications for item in load_devset(tmp_path)}
    assert labels == {
        "en-001-none.json": None,
        "en-002-null.json": None,
        "en-003-empty.json": (),
        "en-004-one.json": ("Second sentence here.",),
    }


# --- matching one implication -------------------------------------------------------------

GOLD = (
    "Analysts said the deal could deepen tensions between Rabat and Algiers, which cut "
    "diplomatic ties in 2021."
)


@pytest.mark.parametrize(
    "predicted",
    [
        pytest.param(GOLD, id="exact"),
        pytest.param(f"  {GOLD.upper()}  ", id="case and padding"),
        pytest.param("the deal could deepen tensions between Rabat and Algiers", id="clause"),
        pytest.param(
            "The deal could deepen tensions between Rabat and Algiers, which cut diplomatic "
            "ties in 2021.",
            id="lead-in stripped, first letter capitalised",
        ),
        pytest.param(
            "The deal could deepen tensions between Rabat and Algiers, which cut…",
            id="clipped",
        ),
        pytest.param(
            "Analysts said the deal could deepen tensions between Rabat and Algiers.",
            id="overlap without containment",
        ),
    ],
)
def test_a_prediction_close_to_the_gold_matches(predicted: str) -> None:
    assert implication_similarity(predicted, GOLD) >= 0.6
    assert match_implications([predicted], [GOLD]) == [(0, 0)]


@pytest.mark.parametrize(
    "predicted",
    [
        pytest.param(
            "Morocco and Algeria cut diplomatic ties in 2021 after a row over Western Sahara.",
            id="unrelated sentence with shared words",
        ),
        pytest.param("The deal was signed in Rabat on Tuesday.", id="unrelated"),
        pytest.param("ysts said", id="part of a word is no containment"),
        pytest.param("", id="blank"),
    ],
)
def test_an_unrelated_prediction_does_not_match(predicted: str) -> None:
    assert implication_similarity(predicted, GOLD) < 0.6
    assert match_implications([predicted], [GOLD]) == []


def test_matching_folds_accents_and_arabic_letter_variants() -> None:
    french = "Cette décision pourrait fragiliser l'accord."
    assert implication_similarity("cette decision pourrait fragiliser l’accord", french) == 1.0
    arabic = "قد يؤدي القرار إلى أزمة جديدة."
    assert implication_similarity("قد يؤدي القرار الى ازمة جديدة", arabic) == 1.0


def test_two_predictions_for_one_gold_match_once_the_closest_first() -> None:
    clause = "the deal could deepen tensions between Rabat and Algiers"
    sentence = "Analysts said the deal could deepen tensions between Rabat and Algiers."
    loose = "Analysts fear the deal could deepen tensions with Algiers."
    assert 0.6 <= implication_similarity(loose, GOLD) < 1.0
    # Both contained: one match, the first prediction; the other is left over.
    assert match_implications([sentence, clause], [GOLD]) == [(0, 0)]
    # The contained clause (1.0) wins over the looser overlap although it comes second.
    assert match_implications([loose, clause], [GOLD]) == [(1, 0)]


def test_a_second_prediction_of_the_same_gold_is_a_false_positive(tmp_path: Path) -> None:
    labels = {"topics": [], "actors": [], "implications": [GOLD]}
    _write(tmp_path, "en-001-twice.json", _record(text=GOLD, gold=labels))
    guesses = (GOLD, "The deal could deepen tensions between Rabat and Algiers.")
    report = score(load_devset(tmp_path), lambda _: _analysis("en", (), (), guesses))
    assert report.implications == Counts(1, 1, 0)
    assert report.implication_false_positives == (Miss("en-001-twice.json", guesses[1]),)


def test_matching_is_one_to_one_and_greedy_by_overlap() -> None:
    first = "Fuel shortages could spread to Bamako within weeks."
    second = "The blockade may push the junta to negotiate."
    predicted = ["The blockade may push the junta to negotiate", "Nothing to do with it."]
    assert match_implications(predicted, [first, second]) == [(0, 1)]
    assert match_implications([], [first]) == []
    assert match_implications([first], []) == []


# --- the cue-word baseline ------------------------------------------------------------------


def test_baseline_keeps_the_first_sentences_with_a_cue_word() -> None:
    text = (
        "The mayor met officials. The deal may slow crossings! Is it a threat? "
        "Prices rose\nThe risks are high. It could last. Analysts think it likely."
    )
    assert cue_word_implications(text, "en") == (
        "The deal may slow crossings",
        "Is it a threat",
        "The risks are high",
    )
    assert BASELINE_CAP == 3


def test_baseline_cues_are_whole_words_of_the_article_language() -> None:
    text = "The mayor spoke. Risky bets paid off. Le projet pourrait échouer. Cela menace l'accord."
    assert cue_word_implications(text, "en") == ()
    assert cue_word_implications(text, "fr") == (
        "Le projet pourrait échouer",
        "Cela menace l'accord",
    )
    # An unknown language uses every list.
    assert cue_word_implications(text, None) == (
        "Le projet pourrait échouer",
        "Cela menace l'accord",
    )


def test_baseline_reads_arabic_cues_with_joined_conjunction_and_pronoun() -> None:
    text = (
        "وصل الوزير إلى تونس. قد تتأخر المحادثات؟ ومن شأنه أن يعزز التعاون. "
        "قدم الوزير استقالته\nالجفاف يهددها. ويهدد القرار الاتفاق."
    )
    assert cue_word_implications(text, "ar") == (
        "قد تتأخر المحادثات",
        "ومن شأنه أن يعزز التعاون",
        "الجفاف يهددها",
    )


# --- implication scores -------------------------------------------------------------------

IMPLICATION_TEXT = (
    "Ministers met in Tunis on Monday. The agreement could reduce departures from Sfax. "
    "Officials said talks would resume. Critics warned the deal may expose migrants to abuse."
)


@pytest.fixture
def implication_devset(tmp_path: Path) -> list[LabelledArticle]:
    gold = [
        "The agreement could reduce departures from Sfax.",
        "Critics warned the deal may expose migrants to abuse.",
    ]
    _write(
        tmp_path,
        "en-001-a.json",
        _record(text=IMPLICATION_TEXT, gold={"topics": [], "actors": [], "implications": gold}),
    )
    _write(
        tmp_path,
        "fr-002-b.json",
        _record(
            text="Le texte pourrait tomber. Rien de plus.",
            gold={"topics": [], "actors": [], "implications": []},
        ),
    )
    _write(
        tmp_path,
        "ar-003-c.json",
        _record(
            text="قد يتأخر الاتفاق. لا شيء آخر.",
            gold={"topics": [], "actors": [], "implications": ["قد يتأخر الاتفاق."]},
        ),
    )
    _write(tmp_path, "en-004-unlabelled.json", _record(text=IMPLICATION_TEXT))
    return load_devset(tmp_path)


IMPLICATION_PREDICTIONS = {
    # TP the agreement (clause), FP officials; FN critics
    "en-001-a": ("the agreement could reduce departures", "Officials said talks would resume."),
    # FP: the article is labelled with no implication
    "fr-002-b": ("Le texte pourrait tomber.",),
    # TP
    "ar-003-c": ("قد يتأخر الاتفاق",),
    # not labelled: never counted
    "en-004-unlabelled": ("Ministers met in Tunis on Monday.",),
}


def _implication_analyse(article: Article) -> Analysis:
    language = article.identity[:2]
    return _analysis(language, (), (), IMPLICATION_PREDICTIONS[article.identity])


def test_score_counts_implications_of_labelled_articles_only(
    implication_devset: list[LabelledArticle],
) -> None:
    report = score(implication_devset, _implication_analyse)

    assert report.implications_scored == 3
    assert report.implications == Counts(2, 2, 1)
    assert report.implications.precision == pytest.approx(0.5)
    assert report.implications.recall == pytest.approx(2 / 3)
    assert report.implication_false_positives == (
        Miss("en-001-a.json", "Officials said talks would resume."),
        Miss("fr-002-b.json", "Le texte pourrait tomber."),
    )
    assert report.implication_false_negatives == (
        Miss("en-001-a.json", "Critics warned the deal may expose migrants to abuse."),
    )
    # Implication errors stay out of the topic and actor error ranking.
    assert report.worst_articles == ()


def test_score_counts_the_cue_word_baseline_on_the_same_articles(
    implication_devset: list[LabelledArticle],
) -> None:
    report = score(implication_devset, _implication_analyse)
    # en-001: both cue sentences are gold (TP 2); fr-002: one cue sentence, no gold (FP 1);
    # ar-003: TP 1; en-004 is not labelled.
    assert report.implication_baseline == Counts(3, 1, 0)


def test_score_splits_every_count_by_language(
    implication_devset: list[LabelledArticle],
) -> None:
    per_language = score(implication_devset, _implication_analyse).per_language

    assert list(per_language) == ["en", "fr", "ar"]
    english, french, arabic = per_language["en"], per_language["fr"], per_language["ar"]
    assert (english.articles, english.implications_scored) == (2, 1)
    assert english.implications == Counts(1, 1, 1)
    assert english.implication_baseline == Counts(2, 0, 0)
    assert (french.implications, french.implication_baseline) == (Counts(0, 1, 0), Counts(0, 1, 0))
    assert (arabic.implications, arabic.implication_baseline) == (Counts(1, 0, 0), Counts(1, 0, 0))
    assert english.topics == Counts() and english.actors == Counts()


def test_per_language_topics_and_actors_add_up(tiny_devset: list[LabelledArticle]) -> None:
    report = score(tiny_devset, _fake_analyse)
    assert list(report.per_language) == ["en", "fr"]
    assert report.per_language["en"].actors + report.per_language["fr"].actors == report.actors
    assert report.per_language["fr"].topics == Counts(1, 1, 0)
    assert report.implications_scored == 0


def test_format_report_shows_implications_beside_topics_and_actors(
    implication_devset: list[LabelledArticle],
) -> None:
    text = format_report(score(implication_devset, _implication_analyse))
    lines = text.splitlines()

    assert lines[2].startswith("topics (micro)") and lines[3].startswith("actors (micro)")
    assert re.fullmatch(r"implications \(micro\)\s+0\.500\s+0\.667\s+0\.571\s+2\s+2\s+1", lines[4])
    assert re.fullmatch(r"implications, cue words\s+0\.750\s+1\.000\s+0\.857\s+3\s+1\s+0", lines[5])
    assert "Implications scored on 3 of 4 articles" in text
    assert "en: 2 articles, implications scored on 1" in text
    block = text[text.index("ar: 1 articles") :]
    assert re.search(r"\n  implications\s+1\.000\s+1\.000\s+1\.000\s+1\s+0\s+0", block)
    assert "Implication false positives (2):" in text
    assert re.search(r"\n  fr-002-b\s+Le texte pourrait tomber\.\n", text)
    assert "Implication false negatives (1):" in text
    assert re.search(r"\n  en-001-a\s+Critics warned the deal may expose migrants to abuse\.", text)


def test_format_report_shortens_long_implications(tmp_path: Path) -> None:
    sentence = "The decision could reshape the balance of power in the region for years. " * 3
    _write(
        tmp_path, "en-001-long.json", _record(gold={"topics": [], "actors": [], "implications": []})
    )
    report = score(load_devset(tmp_path), lambda _: _analysis("en", (), (), (sentence,)))
    [line] = [line for line in format_report(report).splitlines() if "en-001-long  " in line]
    shown = line.split("en-001-long", 1)[1].strip()
    assert shown.endswith("…") and len(shown) <= 70
    assert sentence.startswith(shown[:-1])


def test_format_report_says_when_no_implication_is_labelled(
    tiny_devset: list[LabelledArticle],
) -> None:
    text = format_report(score(tiny_devset, _fake_analyse))
    assert re.search(
        r"\nimplications \(micro\)\s+not scored: no article has gold\.implications", text
    )
    assert "Implications scored on 0 of 3 articles" in text
    assert "cue words  " not in text
