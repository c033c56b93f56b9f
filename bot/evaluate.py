"""Score an analysis function against a labelled development set of articles.

A dev set is a folder of JSON files, one article each, with gold topics and actors
(tests/devset/README.md describes the format and the labelling rules). Topics and actors are
scored as micro-averaged precision, recall and F1 over (article, label) pairs.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.analysis.text import fold
from bot.domain import Analysis, Article

TOPIC_SLUGS: tuple[str, ...] = (
    "tunisia",
    "libya",
    "algeria",
    "morocco",
    "egypt",
    "sahel",
    "north-africa-security",
    "mediterranean-migration",
)
LANGUAGES: tuple[str, ...] = ("en", "fr", "ar")

_FIELDS = ("title", "url", "published", "outlet", "text", "gold")
_GOLD_FIELDS = ("topics", "actors")
_LANGUAGE_PREFIX = re.compile(r"^([a-z]{2})-")
_LEADING_THE = "the "
_SHOWN_ERRORS = 15
_FILES_PER_LINE = 3


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    file_name: str
    language: str | None  # from the file-name prefix (`en-`, `fr-`, `ar-`), else None
    article: Article
    gold_topics: frozenset[str]
    gold_actors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Counts:
    """Counts of one kind of label. A ratio with nothing on either side counts as perfect:
    no predictions and nothing to find gives P = R = F1 = 1; any miss on an empty side gives 0."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        if predicted:
            return self.true_positives / predicted
        return 1.0 if self.false_negatives == 0 else 0.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        if expected:
            return self.true_positives / expected
        return 1.0 if self.false_positives == 0 else 0.0

    @property
    def f1(self) -> float:
        precision, recall = self.precision, self.recall
        if precision + recall == 0:
            return 0.0
        return 2 * precision * recall / (precision + recall)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.true_positives + other.true_positives,
            self.false_positives + other.false_positives,
            self.false_negatives + other.false_negatives,
        )


@dataclass(frozen=True, slots=True)
class Miss:
    """One wrong (article, label) pair: a topic slug, or an actor name as written."""

    file_name: str
    label: str


@dataclass(frozen=True, slots=True)
class EvalReport:
    article_count: int
    topics: Counts
    actors: Counts
    per_topic: dict[str, Counts]
    # Error lists put labels that go wrong in several articles first, then by file name.
    topic_false_positives: tuple[Miss, ...]
    topic_false_negatives: tuple[Miss, ...]
    actor_false_positives: tuple[Miss, ...]
    actor_false_negatives: tuple[Miss, ...]
    worst_articles: tuple[tuple[str, int], ...]  # (file name, topic + actor errors), most first
    language_matches: int
    language_total: int
    unlabelled_topics: tuple[tuple[str, int], ...]  # predicted slugs outside TOPIC_SLUGS


def load_devset(folder: Path) -> list[LabelledArticle]:
    """Read and check every `*.json` file in `folder`; a bad file raises ValueError naming it."""
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a directory")
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise ValueError(f"{folder}: no .json files")
    return [_load_file(path) for path in paths]


def score(devset: Sequence[LabelledArticle], analyse: Callable[[Article], Analysis]) -> EvalReport:
    topics_fp: list[Miss] = []
    topics_fn: list[Miss] = []
    actors_fp: list[Miss] = []
    actors_fn: list[Miss] = []
    per_topic = dict.fromkeys(TOPIC_SLUGS, Counts())
    actor_counts = Counts()
    unlabelled: Counter[str] = Counter()
    errors_by_file: Counter[str] = Counter()
    language_matches = language_total = 0

    for item in devset:
        try:
            analysis = analyse(item.article)
        except Exception as exc:
            raise RuntimeError(f"{item.file_name}: analyse failed: {exc!r}") from exc
        name = item.file_name

        predicted_topics = set(analysis.topics)
        unlabelled.update(predicted_topics.difference(TOPIC_SLUGS))
        for slug in TOPIC_SLUGS:
            predicted, expected = slug in predicted_topics, slug in item.gold_topics
            per_topic[slug] = per_topic[slug] + Counts(
                int(predicted and expected),
                int(predicted and not expected),
                int(expected and not predicted),
            )
            if predicted != expected:
                (topics_fp if predicted else topics_fn).append(Miss(name, slug))

        gold = _actor_keys(item.gold_actors)
        found = _actor_keys(actor.name for actor in analysis.actors)
        actor_counts = actor_counts + Counts(
            len(gold.keys() & found.keys()),
            len(found.keys() - gold.keys()),
            len(gold.keys() - found.keys()),
        )
        actors_fp.extend(Miss(name, found[key]) for key in sorted(found.keys() - gold.keys()))
        actors_fn.extend(Miss(name, gold[key]) for key in sorted(gold.keys() - found.keys()))
        errors_by_file[name] += len(found.keys() ^ gold.keys())
        errors_by_file[name] += len(predicted_topics.intersection(TOPIC_SLUGS) ^ item.gold_topics)

        if item.language is not None:
            language_total += 1
            language_matches += analysis.language.strip().lower() == item.language

    return EvalReport(
        article_count=len(devset),
        topics=sum(per_topic.values(), Counts()),
        actors=actor_counts,
        per_topic=per_topic,
        topic_false_positives=_recurring_first(topics_fp),
        topic_false_negatives=_recurring_first(topics_fn),
        actor_false_positives=_recurring_first(actors_fp),
        actor_false_negatives=_recurring_first(actors_fn),
        worst_articles=tuple(
            sorted(
                ((file, count) for file, count in errors_by_file.items() if count),
                key=lambda pair: (-pair[1], pair[0]),
            )
        ),
        language_matches=language_matches,
        language_total=language_total,
        unlabelled_topics=tuple(sorted(unlabelled.items(), key=lambda pair: (-pair[1], pair[0]))),
    )


def format_report(report: EvalReport) -> str:
    lines = [f"Dev set: {report.article_count} articles"]
    if report.language_total:
        lines[0] += f", language right in {report.language_matches}/{report.language_total}"
    lines.append(f"{'':<26}{'P':>6}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>5}{'FN':>5}")
    lines.append(_row("topics (micro)", report.topics))
    lines.append(_row("actors (micro)", report.actors))
    lines.extend(_row(f"  {slug}", counts) for slug, counts in report.per_topic.items())
    if report.unlabelled_topics:
        shown = ", ".join(f"{slug} ×{count}" for slug, count in report.unlabelled_topics)
        lines.append(f"Predicted topics outside the labels (not scored): {shown}")
    lines.extend(_misses("Topic false positives", report.topic_false_positives))
    lines.extend(_misses("Topic false negatives", report.topic_false_negatives))
    lines.extend(_misses("Actor false positives", report.actor_false_positives))
    lines.extend(_misses("Actor false negatives", report.actor_false_negatives))
    if report.worst_articles:
        lines.append("Articles with the most errors:")
        lines.extend(
            f"  {count:>3}  {file}" for file, count in report.worst_articles[:_SHOWN_ERRORS]
        )
    return "\n".join(lines)


def _row(label: str, counts: Counts) -> str:
    return (
        f"{label:<26}{counts.precision:>6.3f}{counts.recall:>7.3f}{counts.f1:>7.3f}"
        f"{counts.true_positives:>6}{counts.false_positives:>5}{counts.false_negatives:>5}"
    )


def _misses(heading: str, misses: tuple[Miss, ...]) -> list[str]:
    """One line per label, most frequent first, with the stems of the files it went wrong in."""
    if not misses:
        return []
    groups: dict[str, list[Miss]] = {}
    for miss in misses:
        groups.setdefault(_actor_key(miss.label), []).append(miss)
    lines = [f"{heading} ({len(misses)}):"]
    for group in list(groups.values())[:_SHOWN_ERRORS]:
        files = [Path(miss.file_name).stem for miss in group]
        shown = ", ".join(files[:_FILES_PER_LINE])
        if len(files) > _FILES_PER_LINE:
            shown += f", … (+{len(files) - _FILES_PER_LINE})"
        lines.append(f"  {group[0].label:<40} ×{len(files):<3} {shown}")
    if len(groups) > _SHOWN_ERRORS:
        lines.append(f"  … and {len(groups) - _SHOWN_ERRORS} more labels")
    return lines


def _recurring_first(misses: list[Miss]) -> tuple[Miss, ...]:
    frequency = Counter(_actor_key(miss.label) for miss in misses)
    return tuple(
        sorted(
            misses,
            key=lambda miss: (
                -frequency[_actor_key(miss.label)],
                _actor_key(miss.label),
                miss.file_name,
            ),
        )
    )


def _actor_key(name: str) -> str:
    key = fold(name)
    return key.removeprefix(_LEADING_THE)


def _actor_keys(names: Iterable[str]) -> dict[str, str]:
    """Comparison key → the name as first written; blank names are dropped."""
    keys: dict[str, str] = {}
    for name in names:
        key = _actor_key(name)
        if key:
            keys.setdefault(key, name)
    return keys


def _load_file(path: Path) -> LabelledArticle:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    record = _object(path, data, "the file", _FIELDS)
    gold = _object(path, record["gold"], "gold", _GOLD_FIELDS)
    url = _text(path, record, "url")
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"{path.name}: url must start with https:// or http://, got {url!r}")
    prefix = _LANGUAGE_PREFIX.match(path.stem)
    article = Article(
        identity=path.stem,
        title=_text(path, record, "title"),
        url=url,
        summary="",
        text=_text(path, record, "text"),
        outlet=_text(path, record, "outlet"),
        published_at=_published(path, _text(path, record, "published")),
    )
    return LabelledArticle(
        file_name=path.name,
        language=prefix.group(1) if prefix and prefix.group(1) in LANGUAGES else None,
        article=article,
        gold_topics=_gold_topics(path, gold["topics"]),
        gold_actors=_gold_actors(path, gold["actors"]),
    )


def _object(path: Path, value: Any, where: str, fields: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{path.name}: {where} must be a JSON object")
    missing = [field for field in fields if field not in value]
    if missing:
        raise ValueError(f"{path.name}: {where} is missing {', '.join(missing)}")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise ValueError(f"{path.name}: {where} has unknown keys {', '.join(unknown)}")
    return value


def _text(path: Path, record: dict[str, Any], field: str) -> str:
    value = record[field]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path.name}: {field} must be a non-empty string")
    return value


def _published(path: Path, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{path.name}: published is not an ISO 8601 time: {value!r}") from exc
    if moment.tzinfo is None:
        raise ValueError(f"{path.name}: published needs a time zone (e.g. a final Z): {value!r}")
    return moment


def _gold_topics(path: Path, value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(slug, str) for slug in value):
        raise ValueError(f"{path.name}: gold.topics must be a list of strings")
    unknown = [slug for slug in value if slug not in TOPIC_SLUGS]
    if unknown:
        raise ValueError(
            f"{path.name}: gold.topics has unknown slug {unknown[0]!r}"
            f" (known: {', '.join(TOPIC_SLUGS)})"
        )
    if len(set(value)) != len(value):
        raise ValueError(f"{path.name}: gold.topics repeats a slug")
    return frozenset(value)


def _gold_actors(path: Path, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{path.name}: gold.actors must be a list of strings")
    seen: set[str] = set()
    for name in value:
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            raise ValueError(f"{path.name}: gold.actors has a blank or padded name: {name!r}")
        key = _actor_key(name)
        if key in seen:
            raise ValueError(f"{path.name}: gold.actors names {name!r} twice")
        seen.add(key)
    return tuple(value)
