"""Does a mention show the actor taking part, or only name a place, a nationality or a label?

A state counts when it acts or is acted upon: "Algeria said", "Malian authorities",
"Italy's government", "drafted by the United States", "between Tunis and Washington",
"le retrait du Mali". It does not count as a place ("in Tunisia", "au Maroc"), a nationality or a
title ("Tunisian Defence Minister"), an economic aggregate ("Libya's oil output") or a label
("Libye : ..."). Coordinated mentions ("Mali, Burkina Faso and Niger recalled") share one verdict.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from bot.analysis.gazetteer import Form, Hit, PreparedText
from bot.analysis.lexicon import DETERMINERS, HEADS, SPEECH_VERBS, Token, Tokens
from bot.domain import ActorKind


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ACTING_NOUNS = _words(
    """
    government governments authorities administration officials forces troops soldiers
    military army navy police diplomats diplomacy ministry ministries leaders leadership
    rulers junta regime embassy delegation cabinet presidency intelligence warplanes jets
    warships coastguard peacekeepers contingent support aid assistance backing decision
    position stance withdrawal pullout request demand offer proposal proposals pledge
    commitment intervention strikes airstrikes sanctions pressure recognition response refusal
    veto vote efforts bid plan mediation
    gouvernement autorites administration responsables dirigeants troupes soldats militaires
    armee marine diplomatie diplomates ministere junte regime pouvoir presidence ambassade
    delegation executif soutien aide appui retrait decision refus demande offre proposition
    engagement frappes pression reconnaissance reponse initiative mediation participation
    """
)
# Words allowed between an adjective and its noun: "Tunisian security forces".
_NOUN_MODIFIERS = _words(
    "security armed border special federal naval air coast military government local regional "
    "interim transitional de securite"
)
_AID_NOUNS = _words(
    "loan loans aid support assistance package funding programme program grant grants credit "
    "bailout financing pret prets aide soutien programme financement enveloppe don dons appui"
)
_OBJECT_VERBS = _words(
    """
    provide provides provided providing supply supplies supplied supplying support supports
    supported supporting back backs backed backing urge urges urged urging accuse accuses
    accused accusing condemn condemns condemned sanction sanctioned sanctions attack attacked
    attacks attacking struck strike strikes invade invaded help helps helped helping aid aided
    fund funds funded funding arm armed arming press pressed pressure pressured warn warned
    warns thank thanked praise praised criticise criticised criticize criticized blame blamed
    join joined joins lend lent grant granted give gave given offer offered invite invited
    sue sued defeat defeated beat
    accuse condamne soutient soutenu aider aide exhorte remercie salue critique frappe attaque
    sanctionne menace invite rejoint accorde fournit fourni livre octroie
    """
)
_PLACES = _words(
    """
    in into from to toward towards off across near around throughout inside outside within via
    at through over onto reach reached reaching leave left leaving visit visited visiting enter
    entered cross crosses crossed crossing en au aux dans vers depuis sur
    """
)
_OF = _words("of de du d' des")
_COPULAS = _words(
    "is was are were be been being become became becomes remain remains remained stays stayed "
    "seems seemed est sont etait etaient reste restent demeure devient devenu"
)
_ENGLISH_PARTICIPLES = _words("set due ready poised expected likely about to")
_AUXILIARIES = _words(
    """
    will would could can should may might must has have had did does do shall also
    ont va vont doit doivent peut peuvent veut veulent avait avaient sera seront serait
    seraient aurait auraient fait font dit entend entendent compte comptent ne n' se s' y lui
    """
)
_IRREGULAR_PAST = _words(
    """
    sent held took made gave won beat met told said became began brought bought built chose
    drew fought found got kept knew led left lost paid put ran saw sold sought spent stood
    struck threw withdrew wrote hit cut let set shut agreed rose fell bore swore
    """
)
# Plural subjects take the bare verb: "Tunisia and Libya reopen".
_BASE_VERBS = _words(
    """
    agree sign reopen open close discuss hold meet pledge launch vow urge call reject condemn
    recall expel seek want say warn deny accuse back support resume begin start boost step
    deepen strengthen tighten extend renew suspend halt end exchange share plan cooperate
    coordinate conduct announce reach set host join leave quit withdraw send deploy receive
    accept seal ink forge unveil vote approve adopt ratify restore sever cut break mend fight
    attack strike target blame demand ask invite welcome thank praise trade clash
    """
)
_SKIPPED = _words(
    """
    also still now already again reportedly officially then later recently previously on last
    this week monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi
    jeudi vendredi samedi dimanche ( ) both jointly together alone
    """
)
_NOT_VERBS = _words(
    """
    talks affairs relations ties news means series species this thus plus us bus gas
    centrale orientale occidentale entiere voisine profonde independante francaise nouvelle
    meme entre contre comme une elle que le la les de se ce
    """
)
_CHAIN_GAP = re.compile(
    r"\s*(?:,\s*(?:and |et |or |ou )?|(?:and|et|or|ou|as well as|ainsi que|&) )\s*"
    r"(?:(?:the|la|le|les|du|de|des) |l'|d')?"
)
_NEW_CLAUSE = re.compile(r"\s*,\s*(?:and|et) ")
_COMPOUND_AFTER = re.compile(
    r"-(?:linked|affiliated|aligned|allied|inspired|sponsored|backed|led|run|recognised"
    r"|recognized|brokered|funded|style|type|controlled)(?![^\W_])"
)
_DESCRIBED_BEFORE = re.compile(
    r"(?:(?<![^\W_])(?:pro|anti|ex|non)-"
    r"|(?<![^\W_])(?:linked|affiliated|allied|tied) (?:to|with) (?:the )?"
    r"|(?<![^\W_])(?:liee?s?|affiliee?s?) (?:a|au|aux) (?:l')?"
    r"|(?<![^\W_])allegiance to (?:the )?)$"
)
_DESCRIBED_AFTER = re.compile(
    r"(?:'s)? (?:[^\W_]+ )?(?:affiliate|affiliates|branch|branches|offshoot|franchise)(?![^\W_])"
)


def is_descriptor(prepared: PreparedText, hit: Hit) -> bool:
    """A body named only to describe another: "al-Qaeda-linked", "lié à Al-Qaïda",
    "the al-Qaeda affiliate JNIM"."""
    folded = prepared.folded
    return bool(
        _COMPOUND_AFTER.match(folded, hit.end)
        or _DESCRIBED_AFTER.match(folded, hit.end)
        or _DESCRIBED_BEFORE.search(folded, max(0, hit.start - 40), hit.start)
    )


def acting_states(
    prepared: PreparedText,
    words: Tokens,
    hits: Sequence[Hit],
    *,
    headline: bool,
    french: bool,
    known: Collection[str] = (),
) -> set[int]:
    """Indexes of the state hits that show the state acting or acted upon. Mentions of states
    in `known` (already found acting) are not examined again."""
    acting: set[int] = set()
    found = set(known)
    first = 0
    while first < len(hits):
        last = first
        while last + 1 < len(hits):
            gap = _CHAIN_GAP.fullmatch(prepared.folded, hits[last].end, hits[last + 1].start)
            # "from western Libya, and Egypt and Algeria sent": ", and" after a single
            # name opens a new clause rather than a list.
            if gap is None or (last == first and _NEW_CLAUSE.match(gap[0])):
                break
            last += 1
        chain = hits[first : last + 1]
        if any(hit.entry.kind is ActorKind.STATE and hit.entry.name not in found for hit in chain):
            verdicts = _Chain(prepared.text, words, chain[0].start, chain[-1].end)
            verdicts.plural, verdicts.headline, verdicts.french = len(chain) > 1, headline, french
            for index, hit in enumerate(chain, start=first):
                if hit.entry.kind is ActorKind.STATE and verdicts.acts(hit.form):
                    acting.add(index)
                    found.add(hit.entry.name)
        first = last + 1
    return acting


class _Chain:
    """The context of one mention, or of coordinated mentions ("Mali, Burkina Faso and Niger")."""

    plural = headline = french = False

    def __init__(self, text: str, words: Tokens, start: int, end: int) -> None:
        self.compound = text[start - 1 : start] == "-" or text[end : end + 1] == "-"
        self.possessive = text.startswith(("'s ", "’s ", "' ", "’ "), end)
        self.before = _clause(reversed(words.before(start, 6)))
        self.after = _clause(words.after(end, 7))
        self.words, self.end = words, end
        if self.possessive:
            self.after = self.after[2 if text[end + 1 : end + 2] == "s" else 1 :]

    def acts(self, form: Form) -> bool:
        if self.compound or (self.after and self.after[0].text == ":"):
            return False
        if form is Form.DEMONYM:
            return self._demonym_acts()
        return self._name_acts()

    def _demonym_acts(self) -> bool:
        """An adjective before or after a state body: "Malian authorities", "Tunisian security
        forces", "les autorités tunisiennes"."""
        following = [token.key for token in self.after[:2]]
        if following and (
            following[0] in ACTING_NOUNS
            or (following[0] in _NOUN_MODIFIERS and following[1:] and following[1] in ACTING_NOUNS)
        ):
            return True
        preceding = [token.key for token in self.before[:3]]
        return bool(preceding) and (
            preceding[0] in ACTING_NOUNS
            or (preceding[0] in _NOUN_MODIFIERS and preceding[-1] in ACTING_NOUNS)
        )

    def _name_acts(self) -> bool:
        before = [t for t in self.before if t.key not in DETERMINERS or t.text == "à"][:3]
        previous = before[0].key if before else ""
        earlier = [token.key for token in before[1:3]]
        if previous in ("by", "par", "between", "entre"):
            return True
        if previous in ("and", "et") and any(word in ("between", "entre") for word in earlier):
            return True  # "between Brussels and Tunis"
        if previous in _OF or previous == "from":
            return bool(earlier) and earlier[0] in ACTING_NOUNS | _AID_NOUNS
        if previous in _PLACES or previous == "a":
            return False
        if previous in ("for", "pour"):
            return any(word in _AID_NOUNS for word in earlier)
        if before and before[0].key in _OBJECT_VERBS:
            return True
        following = [token.key for token in self.after[:2]]
        if len(following) == 2 and following[0] in ACTING_NOUNS and following[1] in HEADS:
            return False  # "Sudan's army chief": part of a title
        if self.possessive:
            return any(word in ACTING_NOUNS for word in following)
        if following and following[0] in ACTING_NOUNS:
            return True
        return self._verb_follows(self.after) or self._verb_follows(self._after_aside())

    def _after_aside(self) -> list[Token]:
        """What follows an aside set off by commas: "Niger, once a close partner of
        Washington, ordered American forces out"."""
        ahead = self.words.after(self.end, 16)
        if not ahead or ahead[0].text != ",":
            return []
        closing = next((i for i in range(2, len(ahead)) if ahead[i].text in ",;.:"), None)
        if closing is None or ahead[closing].text != ",":
            return []
        return _clause(ahead[closing + 1 :])

    def _verb_follows(self, following: list[Token]) -> bool:
        after = [token for token in following if token.key not in _SKIPPED]
        if not after:
            return False
        word, raw = after[0].key, after[0].text
        lower = raw.islower() or (self.headline and raw[:1].isupper())
        if word in _COPULAS:
            return len(after) > 1 and _participle(after[1].key, french=self.french)
        if raw == "a" or word in _AUXILIARIES or word in _IRREGULAR_PAST or word in SPEECH_VERBS:
            return True
        if not lower or word in _NOT_VERBS or len(word) < 4:
            return False
        if self.french:
            # 3rd person forms: accepte, refusait, quittent, soutient.
            return word.endswith(("e", "ait", "aient", "ent", "it")) and not word.endswith(
                ("ment", "ance", "ence")
            )
        if word.endswith("ed") or (word.endswith("s") and not word.endswith(("ss", "us", "is"))):
            return True
        return self.plural and word in _BASE_VERBS


def _clause(words: Iterable[Token]) -> list[Token]:
    """Word tokens up to the first punctuation mark (a parenthesis is stepped over)."""
    kept: list[Token] = []
    for token in words:
        if token.word or token.text in ("'", "’"):
            kept.append(token)
        elif token.text not in "()":
            break
        if len(kept) == 5:
            break
    return kept


def _participle(word: str, *, french: bool) -> bool:
    """After "is"/"est": "is seeking", "was attacked", "est devenue", "reste soutenu"."""
    if french:
        return word.endswith(("e", "es", "u", "ue", "us", "i", "is", "it"))
    return word.endswith(("ing", "ed")) or word in _ENGLISH_PARTICIPLES
