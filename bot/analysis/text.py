"""Text normalisation shared by the analysis steps: folding, words, sentences."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ARABIC_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ARABIC_LETTER_VARIANTS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"}
)
_APOSTROPHE_VARIANTS = re.compile("[\u2019\u2018\u02bc`]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*", re.UNICODE)
# A sentence ends at . ! ? or ؟, then a space and a capital, quote, digit or Arabic letter.
# A French quote opens with "« " and a space: the sentence still starts there.
_SENTENCE_END = re.compile(
    r"(?<=[.!?؟…])[\"'”»)]?\s+(?=(?:[\"'“(]|«\s?)?[A-ZÀ-ÖØ-Þ0-9\u0600-\u06ff])"
)
_ABBREVIATIONS = (
    "U.S.",
    "U.N.",
    "U.K.",
    "E.U.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Gen.",
    "Lt.",
    "Col.",
    "Maj.",
    "Sgt.",
    "Capt.",
    "Adm.",
    "Gov.",
    "Sen.",
    "Rep.",
    "St.",
    "No.",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Aug.",
    "Sept.",
    "Sep.",
    "Oct.",
    "Nov.",
    "Dec.",
    "M.",
    "Mme.",
    "approx.",
    "vs.",
    "etc.",
)


_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SHORT = 300


def fold(text: str) -> str:
    """Lower-case, strip accents and Arabic diacritics, unify apostrophes and spaces."""
    return _fold_cached(text) if len(text) <= _SHORT else _fold(text)


@lru_cache(maxsize=8192)
def _fold_cached(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose or strip; ` is the one ASCII apostrophe variant
        return " ".join(text.replace("`", "'").casefold().split())
    # str.translate walks characters in Python; regexes and split() stay in C on long bodies.
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHE_VARIANTS.sub("'", text))
    stripped = _COMBINING_MARKS.sub("", decomposed)
    if _ARABIC.search(stripped):
        stripped = _ARABIC_DIACRITICS.sub("", stripped).translate(_ARABIC_LETTER_VARIANTS)
    return " ".join(stripped.casefold().split())


def words(text: str) -> list[str]:
    """Folded word tokens; elisions such as l'armée give both `l'armee` and `armee`."""
    folded = fold(text)
    if "'" not in folded:
        return _WORD.findall(folded)
    tokens: list[str] = []
    for token in _WORD.findall(folded):
        tokens.append(token)
        if "'" in token:
            tokens.extend(part for part in token.split("'") if part)
    return tokens


def squash_spaces(text: str) -> str:
    return " ".join(text.split())


def sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking on common abbreviations such as U.S."""
    text = squash_spaces(text)
    if not text:
        return []
    parts = _SENTENCE_END.split(_protect_abbreviations(text))
    return [part.replace("\x00", ".").strip() for part in parts if part.strip()]


def _protect_abbreviations(text: str) -> str:
    """Hide the dots of an abbreviation followed by a space ("U.S. ") from the sentence split."""
    if ". " not in text:
        return text
    pieces = text.split(". ")
    protected: list[str] = []
    for piece in pieces[:-1]:
        dotted = piece + "."
        if dotted.endswith(_ABBREVIATIONS):
            # No abbreviation ends another, so exactly one matches.
            abbreviation = next(a for a in _ABBREVIATIONS if dotted.endswith(a))
            dotted = dotted[: -len(abbreviation)] + abbreviation.replace(".", "\x00")
        protected.append(dotted)
    protected.append(pieces[-1])
    return " ".join(protected)
