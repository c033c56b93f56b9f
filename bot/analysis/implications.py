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

# Cue phrases by strength: explicit significance > likely consequence or assessment > purpose >
# bare modal. Every table is folded the way the sentence is (case, accents, Arabic letter
# variants), so "قد تؤدي" in the table meets "قد تودي" in the text.
_CONSEQUENCE_VERBS = (
    r"lead|trigger|spark|fuel|undermine|deepen|destabili[sz]e|derail|jeopardi[sz]e|complicate"
    r"|worsen|escalate|weaken|strengthen|boost|hamper|reshape|force|push|open|upset|affect|hurt"
    r"|harm|disrupt|delay|threaten|expose|embolden|erode|reignite|revive|prompt|provoke|cause"
    r"|tip|drive|slow|raise|reduce|increase|ease|alter|change|cost|spill|spread|isolate|shift"
    r"|encourage|deter|strain|sour|damage|benefit|help|give|allow|enable|limit|curb|block"
    r"|complicate|redraw|tilt|bolster|cement|consolidate|entrench|unravel|collapse|stall"
    r"|become|prove|mark|signal|set|pave|usher|leave|put|draw|make|bring|see|face|mean"
)
_CONSEQUENCE_VERBES = (
    r"fragiliser|compliquer|affaiblir|renforcer|relancer|raviver|aggraver|destabiliser|menacer"
    r"|peser|freiner|accelerer|provoquer|entrainer|ouvrir|marquer|alimenter|accroitre|reduire"
    r"|isoler|bouleverser|changer|modifier|couter|eloigner|rapprocher|envenimer|apaiser"
    r"|permettre|favoriser|offrir|donner|priver|exposer|pousser|conduire|mener|debou\w+|nuire"
    r"|compromettre|retarder|bloquer|durcir|tendre|crisper|rebattre|redessiner|consolider"
    r"|devenir|constituer|representer|signifier|annoncer|sonner|mettre|faire|laisser|creer"
)
# Who assesses ("observers", "a banker", "diplomats") and how ("believe", "warn", "say that").
_AR_ASSESSOR = (
    r"(?:ال)?(?:محلل|مراقب|باحث|خبير|خبراء|دبلوماسي|اقتصادي|مصرفي|محللو|مراقبو|باحثو"
    r"|دبلوماسيو|اقتصاديو)(?:ون|ين|ان)?"
)
_AR_ASSESSES = (
    r"[وف]?(?:يرى|ترى|يرون|راى|يشير|تشير|يشيرون|اشار|يقول|تقول|يقولون|قال|قالت|يخشى|تخشى"
    r"|يخشون|حذر|حذرت|حذروا|يحذر|تحذر|يحذرون|يعتقد|تعتقد|يعتقدون|يتوقع|تتوقع|يتوقعون|اعتبر"
    r"|يعتبر|يعتبرون|رجح|يرجح|يرجحون)"
)
# A quote, then who reads it: '…," said Ana Ruiz, an analyst at …', '…," said a diplomat';
# « … », estime / juge / relève / résume X: verbs that give a reading, not a report.
_COMMENTATOR = (
    r"(?:analyst|researcher|expert|economist|specialist|diplomat|professor|fellow|scholar"
    r"|observer|consultant|strategist)"
)
_QUOTED_COMMENT_EN = (
    r"(?:said|says|argued|argues|noted|notes|warned|warns|added) (?:(?:\w|-)+,? ){0,4}?"
    rf"(?:a|an|the) (?:(?:\w|-)+ ){{0,4}}{_COMMENTATOR}s?"
)
_QUOTED_COMMENT_FR = (
    r"(?:estime|jugent|juge|releve|resume|analyse|observe|constate|decrypte|tranche|avertit"
    r"|previent|met en garde|s'inquiete) (?:(?:\w|-)+,? ){0,4}?(?:un|une|le|la)? ?(?:\w+ )?"
    r"(?:analyste|chercheu\w+|specialiste|expert\w*|diplomate|politologue|economiste"
    r"|universitaire|professeu\w+|observateur|observatrice|\w+logue)"
)
_CUE_PHRASES: dict[str, dict[float, str]] = {
    "en": {
        3.0: (
            r"implications?|why (?:it|this) matters|so what|this signals|which means|means that"
            r"|signal(?:s|led|ing)? (?:that|to|a|an|the|how|what|whether|\w+'s)"
            r"|sends? (?:a|an) (?:\w+ )?(?:signal|message)|a (?:\w+ )?sign that"
            r"|(?:latest|clearest|strongest|first) (?:\w+ )?sign(?:al)? (?:of|that)"
            r"|meaning that|underscor(?:es|ed|ing)|pav(?:es|ing|e|ed) the way"
            r"|rais(?:es|ing|ed) the stakes"
            r"|a (?:major |serious |significant )?(?:blow|setback|boost) (?:to|for)"
            r"|(?:is|was|would be|marks?) (?:a|an) (?:\w+ )?(?:turning point|watershed"
            r"|game.changer|test (?:of|for))|marks? (?:a|an|the) (?:\w+ ){0,2}(?:shift|departure"
            r"|break|escalation|first|end|return|step|milestone)|for the first time (?:since|in)"
            r"|the (?:first|largest|biggest|deadliest|worst|highest|lowest) (?:\w+ ){0,3}since"
            r"|analysts? (?:say|said|says|warn\w*|believe\w*|note\w*|see|saw|argue\w*|expect\w*)"
            r"|(?:experts?|observers?|diplomats?|critics|analysts|researchers|economists"
            r"|specialists) (?:\w+ ){0,3}(?:warn\w*|fear\w*|believe\w*|see|saw|argue\w*"
            r"|expect\w*|predict\w*|caution\w*)"
        ),
        2.0: (
            rf"{_QUOTED_COMMENT_EN}|(?:analysts|researchers|experts|economists) (?:\w+ ){{0,4}}"
            r"says?(?: that)?"
            r"|highlight(?:s|ed|ing)|shows? (?:that|how)|reflects?|reflecting|illustrates?"
            r"|demonstrates?|(?:is|are|was|were|widely) (?:\w+ )?seen as|(?:is|are) viewed as"
            r"|rais(?:es?|ing|ed) (?:\w+ )?(?:concerns?|fears?|questions?|doubts?|prospects?)"
            r"|(?:is|are|was|were) (?:\w+ )?(?:un)?likely to|threaten(?:s|ed|ing)? to"
            r"|risk(?:s|ed|ing)? (?:\w+ing|a|an|further|more|being|losing|pushing)"
            r"|at risk of|leav(?:es|ing|e) (?:\w+ ){0,4}(?:gap|vacuum|void|exposed|vulnerable"
            r"|isolated|open|weaker|stronger)|(?:deepen|fuel|stoke|heighten)(?:s|ed|ing)? "
            r"(?:\w+ ){0,2}(?:tensions?|fears?|concerns?|rivalry|divisions?|instability|crisis)"
            r"|(?:could|may|might|would|will likely|is set to|stands? to) (?:\w+ )?"
            rf"(?:{_CONSEQUENCE_VERBS})|warn(?:s|ed|ing)? (?:that|of)|fear(?:s|ed)? (?:that|of)"
            r"|in (?:a|an) (?:\w+ )?(?:bid|effort|attempt) to"
            r"|a (?:clear |stark )?(?:warning|reminder)"
            r"|(?:gives?|giving|hands?|handing) (?:\w+ ){0,3}(?:leverage|an edge|the upper hand"
            r"|a say|more say|a foothold)"
            r"|(?:puts?|putting|places?) (?:\w+ ){0,4}(?:pressure|at odds|at risk|on a collision)"
            r"|(?:further|deeper) (?:\w+ )?(?:isolat|strain|tension|rift)\w*"
            r"|is expected to (?:\w+ )?(?:weigh|affect|hit|hurt|boost|ease|raise)"
            r"|hop(?:e|es|ed|ing) (?:that )?(?:\w+ ){1,4}(?:will|would|can|could)"
            r"|could(?: not|n't) (?:cope|manage|afford|sustain|survive|absorb|handle|keep up)"
            r"|(?:reflect|expose|strain|undercut|undermine|bolster|cement|erode|weaken"
            r"|strengthen|deepen|complicate|sharpen|tell)(?:s|ed)? (?:\w+ ){0,3}(?:the|a|an|its"
            r"|their|that|how|\w+'s)"
        ),
        1.5: (
            r"(?:aims?|aimed|designed|intended) (?:to|at)|amid (?:growing )?(?:fears|concerns)"
            r"|(?:is|are) (?:\w+ )?expected to|(?:that|which) would|potentially"
            r"|(?:could|may|might) (?:\w+ )?(?:be|have|see|prove|become)"
            r"|(?:seems?|appears?) to|(?:is|are) becoming"
        ),
        1.0: r"could|might|may(?! \d)|should (?:help|allow|enable|ease|bring|reduce|improve)",
        # Words of weight that only add to a sentence with another cue.
        0.75: (
            r"consequences?|significan(?:t|ce)|strategic|stakes|leverage|vacuum|spillover"
            r"|(?:critics|observers|diplomats|experts|analysts|researchers?|economists?|aid groups"
            r"|rights groups|campaigners|opponents) (?:\w+ ){0,3}(?:say|said|says|note\w*)"
        ),
    },
    "fr": {
        3.0: (
            r"les implications|implications (?:pour|sur)|cela temoigne|signe que|ce qui signifie"
            r"|temoign\w* (?:de|des|du|d')|signifie que|ouvr\w+ la voie|l'enjeu (?:est|sera|pour)"
            r"|enjeu (?:majeur|crucial|central|de taille)|rebat\w* les cartes"
            r"|(?:cela|ce qui|qui) (?:montre|illustre|traduit|reflete|confirme|marque)"
            r"|sonne comme|met(?:tent)? en lumiere|un (?:\w+ )?(?:tournant|coup dur|revers|signal)"
            r"|(?:marque|marquerait|constitue|represente) (?:un|une|le|la) (?:\w+ ){0,2}"
            r"(?:tournant|rupture|premiere|etape|changement|virage|revers|victoire|echec|escalade)"
            r"|pour la premiere fois depuis|(?:analystes?|observateurs?|experts?|diplomates?"
            r"|specialistes?|chercheurs?) (?:\w+ ){0,3}(?:estim\w*|jug\w*|crai\w*|redout\w*"
            r"|y voi\w*|soulign\w*|prevoi\w*|averti\w*|previen\w*|analys\w*)"
            r"|selon (?:des|les|plusieurs|certains) (?:analystes|observateurs|experts|diplomates"
            r"|specialistes|chercheurs)"
        ),
        2.0: (
            rf"{_QUOTED_COMMENT_FR}|"
            r"ce qui pourrait|risquen?t? (?:\w+ )?(?:de |d')|menacen?t? (?:de |d')"
            r"|susceptibles? (?:de |d')|montre (?:\w+ )?(?:que|qu')|espere (?:que|qu')"
            r"|(?:renforce|conforte|traduit|traduisent|fragilise|affaiblit|illustre|confirme"
            r"|reporte|consacre|entame|ecorne|ternit|complique) (?:\w+ ){0,2}(?:le|la|les|l'|un"
            r"|une|son|sa|ses|leur|leurs)|mis\w* a mal|semble\w* (?:\w+ )?(?:preparer|vouloir"
            r"|confirmer|indiquer|marquer|annoncer|ouvrir)|fait figure de"
            r"|(?:fait|font|suscite\w*) (?:\w+ )?craind\w*|(?:cela|ce qui|qui) souligne"
            r"|laiss\w+ (?:un|le) vide|fragilis\w+|affaibli\w+|(?:renforc|accentu|aggrav|attis"
            r"|exacerb|ravive)\w* (?:\w+ ){0,2}(?:tensions?|craintes?|inquietudes?|risques?"
            r"|divisions?|rivalites?|instabilite|crise|isolement|pression)"
            r"|pourrai(?:t|ent) (?:\w+ )?(?:" + _CONSEQUENCE_VERBES + r")"
            r"|devrai(?:t|ent) (?:\w+ )?(?:" + _CONSEQUENCE_VERBES + r")"
            r"|(?:crai\w*|redout\w*|previen\w*|avert\w*) (?:que|qu')"
            r"|inquiet\w*|preoccup\w*|au risque de|(?:n'est|ne sont) pas sans"
            r"|vu comme|per[cç]u\w* comme|considere\w* comme"
        ),
        1.5: r"vis(?:e|ent|ant) (?:a|au|aux)|dans le but (?:de|d')|devrai(?:t|ent)",
        1.0: r"pourrai(?:t|ent)|(?:estim\w*|jug\w*) (?:que|qu')",
        # Too common in official readouts to count alone: "souligne" (reported emphasis),
        # "afin de" (a stated purpose), "enjeux"; they only add weight to another cue.
        0.75: (
            r"soulignen?t?|afin (?:de|d')|consequences?|strategiques?|enjeux?|decisi(?:f|ve)"
            r"|risque|menace"
        ),
    },
    "ar": {
        3.0: (
            r"تداعيات|مما يعني|ما يعني|يعني ان|يشير الى|في اشاره الى|يعكس|تعكس|يؤشر|مؤشر"
            r"|يمثل تحولا|تمثل تحولا|نقطه تحول|ضربه (?:قويه )?ل|يرى (?:\w+ )?(?:محللون|مراقبون"
            r"|خبراء)|(?:المحللون|المراقبون|الخبراء|محللون|مراقبون|خبراء) (?:\w+ )?(?:يرون|يعتقدون"
            r"|يحذرون|يتوقعون)|بحسب (?:محللين|مراقبين|خبراء)|وفقا ل(?:محللين|مراقبين|خبراء)"
            r"|ويرى|[وف]?(?:حذر|حذرت|حذروا|يحذر|تحذر)(?: \w+){0,3} من|للمره الاولى منذ"
            rf"|{_AR_ASSESSOR}(?: \w+){{0,6}} {_AR_ASSESSES}|{_AR_ASSESSES}(?: \w+){{0,2}} "
            rf"{_AR_ASSESSOR}|[وف]?(?:يظهر|تظهر|اظهر|اظهرت|يبين|تبين|يؤكد|تؤكد) (?:\w+ ){{0,4}}ان"
        ),
        2.0: (
            r"من شانه|من شانها|مما قد|قد (?:\w+ )?(?:يؤدي|تؤدي|يفتح|تفتح|يعمق|تعمق|يزيد|تزيد"
            r"|يضعف|تضعف|يعزز|تعزز|يهدد|تهدد|يدفع|تدفع|يعقد|تعقد|يفاقم|تفاقم|يشعل|تشعل|يمنح|تمنح"
            r"|يضع|تضع|يربك|تربك|ينعكس|تنعكس|يثير|تثير|يقوض|تقوض)|يهدد ب|تهدد ب|يثير (?:\w+ )?"
            r"(?:مخاوف|قلق|تساؤلات)|تثير (?:\w+ )?(?:مخاوف|قلق|تساؤلات)|مخاوف من|يرجح|ترجح"
            r"|من المرجح|من المتوقع ان|يتوقع ان|تصعيد|توتر(?:ات)?"
        ),
        1.5: r"يهدف الى|تهدف الى|بهدف|في مسعى|سعيا الى",
        # قد before a present-tense verb is "may"; before a past-tense one it is "already".
        1.0: r"قد (?:[يت]\w+)",
        0.75: r"استراتيجي|حاسم|عواقب",
    },
}
_CUES: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {
    language: tuple(
        (re.compile(rf"\b(?:{fold(phrases)})\b"), weight) for weight, phrases in by_weight.items()
    )
    for language, by_weight in _CUE_PHRASES.items()
}


def _any_cue(*languages: str) -> re.Pattern[str]:
    """One pass that tells whether any cue of these languages is present at all."""
    phrases = [phrase for language in languages for phrase in _CUE_PHRASES[language].values()]
    return re.compile(rf"\b(?:{fold('|'.join(phrases))})\b")


_ANY_CUE = {language: _any_cue(language) for language in _CUE_PHRASES}
_ANY_CUE_EN_FR = _any_cue("en", "fr")
_FALSE_CUE = re.compile(
    r"\b(?:May\b|could(?: not|n't)\b(?! (?:cope|manage|afford|sustain|survive|absorb|handle"
    r"|keep up))|what (?:\w+ ){1,3}could\b"
    r"|(?:could|can) (?:be )?(?:heard|seen|hear|see)\b|would(?: not|n't)\b"
    r"|(?:said|says|announced|added|stated|pledged|promised|vowed|confirmed|decided|agreed"
    r"|indicated|insisted|told \w+)(?: that)? (?:it|they|he|she|we|i|the \w+ \w+)"
    r"(?: \S+){0,2}? would\b)"
)
_FALSE_CUE_HINTS = ("May", "could", "can", "would")  # each false cue holds one
# "كان … قد فعل" is the pluperfect ("had done"), not "may".
_FALSE_CUE_AR = re.compile(fold(r"\b[وف]?كان(?:ت|وا)?(?: \w+){0,3} قد \w+"))
# An estimate of a toll ("40 people may have died") is a figure, not a consequence.
_COUNT_ESTIMATE = re.compile(
    r"^(?=.*\b(?:may|might) have\b|.*\baurai(?:en)?t (?:été|fait|péri|perdu)\b"
    r"|.*\b(?:pourrai(?:en)?t|risque|devrai(?:en)?t|could|may|is likely to) (?:encore |still "
    r"|further )?(?:s['’]alourdir|rise|climb|increase)\b)"
    r"(?=.*(?:\d|\b(?:killed|dead|died|deaths?|toll|wounded|injured|missing|casualties|tués?"
    r"|morts?|blessés?|disparus?|victimes|bilan)\b))",
    re.I,
)
# A plan or a schedule states what is to happen, not what it means.
_PLAN = re.compile(
    fold(
        r"\b(?:will (?:visit|travel|meet|hold|attend|host|arrive|begin|start|resume|head|sign"
        r"|open|take place|be held)|(?:is|are) (?:scheduled|due|set|expected) to (?:visit|meet"
        r"|hold|travel|attend|sign|begin|start|resume|take place|take part|arrive)"
        r"|next (?:week|month)|later this (?:week|month)|take place|be held|take part"
        r"|doi(?:t|vent) (?:encore )?(?:se (?:rendre|tenir)|etre (?:publie|examine|vote|signe)"
        r"|preter|signer|examiner|voter|rencontrer)|se tenir|avoir lieu"
        r"|se rendra|se tiendra|est prevue? (?:le|pour|en)"
        r"|sont prevus (?:le|pour|en)|سيزور|ستزور|من المقرر|يعتزم|تعتزم|سيعقد|ستعقد)\b"
    )
)
_GENERIC = re.compile(
    fold(
        r"\b(?:has|have|had|carries|carry) (?:\w+ ){0,2}(?:implications|consequences|significance)"
        r"(?: for (?:the )?(?:region|country|future))?[.!]?$"
        r"|(?:a|des) (?:\w+ )?(?:implications|consequences) (?:importantes|majeures|regionales)"
        r"[.!]?$"
    )
)
_DANGLING_OPENER = re.compile(
    fold(r"^(?:it|this|that|these|those|such|cela|ceci|ce|ca|هذا|هذه|ذلك|وهذا|وهذه|وهو|وهي)\b")
)
_QUOTE_OPEN = '"“«'
_QUOTE_CLOSE = re.compile('["”»]')
_WORD = re.compile(r"[^\W\d_]+")
_MIN_CONTENT_WORDS = 5
_STOP = frozenset(
    fold(word)
    for word in (
        "the a an of to in on at for and or but is are was were be been this that these those it"
        " its with by from as has have had will would could may might can which who what their"
        " there than more most also not le la les un une des du de d l et ou mais est sont a au"
        " aux en dans sur pour par que qui qu il elle ils ce cette ces son sa ses leur plus ne pas"
        " في من على الى عن ان ما لا هذا هذه ذلك التي الذي قد"
    ).split()
)


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
    previous = ""
    for position, (sentence, in_section) in enumerate(_sentences_with_sections(body)):
        before, previous = previous, sentence
        cue_score, cue_end = _cue(sentence, language)
        score = cue_score + (_SECTION_BONUS if in_section else 0.0)
        if score < _MIN_SCORE:  # the cheap test first: most sentences carry no cue
            continue
        folded = fold(sentence)
        if folded in seen or _is_unusable(sentence, folded, excluded):
            continue
        seen.add(folded)
        score -= _penalty(folded, fold(before), excluded, in_section)
        if score < _MIN_SCORE:
            continue
        ranked.append((-score, position, _readable(_cut(sentence, max_chars, cue_end))))
    ranked.sort()
    return tuple(text for _, _, text in ranked[:limit])


def _penalty(folded: str, before: str, excluded: str, in_section: bool) -> float:
    """What speaks against a cue sentence: a plan, no content, or a dangling "it"/"this"."""
    penalty = 0.0
    if _PLAN.search(folded):
        penalty += 1.5
    if _GENERIC.search(folded):
        penalty += 2.0
    content = [word for word in _WORD.findall(folded) if word not in _STOP and len(word) > 2]
    if len(content) < _MIN_CONTENT_WORDS:
        penalty += 1.0
    # "This …" leans on the sentence before; it stands only if that one is in the brief too.
    if _DANGLING_OPENER.match(folded) and not in_section and before not in excluded:
        penalty += 0.5
    return penalty


def _readable(text: str) -> str:
    """An implication starts with a capital, even when a lead-in was cut off before it."""
    return text[0].upper() + text[1:] if text and text[0].islower() else text


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
    # False cues are blanked first, the month "May" while its capital still tells it apart.
    text = sentence.replace("’", "'")
    if language != "ar" and any(hint in text for hint in _FALSE_CUE_HINTS):
        text = _FALSE_CUE.sub(_blank, text)
    text = fold(text)  # the tables are folded the same way
    if language == "ar" and "قد" in text:
        text = _FALSE_CUE_AR.sub(_blank, text)
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
