"""The event: the one sentence of the title or lead that states what happened, quoted as written.

Candidates are the first sentences of the body; each is scored on what a news lead looks like
(shares words with the title, has a finite event verb, names a day, comes early, has a sensible
length) and on what it does not (bylines, captions, questions, bare quotes, background). The
title is the fallback. Nothing is rephrased: a dateline may be dropped and a long sentence cut.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from bot.analysis.text import fold, sentences, squash_spaces, words

LEAD_SENTENCES = 3
ELLIPSIS = "…"
_LEAD_WINDOW_CHARS = 6000  # the lead is near the top; no need to split the whole body
_MIN_LEAD_SCORE = 1.5  # below this no lead sentence beats the title
_SHORT_CUT_SHARE = 0.4  # a clause cut must keep at least this share of max_chars

# "TUNIS, Dec 12 (Reuters) -", "Tunis, 12 décembre (TAP) —", "By Jane Doe TUNIS (AFP) -".
_DATELINE = re.compile(
    r"^(?:By\s+(?:[A-Z][\w'’.-]+\s+){1,4}?)?"
    r"(?:[A-ZÀ-Ý][\w'’.-]*(?:[ /-][A-ZÀ-Ý][\w'’.-]*){0,3}(?: \d{1,2})?"
    r"(?:,\s*[^,()]{1,30}?){0,2}\s*"
    r"|[\u0600-\u06ff]+(?: [\u0600-\u06ff\d]+){0,3}\s*)?"
    r"\((?:[A-Za-z][\w.&/ -]{0,24}|[\u0600-\u06ff ]{2,20})\)\s*[-–—:]+\s*"
)
# "PARIS —", "TUNIS, Tunisia —", "TUNIS:", "Reuters -".
_CAPS_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z'’.-]{2,}(?:[ /-][A-Z][A-Z'’.-]+){0,2}(?:,\s*[A-Z][\w.]*(?: [\w.]+){0,2})?"
    r"|Reuters|AFP|AP)(?:\s+[-–—]|:(?=\s))\s*"
)
_LEAD_LABEL = re.compile(
    r"^(?:driving the news|what happened|the news|ce qui s'est passé)\s?:\s*", re.I
)
_TITLE_TAGS = re.compile(
    r"^(?:(?:UPDATE|WRAPUP|REFILE|CORRECTED|EXCLUSIVE|ANALYSIS|FACTBOX|EXPLAINER|INSIGHT|BREAKING"
    r"|LIVE|VIDEO|WATCH|OPINION|INTERVIEW|ANALYSE|DIRECT|VIDÉO|EXCLUSIF)\s*\d*\s*[-:–—|]\s*)+",
    re.I,
)
_TITLE_OUTLET = re.compile(r"\s+(?:\|\s+[^|]{2,50}|[-–—]\s+[^-–—|]{2,40})$")
_OUTLET_WORD = re.compile(r"^(?:[A-Z0-9\u0600-\u06ff][\w'’.&:-]*|of|the|de|du|des|la|le|al|el)$")
_LIST_MARKER = re.compile(r"^(?:[-•*▪◦–—]|\d{1,2}[.)])\s+")
_TRUNCATION = re.compile(r"\s*(?:\[(?:…|\.\.\.)\]|\(…\)|Continue reading\W*|Lire la suite\W*)$")
_TRUNCATION_MARKS = ("[…]", "[...]", "(…)", "Continue reading", "Lire la suite")


class Hinted(NamedTuple):
    """A case-insensitive regex behind a cheap test: every match holds one of `hints` (lower
    case), so text holding none of them is passed over without running the regex."""

    pattern: re.Pattern[str]
    hints: tuple[str, ...]

    def search(self, text: str) -> bool:
        lowered = caseless(text)
        for hint in self.hints:
            if hint in lowered:
                return self.pattern.search(text) is not None
        return False


def caseless(text: str) -> str:
    """Lower case in which every re.I match of lower-case letters shows as the letters themselves.

    str.lower() alone misses three: "İ" and "ı" match "i" under re.I, "ſ" matches "s".
    """
    if not text.isascii():
        text = text.replace("İ", "i").replace("ı", "i").replace("ſ", "s")
    return text.lower()


_BOILERPLATE_START = re.compile(
    r"(?:photos?|images?|vid[eé]o|credit|crédit|caption|légende|copyright|related|more|sources?)"
    r"\s?:|(?:by|par)\s+[A-Z][\w'’.-]+(?:\s+(?:and|et|&)?\s*[A-Z][\w'’.-]+){0,5}\s*$"
    r"|(?:published|updated|posted|publié|mis à jour)\b",
    re.I,
)
_BOILERPLATE_PHRASE = Hinted(
    re.compile(
        r"\b(?:subscribe (?:now|today|here|to our)|sign up (?:now|here|today|for our|to our)"
        r"|our newsletter|newsletter sign|abonnez-vous\b|inscrivez-vous\b|click here\b"
        r"|cliquez ici\b|follow us\b|suivez-nous\b|appeared first on\b|continue reading\b"
        r"|lire la suite\b|read more\b|(?:à )?lire aussi\b|see also\b|min read\b"
        r"|listen to this article\b|écouter cet article\b|reporting by\b|editing by\b"
        r"|writing by\b|getty images\b|we use cookies\b|our standards:|support our journalism"
        r"|contributed to this report\b|register now\b|file photo\b|(?:reuters|afp|ap photo)/"
        r"|temps de lecture\b|réservée? (?:à nos|aux) abonnés\b)"
        r"|all rights reserved|tous droits réservés|©",
        re.I,
    ),
    hints=(
        *("subscribe", "sign up", "newsletter", "abonnez-vous", "inscrivez-vous", "click here"),
        *("cliquez ici", "follow us", "suivez-nous", "appeared first on", "continue reading"),
        *("lire la suite", "read more", "lire aussi", "see also", "min read", "article", "ing by"),
        *("getty images", "cookies", "our standards:", "support our journalism", "this report"),
        *("register now", "file photo", "reuters/", "afp/", "ap photo/", "temps de lecture"),
        *("abonnés", "all rights reserved", "tous droits réservés", "©"),
    ),
)
# A picture caption ends on its credit: "... in Tunis, May 2, 2025. REUTERS/Jane Doe".
_PHOTO_CREDIT = re.compile(r"\b(?:REUTERS|AFP|EPA|AP Photo|Getty Images|File Photo)/|/File Photo\b")
NO_COMMENT = Hinted(
    re.compile(
        r"\b(?:(?:could not|couldn't|did not|didn't) (?:be )?(?:immediately |independently )?"
        r"(?:reached|verif|confirm|respond)|declined to comment\b|would not comment\b"
        r"|n'a pas (?:pu être joint|répondu|souhaité (?:commenter|réagir)))",
        re.I,
    ),
    hints=("not", "n't", "comment", "n'a pas"),
)
# Finite verbs that report something happening (not merely someone speaking).
_EVENT_VERB = {
    "en": re.compile(
        r"\b(?:(?:announc|pledg|vow|kill|arrest|detain|intercept|seiz|sign|launch|attack|bomb|shell"
        r"|dismiss|sack|appoint|elect|resign|sentenc|convict|charg|condemn|approv|reject|adopt"
        r"|agree|order|bann|suspend|impos|lift|expell|recall|deploy|clash|storm|raid|kidnapp"
        r"|abduct|releas|free|rescu|dismantl|foil|thwart|warn|urg|accus|deni|confirm|claim"
        r"|declar|unveil|captur|destroy|reaffirm|host|receiv|visit|protest|injur|wound|rais"
        r"|land|arriv|reach|climb|jump|surg|plung|hik|lower|float|devalu|open|clos|reopen"
        r"|evacuat|capsiz|collaps|crash|explod|erupt|overwhelm|complet|inaugurat|endors|back"
        r"|fin|hand|pass|vot|block|halt|extend|cancel|postpon|return|withdr|pull)(?:ed|d)"
        r"|met|struck|fired|won|withdrew|held|shot|hit|died|dead|took|fled|broke|began|sank"
        r"|swept|rose|fell|beat|led|sent|gave|left|shut|cut|flew|blew|sworn|called for)\b"
    ),
    "fr": re.compile(
        r"\b(?:(?:a|ont|avait|avaient|aurait|auraient|s'est|se sont|a été|ont été)\s+"
        r"(?:[a-zà-ÿ]+ment\s+)?[a-zà-ÿ]+(?:é|ée|és|ées|i|is|ie|it|u|us|ert|ort|eint|int)"
        r"|annonce|affirme|déclare|signe|lance|condamne|appelle|reçoit|rencontre|frappe"
        r"|tue|arrête|démissionne|limoge|nomme|rejette|approuve|dément|menace|dénonce|exige"
        r"|tués?|blessés?|arrêtés?|interpellés?|démantelée?|saisie?s?)\b"
    ),
    "ar": re.compile(
        r"(?:^|\s)[وف]?(?:قال|اعلن|اكد|وقع|التقى|استقبل|اعتقل|قتل|اصيب|هاجم|اطلق|ادان|دعا|بحث"
        r"|عقد|صادق|افاد|كشف|نفذ|ضبط)(?:ت|وا)?(?=\s|$)"
    ),
}
_REPORT_VERB = re.compile(r"\b(?:says|said|told|according to|selon|indique|affirme)\b")
# A later sentence opening on a pronoun or connective leans on an earlier one: not the lead.
_DEPENDENT_OPENING = re.compile(
    r"^(?:(?:hours|days|weeks|minutes|moments) (?:later|earlier)|later|earlier|meanwhile"
    r"|however|but|and|also|still|yet|then|it|this|that|these|those|they|he|she|his|her|its"
    r"|their|there|such|quelques (?:heures|jours) plus tard|plus tard|entre-temps|cependant"
    r"|mais|et|puis|il|elle|ils|elles|ce|cet|cette|ces|cela|son|sa|ses|leur|leurs"
    r"|de son côté|par ailleurs|en outre|toutefois|selon (?:lui|elle|eux))\b",
    re.I,
)
_DAY_WORD = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight"
    r"|last week|this week|overnight|this morning|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche|hier|aujourd'hui|ce week-end|cette semaine|la semaine dernière|dans la nuit"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b"
    r"|\d{1,2} (?:janv|févr|mars|avril|mai|juin|juil|août|sept|oct|nov|déc)[a-zé]*"
    r"|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|الاحد)"
)
_BACKGROUND = Hinted(
    re.compile(r"^(?:in|since|en|depuis|dès|by) (?:19|20)\d\d\b|\bhad been\b", re.I),
    hints=("19", "20", "had been"),
)
_QUOTE_OPEN = "\"“«'‘"
_QUOTE_CLOSE = "\"”»'’"
_CLAUSE_BREAK = re.compile(r"[,;](?=\s)|\s[—–]\s")
_STEM_SUFFIXES: tuple[str, ...] = (
    *("iennes", "iens", "ienne", "ien", "ians", "ian", "ing", "ied", "ies", "ed", "es"),
    *("s", "ia", "e"),
)
# The suffixes to try on a word, in the order above, found by the word's last letter.
_STEM_SUFFIXES_BY_END = {
    end: tuple(suffix for suffix in _STEM_SUFFIXES if suffix.endswith(end))
    for end in {suffix[-1] for suffix in _STEM_SUFFIXES}
}
_COMMON_STEMS = {"said", "says", "that", "this", "with", "from", "have", "been", "were", "will"}
_COMMON_STEMS |= {"dans", "pour", "avec", "selon", "leur", "cette", "sont", "plus", "also", "after"}


def pick_event(title: str, body: str, language: str, max_chars: int = 300) -> str:
    """The sentence that states the story's main event, at most max_chars long."""
    clean_title = clean_title_text(title)
    title_stems = _stems(clean_title)
    best_score, best = float("-inf"), ""
    for position, candidate in enumerate(lead_sentences(body, skip=clean_title)):
        score = score_event_sentence(candidate, title_stems, language, position)
        if score > best_score:
            best_score, best = score, candidate
    if clean_title and (not best or best_score < _MIN_LEAD_SCORE):
        best = clean_title
    if not best:
        best = next(iter(sentences(body[:_LEAD_WINDOW_CHARS])), "")
    return clip(best, max_chars)


def lead_sentences(body: str, skip: str = "", limit: int = LEAD_SENTENCES) -> list[str]:
    """The first `limit` sentences of the body that are not boilerplate, datelines stripped.

    A paragraph repeating `skip` (the title) is passed over.
    """
    lead: list[str] = []
    skip_folded = fold(skip)
    for block, _ in split_blocks(body[:_LEAD_WINDOW_CHARS]):
        if ("/" in block and _PHOTO_CREDIT.search(block)) or (
            skip_folded and fold(block) == skip_folded
        ):
            continue
        for raw_sentence in sentences(block):
            sentence = strip_dateline(raw_sentence)
            if len(sentence.split()) >= 4 and not is_boilerplate(sentence):
                lead.append(sentence)
            if len(lead) >= limit:
                return lead
    return lead


def split_blocks(body: str) -> list[tuple[str, bool]]:
    """(text, is_list_item) per paragraph or line; hard-wrapped lines are joined back."""
    blocks: list[tuple[str, bool]] = []
    after_blank = True
    for raw_line in body.splitlines():
        line = squash_spaces(raw_line)
        if not line:
            after_blank = True
            continue
        marker = _LIST_MARKER.match(line)
        if marker:
            blocks.append((line[marker.end() :], True))
        elif blocks and not after_blank and _is_wrapped(blocks[-1][0], line):
            blocks[-1] = (f"{blocks[-1][0]} {line}", blocks[-1][1])
        else:
            blocks.append((line, False))
        after_blank = False
    return [(text, is_item) for text, is_item in blocks if text]


def _is_wrapped(previous: str, line: str) -> bool:
    """A hard-wrapped line: a long line stops without punctuation, the next goes on lower-case."""
    return len(previous) >= 40 and previous[-1] not in '.!?:;"”»)…' and line[0].islower()


def is_boilerplate(sentence: str) -> bool:
    """Page furniture (a byline, a credit, a sign-up prompt, a read-more link), not news."""
    return bool(_BOILERPLATE_START.match(sentence)) or _BOILERPLATE_PHRASE.search(sentence)


def strip_dateline(sentence: str) -> str:
    """Drop a leading wire dateline or an "Axios-style" lead label; keep the rest as written."""
    sentence = squash_spaces(sentence)
    for pattern in (_DATELINE, _CAPS_DATELINE):
        if pattern is _DATELINE and "(" not in sentence:
            continue  # such a dateline always names its agency in brackets
        match = pattern.match(sentence)
        if match and len(sentence) - match.end() >= 20:
            sentence = sentence[match.end() :]
            break
    label = _LEAD_LABEL.match(sentence)
    if label and len(sentence) - label.end() >= 20:
        sentence = sentence[label.end() :]
    return _untruncate(sentence)


def _untruncate(text: str) -> str:
    """Replace a feed's "[…]" or "Continue reading" tail by a plain ellipsis."""
    if not any(mark in text for mark in _TRUNCATION_MARKS):
        return text.strip()
    cut = _TRUNCATION.sub("", text).strip()
    return cut if cut == text.strip() else cut.rstrip(" ,;:") + ELLIPSIS


def clean_title_text(title: str) -> str:
    """The title without desk tags ("UPDATE 2-") or a trailing outlet name ("| Le Monde")."""
    title = _TITLE_TAGS.sub("", squash_spaces(title))
    match = _TITLE_OUTLET.search(title)
    if match:
        tail = match.group().strip(" |-–—")
        is_outlet = all(_OUTLET_WORD.match(word) for word in tail.split())
        if match.start() >= 15 and len(tail.split()) <= 5 and is_outlet:
            title = title[: match.start()]
    return _untruncate(title)


def score_event_sentence(
    sentence: str, title_stems: set[str], language: str, position: int
) -> float:
    """How much a sentence reads like the lead stating the event; higher is better."""
    lowered = sentence.lower().replace("’", "'")
    stems = _stems(sentence)
    score = 3.0 * len(stems & title_stems) / max(len(title_stems), 1) if title_stems else 0.0
    score += (1.0, 0.6, 0.3)[position] if position < 3 else 0.0
    patterns = [_EVENT_VERB[language]] if language in _EVENT_VERB else _EVENT_VERB.values()
    target = fold(sentence) if language == "ar" else lowered
    if any(pattern.search(target) for pattern in patterns):
        score += 1.5
    elif _REPORT_VERB.search(lowered):
        score += 0.5
    if position > 0 and _DEPENDENT_OPENING.match(sentence):
        score -= 1.0
    if _DAY_WORD.search(lowered if language != "ar" else fold(sentence)):
        score += 0.5
    length = len(sentence)
    score += 0.5 if 60 <= length <= 250 else (-1.5 if length < 40 else 0.0)
    if sentence.rstrip(_QUOTE_CLOSE).endswith("?"):
        score -= 2.5
    if sentence[0] in _QUOTE_OPEN:
        score -= 1.5
    if _BACKGROUND.search(sentence):
        score -= 0.7
    if NO_COMMENT.search(sentence):
        score -= 2.0
    return score


def clip(text: str, max_chars: int, keep_through: int = 0) -> str:
    """Cut text to max_chars: at the last clause break that keeps enough, else at a word + "…".

    `keep_through` is a position the cut must not fall before (for example the end of a cue).
    """
    text = squash_spaces(text)
    if len(text) <= max_chars:
        return text
    floor = max(keep_through, int(max_chars * _SHORT_CUT_SHARE))
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text, 0, max_chars + 1)]
    usable = [position for position in breaks if floor <= position <= max_chars]
    if usable:
        return text[: usable[-1]].rstrip()
    head = text[: max_chars - len(ELLIPSIS) + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > 0 else head[: max_chars - len(ELLIPSIS)]
    return head.rstrip(" ,;:—–-") + ELLIPSIS


def _stems(text: str) -> set[str]:
    stems = {_stem(word) for word in words(text) if len(word) >= 4 and "'" not in word}
    return stems - _COMMON_STEMS


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    for suffix in _STEM_SUFFIXES_BY_END.get(word[-1], ()):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)][:7]
    return word[:7]
