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
from bot.evaluate import TOPIC_SLUGS, LabelledArticle, Miss, format_report, load_devset, score

DEVSET = Path(__file__).parent / "devset"
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


def _analysis(language: str, topics: tuple[str, ...], actors: tuple[str, ...]) -> Analysis:
    return Analysis(
        language=language,
        topics=topics,
        actors=tuple(Actor(name, ActorKind.PERSON) for name in actors),
        event="",
        implications=(),
    )


# --- the real dev set ---------------------------------------------------------------------


def test_real_devset_is_large_enough_and_bilingual(devset: list[LabelledArticle]) -> None:
    assert len(devset) >= 48
    languages = [item.language for item in devset]
    assert set(languages) == {"en", "fr"}
    assert 0.3 <= languages.count("fr") / len(devset) <= 0.5


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
        assert re.fullmatch(r"(en|fr)-\d{3}-[a-z0-9-]+\.json", item.file_name)
        assert re.match(r"https://[a-z0-9-]+\.example\.org/", article.url or "")
        assert article.published_at is not None
        assert article.published_at.utcoffset() is not None
        assert 2023 <= article.published_at.year <= 2025
        assert 4 <= len(sentences(article.text)) <= 12, item.file_name
        assert all(part.strip() for part in article.text.split("\n\n")), item.file_name
        assert item.gold_actors, item.file_name
        assert not any(name.lower().startswith("the ") for name in item.gold_actors)


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
        return _analysis(item.language or "", tuple(item.gold_topics), item.gold_actors)

    report = score(devset, oracle)
    assert (report.topics.f1, report.actors.f1) == (1.0, 1.0)
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
        (json.dumps(_record(published="yesterday")), "published is not an ISO 8601 time"),
        (json.dumps(_record(published="2025-03-01T10:00:00")), "published needs a time zone"),
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
