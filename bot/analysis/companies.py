"""Companies the gazetteer lacks, found the way business copy names them.

After a word for a company ("le groupe canadien Barrick Gold", "the French nuclear group
Orano", "Israeli firm NewMed") or by a company word ending the name ("Blue Ocean Energy",
"Sahara Mining Ltd"). Only Latin script: an Arabic transcription of a brand is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bot.analysis.gazetteer import trie_pattern
from bot.analysis.lexicon import NOT_NAMES, TITLE_WORDS, Token, Tokens, adjacent

# Words that introduce a company's name, folded.
_INTRODUCERS = frozenset(
    """
    company companies firm group groupe conglomerate operator miner producer supplier
    carrier shipowner lender insurer startup start-up contractor manufacturer developer
    societe compagnie entreprise firme operateur producteur fournisseur transporteur
    armateur assureur constructeur minier petrolier gazier industriel
    """.split()
)
# Last words that make a run of capitalised words a company: "Blue Ocean Energy".
_SUFFIXES = frozenset(
    """
    energy energies gold mining minerals resources petroleum oil gas holding holdings
    airlines airways telecom group groupe inc inc. ltd ltd. plc sa s.a. spa s.p.a. ag corp
    corp. corporation llc gmbh nv
    """.split()
)
# Between the introducer and the name in French ("le groupe canadien Barrick"), or before the
# introducer in English ("the French nuclear group"): adjectives of any kind, a few at most.
_MAX_WORDS_BETWEEN = 2
_INNER_CONNECTORS = frozenset({"de", "du", "des", "d'", "la", "l'", "et", "of"})
_MAX_NAME_WORDS = 4
_NAME_WORD = re.compile(r"[A-ZÀ-Þ][\w&'’.-]*|[A-Z]{2,}[\w&-]*")


@dataclass(frozen=True, slots=True)
class CompanyMention:
    name: str
    start: int
    end: int


def find_companies(
    text: str, folded: str, tokens: Tokens, state_words: frozenset[str]
) -> list[CompanyMention]:
    """Company names introduced by a company word or closed by one, in order, once each span.
    `folded` is `text` folded with the same offsets."""
    found: dict[int, CompanyMention] = {}
    for match in _introducer_pattern().finditer(folded):
        if text[match.start()].isupper():  # "Groupe Chimique Tunisien": part of the name
            mention = _named_with_introducer(text, tokens, match.start(), state_words)
        else:
            mention = _after_introducer(text, tokens, match.end(), state_words)
        if mention is not None:
            found.setdefault(mention.start, mention)
    for mention in _suffixed(text, folded, tokens, state_words):
        found.setdefault(mention.start, mention)
    return [found[start] for start in sorted(found)]


@lru_cache(maxsize=1)
def _introducer_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_])(?:{trie_pattern(_INTRODUCERS)})(?![^\W_])")


def _after_introducer(
    text: str, tokens: Tokens, end: int, state_words: frozenset[str]
) -> CompanyMention | None:
    ahead = tokens.after(end, _MAX_WORDS_BETWEEN + _MAX_NAME_WORDS + 1)
    index = 0
    while index < min(len(ahead), _MAX_WORDS_BETWEEN) and _adjective(ahead[index], state_words):
        index += 1
    return _name_run(text, ahead[index:], state_words)


def _named_with_introducer(
    text: str, tokens: Tokens, start: int, state_words: frozenset[str]
) -> CompanyMention | None:
    """ "Compagnie Tunisienne de Navigation", "Société nationale de l'Électricité": capitalised
    words, and the connectors between them, after a capitalised company word."""
    run = tokens.after(start, 2 * _MAX_NAME_WORDS + 2)
    last = 0
    for index in range(1, len(run)):
        token = run[index]
        if not adjacent(run[index - 1], token) or index - last > 3:
            break
        if _NAME_WORD.fullmatch(token.text) and token.base not in NOT_NAMES - state_words:
            last = index
        elif token.key not in _INNER_CONNECTORS:
            break
    if last == 0:
        return None
    return CompanyMention(text[start : run[last].end], start, run[last].end)


def _adjective(token: Token, state_words: frozenset[str]) -> bool:
    """A lower-case word ("canadien", "nuclear"), or a nationality ("Canadian")."""
    if not token.word or token.base in NOT_NAMES:
        return False
    return token.text.islower() or token.base in state_words


def _name_run(text: str, tokens: list[Token], state_words: frozenset[str]) -> CompanyMention | None:
    picked: list[Token] = []
    for token in tokens[:_MAX_NAME_WORDS]:
        if picked and not adjacent(picked[-1], token):
            break
        if not _company_word(token, state_words, first=not picked):
            break
        picked.append(token)
    if not picked:
        return None
    start, end = picked[0].start, picked[-1].end
    name = text[start:end].rstrip(".")
    return CompanyMention(name, start, start + len(name))


def _company_word(token: Token, state_words: frozenset[str], *, first: bool) -> bool:
    if not _NAME_WORD.fullmatch(token.text):
        return False
    base = token.base
    return not first or not (base in NOT_NAMES or base in TITLE_WORDS or base in state_words)


def _suffixed(
    text: str, folded: str, tokens: Tokens, state_words: frozenset[str]
) -> list[CompanyMention]:
    """Runs of two to four capitalised words whose last is a company word."""
    found: list[CompanyMention] = []
    for match in _suffix_pattern().finditer(folded):
        if not text[match.start()].isupper():
            continue
        run = tokens.before(match.end(), _MAX_NAME_WORDS)
        while run and not (
            _NAME_WORD.fullmatch(run[0].text)
            and all(adjacent(left, right) for left, right in pairwise(run))
        ):
            run.pop(0)
        first = 0
        while first < len(run) - 1 and not _company_word(run[first], state_words, first=True):
            first += 1
        if len(run) - first >= 2:
            mention = _name_run(text, run[first:], state_words)
            if mention is not None and mention.end == match.end():
                found.append(mention)
    return found


@lru_cache(maxsize=1)
def _suffix_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_])(?:{trie_pattern(_SUFFIXES)})(?![^\W_])")
