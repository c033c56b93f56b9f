"""Words the actor rules look for (English and French, folded) and a small word tokenizer."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from bot.analysis.text import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry a title: "Minister" in "Defence Minister X", "ministre" in "le ministre X".
HEADS = _words(
    """
    president vice-president president-elect minister premier secretary secretary-general
    pope princess sultan cardinal archbishop bishop undersecretary under-secretary chancellor
    vice-chancellor king queen emir prince speaker
    chairman chairwoman chairperson chair co-chair head chief commander commander-in-chief
    leader co-leader governor mayor ambassador envoy representative spokesman spokeswoman
    spokesperson director director-general administrator commissioner coordinator adviser
    advisor counsellor counselor prosecutor attorney judge senator congressman congresswoman
    lawmaker legislator mp deputy general colonel lieutenant brigadier admiral captain marshal
    sergeant commandant official lawyer journalist activist dissident founder ceo counterpart
    co-founder cofounder striker coach defender midfielder goalkeeper winger writer novelist
    author blogger cleric
    imam preacher warlord gen. lt. col. maj. brig. adm. capt. cpt. sgt. gov. sen. rep. pres.
    cdt. gal.
    presidente vice-presidente ministre secretaire porte-parole chef cheffe colonel-major
    lieutenant-colonel capitaine amiral marechal roi reine gouverneur maire ambassadeur
    ambassadrice envoye envoyee emissaire representant representante directeur directrice
    procureur procureure juge depute deputee senateur senatrice conseiller conseillere
    commissaire avocat avocate journaliste militant militante opposant opposante dirigeant
    dirigeante patron patronne homologue chancelier chanceliere ecrivain ecrivaine auteur
    autrice entraineur selectionneur attaquant defenseur coordinateur coordinatrice mediateur
    mediatrice fondateur fondatrice pape princesse prefet prefete wali
    """
)
# Titles that name a person by one name: "la reine Letizia", "Pope Francis", "Emir Tamim".
REGAL = _words("king queen emir prince princess pope sultan roi reine princesse pape")
# Honorifics mark a person but carry no office.
HONORIFICS = _words("mr. mrs. ms. dr. m. mme mme. mlle sheikh cheikh sir dame")
RANKS = _words(
    """
    general gen. colonel col. lieutenant lt. major maj. brigadier brig. admiral adm. captain
    capt. cpt. marshal field sergeant sgt. commandant cdt. gal. amiral capitaine marechal
    colonel-major lieutenant-colonel rear
    """
)
# Words that sit inside or around a title: "Assistant Secretary of War for Security and
# International Affairs", "ministre de la Défense nationale".
TITLE_WORDS = _words(
    """
    deputy assistant acting vice under interim former ex new outgoing incoming senior special
    crown
    top chief prime first executive general lieutenant major brigadier field rear staff joint
    high supreme principal permanent personal regional national military army navy naval air
    force forces armed police security intelligence defence defense interior home foreign
    affairs finance justice economy economic trade industry energy oil gas health transport
    migration immigration relations cooperation international state war government
    presidential republic council committee assembly parliament parliamentary house senate
    party ministry department office agency command commission mission union guard coast
    maritime border borders customs diplomacy african european arab external internal local
    territorial religious social public education higher research scientific agriculture
    water environment tourism culture youth sports women family communications technology
    digital investment planning development equipment housing infrastructure veterans
    homeland counterterrorism counter-terrorism terrorism operations legal political
    humanitarian refugees human rights people's representatives league organization
    organisation association movement front bureau authority court bank fund corporation
    company institute center centre observatory network coalition alliance forum charge
    management land ground tribal armed group brigade battalion division unit units
    sortant sortante adjoint adjointe delegue deleguee nouveau nouvelle ancien ancienne
    interimaire interim
    premier premiere haut haute grand speciale defense nationale interieur interieure
    affaires etrangeres exterieures exterieur armee armees etat-major etat gouvernement
    republique finances economie commerce industrie energie sante transports securite surete
    garde gendarmerie renseignement terre mer corps conseil presidentiel presidence
    parlement assemblee chambre senat parti ministere commission cooperation diplomatie
    africaine europeenne internationale regional collectivites locales religieuses sociales
    publique charge chargee equipement agriculture education enseignement superieur
    recherche culture jeunesse sport femmes famille technologies numerique investissement
    developpement logement infrastructures anciens combattants justice emploi formation
    professionnelle tourisme environnement eau transition migrations droits homme ligue
    organisation mouvement front autorite cour banque fonds institut centre observatoire
    reseau coalition alliance forces
    """
)
CONNECTORS = _words("of for and the on to in a de du des d' la le l' et aux au en aupres par")
DETERMINERS = _words("the a an his her its their le la l' les un une son sa ses leur")
# Capitalised words that are not part of a person's name.
NOT_NAMES = _words(
    """
    the a an in on at of for and but or as by with from to after before during while when
    meanwhile however also separately earlier later yesterday today tomorrow last next this
    that these those his her its their our he she it they we i you there here according
    speaking amid over ahead despite following under between against without within since
    le la les l' un une des du de et ou mais selon lors apres avant pendant hier demain ce
    cette ces son sa ses leur il elle ils elles nous vous on au aux en dans pour par sur avec
    sans chez entre depuis face
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec janvier fevrier mars avril mai juin
    juillet aout septembre octobre novembre decembre monday tuesday wednesday thursday friday
    saturday sunday lundi mardi mercredi jeudi vendredi samedi dimanche
    ministry government forces army navy party front union republic kingdom state states
    office house court bank agency group brigade committee commission parliament senate
    congress police guard department administration authority authorities airport port
    street university center centre conference summit forum organization organisation
    movement association federation institute foundation council assembly mission command
    corps network alliance coalition observatory league service services directorate bureau
    company corporation airlines airways energy oil gas petroleum holding telecom fund trust
    hospital school club team fc red crescent cross watch rights international national human
    world global european african arab islamic federal republican democratic social
    socialist liberal popular people's free united new north south east west northern
    southern eastern western central tourism statistics media news press presse agence times
    post tribune herald observer journal gazette television tv radio fm online review monitor
    telegraph guardian express daily weekly reuters associated bloomberg jazeera arabiya
    anadolu xinhua tass afp ap map tap aps sea coast border desert river lake island islands
    mount mountains city province region governorate district
    says said meets met receives holds calls urges warns visits signs announces discusses
    confirms denies launches arrives welcomes condemns rejects stresses affirms reaffirms
    highlights pledges vows orders appoints dismisses sacks names opens reopens hails
    slams backs seeks eyes plans agree agrees sign signs talks democrats republicans
    socialists greens conservatives liberals islamists rebels jihadists militants officials
    """
)
PARTICLES = _words(
    "al el ben bin ibn ould abu abou bou ag de del della di da du van von der den ter le la"
)
# Arabic name particles, folded like the text: بن، ولد، أبو.
ARABIC_PARTICLES = frozenset(fold(word) for word in "بن ابن ولد بنت آل أبو".split())
# Particles that may open a name ("Ould Ghazouani", "Ben Ali", "Abu Bakr").
LEADING_PARTICLES = _words("ben bin ibn ould abu abou bou el al ag")
ARABIC_PREFIX = re.compile(
    r"(?:al|el|ad|ed|as|ash|at|az|an|ar|ibn|bin|ben|abu|abou|bou|ould|ag|d)['’\-][A-ZÀ-Þ]"
)
SPEECH_VERBS = _words(
    """
    said says told added stated noted warned insisted argued explained wrote announced
    stressed acknowledged confirmed denied claimed urged replied responded declared pledged
    vowed promised admitted emphasised emphasized underlined highlighted remarked commented
    predicted
    """
)
# French speech in the compound past: "Marine Le Pen a déclaré".
SPEECH_PARTICIPLES_FR = _words(
    """
    declare affirme indique annonce assure estime salue denonce souligne rappele ajoute
    explique averti appele promis accuse reconnu precise insiste reagi fustige critique
    regrette juge repondu plaide prevenu reaffirme remercie
    """
)
SPEECH_PRESENT_FR = _words(
    """
    dit affirme estime assure declare souligne rappelle indique annonce explique ajoute
    previent denonce juge repond reconnait promet appelle insiste precise
    """
)
# Before a place, not a person: "In Sidi Bouzid, the governor said".
PLACE_PREPOSITIONS = _words(
    "in at from near into across outside inside around towards a en dans vers depuis"
)
# People quoted for comment rather than taking part: "analyst Kholood Khair said".
COMMENTATORS = _words(
    """
    analyst analysts expert experts researcher researchers professor academic economist
    observer commentator scholar fellow analyste analystes chercheur chercheuse expert experte
    politologue economiste specialiste universitaire observateur
    """
)


class Token(NamedTuple):
    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        return fold(self.text)

    @property
    def base(self) -> str:
        """The folded word without an English possessive."""
        return _base(self.text)

    @property
    def possessive(self) -> bool:
        return _base(self.text) != fold(self.text)

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def word(self) -> bool:
        return self.text[:1].isalnum()


_TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # U.S., U.N.
    r"|(?:Gen|Lt|Col|Maj|Brig|Adm|Capt|Cpt|Sgt|Gov|Sen|Rep|Pres|Cdt|Gal|Mr|Mrs|Ms|Dr|Mme)\.(?!\w)"
    r"|[A-Z]\.(?=\s[A-ZÀ-Þ])"  # an initial, or French M.
    r"|(?:[dDlLjJnNsScCmMtT]|[Qq]u)['’](?=[^\W\d_]|$)"  # French elision: l', d', qu'
    r"|[^\W_]+(?:['’\-][^\W_]+)*"
    r"|\S"
)


def tokens(text: str, start: int, end: int) -> list[Token]:
    return [Token(m[0], m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


class Tokens:
    """A text's tokens, read lazily in short runs around a place."""

    def __init__(self, text: str) -> None:
        self.text = text

    def after(self, position: int, count: int) -> list[Token]:
        """Up to `count` tokens from `position` on."""
        return [
            Token(m[0], m.start(), m.end())
            for m in islice(_TOKEN.finditer(self.text, position), count)
        ]

    def before(self, position: int, count: int) -> list[Token]:
        """Up to `count` tokens ending at or before `position`, none cut in half."""
        start = max(0, position - 8 * count)
        if start:
            space = self.text.find(" ", start, position)
            start = position if space < 0 else space + 1
        return tokens(self.text, start, position)[-count:]

    def between(self, start: int, end: int) -> list[Token]:
        return tokens(self.text, start, end)


def adjacent(left: Token, right: Token) -> bool:
    """One space apart, or touching (an elision such as l')."""
    return right.start - left.end in (0, 1) and not (
        right.start == left.end and left.text[-1:] not in "'’"
    )


def is_acronym(token: Token) -> bool:
    return _acronym(token.text)


@lru_cache(maxsize=8192)
def _acronym(text: str) -> bool:
    letters = _strip_possessive(text).replace(".", "").replace("-", "")
    return len(letters) >= 2 and letters.isalnum() and letters.isupper()


@lru_cache(maxsize=8192)
def _base(text: str) -> str:
    return _strip_possessive(fold(text))


def _strip_possessive(text: str) -> str:
    for suffix in ("'s", "’s"):
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text
