"""People the gazetteer lacks in Arabic text.

Arabic has no capitals: a name is the run of words after a title ("وزير الداخلية خالد النوري")
or after a verb of speech ("قال رمضان بن عمر، المتحدث باسم ..."), up to a comma, "إن", a
preposition, a verb, a noun that follows a name ("ونظيره", "ووزراء", a number: see
ARABIC_AFTER_NAME) or "و" with another given name ("X وأحمد Y"). Every list is folded like
the text (أ إ آ → ا, ؤ → و, ئ → ي, ة → ه, ى → ي, diacritics dropped), so that "رئيسة"/"رئيسه"
or "أكد"/"اكد" read the same; words that the press spells two ways after folding are listed
both ways (مسؤول, مسئول).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.analysis.agency import ARABIC_VERBS
from bot.analysis.gazetteer import trie_pattern
from bot.analysis.lexicon import Token, adjacent
from bot.analysis.mentions import MAX_NAME_PARTS, Context, PersonMention, mention_of
from bot.analysis.romanise import given_names
from bot.analysis.text import fold

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
        mention = _arabicmention_of(context, words, index)
        if mention is not None:
            found.append(mention[0])
            resume = mention[1]
    return found


@lru_cache(maxsize=1)
def _arabic_trigger_pattern() -> re.Pattern[str]:
    """The words that may introduce a person, with what may be attached to them."""
    return re.compile(rf"(?<![^\W_])(?:{trie_pattern(_ATTACHED)})(?![^\W_])")


def _arabicmention_of(
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
    return mention_of(context, name, role), after


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
        return mention_of(context, name, apposition[0]), apposition[1]
    # Without a title, only a surname ("وأضاف الجبابلي أن") or a known person: "قالت منظمات
    # إنسانية إن" names nobody.
    if titled_only or (len(name) > 1 and not context.people.overlaps(name[0])):
        return None
    return mention_of(context, name, None), after


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
