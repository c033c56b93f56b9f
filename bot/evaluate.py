"""Score an analysis function against a labelled development set of articles.

A dev set is a folder of JSON files, one article each, with gold topics and actors and, once
labelled, gold implications (tests/devset/README.md describes the format and the labelling
rules). Topics, actors and implications are scored as micro-averaged precision, recall and F1 over
(article, label) pairs, overall and per language (the file-name prefix).

Implications. `gold.implications` lists exact substrings of the text; a file without the key is
not labelled yet and stays out of the implication score (an empty list is labelled: nothing to
find). A predicted implication matches a gold one when, after folding (`fold`: case, accents,
Arabic letter variants, whitespace) and trimming the punctuation at both ends,

- one contains the other as whole words ("the deal could deepen tensions" inside "Analysts said
  the deal could deepen tensions, and ..."), or
- their word-token overlap |A ∩ B| / min(|A|, |B|) is at least 0.6 (`MATCH_OVERLAP`), with A and
  B the sets of folded word tokens (`words`).

So a predicted clause, a sentence whose lead-in or dateline was cut (and whose first letter was
then capitalised) or a clipped sentence still matches; an unrelated sentence of the same article
does not. Matching is one to one: the candidate pairs are taken greedily, highest similarity first
(containment counts as 1.0; ties by gold order, then prediction order), so a second prediction of
an already matched gold is a false positive.

Baseline. `cue_word_implications` is a plain reference, not analysis: every sentence of the text
(split on . ! ? ؟ and newlines) holding one of a few cue words of the article's language
(`CUE_WORDS`; all of them when the language is unknown), as whole words of the folded sentence
(an Arabic cue may carry the joined conjunction و/ف and a joined pronoun: ومن شأنه, يهددها), the
first three. `format_report` prints its scores beside the analysis's.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.analysis.text import fold, words
from bot.dates import parse_date
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
_OPTIONAL_GOLD_FIELDS = ("implications",)
_LANGUAGE_PREFIX = re.compile(r"^([a-z]{2})-")
_LEADING_THE = "the "
_SHOWN_ERRORS = 15
_FILES_PER_LINE = 3
_SHOWN_IMPLICATION_CHARS = 70
_LABEL_WIDTH = 26

MATCH_OVERLAP = 0.6
_EDGE_PUNCTUATION = " .,;:!?…\"'“”«»()[]-–—"

CUE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("could", "may", "might", "risk", "risks", "threat", "likely"),
    "fr": ("pourrait", "pourraient", "risque", "menace"),
    "ar": ("قد", "يهدد", "من شأن"),
}
BASELINE_CAP = 3
_BASELINE_SENTENCE_END = re.compile(r"[.!?؟\n]+")
# An Arabic cue may carry the attached conjunction و or ف and an attached pronoun: ومن شأنه,
# يهددها; both are separate words written joined.
_ARABIC_CONJUNCTION_PREFIX = "[وف]?"
_ARABIC_PRONOUN_SUFFIX = "(?:ه|ها|هما|هم|هن)?"


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    file_name: str
    language: str | None  # from the file-name prefix (`en-`, `fr-`, `ar-`), else None
    article: Article
    gold_topics: frozenset[str]
    gold_actors: tuple[str, ...]
    gold_implications: tuple[str, ...] | None = None  # None: not labelled yet


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
    """One wrong (article, label) pair: a topic slug, an actor name or an implication as written."""

    file_name: str
    label: str


@dataclass(frozen=True, slots=True)
class Scores:
    """Micro-averaged counts over a group of articles: the whole set, or one language."""

    articles: int
    topics: Counts
    actors: Counts
    implications: Counts
    implication_baseline: Counts  # the cue-word filter on the same articles
    implications_scored: int  # articles with gold.implications; the others are left out


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
    implications: Counts
    implication_baseline: Counts
    implications_scored: int
    per_language: dict[str, Scores]  # the languages of LANGUAGES present in the set, in order
    # Implication errors in file order, then in the order predicted or labelled.
    implication_false_positives: tuple[Miss, ...]
    implication_false_negatives: tuple[Miss, ...]


@dataclass(frozen=True, slots=True)
class _ArticleScore:
    """What one article adds to the report."""

    language: str | None
    per_topic: dict[str, Counts]
    actors: Counts
    implications: Counts | None  # None: the article has no gold.implications
    implication_baseline: Counts | None
    misses: dict[str, tuple[Miss, ...]]  # by kind: "topic_fp", "actor_fn", "implication_fp", …
    errors: int  # topic and actor errors
    unlabelled_topics: frozenset[str]
    language_right: bool | None  # None when the file name gives no language

    @property
    def topics(self) -> Counts:
        return sum(self.per_topic.values(), Counts())


def load_devset(folder: Path) -> list[LabelledArticle]:
    """Read and check every `*.json` file in `folder`; a bad file raises ValueError naming it."""
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a directory")
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise ValueError(f"{folder}: no .json files")
    return [_load_file(path) for path in paths]


def score(devset: Sequence[LabelledArticle], analyse: Callable[[Article], Analysis]) -> EvalReport:
    scored = [_score_article(item, _analysed(item, analyse)) for item in devset]
    totals = _totals(scored)
    errors_by_file = {
        item.file_name: part.errors for item, part in zip(devset, scored, strict=True)
    }
    unlabelled = Counter(slug for part in scored for slug in part.unlabelled_topics)
    judged = [part.language_right for part in scored if part.language_right is not None]
    return EvalReport(
        article_count=len(devset),
        topics=totals.topics,
        actors=totals.actors,
        per_topic={
            slug: sum((part.per_topic[slug] for part in scored), Counts()) for slug in TOPIC_SLUGS
        },
        topic_false_positives=_recurring_first(_all_misses(scored, "topic_fp")),
        topic_false_negatives=_recurring_first(_all_misses(scored, "topic_fn")),
        actor_false_positives=_recurring_first(_all_misses(scored, "actor_fp")),
        actor_false_negatives=_recurring_first(_all_misses(scored, "actor_fn")),
        worst_articles=tuple(
            sorted(
                ((file, count) for file, count in errors_by_file.items() if count),
                key=lambda pair: (-pair[1], pair[0]),
            )
        ),
        language_matches=sum(judged),
        language_total=len(judged),
        unlabelled_topics=tuple(sorted(unlabelled.items(), key=lambda pair: (-pair[1], pair[0]))),
        implications=totals.implications,
        implication_baseline=totals.implication_baseline,
        implications_scored=totals.implications_scored,
        per_language={
            language: _totals([part for part in scored if part.language == language])
            for language in LANGUAGES
            if any(part.language == language for part in scored)
        },
        implication_false_positives=tuple(_all_misses(scored, "implication_fp")),
        implication_false_negatives=tuple(_all_misses(scored, "implication_fn")),
    )


def implication_similarity(predicted: str, gold: str) -> float:
    """1.0 when one folded text contains the other as whole words, else the word-token overlap
    |A ∩ B| / min(|A|, |B|); 0.0 when either is blank."""
    first, second = _implication_key(predicted), _implication_key(gold)
    if not first or not second:
        return 0.0
    shorter, longer = sorted((first, second), key=len)
    if re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer):
        return 1.0
    first_words, second_words = set(words(first)), set(words(second))
    if not first_words or not second_words:
        return 0.0
    return len(first_words & second_words) / min(len(first_words), len(second_words))


def match_implications(predicted: Sequence[str], gold: Sequence[str]) -> list[tuple[int, int]]:
    """One-to-one (prediction index, gold index) matches, greedy by similarity (module doc)."""
    candidates = sorted(
        (
            (-similarity, gold_index, predicted_index)
            for gold_index, expected in enumerate(gold)
            for predicted_index, guess in enumerate(predicted)
            if (similarity := implication_similarity(guess, expected)) >= MATCH_OVERLAP
        )
    )
    pairs: list[tuple[int, int]] = []
    used_predictions: set[int] = set()
    used_gold: set[int] = set()
    for _, gold_index, predicted_index in candidates:
        if gold_index in used_gold or predicted_index in used_predictions:
            continue
        used_gold.add(gold_index)
        used_predictions.add(predicted_index)
        pairs.append((predicted_index, gold_index))
    return sorted(pairs)


def cue_word_implications(text: str, language: str | None = None) -> tuple[str, ...]:
    """The baseline: the first `BASELINE_CAP` sentences of `text` holding a cue word."""
    pattern = _cue_pattern(language)
    found: list[str] = []
    for part in _BASELINE_SENTENCE_END.split(text):
        sentence = part.strip()
        if sentence and pattern.search(fold(sentence)):
            found.append(sentence)
            if len(found) == BASELINE_CAP:
                break
    return tuple(found)


def format_report(report: EvalReport) -> str:
    lines = [f"Dev set: {report.article_count} articles"]
    if report.language_total:
        lines[0] += f", language right in {report.language_matches}/{report.language_total}"
    lines.append(_TABLE_HEADER)
    lines.append(_row("topics (micro)", report.topics))
    lines.append(_row("actors (micro)", report.actors))
    lines.extend(
        _implication_rows(
            "implications (micro)",
            report.implications,
            report.implication_baseline,
            report.implications_scored,
        )
    )
    lines.extend(_row(f"  {slug}", counts) for slug, counts in report.per_topic.items())
    if report.unlabelled_topics:
        shown = ", ".join(f"{slug} ×{count}" for slug, count in report.unlabelled_topics)
        lines.append(f"Predicted topics outside the labels (not scored): {shown}")
    lines.append(
        f"Implications scored on {report.implications_scored} of {report.article_count} articles"
        f" (with gold.implications); baseline: first {BASELINE_CAP} cue-word sentences"
    )
    lines.extend(_language_rows(report.per_language))
    lines.extend(_misses("Topic false positives", report.topic_false_positives))
    lines.extend(_misses("Topic false negatives", report.topic_false_negatives))
    lines.extend(_misses("Actor false positives", report.actor_false_positives))
    lines.extend(_misses("Actor false negatives", report.actor_false_negatives))
    lines.extend(
        _implication_misses("Implication false positives", report.implication_false_positives)
    )
    lines.extend(
        _implication_misses("Implication false negatives", report.implication_false_negatives)
    )
    if report.worst_articles:
        lines.append("Articles with the most errors:")
        lines.extend(
            f"  {count:>3}  {file}" for file, count in report.worst_articles[:_SHOWN_ERRORS]
        )
    return "\n".join(lines)


_TABLE_HEADER = f"{'':<{_LABEL_WIDTH}}{'P':>6}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>5}{'FN':>5}"


def _row(label: str, counts: Counts) -> str:
    return (
        f"{label:<{_LABEL_WIDTH}}{counts.precision:>6.3f}{counts.recall:>7.3f}{counts.f1:>7.3f}"
        f"{counts.true_positives:>6}{counts.false_positives:>5}{counts.false_negatives:>5}"
    )


def _implication_rows(label: str, found: Counts, baseline: Counts, scored: int) -> list[str]:
    if not scored:
        return [f"{label:<{_LABEL_WIDTH}}not scored: no article has gold.implications"]
    indent = label[: len(label) - len(label.lstrip())]
    return [_row(label, found), _row(f"{indent}implications, cue words", baseline)]


def _language_rows(per_language: dict[str, Scores]) -> list[str]:
    if not per_language:
        return []
    lines = [f"{'Per language':<{_LABEL_WIDTH}}{_TABLE_HEADER[_LABEL_WIDTH:]}"]
    for language, scores in per_language.items():
        lines.append(
            f"{language}: {scores.articles} articles,"
            f" implications scored on {scores.implications_scored}"
        )
        lines.append(_row("  topics", scores.topics))
        lines.append(_row("  actors", scores.actors))
        lines.extend(
            _implication_rows(
                "  implications",
                scores.implications,
                scores.implication_baseline,
                scores.implications_scored,
            )
        )
    return lines


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


def _implication_misses(heading: str, misses: tuple[Miss, ...]) -> list[str]:
    """One line per implication: the file stem, then the sentence shortened."""
    if not misses:
        return []
    lines = [f"{heading} ({len(misses)}):"]
    width = max(len(Path(miss.file_name).stem) for miss in misses[:_SHOWN_ERRORS])
    lines.extend(
        f"  {Path(miss.file_name).stem:<{width}}  {_shorten(miss.label)}"
        for miss in misses[:_SHOWN_ERRORS]
    )
    if len(misses) > _SHOWN_ERRORS:
        lines.append(f"  … and {len(misses) - _SHOWN_ERRORS} more")
    return lines


def _shorten(text: str, limit: int = _SHOWN_IMPLICATION_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


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


def _analysed(item: LabelledArticle, analyse: Callable[[Article], Analysis]) -> Analysis:
    try:
        return analyse(item.article)
    except Exception as exc:
        raise RuntimeError(f"{item.file_name}: analyse failed: {exc!r}") from exc


def _score_article(item: LabelledArticle, analysis: Analysis) -> _ArticleScore:
    per_topic, topic_misses = _score_topics(item, frozenset(analysis.topics))
    actors, actor_misses = _score_actors(item, [actor.name for actor in analysis.actors])
    implications, implication_misses = _score_implications(item, analysis.implications)
    baseline = None
    if item.gold_implications is not None:
        guesses = cue_word_implications(item.article.text, item.language)
        baseline, _ = _score_implications(item, guesses)
    predicted_labelled = frozenset(analysis.topics).intersection(TOPIC_SLUGS)
    return _ArticleScore(
        language=item.language,
        per_topic=per_topic,
        actors=actors,
        implications=implications,
        implication_baseline=baseline,
        misses={**topic_misses, **actor_misses, **implication_misses},
        errors=len(predicted_labelled ^ item.gold_topics)
        + actors.false_positives
        + actors.false_negatives,
        unlabelled_topics=frozenset(analysis.topics).difference(TOPIC_SLUGS),
        language_right=None
        if item.language is None
        else analysis.language.strip().lower() == item.language,
    )


def _score_topics(
    item: LabelledArticle, predicted_topics: frozenset[str]
) -> tuple[dict[str, Counts], dict[str, tuple[Miss, ...]]]:
    per_topic: dict[str, Counts] = {}
    false_positives: list[Miss] = []
    false_negatives: list[Miss] = []
    for slug in TOPIC_SLUGS:
        predicted, expected = slug in predicted_topics, slug in item.gold_topics
        per_topic[slug] = Counts(
            int(predicted and expected),
            int(predicted and not expected),
            int(expected and not predicted),
        )
        if predicted != expected:
            (false_positives if predicted else false_negatives).append(Miss(item.file_name, slug))
    return per_topic, {"topic_fp": tuple(false_positives), "topic_fn": tuple(false_negatives)}


def _score_actors(
    item: LabelledArticle, predicted_names: Sequence[str]
) -> tuple[Counts, dict[str, tuple[Miss, ...]]]:
    gold = _actor_keys(item.gold_actors)
    found = _actor_keys(predicted_names)
    counts = Counts(
        len(gold.keys() & found.keys()),
        len(found.keys() - gold.keys()),
        len(gold.keys() - found.keys()),
    )
    name = item.file_name
    return counts, {
        "actor_fp": tuple(Miss(name, found[key]) for key in sorted(found.keys() - gold.keys())),
        "actor_fn": tuple(Miss(name, gold[key]) for key in sorted(gold.keys() - found.keys())),
    }


def _score_implications(
    item: LabelledArticle, predicted: Sequence[str]
) -> tuple[Counts | None, dict[str, tuple[Miss, ...]]]:
    gold = item.gold_implications
    if gold is None:
        return None, {}
    pairs = match_implications(predicted, gold)
    matched_predictions = {predicted_index for predicted_index, _ in pairs}
    matched_gold = {gold_index for _, gold_index in pairs}
    wrong = [text for index, text in enumerate(predicted) if index not in matched_predictions]
    missed = [text for index, text in enumerate(gold) if index not in matched_gold]
    counts = Counts(len(pairs), len(wrong), len(missed))
    return counts, {
        "implication_fp": tuple(Miss(item.file_name, text) for text in wrong),
        "implication_fn": tuple(Miss(item.file_name, text) for text in missed),
    }


def _totals(scored: Sequence[_ArticleScore]) -> Scores:
    labelled = [part for part in scored if part.implications is not None]
    return Scores(
        articles=len(scored),
        topics=sum((part.topics for part in scored), Counts()),
        actors=sum((part.actors for part in scored), Counts()),
        implications=sum((part.implications or Counts() for part in labelled), Counts()),
        implication_baseline=sum(
            (part.implication_baseline or Counts() for part in labelled), Counts()
        ),
        implications_scored=len(labelled),
    )


def _all_misses(scored: Sequence[_ArticleScore], kind: str) -> list[Miss]:
    return [miss for part in scored for miss in part.misses.get(kind, ())]


def _implication_key(text: str) -> str:
    return fold(text).strip(_EDGE_PUNCTUATION)


@lru_cache(maxsize=len(LANGUAGES) + 1)
def _cue_pattern(language: str | None) -> re.Pattern[str]:
    cues = CUE_WORDS.get(language or "") or tuple(
        cue for group in CUE_WORDS.values() for cue in group
    )
    alternatives = [
        _ARABIC_CONJUNCTION_PREFIX + re.escape(fold(cue)) + _ARABIC_PRONOUN_SUFFIX
        if _is_arabic(cue)
        else re.escape(fold(cue))
        for cue in cues
    ]
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)


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
    gold = _object(path, record["gold"], "gold", _GOLD_FIELDS, _OPTIONAL_GOLD_FIELDS)
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
        published_at=parse_date(record["published"]),  # partial or unreadable: see bot.dates
    )
    return LabelledArticle(
        file_name=path.name,
        language=prefix.group(1) if prefix and prefix.group(1) in LANGUAGES else None,
        article=article,
        gold_topics=_gold_topics(path, gold["topics"]),
        gold_actors=_gold_actors(path, gold["actors"]),
        gold_implications=_gold_implications(path, gold.get("implications")),
    )


def _object(
    path: Path, value: Any, where: str, fields: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{path.name}: {where} must be a JSON object")
    missing = [field for field in fields if field not in value]
    if missing:
        raise ValueError(f"{path.name}: {where} is missing {', '.join(missing)}")
    unknown = sorted(set(value) - set(fields) - set(optional))
    if unknown:
        raise ValueError(f"{path.name}: {where} has unknown keys {', '.join(unknown)}")
    return value


def _text(path: Path, record: dict[str, Any], field: str) -> str:
    value = record[field]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path.name}: {field} must be a non-empty string")
    return value


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


def _gold_implications(path: Path, value: Any) -> tuple[str, ...] | None:
    """None when the file has no implication labels yet (a missing key or null)."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(text, str) and text.strip() for text in value
    ):
        raise ValueError(f"{path.name}: gold.implications must be a list of non-empty strings")
    return tuple(value)
