"""People the gazetteer lacks, found the way news copy introduces them.

"Tunisian Defense Minister Khaled Shtili", "le ministre de l'Intérieur, Khaled Nouri",
"Khaled Nouri, the interior minister,", "Masoud Suleman, who ..." and "Marine Le Pen a déclaré".
The role is the title exactly as written; a name alone ("Shtili") is returned too, so that the
caller can tie it to a full name met elsewhere in the article.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.analysis.gazetteer import Hit, trie_pattern
from bot.analysis.lexicon import (
    ARABIC_PREFIX,
    COMMENTATORS,
    CONNECTORS,
    DETERMINERS,
    HEADS,
    HONORIFICS,
    LEADING_PARTICLES,
    NOT_NAMES,
    PARTICLES,
    PLACE_PREPOSITIONS,
    RANKS,
    SPEECH_PARTICIPLES_FR,
    SPEECH_PRESENT_FR,
    SPEECH_VERBS,
    TITLE_WORDS,
    Token,
    Tokens,
    adjacent,
    is_acronym,
)

MAX_NAME_PARTS = 4
_INITIAL = re.compile(r"[A-Z]\.")
_STARTERS = HEADS | HONORIFICS
_NAMEABLE_HONORIFICS = frozenset({"sheikh", "cheikh"})
# Between a head and the words qualifying it from the left: "Ministry of Defence spokesman".
_BRIDGING = frozenset({"of", "for"})  # a French title starts at its head: "chef de la diplomatie"
# May stand between a title and the name: "the Commander of AFRICOM, General Dagvin Anderson",
# "le chef d'état-major, le général d'armée Saïd Chanegriha".
_BEFORE_NAME = DETERMINERS | RANKS | HONORIFICS | {"d'", "de", "armee", "division", "brigade"}
_GENERAL_TITLES = frozenset(
    {"director", "secretary", "attorney", "inspector", "directeur", "secretaire", "procureur"}
)
_APPOSITION_END = frozenset({",", ".", ";", ":", ")", "—", "–"})


@dataclass(frozen=True, slots=True)
class PersonMention:
    name: str
    start: int
    end: int
    role: str | None
    parts: int  # words of the name, particles and initials aside
    role_span: tuple[int, int] | None = None


class Spans:
    """Sorted, non-overlapping character spans: does a token or a hit touch one of them?"""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._spans = sorted(spans)
        self._starts = [start for start, _ in self._spans]

    def overlaps(self, item: Token | Hit) -> bool:
        index = bisect_right(self._starts, item.end - 1) - 1
        return index >= 0 and self._spans[index][1] > item.start


@dataclass(frozen=True)
class Context:
    text: str
    folded: str  # same offsets as text
    state_words: frozenset[str]
    tokens: Tokens
    bodies: Spans  # where the gazetteer found states and bodies: part of a title, never a name
    headline: bool = False  # Title Case text: a name is cut after two words


def find_people(context: Context) -> list[PersonMention]:
    """People next to a title, then people before ", who", an age or a verb of speech."""
    found: list[PersonMention] = []
    consumed = -1
    for match in _head_pattern().finditer(context.folded):
        if match.start() < consumed:
            continue
        titled = _titled(context, match.start())
        if titled is not None:
            found.append(titled[0])
            consumed = titled[1]
    for match in _cue_pattern().finditer(context.folded):
        word_start = context.text.rfind(" ", 0, match.start()) + 1
        if not context.text[word_start : word_start + 1].isupper():
            continue  # "officials said": no name there, and no need to read the words
        name = _name_before(context, match.start())
        if name and not _commentator(context, name[0]):
            found.append(_mention(context, name, None))
    return found


def _commentator(context: Context, first: Token) -> bool:
    before = context.tokens.before(first.start, 1)
    return bool(before) and before[-1].key in COMMENTATORS


def is_headline_case(text: str) -> bool:
    """True for "Minister Meets U.S. Envoy Over Border Security" style titles."""
    long_words: list[str] = re.findall(r"[^\W\d_]{4,}", text)
    capitalised = sum(word[0].isupper() for word in long_words)
    return len(long_words) >= 3 and capitalised >= 0.8 * len(long_words)


@lru_cache(maxsize=1)
def _head_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_])(?:{trie_pattern(HEADS | HONORIFICS)})(?![^\W_])")


@lru_cache(maxsize=1)
def _cue_pattern() -> re.Pattern[str]:
    """What follows a person's name: ", who", an age, or a verb of speech."""
    speech = trie_pattern(SPEECH_VERBS | SPEECH_PRESENT_FR)
    participles = trie_pattern(SPEECH_PARTICIPLES_FR)
    return re.compile(
        r",(?: (?:who|whose|qui|dont)| \d{1,3},)(?![^\W_])"
        rf"| (?P<verb>{speech}|a (?:fait savoir|{participles}))(?![^\W_])"
    )


def _titled(context: Context, start: int) -> tuple[PersonMention, int] | None:
    """A person next to the title that starts at `start`, and where the pair ends."""
    ahead = context.tokens.after(start, 12)
    if len(ahead) == 12 and _title_end(context, ahead) > 2:
        ahead = context.tokens.after(start, 24)  # a long title, or one set off by commas
    if not ahead or ahead[0].start != start or ahead[0].key not in _STARTERS:
        return None
    head = ahead[0]
    if head.key.endswith(".") and not head.capitalised:
        return None
    last = _title_end(context, ahead)
    name = _name_after(context, ahead, _name_start(context, ahead, last + 1))
    role_start = _title_start(context, head)
    after = _mention(context, name, _role(context, role_start, ahead[last].end)) if name else None
    # After "co-leader of the Social", a lone "Democrats" is the end of the title, not a name.
    complement = any(token.key in CONNECTORS for token in ahead[1 : last + 1])
    if after is not None and (after.parts > 1 or not complement):
        return after, after.end
    if len(ahead) == 12:
        ahead = context.tokens.after(start, 24)
    end = _apposition_end(context, ahead, last)
    before = _name_before_title(context, role_start) if end is not None else None
    if end is not None and before is not None:
        return _mention(context, before, _role(context, role_start, end)), end
    return (after, after.end) if after is not None else None


def _title_end(context: Context, ahead: list[Token]) -> int:
    """Index of the last word of the title that opens `ahead`: "Secretary of War for Security
    and International Affairs", "Commander of the U.S. Africa Command (AFRICOM)"."""
    last = index = 0
    while index + 1 < len(ahead) and index < 16:
        following = ahead[index + 1]
        if following.text == "(":
            closing = _parenthesis_end(ahead, index + 1)
            if closing is None:
                break
            last = index = closing
            continue
        if not adjacent(ahead[index], following):
            break
        index += 1
        if _title_word(context, following) or _named_portfolio(ahead, index):
            last = index
        elif following.key not in CONNECTORS:
            break
    return last


def _named_portfolio(ahead: list[Token], index: int) -> bool:
    """A capitalised word after "of" that closes the title: "ministre des Mines, ...",
    "the mayor of Lampedusa, ..."."""
    return (
        ahead[index].capitalised
        and ahead[index - 1].key in CONNECTORS
        and index + 1 < len(ahead)
        and ahead[index + 1].text in (",", "(")
    )


def _parenthesis_end(ahead: list[Token], opening: int) -> int | None:
    """Index of the ")" closing an acronym such as "(AFRICOM)" or "(ANP)"."""
    for index in range(opening + 1, min(len(ahead), opening + 4)):
        if ahead[index].text == ")":
            return index if index > opening + 1 else None
        if not (is_acronym(ahead[index]) or ahead[index].capitalised):
            return None
    return None


def _name_start(context: Context, ahead: list[Token], index: int) -> int:
    if index < len(ahead) and ahead[index].key in HONORIFICS:
        return index + 1  # "his counterpart Sheikh Mohamed bin Zayed"
    if index >= len(ahead) or ahead[index].text != "," or context.headline:
        return index
    index += 1
    skipped = index
    while skipped < min(len(ahead), index + 5) and ahead[skipped].key in _BEFORE_NAME:
        skipped += 1
    ranked = any(token.key in RANKS | HONORIFICS for token in ahead[index:skipped])
    return skipped if ranked else index


def _title_word(context: Context, token: Token) -> bool:
    base = token.base
    return (
        base in HEADS
        or base in TITLE_WORDS
        or (base in context.state_words and base not in CONNECTORS | DETERMINERS)
        or is_acronym(token)
        or context.bodies.overlaps(token)
    )


def _title_start(context: Context, head: Token) -> int:
    """Walk left over the words that qualify a title: "U.S. Assistant", "Libyan National Army".
    Nothing bridges to a rank: "the government of Captain X" gives the title "Captain"."""
    start, left = head.start, head
    bridging = frozenset() if head.key in RANKS else _BRIDGING
    for steps, token in enumerate(reversed(context.tokens.before(head.start, 8))):
        if steps >= 10 or not adjacent(token, left):
            break
        if _title_word(context, token) or (token.possessive and token.capitalised):
            start = token.start
        elif token.key not in bridging:
            break
        left = token
    return start


def _apposition_end(context: Context, ahead: list[Token], last: int) -> int | None:
    """End of a title set off by commas ("X, the head of the World Meteorological
    Organization, said"); None when the title runs on into a sentence ("the minister said")."""
    end = ahead[last].end
    complement = False  # after "of", any words may follow: "the head of the fishermen's union"
    for index in range(last + 1, last + 14):
        if index == len(ahead):
            return end if ahead[-1].end == len(context.text) else None
        token = ahead[index]
        if token.text in _APPOSITION_END:
            return end
        if not adjacent(ahead[index - 1], token):
            return None
        if token.key in CONNECTORS:
            complement = True
        elif _title_word(context, token) or token.capitalised or (complement and token.word):
            end = token.end
        else:
            return None
    return None


def _name_before_title(context: Context, title_start: int) -> list[Token] | None:
    before = context.tokens.before(title_start, 2)
    if before and before[-1].key in DETERMINERS:
        before.pop()
    if not before or before[-1].text != ",":
        return None
    return _name_before(context, before[-1].start)


def _name_after(context: Context, ahead: list[Token], index: int) -> list[Token] | None:
    picked: list[Token] = []
    parts = 0
    for token in ahead[index : index + 8]:
        if picked and not adjacent(picked[-1], token):
            break
        if _name_word(context, token):
            picked.append(token)
            parts += 1
            if token.possessive:
                break
        elif _particle(token, first=not picked) or (picked and _INITIAL.fullmatch(token.text)):
            picked.append(token)
        else:
            break
        if context.headline and parts == 2:
            break
    return _trimmed(picked)


def _name_before(context: Context, position: int) -> list[Token] | None:
    """The name that ends right at `position`: the longest run of name words before it."""
    picked: list[Token] = []
    for token in reversed(context.tokens.before(position, 10)):
        if picked and not adjacent(token, picked[0]):
            break
        if not picked and token.end != position:
            return None
        if not (
            _name_word(context, token)
            or _particle(token, first=False)
            or (_INITIAL.fullmatch(token.text) and picked)
        ):
            break
        picked.insert(0, token)
    while picked and not _name_word(context, picked[0]) and not _particle(picked[0], first=True):
        picked.pop(0)
    previous = context.tokens.before(picked[0].start, 1) if picked else []
    if previous and previous[0].key in PLACE_PREPOSITIONS and adjacent(previous[0], picked[0]):
        return None
    return _trimmed(picked)


def _name_word(context: Context, token: Token) -> bool:
    text = token.text
    if not (token.capitalised or ARABIC_PREFIX.match(text)):
        return False
    if not any(char.islower() for char in text) or (
        not text[-1:].isalpha() and not token.possessive
    ):
        return False
    base = token.base
    return not (
        base in NOT_NAMES
        or base in COMMENTATORS
        or base in HEADS
        or base in TITLE_WORDS
        or (base in HONORIFICS and base not in _NAMEABLE_HONORIFICS)
        or base in context.state_words
        or context.bodies.overlaps(token)
    )


def _particle(token: Token, *, first: bool) -> bool:
    if first:
        return token.capitalised and token.key in LEADING_PARTICLES
    return token.key in PARTICLES and (token.capitalised or token.text.islower())


def _trimmed(picked: list[Token]) -> list[Token] | None:
    """No particle or initial at the end; a run of more than four name words is no name."""
    while picked and (picked[-1].key in PARTICLES or _INITIAL.fullmatch(picked[-1].text)):
        picked.pop()
    parts = sum(token.key not in PARTICLES for token in picked)
    return picked if 0 < parts <= MAX_NAME_PARTS else None


def _mention(
    context: Context, name: list[Token], role: tuple[str, int, int] | None
) -> PersonMention:
    words = [t for t in name if t.key not in PARTICLES and not _INITIAL.fullmatch(t.text)]
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


def _role(context: Context, start: int, end: int) -> tuple[str, int, int] | None:
    """The title as written, without trailing honorifics or a rank after an office:
    "Army Chief of Staff Gen." gives "Army Chief of Staff", "Mr." gives nothing."""
    # Read on past `end`, so that "M." before a name is one token, as in the text.
    words = [word for word in context.tokens.after(start, 32) if word.end <= end]
    while words and (words[-1].key in HONORIFICS or words[-1].key in CONNECTORS):
        words.pop()
    keep = len(words)
    while keep and words[keep - 1].key in RANKS:
        keep -= 1
    if keep and words[keep - 1].key in _GENERAL_TITLES:
        keep += 1  # "Director General" is an office, not a rank
    if 0 < keep < len(words) and any(word.key in HEADS for word in words[:keep]):
        words = words[:keep]
        while words and words[-1].key in CONNECTORS:
            words.pop()
    if not words:
        return None
    return context.text[words[0].start : words[-1].end], words[0].start, words[-1].end
