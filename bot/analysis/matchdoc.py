"""An article prepared once for many queries: folded words, where each occurs, and which of
them belong to the title or lead (the substance rule of bot.analysis.query).

Arabic words are also read without one attached prefix (و ب ل ال وال بال لل), the reading users'
queries get. Topic packs ask for the fuller reading (`clitics=True`): a conjunction و or ف, then a
preposition ب ل or ك, then the article ال, so that `الجزائر` also finds "فبالجزائر" and `جيش`
finds "وللجيش"."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from bot.analysis.text import fold, sentences

LEAD_WORD_CAP = 80  # a lead that never ends (no punctuation) still stops here
MIN_LEAD_WORDS = 12  # a shorter first paragraph (a dateline, a byline) runs on into the next
_LEAD_CHARS = 2000  # the lead is looked for in the start of the body only
_WORD = re.compile(r"[^\W_]+")
_ARABIC_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل")
_PREFIXES_WITH_ARTICLE = frozenset({"وال", "بال", "لل"})  # للجيش is ل + الجيش
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
_ARTICLE = "ال"
MIN_STEM = 2  # letters left once the prefixes are off

Element = tuple[str, bool]  # a folded word and whether it is a prefix
Phrase = tuple[Element, ...]


def tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=16384)
def _readings(word: str) -> tuple[str, ...]:
    """The word itself plus, for Arabic, the word without one attached prefix."""
    if not "\u0600" <= word[0] <= "\u06ff":
        return (word,)
    readings = [word]
    for prefix in _ARABIC_PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 2:
            readings.append(rest)
            if prefix in _PREFIXES_WITH_ARTICLE:
                readings.append("ال" + rest)
    return tuple(dict.fromkeys(readings))


@lru_cache(maxsize=16384)
def _clitic_readings(word: str) -> tuple[str, ...]:
    """The word itself plus every reading without a conjunction, a preposition and the article,
    each optional and in that order; a stripped article is also kept on the stem (وللجيش reads
    as للجيش, الجيش and جيش, among others)."""
    if not "\u0600" <= word[0] <= "\u06ff":
        return (word,)
    readings = [word]
    for conjunction in _CONJUNCTIONS:
        for preposition in _PREPOSITIONS:
            prefix = conjunction + preposition
            if prefix and word.startswith(prefix):
                readings.extend(_stems(word[len(prefix) :], after_lam=preposition == "ل"))
    readings.extend(_stems(word, after_lam=False)[1:])
    return tuple(dict.fromkeys(r for r in readings if len(r) >= MIN_STEM))


def _stems(rest: str, after_lam: bool) -> list[str]:
    """The rest of a word once its prefixes are off, with and without the article; after ل the
    article's alef is not written (للجيش is ل + الجيش)."""
    stems = [rest]
    if after_lam and rest.startswith("ل"):
        stems.append(_ARTICLE + rest[1:])
    stems.extend(s[len(_ARTICLE) :] for s in list(stems) if s.startswith(_ARTICLE))
    return stems


def _first_paragraph(text: str) -> str:  # up to a line ending a sentence; a dateline runs on
    lead = ""
    for line in text.splitlines():
        lead = f"{lead} {line}"
        if lead.rstrip(" \"'”»)")[-1:] in ".!?…؟" and len(lead.split()) >= MIN_LEAD_WORDS:
            break
    return lead


@dataclass(frozen=True, eq=False)
class MatchDoc:
    """One article prepared once for evaluating many queries."""

    words: tuple[str, ...]  # folded words: the title's, then the body's
    focus_length: int  # positions below this belong to the title or the lead
    title_length: int  # positions below this belong to the title
    positions: dict[str, list[int]]  # each word or Arabic reading -> its ascending positions
    vocabulary: tuple[str, ...]  # the same keys, sorted, for prefix look-ups
    known: frozenset[str]  # the same keys again, for intersecting with a query's words
    arabic_readings: dict[int, tuple[str, ...]]  # position -> readings, for Arabic words only
    _found: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    _spots: dict[tuple[Phrase, tuple[Phrase, ...]], list[int]] = field(
        default_factory=dict, repr=False
    )
    _hidden: dict[tuple[Phrase, ...], set[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls, title: str, body: str, lead_sentences: int = 2, *, clitics: bool = False
    ) -> MatchDoc:
        """`clitics`: read Arabic words without the fuller set of attached prefixes."""
        read = _clitic_readings if clitics else _readings
        title_words = tokens(title)
        lead = " ".join(sentences(_first_paragraph(body[:_LEAD_CHARS]))[:lead_sentences])
        focus_length = len(title_words) + min(len(tokens(lead)), LEAD_WORD_CAP)
        words = tuple(title_words + tokens(body))
        positions: dict[str, list[int]] = {}
        for index, word in enumerate(words):
            positions.setdefault(word, []).append(index)
        arabic_readings: dict[int, tuple[str, ...]] = {}
        for index, word in enumerate(words):
            if "\u0600" <= word[0] <= "\u06ff" and len(readings := read(word)) > 1:
                arabic_readings[index] = readings
                for reading in readings[1:]:
                    positions.setdefault(reading, []).append(index)
        if arabic_readings:
            positions = {key: sorted(set(value)) for key, value in positions.items()}
        vocabulary = tuple(sorted(positions))
        return cls(
            words,
            focus_length,
            len(title_words),
            positions,
            vocabulary,
            frozenset(vocabulary),
            arabic_readings,
        )

    def found(self, key: str, elements: Phrase, masks: tuple[Phrase, ...] = ()) -> tuple[int, int]:
        """(how many times, first position or -1) the term occurs outside the masks."""
        cached = self._found.get(key)
        if cached is None:
            starts = self._occurrences(elements)
            if masks and starts:
                hidden = self.hidden(masks)
                starts = [start for start in starts if start not in hidden]
            cached = (len(starts), starts[0] if starts else -1)
            self._found[key] = cached
        return cached

    def spots(self, elements: Phrase, masks: tuple[Phrase, ...] = ()) -> list[int]:
        """The ascending positions where the term starts, outside the masks."""
        cached = self._spots.get((elements, masks))
        if cached is None:
            cached = self._occurrences(elements)
            if masks and cached:
                hidden = self.hidden(masks)
                cached = [start for start in cached if start not in hidden]
            self._spots[(elements, masks)] = cached
        return cached

    def hidden(self, masks: tuple[Phrase, ...]) -> set[int]:
        """Every position covered by one of the mask phrases."""
        if (hidden := self._hidden.get(masks)) is None:
            present = [m for m in masks if m[0][1] or m[0][0] in self.positions]
            spans = [(s, len(m)) for m in present for s in self._occurrences(m)]
            hidden = self._hidden[masks] = {s + i for s, n in spans for i in range(n)}
        return hidden

    def _occurrences(self, elements: Phrase) -> list[int]:
        starts = self._starts(*elements[0])
        if len(elements) > 1:
            starts = [start for start in starts if self._continues(start, elements)]
        return starts

    def _starts(self, word: str, prefix: bool) -> list[int]:
        if not prefix:
            return self.positions.get(word, [])
        groups = []
        index = bisect_left(self.vocabulary, word)
        while index < len(self.vocabulary) and self.vocabulary[index].startswith(word):
            groups.append(self.positions[self.vocabulary[index]])
            index += 1
        if len(groups) <= 1:
            return groups[0] if groups else []
        return sorted(set().union(*groups))

    def _continues(self, start: int, elements: Phrase) -> bool:
        if start + len(elements) > len(self.words):
            return False
        for offset, (word, prefix) in enumerate(elements[1:], start=1):
            index = start + offset
            forms = self.arabic_readings.get(index) or (self.words[index],)
            if not (any(f.startswith(word) for f in forms) if prefix else word in forms):
                return False
        return True
