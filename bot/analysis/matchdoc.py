"""An article prepared once for many queries: folded words, where each occurs, and which of
them belong to the title or lead (the substance rule of bot.analysis.query)."""

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
    positions: dict[str, list[int]]  # each word or Arabic reading -> its ascending positions
    vocabulary: tuple[str, ...]  # the same keys, sorted, for prefix look-ups
    known: frozenset[str]  # the same keys again, for intersecting with a query's words
    arabic_readings: dict[int, tuple[str, ...]]  # position -> readings, for Arabic words only
    _found: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    _hidden: dict[tuple[Phrase, ...], set[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, title: str, body: str, lead_sentences: int = 2) -> MatchDoc:
        title_words = tokens(title)
        lead = " ".join(sentences(_first_paragraph(body[:_LEAD_CHARS]))[:lead_sentences])
        focus_length = len(title_words) + min(len(tokens(lead)), LEAD_WORD_CAP)
        words = tuple(title_words + tokens(body))
        positions: dict[str, list[int]] = {}
        for index, word in enumerate(words):
            positions.setdefault(word, []).append(index)
        arabic_readings: dict[int, tuple[str, ...]] = {}
        for index, word in enumerate(words):
            if "\u0600" <= word[0] <= "\u06ff" and len(readings := _readings(word)) > 1:
                arabic_readings[index] = readings
                for reading in readings[1:]:
                    positions.setdefault(reading, []).append(index)
        if arabic_readings:
            positions = {key: sorted(set(value)) for key, value in positions.items()}
        vocabulary = tuple(sorted(positions))
        return cls(
            words, focus_length, positions, vocabulary, frozenset(vocabulary), arabic_readings
        )

    def found(self, key: str, elements: Phrase, masks: tuple[Phrase, ...] = ()) -> tuple[int, int]:
        """(how many times, first position or -1) the term occurs outside the masks."""
        cached = self._found.get(key)
        if cached is None:
            starts = self._occurrences(elements)
            if masks and starts:
                if (hidden := self._hidden.get(masks)) is None:
                    present = [m for m in masks if m[0][1] or m[0][0] in self.positions]
                    spans = [(s, len(m)) for m in present for s in self._occurrences(m)]
                    hidden = self._hidden[masks] = {s + i for s, n in spans for i in range(n)}
                starts = [start for start in starts if start not in hidden]
            cached = (len(starts), starts[0] if starts else -1)
            self._found[key] = cached
        return cached

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
