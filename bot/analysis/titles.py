"""People the gazetteer lacks, found the way news copy introduces them.

"Tunisian Defense Minister Khaled Shtili", "le ministre de l'Intérieur, Khaled Nouri",
"Khaled Nouri, the interior minister,", "Masoud Suleman, who ..." and "Marine Le Pen a déclaré".
The role is the title exactly as written; a name alone ("Shtili") is returned too, so that the
caller can tie it to a full name met elsewhere in the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from bot.analysis.gazetteer import trie_pattern
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
    adjacent,
    is_acronym,
)
from bot.analysis.mentions import (
    INITIAL,
    MAX_NAME_PARTS,
    Context,
    PersonMention,
    mention_of,
    particle_surname,
)
from bot.analysis.titles_arabic import find_arabic_people

_ARABIC = re.compile("[\u0600-\u06ff]")
_REGNAL = re.compile(r"[IVX]{2,5}")  # "Felipe VI", "Leo XIV"
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
# "the governor of the central bank, X Y," / "le ministre de la Protection civile, X Y,": after
# "of"/"de", a few words of any case complete the title up to the comma before the name.
_COMPLEMENT_OPENERS = frozenset({"of", "de", "du", "des", "d'"})
_MAX_COMPLEMENT = 7


def find_people(context: Context) -> list[PersonMention]:
    """People next to a title, then people before ", who", an age or a verb of speech; in
    Arabic, people after a title or a verb of speech (see find_arabic_people)."""
    found = _latin_people(context)
    if _ARABIC.search(context.folded):
        found.extend(find_arabic_people(context))
    return found


def _latin_people(context: Context) -> list[PersonMention]:
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
        if name:
            role = _commentator_role(context, name[0])
            found.append(mention_of(context, name, role))
    for match in _attribution_pattern().finditer(context.folded):
        mention = _attributed(context, match.end())
        if mention is not None:
            found.append(mention)
    return found


@lru_cache(maxsize=1)
def _attribution_pattern() -> re.Pattern[str]:
    """A verb of speech after a quote or a comma, or "according to": the name follows
    ('…," said Leila Haddad, an analyst', "« … », estime Adama Koné, chercheur")."""
    speech = trie_pattern(SPEECH_VERBS | SPEECH_PRESENT_FR)
    return re.compile(
        rf"(?:[,\"”»] ?(?:{speech})|(?<![^\W_])(?:according to|selon|d'apres)) (?=[A-ZÀ-Þ])",
        re.IGNORECASE,
    )


def _attributed(context: Context, start: int) -> PersonMention | None:
    """The full name at `start`, closed by punctuation, with the title set off after it."""
    ahead = context.tokens.after(start, 24)
    name = _name_after(context, ahead, 0)
    if name is None or _name_parts(name) < 2:
        return None
    rest = [token for token in ahead if token.start >= name[-1].end]
    if rest and rest[0].text not in _APPOSITION_END:
        return None
    return mention_of(context, name, _set_off_role(context, rest))


def _set_off_role(context: Context, rest: list[Token]) -> tuple[str, int, int] | None:
    """The title after a name and a comma: ", an energy analyst at MedEnergy," gives
    "energy analyst at MedEnergy"; ", chercheur spécialiste du Sahel." gives the same words."""
    if len(rest) < 2 or rest[0].text != ",":
        return None
    words = rest[1:]
    first = 1 if words[0].key in DETERMINERS else 0
    end = first
    while end < min(len(words), first + 8):
        token = words[end]
        if not token.word or (end > first and not adjacent(words[end - 1], token)):
            break
        end += 1
    if end == first:
        return None
    held = [token.key for token in words[first:end]]
    if not any(word in HEADS or word in COMMENTATORS for word in held):
        return None
    return _role(context, words[first].start, words[end - 1].end)


# Two to five capitalised words in a row, particles between them: "Mohamed el-Manfi", "Hamadi
# Ould Sid'El Moctar".
_CAPITALISED_RUN = re.compile(
    r"(?<![^\W_])[A-ZÀ-Þ][^\W_]*(?:['’\-][^\W_]+)*"
    r"(?: (?:[a-z]{1,4}[ \-]|[a-z]['’])?[A-ZÀ-Þ][^\W_]*(?:['’\-][^\W_]+)*){1,4}"
)


def name_runs(context: Context, wanted: Callable[[str], bool]) -> list[PersonMention]:
    """Runs of name words with no title or verb around them ("Mohamed el-Manfi met"): not a
    person by themselves, but a known person spelt another way may be recognised in them.
    Only the capitalised words that pass `wanted` are read."""
    found: list[PersonMention] = []
    for match in _CAPITALISED_RUN.finditer(context.text):
        if not wanted(match[0]):
            continue
        tokens = context.tokens.between(match.start(), match.end())
        for name in _name_segments(context, tokens):
            mention = mention_of(context, name, None)
            if mention.parts > 1:
                found.append(mention)
    return found


def _name_segments(context: Context, tokens: list[Token]) -> Iterator[list[Token]]:
    run: list[Token] = []
    for token in tokens:
        if _name_word(context, token) or (run and _particle(token, first=False)):
            run.append(token)
            continue
        name = _trimmed(run)
        if name is not None:
            yield name
        run = []
    name = _trimmed(run)
    if name is not None:
        yield name


def _commentator_role(context: Context, first: Token) -> tuple[str, int, int] | None:
    """ "analyst Kholood Khair said": the commentator's word is the role."""
    before = context.tokens.before(first.start, 1)
    if before and before[-1].key in COMMENTATORS and adjacent(before[-1], first):
        return before[-1].text, before[-1].start, before[-1].end
    return None


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
    after = mention_of(context, name, _role(context, role_start, ahead[last].end)) if name else None
    # After "co-leader of the Social", a lone "Democrats" is the end of the title, not a name.
    complement = any(token.key in CONNECTORS for token in ahead[1 : last + 1])
    if after is not None and (after.parts > 1 or not complement):
        return after, after.end
    if after is None:
        ahead = context.tokens.after(start, 24)
        named = _after_complement(context, ahead, last)
        if named is not None:
            name, title_end = named
            return mention_of(context, name, _role(context, role_start, title_end)), name[-1].end
    if len(ahead) == 12:
        ahead = context.tokens.after(start, 24)
    end = _apposition_end(context, ahead, last)
    before = _name_before_title(context, role_start) if end is not None else None
    if end is not None and before is not None:
        return mention_of(context, before, _role(context, role_start, end)), end
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


def _after_complement(
    context: Context, ahead: list[Token], last: int
) -> tuple[list[Token], int] | None:
    """The full name set off by commas after a title and its complement, and where the title
    ends: "le président de la région, Carlos Mazón, est critiqué"."""
    opener = last + 1
    if opener >= len(ahead) or ahead[opener].key not in _COMPLEMENT_OPENERS:
        return None
    for comma in range(opener + 1, min(len(ahead), opener + _MAX_COMPLEMENT + 1)):
        token = ahead[comma]
        if token.text == ",":
            break
        if not (token.word and adjacent(ahead[comma - 1], token)):
            return None
    else:
        return None
    if comma == opener + 1 or ahead[comma - 1].key in CONNECTORS:
        return None
    first = _name_start(context, ahead, comma)
    name = _name_after(context, ahead, first)
    if name is None or _name_parts(name) < 2:
        return None
    following = next((token for token in ahead if token.start >= name[-1].end), None)
    if following is not None and following.text not in _APPOSITION_END:
        return None
    return name, ahead[comma - 1].end


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
    # After "of", any words may follow: "the head of the fishermen's union", "a spokesman for
    # the court of first instance".
    complement = any(token.key in CONNECTORS for token in ahead[1 : last + 1])
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
        elif picked and _REGNAL.fullmatch(token.text):
            picked.append(token)
            break
        elif _particle(token, first=not picked) or (picked and INITIAL.fullmatch(token.text)):
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
            or (INITIAL.fullmatch(token.text) and picked)
            or (_REGNAL.fullmatch(token.text) and not picked)
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
    """No particle or initial at the end, except a surname that is one ("Yossi Abu"); a run of
    more than four name words is no name."""
    while picked and (
        (picked[-1].key in PARTICLES and not particle_surname(picked))
        or INITIAL.fullmatch(picked[-1].text)
    ):
        picked.pop()
    return picked if 0 < _name_parts(picked) <= MAX_NAME_PARTS else None


def _name_parts(name: list[Token]) -> int:
    """The words of a name, particles aside."""
    return sum(token.key not in PARTICLES for token in name)


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
