"""Does a mention show the actor taking part, or only name a place, a nationality or a label?

A state counts when it acts or is acted upon: "Algeria said", "Malian authorities",
"Italy's government", "drafted by the United States", "between Tunis and Washington",
"le retrait du Mali". It does not count as a place ("in Tunisia", "au Maroc"), a nationality or a
title ("Tunisian Defence Minister"), an economic aggregate ("Libya's oil output") or a label
("Libye : ..."). Coordinated mentions ("Mali, Burkina Faso and Niger recalled") share one verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence

from bot.analysis.gazetteer import (
    STATE_TYPE,
    Form,
    Gazetteer,
    GazetteerEntry,
    Hit,
    PreparedText,
)
from bot.analysis.lexicon import DETERMINERS, HEADS, SPEECH_VERBS, Token, Tokens
from bot.analysis.text import fold
from bot.domain import ActorKind


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ARABIC = re.compile("[\u0600-\u06ff]")


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
_COMPASS = _words(
    "eastern western northern southern central north south east west north-eastern "
    "north-western south-eastern south-western northeastern northwestern southeastern southwestern"
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
    r"\s*(?:[,،]\s*(?:and |et |or |ou )?|(?:and|et|or|ou|as well as|ainsi que|&) )\s*"
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


_CITED_BEFORE = re.compile(
    r"(?:according to|figures (?:published|released|compiled) by|data (?:published|released)"
    r" by|selon|d'apres|chiffres (?:publies|communiques) par|donnees (?:publiees|communiquees)"
    r" par|حسب|بحسب|وفق|وفقا ل|نقلا عن|بيانات)"
    r" (?:the |le |la |les |l'|ال)?$"
)


def is_cited(prepared: PreparedText, hit: Hit) -> bool:
    """A body named only as the source of figures or news: "according to the interior
    ministry", "selon le ministère de l'Intérieur"."""
    return bool(_CITED_BEFORE.search(prepared.folded, max(0, hit.start - 48), hit.start))


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
        while last + 1 < len(hits) and _coordinated(prepared, hits[last], hits[last + 1]):
            # "from western Libya, and Egypt and Algeria sent": ", and" after a single
            # name opens a new clause rather than a list.
            if last == first and _NEW_CLAUSE.match(prepared.folded, hits[last].end):
                break
            last += 1
        chain = hits[first : last + 1]
        if any(hit.entry.kind is ActorKind.STATE and hit.entry.name not in found for hit in chain):
            if _ARABIC.match(prepared.folded, chain[0].start + len(chain[0].prefix)):
                verdicts: _Chain | _ArabicChain = _ArabicChain(prepared, words, chain)
            else:
                verdicts = _Chain(prepared.text, words, chain[0].start, chain[-1].end)
            verdicts.plural, verdicts.headline, verdicts.french = len(chain) > 1, headline, french
            for index, hit in enumerate(chain, start=first):
                # A government named generically always acts (see resolve_generic).
                if hit.entry.kind is ActorKind.STATE and (
                    hit.form is Form.GENERIC or verdicts.acts(hit.form)
                ):
                    acting.add(index)
                    found.add(hit.entry.name)
        first = last + 1
    return acting


def _coordinated(prepared: PreparedText, left: Hit, right: Hit) -> bool:
    """Two mentions in one list: "Mali, Burkina Faso and Niger", "مالي وبوركينا فاسو"."""
    if right.prefix.startswith("و") and prepared.folded[left.end : right.start] == " ":
        return True
    return _CHAIN_GAP.fullmatch(prepared.folded, left.end, right.start) is not None


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
        if previous in _COMPASS and earlier and earlier[0] in _PLACES:
            return False  # "in eastern Libya"
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


# ---------------------------------------------------------------- Arabic
# Every list is folded like the text (أ إ آ → ا, ة → ه, ى → ي, ؤ → و, diacritics dropped), so
# that both sides of each comparison are written the same way.


def _arabic_words(text: str) -> frozenset[str]:
    return frozenset(fold(word) for word in text.split())


# Verbs in the third person, past and present, masculine and feminine: a state next to one is
# its subject or its object ("أعلنت الجزائر", "مصر توقع", "استدعت تونس").
ARABIC_VERBS = _arabic_words(
    """
    قال قالت يقول تقول أعلن أعلنت يعلن تعلن أكد أكدت يؤكد تؤكد وقع وقعت يوقع توقع رفض رفضت
    يرفض ترفض دعا دعت يدعو تدعو طالب طالبت يطالب تطالب قرر قررت يقرر تقرر استدعى استدعت
    يستدعي تستدعي أدان أدانت يدين تدين نفى نفت ينفي تنفي رحب رحبت يرحب ترحب حذر حذرت يحذر
    تحذر اتهم اتهمت يتهم تتهم هدد هددت يهدد تهدد علق علقت يعلق تعلق أغلق أغلقت يغلق تغلق
    فتح فتحت يفتح تفتح شارك شاركت يشارك تشارك انسحب انسحبت ينسحب تنسحب طرد طردت يطرد تطرد
    أرسل أرسلت يرسل ترسل استقبل استقبلت يستقبل تستقبل منح منحت يمنح تمنح قدم قدمت يقدم
    تقدم تلقى تلقت يتلقى تتلقى حصل حصلت يحصل تحصل وافق وافقت يوافق توافق اتفق اتفقت يتفق
    تتفق قاد قادت يقود تقود دعم دعمت يدعم تدعم ساعد ساعدت يساعد تساعد هاجم هاجمت يهاجم
    تهاجم قصف قصفت يقصف تقصف استهدف استهدفت يستهدف تستهدف اعترف اعترفت يعترف تعترف أطلق
    أطلقت يطلق تطلق نشر نشرت ينشر تنشر سلم سلمت يسلم تسلم تسلم تسلمت يتسلم تتسلم أبلغ
    أبلغت يبلغ تبلغ جدد جددت يجدد تجدد أعرب أعربت يعرب تعرب أمهل أمهلت فرض فرضت يفرض تفرض
    أوقف أوقفت يوقف أحبط أحبطت يحبط تحبط ردت تعهد تعهدت يتعهد تتعهد وعد وعدت ناقش ناقشت
    يناقش تناقش التقى التقت يلتقي تلتقي زار زارت يزور تزور استضاف استضافت يستضيف تستضيف
    سعى سعت يسعى تسعى واجه واجهت يواجه تواجه أنهى أنهت ينهي تنهي أعاد أعادت يعيد تعيد صوت
    صوتت يصوت تصوت اشترى اشترت يشتري تشتري باع باعت يبيع تبيع أبرم أبرمت يبرم تبرم وجه
    وجهت يوجه توجه اعتبر اعتبرت يعتبر تعتبر حمل حملت يحمل تحمل أكدت أوضح أوضحت يوضح توضح
    أفاد أفادت يفيد تفيد كشف كشفت يكشف تكشف شدد شددت يشدد تشدد عرضت عرض يعرض تعرض تبنى
    تبنت يتبنى تتبنى احتجت احتج يحتج تحتج أجلت أجل يؤجل تؤجل استأنفت استأنف يستأنف تستأنف
    """
)
# Verbal nouns and bodies that show a state acting when it follows them ("قرار الجزائر",
# "حكومة تونس", "دعم مصر"), or that an adjective after them turns into the state ("السلطات
# المغربية", "القوات المالية", "جنديا تشاديا").
ARABIC_ACTING_NOUNS = _arabic_words(
    """
    حكومة سلطات قوات رئاسة وفد سفارة قرار موقف رفض دعم طلب تدخل انسحاب مساعدة مساعدات
    اعتراف وساطة جهود مبادرة مشاركة ضغط ضغوط استدعاء اتهام تهديد تحذير إعلان توقيع موافقة
    استقبال رد مطالبة تعهد التزام عرض اقتراح بيان
    الحكومة السلطات القوات الرئاسة الوفد السفارة الدبلوماسية الشرطة الأمن البحرية الجنود
    جنود جنديا جندي العسكريين عسكريين المقاتلات الطائرات القيادة
    """
)
ARABIC_AID_NOUNS = _arabic_words("دعم مساعدات مساعدة قرض قروض تمويل منحة منح شحنة شحنات")
# Before "مع" (with) or "على" (on, against): the talk, deal or blow a state takes part in.
ARABIC_DEALINGS = _arabic_words(
    """
    اتفاق اتفاقا اتفاقية مذكرة صفقة محادثات مباحثات علاقات العلاقات تعاون التعاون شراكة
    الشراكة أزمة الأزمة خلاف الخلاف توتر التوتر حوار الحوار تنسيق التنسيق
    """
)
ARABIC_BLOWS = _arabic_words(
    "عقوبات العقوبات هجوم هجمات ضغوط ضغطا حرب الحرب اعتداء غارات ضربات حظر حصار"
)
# Before a place: "في تونس", "إلى ليبيا", "شمال مالي".
ARABIC_PLACES = _arabic_words(
    """
    في إلى من عبر نحو قرب داخل خارج حول شمال جنوب شرق غرب وسط حدود الحدود سواحل شواطئ مدن
    أنحاء أرجاء عاصمة مدينة منطقة مناطق إقليم ولاية مطار ميناء
    """
)
# Before a government named as an office to hold: "رئيس الحكومة", "تشكيل الحكومة".
ARABIC_OFFICES = _arabic_words("رئيس رئيسة قائد زعيم تشكيل عضو أعضاء وزير وزراء باسم رئاسة")
_ARABIC_PARTICLES = _arabic_words("لم لن لا قد ما لقد")
_ARABIC_COORDINATORS = "وف"
_WITH, _ON = fold("مع"), fold("على")


def _arabic_key(token: Token) -> str:
    """The folded word without a conjunction attached to it: "وأعلنت" → "اعلنت"."""
    key = token.key
    if len(key) > 3 and key[0] in _ARABIC_COORDINATORS and key[1:] in ARABIC_VERBS:
        return key[1:]
    return key


def _future(word: str) -> bool:
    """A verb in the future tense: "ستعمل", "سيوقع"."""
    return len(word) > 3 and word[0] == "س" and word[1] in ("ت", "ي")


def _unprefixed(word: str) -> str:
    """A word without the conjunction or preposition attached to it: "وتشكيل", "برئاسة"."""
    return word[1:] if len(word) > 3 and word[0] in "وفبل" else word


class _ArabicChain:
    """The context of an Arabic mention: a verb before it or after it, a body or a decision
    it belongs to ("قرار الجزائر", "السلطات المغربية"); never a place ("في تونس", "بتونس")."""

    plural = headline = french = False

    def __init__(self, prepared: PreparedText, words: Tokens, chain: Sequence[Hit]) -> None:
        self.prefix = chain[0].prefix
        self.before = [_arabic_key(token) for token in reversed(words.before(chain[0].start, 5))]
        self.after = [_arabic_key(token) for token in words.after(chain[-1].end, 3)]

    def acts(self, form: Form) -> bool:
        if "ب" in self.prefix or "ك" in self.prefix or self.after[:1] == [":"]:
            return False
        previous = self.before[0] if self.before else ""
        if form is Form.DEMONYM:
            return previous in ARABIC_ACTING_NOUNS
        if "ل" in self.prefix:
            return previous in ARABIC_AID_NOUNS
        if previous in ARABIC_PLACES:
            return False
        if previous in ARABIC_VERBS or previous in ARABIC_ACTING_NOUNS:
            return True
        if previous == _WITH:
            return any(word in ARABIC_DEALINGS or word in ARABIC_VERBS for word in self.before)
        if previous == _ON:
            return any(word in ARABIC_BLOWS for word in self.before)
        return self._verb_follows()

    def _verb_follows(self) -> bool:
        """A verb, or a particle and then a verb: "مصر توقع", "الجزائر لم تتخل"."""
        after = self.after
        if not after:
            return False
        if after[0] in ARABIC_VERBS or _future(after[0]):
            return True
        return after[0] in _ARABIC_PARTICLES and len(after) > 1 and after[1][:1] in ("ت", "ي")


# ---------------------------------------------------------------- generic names of national bodies

# Before a generic name in English or French: the definite article ("the army", "l'armée",
# "du gouvernement"); "a government" or "son gouvernement" names no body.
_DEFINITE = re.compile(r"(?:\b(?:the|le|la|les|du|des) |\bl')$")
_POSSESSIVE_GAP = re.compile(r"['’]s? ")
# A government named as an office to hold, not as the state acting: "head of the government",
# "à la tête du gouvernement", "to lead the government".
_OFFICE_BEFORE = re.compile(
    r"\b(?:head|chief|leader|lead|leads|led|leading|join|joined|joins|form|formed|forming"
    r"|tete|chef|cheffe|diriger|dirige|dirigera|rejoindre|rejoint|former|forme|entrer|entre)"
    r"(?: of| de| du| des| the| la| le| d'| l')* ?$"
)
_NEXT_WORD = re.compile(r" ([^\W\d_]+)")
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+) $")
_ARABIC_ARTICLE = "ال"
# French adjectives that narrow a generic name to a body that is not national.
_QUALIFIERS = _words(
    """
    sanitaires locales locaux regionales regionaux municipales municipaux judiciaires
    portuaires religieuses aeroportuaires electorales douanieres penitentiaires consulaires
    provinciales provinciaux communales
    """
)
_WEIGHTS = (3, 2, 1)  # a mention in the title, in the lead, further on


def article_country(parts: Sequence[tuple[int, PreparedText, Sequence[Hit]]]) -> str | None:
    """The state the article is about: the most mentioned one, counting states, national bodies
    and people of a country, a mention in the title or the lead weighing more; None on a tie."""
    scores: dict[str, int] = {}
    for part, prepared, hits in parts:
        lead_end = _lead_end(prepared.text) if part == 1 else len(prepared.text)
        for hit in hits:
            country = _country_of(hit)
            if country is not None:
                weight = _WEIGHTS[0] if part == 0 else _WEIGHTS[1 if hit.start < lead_end else 2]
                scores[country] = scores.get(country, 0) + weight
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def _country_of(hit: Hit) -> str | None:
    if hit.form is Form.GENERIC:
        return None
    if hit.entry.kind is ActorKind.STATE:
        return hit.entry.name
    return hit.entry.country


def _lead_end(text: str) -> int:
    """Where the first paragraph, or else the first 300 characters, ends."""
    end = text.find("\n\n")
    return end if 0 < end < 600 else 300


def resolve_generic(
    prepared: PreparedText,
    hits: Sequence[Hit],
    gazetteer: Gazetteer,
    country: str | None,
    in_title: Callable[[Hit], bool],
) -> list[Hit]:
    """Hits with each generic name replaced by the body it names, or dropped. The country is
    the state written next to the name (which then is part of the body's name, not an actor on
    its own), else `country`. A name inside a person's title is dropped. A government or "the
    country" becomes a hit of the state itself: Form.GENERIC for a government, which always
    acts, Form.NAME for "the country", which acts or not like the state's name."""
    resolved: list[Hit] = []
    consumed: set[int] = set()  # the ids of state hits that are part of a body's name
    for index, hit in enumerate(hits):
        if hit.form is not Form.GENERIC:
            resolved.append(hit)
            continue
        if in_title(hit):
            continue
        written = _written_country(prepared, hits, index)
        if written is not None:
            consumed.add(id(hits[written]))
            entry = gazetteer.resolve(hit.entry.name, hits[written].entry.name, explicit=True)
            start, end = min(hit.start, hits[written].start), max(hit.end, hits[written].end)
        elif country is not None and _definite(prepared, hit) and not _qualified(prepared, hit):
            entry = gazetteer.resolve(hit.entry.name, country, explicit=False)
            start, end = hit.start, hit.end
        else:
            continue
        if entry is None or (hit.entry.name == STATE_TYPE and _office(prepared, hit)):
            continue
        named = _named_government(resolved, entry) if hit.entry.name == STATE_TYPE else None
        if named is not None:
            resolved.append(Hit(named, Form.NAME, start, end))
            continue
        form = Form.GENERIC if hit.entry.name == STATE_TYPE else Form.NAME
        resolved.append(Hit(entry, form, start, end))
    kept = [hit for hit in resolved if id(hit) not in consumed]
    return sorted(kept, key=lambda hit: hit.start)


def _named_government(earlier: Sequence[Hit], state: GazetteerEntry) -> GazetteerEntry | None:
    """The government of `state` named last before a bare "the government": Libya's
    Government of National Stability, not Libya, in "the government said"."""
    for hit in reversed(earlier):
        entry = hit.entry
        if (
            entry.kind is ActorKind.INSTITUTION
            and entry.country == state.name
            and "government" in entry.name.lower()
        ):
            return entry
    return None


def _written_country(prepared: PreparedText, hits: Sequence[Hit], index: int) -> int | None:
    """Index of the state hit written next to the generic name at `index`: an adjective just
    before or after it ("Libyan coast guard", "garde-côtes libyens", "الجيش الجزائري"), or a
    name with 's before it ("Tunisia's interior ministry")."""
    hit, folded = hits[index], prepared.folded
    if index > 0:
        before = hits[index - 1]
        gap = folded[before.end : hit.start]
        if before.entry.kind is ActorKind.STATE and (
            (before.form is Form.DEMONYM and gap == " ")
            or (before.form is not Form.DEMONYM and _POSSESSIVE_GAP.fullmatch(gap))
        ):
            return index - 1
    if index + 1 < len(hits):
        after = hits[index + 1]
        if (
            after.entry.kind is ActorKind.STATE
            and after.form is Form.DEMONYM
            and folded[hit.end : after.start] == " "
        ):
            return index + 1
    return None


def _definite(prepared: PreparedText, hit: Hit) -> bool:
    """Arabic generic names carry their article; in English and French one must precede."""
    if _ARABIC.match(prepared.folded, hit.start):
        return True
    return bool(_DEFINITE.search(prepared.folded, max(0, hit.start - 12), hit.start))


def _qualified(prepared: PreparedText, hit: Hit) -> bool:
    """A generic name narrowed by the word after it to a body that is not national: "the
    authorities" are the state, "les autorités sanitaires" and "السلطات الصحية" are not."""
    following = _NEXT_WORD.match(prepared.folded, hit.end)
    if following is None:
        return False
    word = following[1]
    return word.startswith(_ARABIC_ARTICLE) or word in _QUALIFIERS


def _office(prepared: PreparedText, hit: Hit) -> bool:
    if _ARABIC.match(prepared.folded, hit.start):
        previous = _PREVIOUS_WORD.search(prepared.folded, max(0, hit.start - 16), hit.start)
        return previous is not None and (
            previous[1] in ARABIC_OFFICES or _unprefixed(previous[1]) in ARABIC_OFFICES
        )
    return bool(_OFFICE_BEFORE.search(prepared.folded, max(0, hit.start - 24), hit.start))
