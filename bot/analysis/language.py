"""Language detection from script and stopword profiles: fast, dependency-free, honest when unsure.

Arabic script is recognised by the share of its letters; Latin-script languages by how many of
the words are small function words of each language. A word shared by several languages (`de`,
`la`, `in`) counts for each of them in fractions, so distinctive words decide. Anything without
a clear winner is "und" (undetermined).
"""

from __future__ import annotations

import re
from collections import Counter

UNDETERMINED = "und"
SAMPLE_CHARS = 2000

_STOPWORDS: dict[str, str] = {
    "en": """the of and to in is was that for on with as by at from it its his her he she they
        their said says has have had be been were are this which who will would an not but or
        after over also more than into about against between we you there what when while
        these those being could should under amid told""",
    "fr": """le la les des du de un une et est sont dans pour par sur avec qui que au aux ce cette
        ces il elle ils elles ont pas ne plus mais ou été selon son sa ses leur leurs lors
        après entre à où cet aussi être fait sous depuis contre dont était avait vers chez
        l' d' qu' n' s' c' j' jusqu' lorsqu' puisqu'""",
    "es": """el la los las del de que en y por con para una un es se su sus al lo como más pero
        fue ha han este esta sobre entre según también tras dijo sin o ya muy cuando desde
        hasta está están ser hay le les porque durante""",
    "de": """der die das und ist nicht ein eine einen einem dem den des mit von zu im auf für
        sich auch es sie er wird werden hat haben bei nach aus wie dass oder am zum zur noch
        nur über sind war wurde wurden an in vom um gegen seit einer""",
    "it": """il la lo gli le della delle dei degli di che e è per con una un del nel nella sono
        non si da al alla ha hanno anche come più ma questo questa dopo tra fra ed dal dalla
        sul sulla stato essere ad ai nei sui l' dell' nell' all' dall' sull' un' quando""",
    "pt": """o os as do da dos das em no na nos nas não um uma com para é que se por ao aos mais
        foi também pelo pela seu sua seus suas como mas entre sobre ser são está após""",
}


def _build_profile() -> dict[str, tuple[tuple[str, float], ...]]:
    """token -> ((language, weight), ...); a word shared by n languages weighs 1/n for each."""
    owners: dict[str, list[str]] = {}
    for language, stopwords in _STOPWORDS.items():
        for word in stopwords.split():
            owners.setdefault(word, []).append(language)
    return {
        word: tuple((language, 1 / len(languages)) for language in languages)
        for word, languages in owners.items()
    }


_PROFILE = _build_profile()

_LATIN_WORD = re.compile(r"[a-zà-öø-ÿœ]+'?")
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_LATIN_LETTER = re.compile("[A-Za-zÀ-ÖØ-öø-ÿ]")
_OTHER_LETTER = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0900-\u0dff\u3040-\u9fff]")
# Letters (and habits) leaning towards some languages: they weigh in, but never decide alone.
_LETTER_HINTS: dict[str, dict[str, float]] = {
    "é": {"fr": 0.4, "es": 0.05, "pt": 0.05},
    "è": {"fr": 0.25, "it": 0.25},
    "ê": {"fr": 0.3, "pt": 0.2},
    "ç": {"fr": 0.25, "pt": 0.25},
    "œ": {"fr": 0.5},
    "î": {"fr": 0.5},
    "û": {"fr": 0.5},
    "ì": {"it": 0.5},
    "ò": {"it": 0.5},
    "á": {"es": 0.25, "pt": 0.25},
    "í": {"es": 0.3, "pt": 0.2},
    "ó": {"es": 0.3, "pt": 0.2},
    "ñ": {"es": 0.5},
    "¿": {"es": 0.5},
    "ã": {"pt": 0.5},
    "õ": {"pt": 0.5},
    "ä": {"de": 0.5},
    "ö": {"de": 0.5},
    "ü": {"de": 0.5},
    "ß": {"de": 0.5},
    " :": {"fr": 0.5},  # French typography spaces its colons and semicolons
    " ;": {"fr": 0.5},
}
_PERSIAN_LETTER = re.compile("[\u06a9\u06cc\u067e\u0686\u0698\u06af]")
_ARABIC_ONLY_LETTER = re.compile("[\u0643\u064a\u0629]")  # Arabic kaf, yeh, teh marbuta
_URDU_LETTER = re.compile("[\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2]")

# Short texts (titles) need this many weighted stopword hits; long texts also a share of words.
_MIN_SCORE = 1.5
_LONG_TEXT_WORDS = 25
_MIN_SHARE = 0.12
_MIN_LEAD = 1.5  # the winner must beat the runner-up by this factor...
_MIN_LEAD_LONG_TEXT = 1.25  # ...or by this one when the text is long enough to be sure


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when there is not enough signal."""
    sample = text[:SAMPLE_CHARS]
    arabic = len(_ARABIC_LETTER.findall(sample))
    other = len(_OTHER_LETTER.findall(sample))
    if arabic or other:
        latin = len(_LATIN_LETTER.findall(sample))
        if arabic >= 8 and arabic > latin and arabic > other:
            return _arabic_script_language(sample)
        if latin < other:
            return UNDETERMINED
    return _latin_language(sample.lower().replace("’", "'"))


def _arabic_script_language(sample: str) -> str:
    if len(_URDU_LETTER.findall(sample)) >= 3:
        return "ur"
    persian = len(_PERSIAN_LETTER.findall(sample))
    if persian >= 3 and persian > 2 * len(_ARABIC_ONLY_LETTER.findall(sample)):
        return "fa"
    return "ar"


def _latin_language(lowered: str) -> str:
    hits: dict[str, float] = {}
    tokens = _LATIN_WORD.findall(lowered)
    counts = Counter(tokens)
    for token in counts.keys() & _PROFILE.keys():
        for language, weight in _PROFILE[token]:
            hits[language] = hits.get(language, 0.0) + weight * counts[token]
    if not hits:
        return UNDETERMINED
    scores = dict(hits)
    for letter, leanings in _LETTER_HINTS.items():
        count = lowered.count(letter)
        if count:
            for language, weight in leanings.items():
                scores[language] = scores.get(language, 0.0) + weight * count
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best_language, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    best_hits = hits.get(best_language, 0.0)
    lone_hit = best_hits >= 1 and len(hits) == 1 and len(tokens) >= 3
    if best_hits < 1 or (best < _MIN_SCORE and not lone_hit):
        return UNDETERMINED
    if len(tokens) >= _LONG_TEXT_WORDS and best_hits / len(tokens) < _MIN_SHARE:
        return UNDETERMINED
    required_lead = _MIN_LEAD if len(tokens) < _LONG_TEXT_WORDS else _MIN_LEAD_LONG_TEXT
    if best < runner_up * required_lead:
        return UNDETERMINED
    return best_language
