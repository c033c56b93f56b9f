"""People the gazetteer lacks, found the way news copy introduces them.

"Tunisian Defense Minister Khaled Shtili", "le ministre de l'Intérieur, Khaled Nouri",
"Khaled Nouri, the interior minister,", "Masoud Suleman, who ..." and "Marine Le Pen a déclaré".
The role is the title exactly as written; a name alone ("Shtili") is returned too, so that the
caller can tie it to a full name met elsewhere in the article.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from bot.analysis.agency import ARABIC_VERBS
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
    Tokens,
    adjacent,
    is_acronym,
)
from bot.analysis.romanise import given_names
from bot.analysis.text import fold

MAX_NAME_PARTS = 4
_INITIAL = re.compile(r"[A-Z]\.")
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
            found.append(_mention(context, name, role))
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
    return _mention(context, name, _set_off_role(context, rest))


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
            mention = _mention(context, name, None)
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
    after = _mention(context, name, _role(context, role_start, ahead[last].end)) if name else None
    # After "co-leader of the Social", a lone "Democrats" is the end of the title, not a name.
    complement = any(token.key in CONNECTORS for token in ahead[1 : last + 1])
    if after is not None and (after.parts > 1 or not complement):
        return after, after.end
    if after is None:
        ahead = context.tokens.after(start, 24)
        named = _after_complement(context, ahead, last)
        if named is not None:
            name, title_end = named
            return _mention(context, name, _role(context, role_start, title_end)), name[-1].end
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
        (picked[-1].key in PARTICLES and not _particle_surname(picked))
        or _INITIAL.fullmatch(picked[-1].text)
    ):
        picked.pop()
    return picked if 0 < _name_parts(picked) <= MAX_NAME_PARTS else None


def _name_parts(name: list[Token]) -> int:
    """The words of a name, particles aside."""
    return sum(token.key not in PARTICLES for token in name)


def _particle_surname(picked: list[Token]) -> bool:
    last = picked[-1]
    return (
        len(picked) > 1
        and last.capitalised
        and len(last.key) >= 3
        and last.key in LEADING_PARTICLES
        and picked[-2].key not in PARTICLES
    )


def _mention(
    context: Context, name: list[Token], role: tuple[str, int, int] | None
) -> PersonMention:
    words = [
        t
        for t in name
        if t.key not in PARTICLES
        and t.key not in ARABIC_PARTICLES
        and not _INITIAL.fullmatch(t.text)
    ]
    if _particle_surname(name):
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


# ---------------------------------------------------------------- Arabic
# Arabic has no capitals: a name is the run of words after a title ("وزير الداخلية خالد النوري")
# or after a verb of speech ("قال رمضان بن عمر، المتحدث باسم ..."), up to a comma, "إن", a
# preposition, a verb, a noun that follows a name ("ونظيره", "ووزراء", a number: see
# ARABIC_AFTER_NAME) or "و" with another given name ("X وأحمد Y"). Every list is folded like
# the text (أ إ آ → ا, ؤ → و, ئ → ي, ة → ه, ى → ي, diacritics dropped), so that "رئيسة"/"رئيسه"
# or "أكد"/"اكد" read the same; words that the press spells two ways after folding are listed
# both ways (مسؤول, مسئول).

_ARABIC = re.compile("[\u0600-\u06ff]")


def _arabic_words(text: str) -> frozenset[str]:
    return frozenset(fold(word) for word in text.split())


ARABIC_HEADS = _arabic_words(
    """
    وزير وزيرة الوزير الوزيرة رئيس رئيسة الرئيس الرئيسة العاهل الملك الأمير أمير ولي السفير
    سفير السفيرة المبعوث مبعوث المبعوثة المتحدث متحدث المتحدثة الناطق ناطق الناطقة قائد
    القائد مدير المدير مديرة المديرة الأمين أمين المستشار مستشار المستشارة النائب نائب المفوض
    المفوضة مفوض الممثل ممثل الممثلة المحافظ محافظ والي الوالي القاضي المحامي المحامية الناشط
    الناشطة زعيم الزعيم المنسق منسق المنسقة المدعي نقيب المرشح المرشحة مرشح آمر الآمر
    """
)
# Ranks: a title of their own, which an office after the name replaces ("العقيد محمود حمزة،
# قائد اللواء 444"); "اللواء" before a number is a brigade, not a general.
ARABIC_RANKS = _arabic_words("المشير الفريق اللواء العميد العقيد المقدم الرائد النقيب الجنرال")
# Honorifics mark a person but hold no office: no role, as "Mr." in English.
ARABIC_HONORIFICS = _arabic_words("الشيخ السيد السيدة الحاج الدكتور الدكتورة الأستاذ الأستاذة")
# Nouns without the article that carry a title on ("رئيس أركان الجيش", "المتحدث باسم").
ARABIC_TITLE_NOUNS = _arabic_words(
    """
    أركان مجلس حكومة وزارة هيئة جهاز مفوضية بعثة قوات شؤون شئون لشؤون لشئون باسم دولة لجنة
    حزب حركة جبهة اتحاد منظمة قيادة إدارة مصلحة مديرية وكالة ديوان غرفة محكمة
    شركة مؤسسة مكتب بنك مصرف صندوق جامعة نقابة جمعية معهد
    """
)
ARABIC_SPEECH_VERBS = _arabic_words(
    """
    قال قالت قالا أضاف أضافت أكد أكدت أوضح أوضحت صرح صرحت أعلن أعلنت أشار أشارت كشف كشفت
    شدد شددت حذر حذرت دعا دعت نفى نفت اعتبر اعتبرت رأى رأت يرى ترى يقول تقول ذكر ذكرت أفاد
    أفادت تابع تابعت أردف أعرب أعربت أبلغ أبلغت
    """
)
# "According to X, the spokesman of ...": a name after these needs its title after a comma.
ARABIC_ACCORDING = _arabic_words("حسب بحسب وفق")
# Words that end a name or cannot start one.
ARABIC_STOPS = _arabic_words(
    """
    في على من إلى عن مع أن إن بأن لدى خلال بعد قبل يوم اليوم أمس مساء صباح ليلة فجر الاثنين
    الثلاثاء الأربعاء الخميس الجمعة السبت الأحد الذي التي الذين أيضا كذلك قد لقد ما لا لم لن
    إنه إنها أنه أنها هو هي حيث بينما عبر وفق حسب بحسب ضمن عقب إثر منذ حتى أمام
    """
)
ARABIC_PARTICLES = _arabic_words("بن ابن ولد بنت آل أبو")
ARABIC_LATE = _arabic_words("الراحل الراحلة المرحوم الفقيد")
ARABIC_NOT_NAMES = _arabic_words(
    """
    مصدر مصادر مسؤول مسؤولة مسؤولون مسؤولين مسئول مسئولة مسئولون مسئولين شهود شاهد سكان
    مواطن مواطنون خبير خبراء محلل محللون مراقب مراقبون دبلوماسي دبلوماسيون باحث باحثون بيان
    تقرير مصرفي متعاملون ناشطون عناصر مسلحون أحد بعض عدد البيان التقرير الوزارة الرئاسة
    البعثة الجماعة الحركة الجيش الحكومة السلطات الشرطة المصدر المسؤول المسئول الأمم
    """
)
# Nouns that follow a name and end it, with or without "و"/"ف" attached: "ماتيو بيانتيدوسي
# ونظيره التونسي", "خالد النوري ووزراء ثلاث دول", "X وزوجته": a counterpart, a group of
# officials, kin or aides of the person, a number, a plural of states or bodies.
ARABIC_AFTER_NAME = _arabic_words(
    """
    نظير نظيره نظيرته نظيرها نظيرتها نظيريه نظراؤه نظرائه نظراء نظيراه وزراء وزيرا ممثلو
    ممثلي ممثلين ممثلون ممثلا رؤساء قادة زعماء أعضاء عضو أمناء سفراء مسؤولو مسؤولي مسئولو
    مسئولي نواب مبعوثو مبعوثي مستشارو مساعدو مساعدي زوجته زوجها زوجة زوج ابنه ابنته ابنها
    ابنتها ابناه نجله نجلها نجلي شقيقه شقيقته شقيقها شقيقتها أخوه أخيه أخاه أخته والده
    والدته والدها والدتها عائلته عائلتها أسرته أسرتها أقاربه أبناؤه أبنائه أبناء نائبه
    نائبها نائبته مساعده مساعدها مستشاره مستشارها حارسه حراسه أنصاره أنصار مؤيدوه مؤيديه
    رفاقه رفيقه فريقه فريقها محاميه محامو محاموه وفده وفدها وفد وفود حكومته حكومتها إدارته
    إدارتها بلاده بلادها حزبه حزبها دول دولتي دولتين بلدان منظمات هيئات جمعيات أحزاب شركات
    آخرون آخرين وآخرون وغيره غيرهم جميع كل كلا كافة معظم نحو حوالي قرابة زهاء
    """
)
ARABIC_NUMBERS = _arabic_words(
    """
    واحد واحدة اثنان اثنين اثنتان اثنتين ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة
    ثمان ثماني ثمانية تسع تسعة عشر عشرة عشرات عشرين ثلاثين أربعين خمسين مئة مائة مئات
    ألف ألفا آلاف مليون ملايين مليار مليارات نصف ثلث ثلثي ربع عدة بضع بضعة
    """
)
# Words that complete a rank: "الفريق أول", "العميد الركن".
ARABIC_RANK_PARTS = _arabic_words("أول الركن ركن")
_ARABIC_KNOWN = ARABIC_HEADS | ARABIC_RANKS | ARABIC_HONORIFICS | ARABIC_SPEECH_VERBS
# The words that may introduce a person.
_ARABIC_TRIGGERS = _ARABIC_KNOWN | ARABIC_ACCORDING
_ARABIC_BEFORE_NAME = ARABIC_RANKS | ARABIC_HONORIFICS
_ARABIC_PREFIXES = ("وال", "فال", "بال", "لل", "و", "ف", "ب", "ل")
_COMMAS = frozenset({"،", ","})
_ARABIC_NAME_ENDS = _COMMAS | {":", ".", "؛", "(", '"', "«"} | _arabic_words("أن إن")
_MAX_TITLE = 8
_MAX_APPOSITION = 14


def find_arabic_people(context: Context) -> list[PersonMention]:
    """People after a title or a verb of speech in Arabic text; a comma after the name may
    give the title ("قال X، المتحدث باسم Y", "بحسب X، الناطق باسم Y")."""
    found: list[PersonMention] = []
    words: list[Token] = []
    starts: dict[int, int] = {}  # a word's offset → its index
    resume = 0
    for match in _arabic_trigger_pattern().finditer(context.folded):
        if not words:
            words = context.tokens.after(0, len(context.text))
            starts = {word.start: index for index, word in enumerate(words)}
        index = starts.get(match.start())
        if index is None or index < resume:
            continue
        mention = _arabic_mention(context, words, index)
        if mention is not None:
            found.append(mention[0])
            resume = mention[1]
    return found


@lru_cache(maxsize=1)
def _arabic_trigger_pattern() -> re.Pattern[str]:
    """The words that may introduce a person, with what may be attached to them."""
    return re.compile(rf"(?<![^\W_])(?:{trie_pattern(_ATTACHED)})(?![^\W_])")


def _arabic_mention(
    context: Context, words: list[Token], index: int
) -> tuple[PersonMention, int] | None:
    """The person introduced by the word at `index`, and the index after the mention."""
    key = _arabic_key(words[index].key)
    if _arabic_titles(words, index):
        return _arabic_titled(context, words, index)
    following = index + 1
    if following >= len(words) or _arabic_titles(words, following):
        return None
    if key in ARABIC_SPEECH_VERBS:
        return _arabic_spoken(context, words, following)
    if key in ARABIC_ACCORDING:
        return _arabic_spoken(context, words, following, titled_only=True)
    return None


def _attached_forms(known: frozenset[str]) -> dict[str, str]:
    """Each known word with a conjunction or preposition attached, mapped to the word:
    "ووزير" → "وزير", "والرئيس" and "للرئيس" → "الرئيس"."""
    forms: dict[str, str] = {}
    for word in known:
        for prefix in _ARABIC_PREFIXES:
            if prefix in _DEFINITE_PREFIXES:
                if word.startswith("ال") and len(word) > 4:
                    forms.setdefault(prefix + word[2:], word)
            elif len(word) > 2:
                forms.setdefault(prefix + word, word)
    forms.update((word, word) for word in known)
    return forms


_DEFINITE_PREFIXES = ("وال", "فال", "بال", "لل")
_ATTACHED = _attached_forms(_ARABIC_TRIGGERS)


def _arabic_key(key: str) -> str:
    """A folded word without a conjunction or preposition attached: "وزير" in "ووزير"."""
    return _ATTACHED.get(key, key)


def _arabic_titles(words: list[Token], index: int) -> bool:
    """A title, a rank or an honorific; not "اللواء" before a number, which is a brigade."""
    key = _arabic_key(words[index].key)
    if key in ARABIC_RANKS:
        return not (index + 1 < len(words) and words[index + 1].key.isdigit())
    return key in ARABIC_HEADS or key in ARABIC_HONORIFICS


def _arabic_titled(
    context: Context, words: list[Token], head: int
) -> tuple[PersonMention, int] | None:
    """A name after the title that opens at `head` ("وزير الداخلية خالد النوري", "رئيس
    الأركان، الفريق X"), and the index after the mention and its apposition."""
    end = head + 1
    while (
        end < len(words)
        and end - head < _MAX_TITLE
        and _arabic_title_word(context, words, end, head)
    ):
        end += 1
    end = _body_named(context, words, end)
    if any(word.key in ARABIC_LATE for word in words[head:end]):
        return None  # "الرئيس الراحل إدريس ديبي": a predecessor named as background
    opening = _arabic_key(words[head].key)
    role = None if opening in ARABIC_HONORIFICS else _arabic_role(context, words, head, end)
    start = end
    comma = start < len(words) and words[start].key in _COMMAS
    start += comma
    ranks = start
    while start < len(words) and (
        _arabic_key(words[start].key) in _ARABIC_BEFORE_NAME
        or (start > ranks and words[start].key in ARABIC_RANK_PARTS)
    ):
        start += 1
    name = _arabic_name(context, words, start)
    if comma and start == ranks and not (name is not None and _given_and_family(name)):
        # A comma must lead to a rank ("رئيس الأركان، الفريق X") or to a given name and a
        # family name: "الأمين العام لحزب مستقبل وطن، شريف النجار".
        return None
    if name is None:
        return None
    after = start + len(name)
    apposition = _arabic_apposition(context, words, after)
    if apposition is not None:
        if opening in ARABIC_RANKS or opening in ARABIC_HONORIFICS:
            role = apposition[0]
        after = apposition[1]
    return _mention(context, name, role), after


def _arabic_spoken(
    context: Context, words: list[Token], start: int, *, titled_only: bool = False
) -> tuple[PersonMention, int] | None:
    """The name after a verb of speech ("قال رمضان بن عمر، المتحدث باسم ..."), which must end
    on a comma, "إن" or "أن", and the title after the comma."""
    name = _arabic_name(context, words, start)
    if name is None:
        return None
    after = start + len(name)
    if after >= len(words) or words[after].key not in _ARABIC_NAME_ENDS:
        return None
    apposition = _arabic_apposition(context, words, after)
    if apposition is not None:
        return _mention(context, name, apposition[0]), apposition[1]
    # Without a title, only a surname ("وأضاف الجبابلي أن") or a known person: "قالت منظمات
    # إنسانية إن" names nobody.
    if titled_only or (len(name) > 1 and not context.people.overlaps(name[0])):
        return None
    return _mention(context, name, None), after


def _arabic_title_word(context: Context, words: list[Token], index: int, head: int) -> bool:
    """A word that carries a title on: a definite noun or adjective, a noun of office, a
    number, a body or a state the gazetteer knows, another office in the construct ("نائب
    رئيس المجلس"); never a person, a rank before a name or a title with the article."""
    token = words[index]
    if context.people.overlaps(token):
        return False
    if context.bodies.overlaps(token):
        return True  # "قائد اللواء 444": the brigade
    key = token.key
    if key in ARABIC_STOPS:
        return False  # "إلى" folds to "الي", which is no article
    if key in ARABIC_RANK_PARTS:
        return _arabic_key(words[index - 1].key) in ARABIC_RANKS
    if _arabic_titles(words, index):
        # An office without the article after a word in the construct state continues the
        # title: "نائب رئيس المجلس", "المتحدث باسم وزير الخارجية".
        construct = not words[index - 1].key.startswith("ال") or index - 1 == head
        return construct and key in ARABIC_HEADS and not key.startswith("ال")
    return (
        key.startswith(("ال", "وال", "لل"))
        or key in ARABIC_TITLE_NOUNS
        or _unprefixed(key) in ARABIC_TITLE_NOUNS
        or key.isdigit()
    )


def _arabic_name(context: Context, words: list[Token], start: int) -> list[Token] | None:
    """Up to four words from `start`; the first one may carry the article only alone (a
    surname: "الوزير النوري", "وأضاف الجبابلي أن") or when the gazetteer knows the person.
    A known given name with "و" attached opens another person: "محمد علي وأحمد خالد"."""
    picked: list[Token] = []
    for token in words[start : start + MAX_NAME_PARTS]:
        if not _arabic_name_word(context, token):
            break
        if picked and not adjacent(picked[-1], token):
            break
        if picked and _another_person(token.key):
            break
        picked.append(token)
    if not picked:
        return None
    first = picked[0]
    definite = first.key.startswith("ال") and not context.people.overlaps(first)
    if definite and len(picked) > 1:
        return None
    return picked


def _arabic_name_word(context: Context, token: Token) -> bool:
    key = token.key
    return (
        key[:1].isalpha()
        and bool(_ARABIC.match(key))
        and (key not in ARABIC_STOPS or _ali(token))
        and not _not_a_name(key)
        and _arabic_key(key) not in _ARABIC_TRIGGERS
        and (
            context.people.overlaps(token)
            or not (context.bodies.overlaps(token) or _arabic_verb(key))
        )
    )


_NOT_NAMES = ARABIC_NOT_NAMES | ARABIC_AFTER_NAME | ARABIC_NUMBERS
_CONJUNCTIONS = ("و", "ف")
_ALI = fold("علي")


def _not_a_name(key: str) -> bool:
    """A word that is no part of a name, alone or with "و"/"ف" attached ("ونظيره",
    "ووزراء", "فمسؤولون", "وفي")."""
    if key in _NOT_NAMES:
        return True
    if len(key) > 2 and key.startswith(_CONJUNCTIONS):
        bare = key[1:]
        return bare in _NOT_NAMES or (bare in ARABIC_STOPS and bare != _ALI)
    return False


def _ali(token: Token) -> bool:
    """The name Ali: "علي" written with a final ya; "على" (on) folds to the same word."""
    return token.key == _ALI and token.text.endswith("ي")


_MAX_BODY_NAME = 4


def _body_named(context: Context, words: list[Token], end: int) -> int:
    """Where a title ends whose last word is a body without the article ("لحزب", "لشركة"):
    the words after it up to a comma name the body when a given name and a family name follow
    the comma ("الأمين العام لحزب مستقبل وطن، شريف النجار"); else `end`."""
    last = words[end - 1].key
    if last.startswith("ال") or _unprefixed(last) not in ARABIC_TITLE_NOUNS:
        return end
    for comma in range(end, min(end + _MAX_BODY_NAME + 1, len(words))):
        if words[comma].key in _COMMAS:
            if comma == end:
                return end
            name = _arabic_name(context, words, comma + 1)
            return comma if name is not None and _given_and_family(name) else end
        if not _arabic_name_word(context, words[comma]):
            return end
    return end


def _given_and_family(name: list[Token]) -> bool:
    """Two words or more, the first a given name the name table knows."""
    return len(name) > 1 and name[0].key in given_names()


def _another_person(key: str) -> bool:
    """A word that is "و" and a given name, and no given name itself: "وأحمد", not "وليد"."""
    given = given_names()
    return len(key) > 3 and key.startswith("و") and key not in given and key[1:] in given


def _arabic_verb(key: str) -> bool:
    """A verb in the third person, a conjunction or the future prefix attached: "يواجه",
    "ويواجه", "سيوقع"."""
    return key in ARABIC_VERBS or (len(key) > 3 and key[0] in "وفس" and key[1:] in ARABIC_VERBS)


def _arabic_role(
    context: Context, words: list[Token], start: int, end: int
) -> tuple[str, int, int] | None:
    """The title as written, without the conjunction or preposition attached to its first
    word ("ورئيس الحكومة" gives "رئيس الحكومة")."""
    if end <= start:
        return None
    first, last = words[start], words[end - 1]
    attached = len(first.key) - len(_arabic_key(first.key))
    begin = first.start + max(attached, 0)
    return context.text[begin : last.end], begin, last.end


_ARABIC_MINISTERS = _arabic_words("وزير وزيرة الوزير الوزيرة")
_LAST_WORD = re.compile(r"(\S+) $")


def after_arabic_minister(folded: str, start: int) -> bool:
    """Does a minister's title end right before `start`? "وزيرة الخارجية الإيطالية" names the
    minister, not the ministry."""
    previous = _LAST_WORD.search(folded, max(0, start - 16), start)
    return previous is not None and _arabic_key(previous[1]) in _ARABIC_MINISTERS


def _unprefixed(key: str) -> str:
    """A word without one letter of و ف ب ل attached: "لحركة" → "حركة"."""
    return key[1:] if len(key) > 3 and key[0] in "وفبل" else key


def _arabic_apposition(
    context: Context, words: list[Token], comma: int
) -> tuple[tuple[str, int, int], int] | None:
    """The title set off by commas after a name ("، المتحدث باسم الحرس الوطني،") and the
    index after it: every word up to the next comma, "إن", "أن" or full stop."""
    if comma + 1 >= len(words) or words[comma].key not in _COMMAS:
        return None
    if _arabic_key(words[comma + 1].key) not in ARABIC_HEADS | ARABIC_RANKS:
        return None
    end = comma + 2
    while end < len(words) and end - comma < _MAX_APPOSITION:
        if words[end].key in _ARABIC_NAME_ENDS:
            break
        end += 1
    else:
        return None
    role = _arabic_role(context, words, comma + 1, end)
    return (role, end) if role is not None else None
