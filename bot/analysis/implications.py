"""Implications: the sentences in which the source itself states consequences or significance.

Nothing is inferred. A sentence qualifies when it carries a cue ("signals that", "could lead
to", "ce qui pourrait", "enjeu") or sits under a heading such as "Why it matters", and it is
quoted as written (a dateline dropped, a long sentence cut). No cue, no implication: an empty
tuple is an honest answer.

Decisions where wording is ambiguous:
- A plan is not an implication: "will" is no cue, and neither is "would" reporting an intention
  ("the ministry said it would build a fence"). "would" after "that"/"which" ("a move that would
  give the army...") is a consequence and counts.
- "could not be reached", "declined to comment", "could not independently verify", "could be
  heard" and the month "May" are not cues.
- A casualty or count estimate ("as many as 40 people may have been killed") is not treated as
  an implication.
"""

from __future__ import annotations

import re

from bot.analysis.event import NO_COMMENT, clip, is_boilerplate, split_blocks, strip_dateline
from bot.analysis.text import fold, sentences, squash_spaces

_MAX_BODY_CHARS = 30_000  # bounds the work on very long pages
_MIN_SCORE = 1.0
_SECTION_BONUS = 3.0
_SECTION_SENTENCES = 6
_MIN_WORDS = 6
_SIGNIFICANCE = (
    r"why (?:it|this) matters|(?:the )?so what|implications?|what (?:it|this) means"
    r"|the big picture|the bottom line|between the lines|significance|enjeux?|l'enjeu"
    r"|why does (?:it|this) matter|pourquoi c'est important|ce que cela (?:signifie|change)"
)
_HEADING = re.compile(rf"\b(?:{_SIGNIFICANCE})\b", re.I)
_INLINE_LABEL = re.compile(rf"^[\"“”]?(?:{_SIGNIFICANCE})[\"“”]?\s?:\s*", re.I)

# Cue phrases by strength: explicit significance > likely consequence > purpose > bare modal.
_CONSEQUENCE_VERBS = (
    r"lead|trigger|spark|fuel|undermine|deepen|destabili[sz]e|derail|jeopardi[sz]e|complicate"
    r"|worsen|escalate|weaken|strengthen|boost|hamper|reshape|force|push|open|upset|affect|hurt"
    r"|harm|disrupt|delay|threaten|expose|embolden|erode|reignite|revive|prompt|provoke|cause"
    r"|tip|drive|slow|raise|reduce|increase|ease|alter|change|cost|spill|spread|isolate|shift"
)
_CONSEQUENCE_VERBES = (
    r"fragiliser|compliquer|affaiblir|renforcer|relancer|raviver|aggraver|déstabiliser|menacer"
    r"|peser|freiner|accélérer|provoquer|entraîner|ouvrir|marquer|alimenter|accroître|réduire"
    r"|isoler|bouleverser|changer|modifier|coûter|éloigner|rapprocher|envenimer|apaiser"
)
_CUE_PHRASES: dict[str, dict[float, str]] = {
    "en": {
        3.0: (
            r"implications?|why (?:it|this) matters|so what|this signals|which means|means that"
            r"|signal(?:s|led|ing)? (?:that|to|a|an|the|how|what|whether|\w+'s)"
            r"|sends? (?:a|an) (?:\w+ )?signal|a (?:\w+ )?sign that|(?:latest|clearest) sign of"
            r"|meaning that|underscor(?:es|ing)|pav(?:es|ing|e) the way"
        ),
        2.0: (
            r"highlight(?:s|ing)|shows? (?:that|how)|reflects|illustrates|demonstrates"
            r"|marks? (?:a|the) (?:turning point|shift|first)|(?:is|are|widely) seen as"
            r"|rais(?:es?|ing) (?:\w+ )?(?:concerns?|fears?|questions?)"
            r"|(?:is|are|was|were) (?:\w+ )?(?:un)?likely to|threaten(?:s|ing)? to"
            r"|risk(?:s|ing)? (?:\w+ing|a|an|further|more)|a (?:blow|setback|boost) (?:to|for)"
            r"|leav(?:es|ing) (?:\w+ ){0,4}(?:gap|vacuum|void)"
            rf"|(?:could|may|might|would) (?:\w+ )?(?:{_CONSEQUENCE_VERBS})"
        ),
        1.5: (
            r"(?:aims?|aimed|designed|intended) (?:to|at)|in a bid to|amid fears|at risk of"
            r"|(?:is|are) (?:\w+ )?expected to|(?:that|which) would"
        ),
        1.0: r"could|might|may(?! \d)|should (?:help|allow|enable|ease|bring|reduce|improve)",
    },
    "fr": {
        3.0: (
            r"les implications|implications (?:pour|sur)|cela témoigne|signe que|ce qui signifie"
            r"|témoign\w* (?:de|des|du|d')|signifie que|ouvr\w+ la voie|l'enjeu (?:est|sera|pour)"
            r"|enjeu (?:majeur|crucial|central|de taille)"
            r"|ce qui (?:montre|illustre|traduit|reflète)"
        ),
        2.0: (
            r"ce qui pourrait|risquen?t? de|menacen?t? de|susceptibles? de|montre que"
            r"|(?:fait|font|suscite\w*) (?:\w+ )?craind\w*|(?:cela|ce qui|qui) souligne"
            r"|marque (?:un|une|le) (?:tournant|rupture|première)|laiss\w+ (?:un|le) vide"
            rf"|pourrai(?:t|ent) (?:\w+ )?(?:{_CONSEQUENCE_VERBES})"
        ),
        1.5: r"vis(?:e|ent|ant) à|dans le but de|devrai(?:t|ent)",
        1.0: r"pourrai(?:t|ent)",
        # Too common in official readouts to count alone: "souligne" (reported emphasis) and
        # "afin de" (a stated purpose); they only add weight to a sentence with another cue.
        0.75: r"soulignen?t?|afin de",
    },
    "ar": {
        3.0: r"تداعيات|مما يعني|ما يعني|يشير الى|في اشاره الى",
        2.0: r"من شانه|من شانها|مما قد|قد يؤدي|قد تؤدي|يهدد ب|تهدد ب",
        1.5: r"يهدف الى|تهدف الى|بهدف|في مسعى|يتوقع ان",
    },
}
_CUES: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {
    language: tuple(
        (re.compile(rf"\b(?:{phrases})\b"), weight) for weight, phrases in by_weight.items()
    )
    for language, by_weight in _CUE_PHRASES.items()
}


def _any_cue(*languages: str) -> re.Pattern[str]:
    """One pass that tells whether any cue of these languages is present at all."""
    phrases = [phrase for language in languages for phrase in _CUE_PHRASES[language].values()]
    return re.compile(rf"\b(?:{'|'.join(phrases)})\b")


_ANY_CUE = {language: _any_cue(language) for language in _CUE_PHRASES}
_ANY_CUE_EN_FR = _any_cue("en", "fr")
_FALSE_CUE = re.compile(
    r"\b(?:May\b|could(?: not|n't)\b|what (?:\w+ ){1,3}could\b"
    r"|(?:could|can) (?:be )?(?:heard|seen|hear|see)\b|would(?: not|n't)\b"
    r"|(?:said|says|announced|added|stated|pledged|promised|vowed|confirmed|decided|agreed"
    r"|indicated|insisted|told \w+)(?: that)?(?: \S+){1,4}? would\b)"
)
_FALSE_CUE_HINTS = ("May", "could", "can", "would")  # each false cue holds one
# An estimate of a toll ("40 people may have died") is a figure, not a consequence.
_COUNT_ESTIMATE = re.compile(
    r"^(?=.*\b(?:may|might) have\b|.*\baurai(?:en)?t (?:été|fait|péri|perdu)\b)"
    r"(?=.*(?:\d|\b(?:killed|dead|died|deaths?|toll|wounded|injured|missing|casualties|tués?"
    r"|morts?|blessés?|disparus?|victimes|bilan)\b))",
    re.I,
)
_QUOTE_OPEN = '"“«'
_QUOTE_CLOSE = re.compile('["”»]')


def find_implications(
    body: str,
    language: str,
    limit: int = 3,
    max_chars: int = 280,
    exclude: str | None = None,
) -> tuple[str, ...]:
    """Up to `limit` sentences stating consequences or significance, strongest first."""
    excluded = fold(exclude.removesuffix("…")) if exclude else ""
    ranked: list[tuple[float, int, str]] = []
    seen: set[str] = set()
    for position, (sentence, in_section) in enumerate(_sentences_with_sections(body)):
        cue_score, cue_end = _cue(sentence, language)
        score = cue_score + (_SECTION_BONUS if in_section else 0.0)
        if score < _MIN_SCORE:  # the cheap test first: most sentences carry no cue
            continue
        folded = fold(sentence)
        if folded in seen or _is_unusable(sentence, folded, excluded):
            continue
        seen.add(folded)
        ranked.append((-score, position, _cut(sentence, max_chars, cue_end)))
    ranked.sort()
    return tuple(text for _, _, text in ranked[:limit])


def _sentences_with_sections(body: str) -> list[tuple[str, bool]]:
    """Every sentence, datelines stripped, with whether it sits in a significance section."""
    found: list[tuple[str, bool]] = []
    section_left = 0
    blocks = split_blocks(body[:_MAX_BODY_CHARS])
    for index, (block, is_list_item) in enumerate(blocks):
        if not is_list_item and _is_heading(block) and index + 1 < len(blocks):
            section_left = _SECTION_SENTENCES if _HEADING.search(block) else 0
            continue
        block_sentences = sentences(block)
        for offset, raw_sentence in enumerate(block_sentences):
            sentence = strip_dateline(raw_sentence)
            label = _INLINE_LABEL.match(sentence)
            if label:  # "Why it matters: ..." covers the rest of its paragraph
                sentence = sentence[label.end() :]
                section_left = max(section_left, len(block_sentences) - offset)
            found.append((sentence, section_left > 0))
            section_left = max(section_left - 1, 0)
    return found


def _is_heading(block: str) -> bool:
    return len(block) <= 100 and len(block.split()) <= 12 and block[-1] not in ".!…"


def _is_unusable(sentence: str, folded: str, excluded: str) -> bool:
    if len(sentence.split()) < _MIN_WORDS or sentence.rstrip("\"”»’' ").endswith("?"):
        return True
    if excluded and (folded in excluded or (len(excluded) >= 30 and excluded in folded)):
        return True
    if NO_COMMENT.search(sentence) or is_boilerplate(sentence):
        return True
    if _COUNT_ESTIMATE.match(sentence):
        return True
    if sentence[0] in _QUOTE_OPEN:
        closing = _QUOTE_CLOSE.search(sentence, 1)
        quoted = sentence[1 : closing.start()] if closing else sentence[1:]
        return len(quoted.split()) < _MIN_WORDS
    return False


def _cue(sentence: str, language: str) -> tuple[float, int]:
    """The strongest cue's weight (a little more for several) and where the first cue ends."""
    if language == "ar":
        text, tables, any_cue = fold(sentence), [_CUES["ar"]], _ANY_CUE["ar"]
    else:
        # False cues are blanked first, the month "May" while its capital still tells it apart.
        text = sentence.replace("’", "'")
        if any(hint in text for hint in _FALSE_CUE_HINTS):
            text = _FALSE_CUE.sub(_blank, text)
        text = text.lower()
        if language in _CUES:
            tables, any_cue = [_CUES[language]], _ANY_CUE[language]
        else:
            tables, any_cue = [_CUES["en"], _CUES["fr"]], _ANY_CUE_EN_FR
    if not any_cue.search(text):
        return 0.0, 0
    weights: list[float] = []
    first_end = len(sentence)
    for table in tables:
        for pattern, weight in table:
            match = pattern.search(text)
            if match:
                weights.append(weight)
                first_end = min(first_end, match.end())
    if not weights:
        return 0.0, 0
    return max(weights) + 0.25 * (len(weights) - 1), first_end


def _blank(match: re.Match[str]) -> str:
    """Mask a false cue with spaces so positions in the sentence stay the same."""
    return " " * len(match.group())


def _cut(sentence: str, max_chars: int, cue_end: int) -> str:
    """Cut to max_chars keeping the cue; if the cue is too far in, start at its clause."""
    sentence = squash_spaces(sentence)
    if len(sentence) <= max_chars or cue_end < max_chars - 1:
        return clip(sentence, max_chars, keep_through=min(cue_end, max_chars))
    clause_start = max(sentence.rfind(", ", 0, cue_end), sentence.rfind("; ", 0, cue_end))
    start = clause_start + 2 if clause_start >= 0 else 0
    return clip(sentence[start:], max_chars, keep_through=cue_end - start)
