"""Language-independent evidence that two reports tell the same story.

Words differ between an English, a French and an Arabic report of one event; what they share is
who (canonical actor keys from the gazetteer), where (places, folded, in the three spellings),
how many (casualty counts, amounts: digits normalised), when (the day the event happened) and
what happened (a small table of event kinds). `collect` reads these from an article's title and
lead; `compare` weighs what two reports share and what sets them apart. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from bot.analysis.gazetteer import trie_pattern
from bot.analysis.text import fold, sentences, words
from bot.domain import Actor, ActorKind

WINDOW = timedelta(hours=36)  # reports of one event are published this close together
LEAD_SENTENCES = 3
LEAD_CHARS = 1200

# ---------------------------------------------------------------- places
# Cities and sites of the region and of its news, by country: the canonical name first, then
# the spellings outlets use in English, French and Arabic. Arabic forms that are also common
# words (الزاوية "the corner", العيون "the eyes") and the Arabic names shared by a country and
# its capital (تونس, الجزائر) are left out or written in a longer form.
_PLACES = {
    "Tunisia": (
        "Tunis|تونس العاصمة|العاصمة التونسية",
        "Sfax|صفاقس",
        "Sousse|سوسة",
        "Gabès|Gabes|قابس",
        "Bizerte|Bizerta|بنزرت",
        "Kairouan|القيروان",
        "Kasserine|القصرين",
        "Gafsa|قفصة",
        "Medenine|Médenine|مدنين",
        "Zarzis|جرجيس",
        "Ben Guerdane|Ben Gardane|بن قردان",
        "Monastir|المنستير",
        "Nabeul|نابل",
        "Tataouine|تطاوين",
        "Djerba|Jerba|جربة",
        "Mahdia|المهدية",
        "Jebiniana|Jbeniana|Jebeniana|جبنيانة",
        "El Amra|El-Amra|العامرة",
        "Tozeur|توزر",
        "Sidi Bouzid|سيدي بوزيد",
        "Jendouba|جندوبة",
    ),
    "Libya": (
        "Tripoli|طرابلس|العاصمة الليبية",
        "Benghazi|Bengasi|Benghazy|بنغازي",
        "Misrata|Misurata|Misratah|مصراتة",
        "Zawiya|Zawiyah|Zaouia|Zawia",
        "Zuwara|Zouara|Zuwarah|زوارة",
        "Sabratha|Sabratah|صبراتة",
        "Sabha|Sebha|سبها",
        "Sirte|Syrte|سرت",
        "Derna|Darnah|درنة",
        "Tobruk|Tobrouk|طبرق",
        "Ajdabiya|Ajdabia|أجدابيا",
        "Ghadames|غدامس",
        "Ras Jedir|Ras Jdir|Ras Ajdir|رأس جدير|راس اجدير",
        "Kufra|Koufra|الكفرة",
        "Tarhuna|Tarhouna|ترهونة",
        "Gharyan|Gharian|غريان",
        "Tajoura|Tajura|Tadjourah|تاجوراء",
        "Janzour|Janzur|جنزور",
        "Abu Salim|Abou Salim|أبو سليم",
        "Bani Walid|Beni Walid|بني وليد",
        "Zintan|الزنتان",
        "Ras Lanuf|Ras Lanouf|راس لانوف|رأس لانوف",
        "Brega|Marsa el-Brega|البريقة",
        "Ubari|Obari|أوباري",
        "Murzuq|Mourzouk|مرزق",
    ),
    "Algeria": (
        "Algiers|Alger|الجزائر العاصمة|العاصمة الجزائرية",
        "Oran|وهران",
        "Constantine|قسنطينة",
        "Annaba|عنابة",
        "Tamanrasset|تمنراست",
        "Ouargla|ورقلة",
        "Béjaïa|Bejaia|بجاية",
        "Tlemcen|تلمسان",
        "Tindouf|تندوف",
        "In Amenas|In Aménas|عين أميناس",
        "Hassi Messaoud|حاسي مسعود",
        "Blida|البليدة",
        "Sétif|Setif|سطيف",
        "Djanet|جانت",
        "Bordj Badji Mokhtar|برج باجي مختار",
        "In Guezzam|عين قزام",
    ),
    "Morocco": (
        "Rabat|الرباط",
        "Casablanca|الدار البيضاء",
        "Tangier|Tanger|Tangiers|طنجة",
        "Tetouan|Tétouan|تطوان",
        "Marrakech|Marrakesh|مراكش",
        "Fez|Fès|Fes|فاس",
        "Meknes|Meknès|مكناس",
        "Oujda|وجدة",
        "Nador|الناظور",
        "Al Hoceima|Al-Hoceima|الحسيمة",
        "Agadir|أكادير",
        "Laayoune|Laâyoune|El Aaiún",
        "Dakhla",
        "Guerguerat|الكركرات",
        "Smara|السمارة",
    ),
    "Egypt": (
        "Cairo|Caire|القاهرة",
        "Alexandria|Alexandrie|الإسكندرية",
        "Giza|Gizeh|الجيزة",
        "Port Said|Port-Saïd|بورسعيد|بور سعيد",
        "Suez|السويس",
        "Ismailia|الإسماعيلية",
        "El Arish|Al-Arish|El-Arich|العريش",
        "Rafah|رفح",
        "Sharm el-Sheikh|Charm el-Cheikh|شرم الشيخ",
        "Hurghada|الغردقة",
        "Aswan|Assouan|أسوان",
        "Luxor|Louxor|الأقصر",
        "Marsa Matrouh|Mersa Matruh|مرسى مطروح",
        "Salloum|Sallum|السلوم",
        "El Alamein|El-Alamein|Alamein|العلمين",
    ),
    "Mali": (
        "Bamako|باماكو",
        "Gao|غاو",
        "Timbuktu|Tombouctou|تمبكتو",
        "Kidal|كيدال",
        "Mopti|موبتي",
        "Ménaka|Menaka|ميناكا",
        "Ségou|Segou|سيغو",
        "Kayes",
        "Tessalit|تساليت",
        "Ansongo|أنسونغو",
        "Niono|نيونو",
        "Sévaré|Sevare|سيفاري",
    ),
    "Niger": (
        "Niamey|نيامي",
        "Agadez|أغاديز",
        "Tillabéri|Tillaberi|Tillabery|تيلابيري",
        "Diffa|ديفا",
        "Tahoua|تاهوا",
        "Zinder|زندر",
        "Maradi|مارادي",
        "Arlit|أرليت",
        "Dosso|دوسو",
    ),
    "Burkina Faso": (
        "Ouagadougou|واغادوغو",
        "Djibo|جيبو",
        "Barsalogho|بارسالوغو",
        "Dori",
        "Kaya|كايا",
        "Fada N'Gourma|Fada Ngourma",
        "Ouahigouya|واهيغويا",
    ),
    "Chad": ("N'Djamena|Ndjamena|N'Djaména|نجامينا|انجامينا", "Abéché|Abeche|أبشي"),
    "Mauritania": ("Nouakchott|نواكشوط", "Nouadhibou|نواذيبو"),
    "Sudan": (
        "Khartoum|الخرطوم",
        "Omdurman|أم درمان",
        "El Fasher|El-Fasher|Al-Fashir|El Facher|الفاشر",
        "Port Sudan|Port-Soudan|بورتسودان|بور سودان",
        "Nyala|نيالا",
        "Kassala|كسلا",
        "Wad Madani|ود مدني",
        "El Obeid|El-Obeid",
    ),
    "Europe": (
        "Lampedusa|لامبيدوزا",
        "Pantelleria|بانتيليريا",
        "Sicily|Sicile|صقلية",
        "Crete|Crète|كريت",
        "Gavdos|غافدوس",
        "Canary Islands|Canaries|îles Canaries|جزر الكناري",
        "El Hierro|إل هييرو",
        "Ceuta|Sebta|سبتة",
        "Melilla|مليلية",
        "Almería|Almeria|ألميريا",
        "Rome|روما",
        "Paris|باريس",
        "Madrid|مدريد",
        "Brussels|Bruxelles|بروكسل",
        "Athens|Athènes|أثينا",
        "Geneva|Genève|جنيف",
    ),
    "Elsewhere": (
        "Ankara|أنقرة",
        "Moscow|Moscou|موسكو",
        "Washington|واشنطن",
        "Doha|الدوحة",
        "Abu Dhabi|Abou Dhabi|أبوظبي|أبو ظبي",
        "Riyadh|Riyad|الرياض",
        "New York|نيويورك",
    ),
}

_ARABIC = re.compile("[\u0600-\u06ff]")
_ARTICLE = "ال"
# Arabic writes conjunctions and prepositions on the word: و ف, then ب ك ل (ل + ال is لل).
_ARABIC_PREFIX = "[وف]?[بكل]?"


def _place_table() -> dict[str, str]:
    """Folded spelling (hyphens as spaces) → canonical place name."""
    table: dict[str, str] = {}
    for entries in _PLACES.values():
        for entry in entries:
            canonical, *aliases = entry.split("|")
            for alias in (canonical, *aliases):
                table[_spelling(fold(alias))] = canonical
    return table


def _spelling(text: str) -> str:
    return " ".join(text.replace("-", " ").split())


def _arabic_forms(spellings: Iterable[str]) -> Iterator[str]:
    for spelling in spellings:
        yield spelling
        if spelling.startswith(_ARTICLE):  # ل + القاهرة is written للقاهرة
            yield spelling[1:]


_PLACE_NAMES = _place_table()
_LATIN_PLACES = re.compile(
    rf"(?<![^\W_])(?:{trie_pattern(k for k in _PLACE_NAMES if not _ARABIC.search(k))})(?![^\W_])"
)
_ARABIC_SPELLINGS = {
    form: name
    for spelling, name in _PLACE_NAMES.items()
    if _ARABIC.search(spelling)
    for form in _arabic_forms([spelling])
}
_ARABIC_PLACES = re.compile(
    rf"(?<![^\W_]){_ARABIC_PREFIX}(?P<place>{trie_pattern(_ARABIC_SPELLINGS)})(?![^\W_])"
)


def find_places(folded: str) -> frozenset[str]:
    """Canonical names of the places written in folded text."""
    found = {_PLACE_NAMES[_spelling(match[0])] for match in _LATIN_PLACES.finditer(folded)}
    if _ARABIC.search(folded):
        found.update(_ARABIC_SPELLINGS[m["place"]] for m in _ARABIC_PLACES.finditer(folded))
    return frozenset(found)


# ---------------------------------------------------------------- what happened
# Event kinds and their cue words (folded; a trailing * takes any ending). Arabic words are
# matched with and without their attached prefixes (و ف ب ك ل ال).
_KINDS = {
    "clash": "clash* fighting fought gunfire skirmish* affrontement* combat combats heurts"
    " اشتباك* معارك معركه اقتتال قتال",
    "strike": "airstrike* drone drones bombard* shelling shelled frappe frappes غاره غارات مسيره"
    " مسيرات قصف*",
    "attack": "attack* ambush* bombing* explosion* blast suicide attaque* embuscade* attentat*"
    " هجوم* هجمات كمين تفجير* انفجار* هاجم*",
    "casualties": "kill* dead death* died wounded injur* casualt* toll tue tues tuee tuees mort"
    " morts blesse* deces victime* قتل* قتيل* قتلي مقتل جرحي جريح مصرع وفاه وفيات اصيب* اصابه"
    " مصاب*",
    "migration": "migra* refugee* asylum exile* harraga asile refugie* مهاجر* هجره لاجي* اجتياز",
    "rescue": "intercept* rescu* thwart* foil* secour* sauvetage sauve sauves dejoue* اعتراض"
    " اعترض* انقاذ انقذ* احباط احبط* يحبط",
    "shipwreck": "shipwreck* capsiz* sank sunk sink* drown* naufrag* chavir* noye* غرق*",
    "agreement": "agreement* deal deals signed signing memorand* contract* accord accords signe"
    " signent signature* protocole* contrat* اتفاق* اتفاقيه توقيع* مذكره",
    "energy": "gas gaz gazier* gazoduc* pipeline* lng oil petrol* crude barrel* baril* hydrocarb*"
    " غاز* نفط* محروقات برميل براميل",
    "election": "election* electoral vote votes voting ballot* referendum* scrutin* انتخاب*"
    " اقتراع تصويت استفتاء",
    "justice": "arrest* detain* sentenc* convict* trial jail* prison* interpell* condamn* proces"
    " tribunal* اعتقال اعتقل* توقيف قبض محكمه سجن*",
    "protest": "protest* demonstrat* rally rallies manifestation* manifestant* greve* احتجاج*"
    " مظاهره مظاهرات اضراب* تظاهر*",
    "economy": "loan* budget* imf inflation bond bonds debt* salar* wage* pay dette* fmi salair*"
    " قرض* ميزانيه موازنه تضخم ديون رواتب اجور مرتبات",
    "kidnapping": "kidnap* abduct* hostage* enleve* enlevement* otage* اختطاف اختطف* خطف*"
    " رهين* رهاين",
    "disaster": "flood* earthquake* storm* inondation* seisme* crue crues tempete* فيضان* سيول"
    " زلزال* اعصار عاصفه",
    # Generic kinds: most stories about officials have them; they never corroborate alone.
    "talks": "met meet meets meeting* talks discuss* receive* rencontr* entretien* entretenu*"
    " reunion* discut* recu recoit لقاء التقي اجتماع* محادثات مباحثات استقبل* يستقبل بحث",
    "visit": "visit* visite* زياره زار يزور تزور",
    "arrival": "arriv* landed landing* debarqu* وصول وصل*",
}
GENERIC_KINDS = frozenset({"talks", "visit", "arrival"})
# A shorter cue with * would take unrelated words ("tue*" takes "tuesday"); Arabic roots have
# three letters.
_MIN_STEM = {False: 4, True: 3}


def _cue_tables() -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    stems: dict[str, str] = {}
    for kind, cues in _KINDS.items():
        for cue in cues.split():
            folded = fold(cue)
            if folded.endswith("*"):
                least = _MIN_STEM[bool(_ARABIC.match(folded))]
                if len(folded) - 1 < least:
                    raise ValueError(f"{kind}: {cue}: a stem needs {least} letters")
                stems[folded[:-1]] = kind
            else:
                exact[folded] = kind
    return exact, stems


_EXACT_CUES, _STEM_CUES = _cue_tables()
_LONGEST_STEM = max(len(stem) for stem in _STEM_CUES)


def arabic_stems(token: str) -> Iterator[str]:
    """The token, then without its attached conjunction, preposition and article."""
    yield token
    if not _ARABIC.match(token):
        return
    rest = token
    if rest[:1] in ("و", "ف") and len(rest) > 3:
        rest = rest[1:]
        yield rest
    if rest.startswith("لل") and len(rest) > 4:
        yield rest[2:]
        return
    if rest[:1] in ("ب", "ك", "ل") and len(rest) > 3:
        rest = rest[1:]
        yield rest
    if rest.startswith(_ARTICLE) and len(rest) > 4:
        yield rest[2:]


@lru_cache(maxsize=32768)  # a news vocabulary: most tokens recur from one article to the next
def _token_kind(token: str) -> str | None:
    for form in arabic_stems(token):
        kind = _EXACT_CUES.get(form)
        if kind is not None:
            return kind
        for end in range(min(len(form), _LONGEST_STEM), _MIN_STEM[True] - 1, -1):
            kind = _STEM_CUES.get(form[:end])
            if kind is not None:
                return kind
    return None


def find_kinds(tokens: Iterable[str]) -> frozenset[str]:
    return frozenset(kind for token in set(tokens) if (kind := _token_kind(token)) is not None)


# ---------------------------------------------------------------- numbers
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_SCALES = {
    "thousand": 1_000,
    "mille": 1_000,
    "الف": 1_000,
    "الاف": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "مليون": 1_000_000,
    "ملايين": 1_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
    "bn": 1_000_000_000,
    "milliard": 1_000_000_000,
    "milliards": 1_000_000_000,
    "مليار": 1_000_000_000,
    "مليارات": 1_000_000_000,
    "بليون": 1_000_000_000,
}
# A duration ("in 24 hours", "for 3 years") is not a figure of the event.
_UNITS = (
    "hours hour heures heure ساعه ساعات days jours يوما ايام weeks semaines اسابيع months mois"
    " اشهر شهور years ans annees عاما سنوات سنه minutes دقيقه دقايق"
).split()
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<value>\d{1,3}(?:[,. ]\d{3})+(?![\d])|\d+(?:[.,]\d+)?)(?![\w]|[.,]\d)"
    rf"(?:\s?(?P<scale>{'|'.join(sorted(_SCALES, key=len, reverse=True))})(?![^\W_]))?"
    rf"(?P<unit>\s(?:{'|'.join(_UNITS)})(?![^\W_]))?"
)
_CLOCK = re.compile(r"\d{1,2}[:h]\d{2}")
_NUMBER_WORDS = {
    fold(word): value
    for value, spelled in enumerate(
        (
            "",
            "",
            "two deux اثنان اثنين اثنتين اثنتان",
            "three trois ثلاث ثلاثة",
            "four quatre أربع أربعة",
            "five cinq خمس خمسة",
            "six ست ستة",
            "seven sept سبع سبعة",
            "eight huit ثماني ثمانية ثمان",
            "nine neuf تسع تسعة",
            "ten dix عشر عشرة",
        )
    )
    for word in spelled.split()
}
SMALL = 10  # figures below this are common; they count for little


def _number(text: str, scale: str | None) -> Decimal | None:
    digits = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):
        digits = digits.replace(",", "").replace(".", "")
    try:
        value = Decimal(digits.replace(",", "."))
    except InvalidOperation:
        return None
    return value * _SCALES[scale] if scale else value


def find_numbers(folded: str, skip: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(figures of 10 and more, small figures) written in folded text, as plain decimals;
    years, durations, clock times and the numbers in `skip` (in actor names) left out."""
    text = _CLOCK.sub(" ", folded.translate(_DIGITS))
    large: set[str] = set()
    small: set[str] = set()
    for match in _NUMBER.finditer(text):
        raw, scale = match["value"], match["scale"]
        if match["unit"] or (raw in skip and not scale):
            continue
        if not scale and len(raw) == 4 and raw.isdigit() and 1900 <= int(raw) <= 2100:
            continue  # a year
        value = _number(raw, scale)
        if value is None or value < 2:
            continue
        (small if value < SMALL else large).add(_plain(value))
    return frozenset(large), frozenset(small)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def small_number_words(tokens: Iterable[str]) -> frozenset[str]:
    """Figures from 2 to 10 spelled out ("six", "ستة", "وأربع")."""
    return frozenset(value for token in set(tokens) if (value := _number_word(token)))


@lru_cache(maxsize=32768)
def _number_word(token: str) -> str | None:
    for form in arabic_stems(token):
        if form in _NUMBER_WORDS:
            return str(_NUMBER_WORDS[form])
    return None


# ---------------------------------------------------------------- days
_MONTHS = {
    fold(name): number
    for number, names in enumerate(
        (
            "january janvier يناير جانفي",
            "february fevrier février فبراير فيفري شباط",
            "march mars مارس آذار",
            "april avril أبريل ابريل أفريل نيسان",
            "may mai مايو ماي أيار",
            "june juin يونيو جوان حزيران",
            "july juillet يوليو جويلية تموز",
            "august aout août أغسطس أوت آب",
            "september septembre سبتمبر أيلول",
            "october octobre أكتوبر",
            "november novembre نوفمبر",
            "december decembre décembre ديسمبر",
        ),
        start=1,
    )
    for name in names.split()
}
_WEEKDAYS = {
    fold(name): number
    for number, names in enumerate(
        (
            "monday lundi الاثنين الإثنين",
            "tuesday mardi الثلاثاء",
            "wednesday mercredi الأربعاء",
            "thursday jeudi الخميس",
            "friday vendredi الجمعة",
            "saturday samedi السبت",
            "sunday dimanche الأحد",
        )
    )
    for name in names.split()
}
_MONTH_NAMES = trie_pattern(_MONTHS)
# \b first lets the engine skip the middle of words quickly.
_DAY_MONTH = re.compile(
    rf"\b(?<![\d.,])(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)? (?P<month>{_MONTH_NAMES})(?![^\W_])"
    rf"|\b(?<![^\W_])(?P<month2>{_MONTH_NAMES}) (?P<day2>\d{{1,2}})(?:st|nd|rd|th)?(?![\d.,])"
)


def find_days(folded: str, tokens: Iterable[str], published: date) -> tuple[frozenset[str], str]:
    """The days the text names (a date, or a weekday taken as the latest one on or before
    publication) as ISO dates, and the text with its dates blanked out."""
    days: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        day = int(match["day"] or match["day2"])
        month = _MONTHS[match["month"] or match["month2"]]
        found = _calendar_day(published, month, day)
        if found is not None:
            days.add(found.isoformat())
        return " "

    blanked = _DAY_MONTH.sub(replace, folded.translate(_DIGITS))
    for token in tokens:
        weekday = _WEEKDAYS.get(token)
        if weekday is None and token[:1] in ("و", "ب", "ل"):
            weekday = _WEEKDAYS.get(token[1:])
        if weekday is not None:
            back = (published.weekday() - weekday) % 7
            days.add((published - timedelta(days=back)).isoformat())
    return frozenset(days), blanked


def _calendar_day(published: date, month: int, day: int) -> date | None:
    for year in (published.year, published.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found <= published + timedelta(days=7):
            return found
    return None


# ---------------------------------------------------------------- evidence


@dataclass(frozen=True, slots=True)
class Evidence:
    """What one report says, in terms that do not depend on its language."""

    at: datetime  # published (or first seen)
    actors: frozenset[str] = frozenset()  # canonical keys: people, armed groups, organisations
    institutions: frozenset[str] = frozenset()  # canonical keys of institutions
    states: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()  # figures of 10 and more, amounts
    small: frozenset[str] = frozenset()  # figures from 2 to 9
    kinds: frozenset[str] = frozenset()  # what happened, from the title and lead
    headline: frozenset[str] = frozenset()  # the specific kinds of the title
    days: frozenset[str] = frozenset()  # ISO dates of the days named
    topics: frozenset[str] = frozenset()

    def anchors(self) -> Iterator[str]:
        """The keys an index files this report under: its named actors and places."""
        yield from (f"a:{key}" for key in self.actors | self.institutions)
        yield from (f"p:{place}" for place in self.places)

    def to_json(self) -> dict[str, Any]:
        values: dict[str, Any] = {"at": int(self.at.timestamp())}
        for name in _SET_FIELDS:
            found = getattr(self, name)
            if found:
                values[name] = sorted(found)
        return values

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> Evidence:
        sets = {name: frozenset(values.get(name, ())) for name in _SET_FIELDS}
        return cls(at=datetime.fromtimestamp(int(values["at"]), UTC), **sets)


_SET_FIELDS = (
    "actors",
    "institutions",
    "states",
    "places",
    "numbers",
    "small",
    "kinds",
    "headline",
    "days",
    "topics",
)


def lead(title: str, body: str) -> str:
    """The title and the first sentences of the body: where a report says what happened."""
    opening = " ".join(sentences(body[: LEAD_CHARS * 2])[:LEAD_SENTENCES])[:LEAD_CHARS]
    return f"{title}. {opening}"


def collect(
    title: str,
    body: str,
    actors: Iterable[Actor],
    topics: Iterable[str],
    published: datetime,
) -> Evidence:
    """The evidence of one report; `actors` and `topics` come from its analysis."""
    actors = tuple(actors)
    folded = fold(lead(title, body))
    tokens = words(folded)
    days, blanked = find_days(folded, tokens, published.astimezone(UTC).date())
    in_names = frozenset(
        number for actor in actors for number in re.findall(r"\d+", f"{actor.key} {actor.name}")
    )
    numbers, small = find_numbers(blanked, in_names)
    return Evidence(
        at=published,
        actors=_keys(actors, _NAMED_KINDS),
        institutions=_keys(actors, {ActorKind.INSTITUTION}),
        states=_keys(actors, {ActorKind.STATE}),
        places=find_places(folded),
        numbers=numbers,
        small=small | small_number_words(tokens),
        kinds=find_kinds(tokens),
        headline=find_kinds(words(title)) - GENERIC_KINDS,
        days=days,
        topics=frozenset(topics),
    )


_NAMED_KINDS = frozenset({ActorKind.PERSON, ActorKind.ARMED_GROUP, ActorKind.ORGANISATION})


def _keys(actors: Iterable[Actor], kinds: Iterable[ActorKind]) -> frozenset[str]:
    """Canonical keys of the actors of these kinds; actors outside the gazetteer have none."""
    wanted = frozenset(kinds)
    return frozenset(actor.key for actor in actors if actor.key and actor.kind in wanted)


# ---------------------------------------------------------------- comparing two reports

WEIGHTS = {
    "actor": 3,  # each shared person, armed group or organisation
    "institution": 2,  # each shared institution
    "state": 1,  # each shared state, two at most
    "place": 2,  # each shared place, two at most
    "number": 3,  # each shared figure of 10 or more, two at most
    "small": 1,  # any shared small figure
    "kind": 2,  # each shared specific kind, two at most
    "generic": 1,  # any shared generic kind
    "day": 1,  # any shared day
    "topic": 1,  # any shared topic
    "numbers differ": -3,  # both give figures of 10 or more, and none is the same
}


@dataclass(frozen=True, slots=True)
class Comparison:
    """How strongly two reports look like one event, and why."""

    score: int = 0
    # Independent pieces naming who or where; with one of these at least, a pair of states
    # and a pair of identical figures count as one more each.
    anchors: int = 0
    corroborated: bool = False  # a shared figure or a shared specific kind of event
    veto: str | None = None  # why they cannot be one event, whatever they share
    shared: tuple[str, ...] = ()

    def joins(self, threshold: int) -> bool:
        return (
            self.veto is None
            and self.anchors >= MIN_ANCHORS
            and self.corroborated
            and self.score >= threshold
        )


MIN_ANCHORS = 2


def compare(one: Evidence, other: Evidence) -> Comparison:
    veto = _veto(one, other)
    if veto is not None:
        return Comparison(veto=veto)
    actors = one.actors & other.actors
    institutions = one.institutions & other.institutions
    states = one.states & other.states
    places = one.places & other.places
    numbers = one.numbers & other.numbers
    kinds = one.kinds & other.kinds
    specific = kinds - GENERIC_KINDS
    parts = {
        "actor": len(actors),
        "institution": len(institutions),
        "state": min(len(states), 2),
        "place": min(len(places), 2),
        "number": min(len(numbers), 2),
        "small": min(len(one.small & other.small), 1),
        "kind": min(len(specific), 2),
        "generic": min(len(kinds & GENERIC_KINDS), 1),
        "day": min(len(one.days & other.days), 1),
        "topic": min(len(one.topics & other.topics), 1),
        "numbers differ": int(bool(one.numbers and other.numbers and not numbers)),
    }
    named = len(actors) + len(institutions) + len(places)
    anchors = named + (
        int(len(states) >= 2)  # two states dealing with each other; one alone is background
        + int(len(numbers) >= 2)  # two identical figures
        if named
        else 0
    )
    shared = sorted(actors | institutions | states | places | numbers | specific)
    return Comparison(
        score=sum(WEIGHTS[name] * count for name, count in parts.items()),
        anchors=anchors,
        corroborated=bool(numbers or specific),
        shared=tuple(shared),
    )


def _veto(one: Evidence, other: Evidence) -> str | None:
    """Evidence of two events: too far apart in time, headlines about different things, or
    each report naming its days and none in common."""
    if abs(one.at - other.at) > WINDOW:
        return "published too far apart"
    if one.headline and other.headline and not one.headline & other.headline:
        return "headlines tell of different things"
    if one.days and other.days and not one.days & other.days:
        return "different days"
    return None
