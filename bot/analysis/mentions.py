"""What the people finders hand to the actor stage: a person mention, the spans the
gazetteer already took, and the text they read."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.analysis.lexicon import ARABIC_PARTICLES, LEADING_PARTICLES, PARTICLES, Token, Tokens

MAX_NAME_PARTS = 4
INITIAL = re.compile(r"[A-Z]\.")


@dataclass(frozen=True, slots=True)
class PersonMention:
    name: str
    start: int
    end: int
    role: str | None
    parts: int  # words of the name, particles and initials aside
    role_span: tuple[int, int] | None = None


class Located(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class Spans:
    """Sorted, non-overlapping character spans: does a token, a hit or a mention touch one?"""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._spans = sorted(spans)
        self._starts = [start for start, _ in self._spans]

    def overlaps(self, item: Located) -> bool:
        index = bisect_right(self._starts, item.end - 1) - 1
        return index >= 0 and self._spans[index][1] > item.start


_NO_SPANS = Spans([])


@dataclass(frozen=True)
class Context:
    text: str
    folded: str  # same offsets as text
    state_words: frozenset[str]
    tokens: Tokens
    bodies: Spans  # where the gazetteer found states and bodies: part of a title, never a name
    headline: bool = False  # Title Case text: a name is cut after two words
    people: Spans = _NO_SPANS  # where the gazetteer found people (read in Arabic text)


def particle_surname(picked: list[Token]) -> bool:
    """A name that ends on a particle that is its surname: "Yossi Abu"."""
    last = picked[-1]
    return (
        len(picked) > 1
        and last.capitalised
        and len(last.key) >= 3
        and last.key in LEADING_PARTICLES
        and picked[-2].key not in PARTICLES
    )


def mention_of(
    context: Context, name: list[Token], role: tuple[str, int, int] | None
) -> PersonMention:
    """The mention of the name written in `name`, with its role (as written, and where)."""
    words = [
        t
        for t in name
        if t.key not in PARTICLES
        and t.key not in ARABIC_PARTICLES
        and not INITIAL.fullmatch(t.text)
    ]
    if particle_surname(name):
        words.append(name[-1])
    text = context.text[name[0].start : name[-1].end]
    last = name[-1]
    if last.possessive:
        text = text[: len(text) - (len(last.text) - len(last.base))]
    return PersonMention(
        text,
        name[0].start,
        name[-1].end,
        role[0] if role else None,
        max(len(words), 1),
        role[1:] if role else None,
    )
