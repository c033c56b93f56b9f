"""Arabic-script person names in their usual Latin spelling: "نزار بركة" → "Nizar Baraka".

`romanise_name(name)` reads a person's name as an Arabic article writes it (the name alone,
without its title) and returns it in Latin script, or None when it cannot do so well; the
caller then keeps the Arabic script. Precision comes before coverage.

How a name is read, word by word (every word folded like the text, see text.fold, so that
hamza, ta marbuta and alif maqsura spellings read the same):

- Names of two words read as one come from the [compound] table of packs/arabic_names.toml
  ("عبد القادر" → "Abdelkader", "نور الدين" → "Noureddine"); "عبد" before any other word with
  the article is written "Abdel" + that word in one ("عبد المؤمن" → "Abdelmoumen"), and
  "عبدالله" written in one word reads as "عبد الله".
- Other words come from the [given] and [family] tables, [given] first for the word that opens
  the name and [family] first elsewhere ("سعيد" is "Said" as a given name, "Saied" as a family
  name). A word with the article whose stem is in a table is written "al-" + the stem's
  spelling ("الشريف" → "al-Cherif") unless the table lists the word with its article
  ("الدبيبة" → "Dbeibah"); "بو", "بن" and "بل" fused to a listed stem give "Bou", "Ben" and
  "Bel" in one word ("بوعزيز" → "Bouaziz").
- Particles: "بن" and "ابن" → "Ben", "ولد" → "Ould", "بنت" → "Bint", "منت" → "Mint", "أبو" →
  "Abou" (the Maghreb and Sahel convention, one for all regions; "أبو" before a word with the
  article gives "Aboul": "أبو الغيط" → "Aboul Gheit"), "آل" → "Al" ("آل ثاني" → "Al Thani").
- A word in no table is spelled letter by letter: consonants as the Maghreb press writes them
  (ش ch, ج j, ق k, خ kh, غ gh, ث th, ض d, ذ ظ dh), و and ي as "ou" and "i" between consonants and
  as "w" and "y" elsewhere, ا as "a", a final ة (or ه after a consonant) and a final ى as "a", a
  short "a" after the first of two opening consonants ("حمزة" → "Hamza"), "ss" for س between
  vowels; with the article it is written "al-Xxx"; a fused "بو", "بن" or "بل" before three
  letters or more is "Bou", "Ben" or "Bel" where the rest reads well ("بنعبود" → "Benaboud").

The result has every word capitalised, particles included, and the article written "al-"
joined to a capitalised word ("Mohamed al-Zarouk"). It is None when:

- the name has a character that is not an Arabic letter (a digit, a Latin letter, a letter
  used only for foreign sounds: پ چ ڤ ڨ گ ژ), "تش", a European particle (دي، فون، فان ...),
  no word but particles, or more than six words;
- more than one word needs the letter-by-letter spelling;
- the one word spelled letter by letter looks like a transcribed foreign name or reads badly:
  three or more long vowels inside it, two with none of the letters that only Arabic words
  have (ع ح ص ض ط ظ ق ذ ء), a final و or يا, two long vowels in a row other than "وا", "يا",
  "او", "اي" or a final "وي", three consonants in a row, two at the end of a word of more
  than three letters, fewer than two or more than nine letters. "ماتيو بيانتيدوسي" (Matteo
  Piantedosi) and "جورجيا ميلوني" are None.

The spelling follows the press of the Maghreb (Mohamed, Youssef, Abdelkader, Ben, Ould), which
this bot reads most; a known person's own spelling belongs to the gazetteer, not here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.analysis.text import fold

__all__ = ["NAMES_PATH", "NameTable", "given_names", "load_names", "romanise_name"]

NAMES_PATH = Path(__file__).resolve().parent / "packs" / "arabic_names.toml"

_MAX_WORDS = 6
_LETTERS = re.compile("[\u0621-\u063a\u0641-\u064a]+")
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # diacritics and tatweel, as text.fold
_FOREIGN_PARTICLES = frozenset(fold(word) for word in "دي دى دو دا فون فان ديل دير لو".split())
_PARTICLES = {
    fold("بن"): "Ben",
    fold("ابن"): "Ben",
    fold("ولد"): "Ould",
    fold("بنت"): "Bint",
    fold("منت"): "Mint",
    fold("أبو"): "Abou",
    fold("آل"): "Al",  # folds to "ال": the clan, as in "آل ثاني"
}
_ABU = fold("أبو")
_ABD = fold("عبد")
_ARTICLE = "ال"
_FUSED = (("بو", "Bou"), ("بن", "Ben"), ("بل", "Bel"))

# Letter by letter.
_CONSONANTS = {
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "ch",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "dh",
    "غ": "gh",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
}
_LONG = frozenset("اوي")
_ARABIC_ONLY = frozenset("عحصضطظقذء")
_VOWEL_PAIRS = frozenset({"وا", "يا", "او", "اي"})
_MAX_LETTERS = 9


@dataclass(frozen=True)
class NameTable:
    """The folded tables of packs/arabic_names.toml."""

    given: dict[str, str]
    family: dict[str, str]
    compound: dict[str, str]  # "عبد القادر" (two folded words, one space) → "Abdelkader"


def load_names(path: Path | None = None) -> NameTable:
    """Read the name tables, folding every key; two keys of one table that fold alike, an
    empty spelling or a key that is not Arabic raises ValueError."""
    path = path or NAMES_PATH
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    tables: dict[str, dict[str, str]] = {}
    for section in ("given", "family", "compound"):
        table: dict[str, str] = {}
        for key, spelling in data.get(section, {}).items():
            folded = fold(key)
            words = folded.split()
            expected = 2 if section == "compound" else 1
            if len(words) != expected or not all(_LETTERS.fullmatch(w) for w in words):
                raise ValueError(f"{path.name} [{section}]: {key!r} is not {expected} word(s)")
            if not isinstance(spelling, str) or not spelling.strip():
                raise ValueError(f"{path.name} [{section}]: {key!r} has no spelling")
            if folded in table:
                raise ValueError(f"{path.name} [{section}]: {key!r} folds like another key")
            table[folded] = spelling.strip()
        tables[section] = table
    return NameTable(tables["given"], tables["family"], tables["compound"])


@lru_cache(maxsize=1)
def _names() -> NameTable:
    return load_names()


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The folded given names of the table, the first words of its compounds included
    ("عبد", "نور"): a word that can open a person's name."""
    table = _names()
    return frozenset(table.given) | frozenset(key.split()[0] for key in table.compound)


def romanise_name(name: str) -> str | None:
    """The usual Latin spelling of an Arabic-script person's name, or None when it would be
    poor (see the module docstring): "نزار بركة" → "Nizar Baraka", "محمد بن عبد الله" →
    "Mohamed Ben Abdallah", "ماتيو بيانتيدوسي" → None."""
    return _romanise(" ".join(name.split()))


@lru_cache(maxsize=2048)
def _romanise(name: str) -> str | None:
    if "تش" in fold(name):
        return None
    words = _words(name)
    if words is None or not words or len(words) > _MAX_WORDS:
        return None
    if any(word in _FOREIGN_PARTICLES for word, _ in words):
        return None
    table = _names()
    out: list[str] = []
    spelled = 0  # words spelled letter by letter
    named = False  # a word other than a particle has been read
    index = 0
    while index < len(words):
        word, raw = words[index]
        following = words[index + 1][0] if index + 1 < len(words) else None
        pair = f"{word} {following}" if following else None
        if pair and pair in table.compound:
            out.append(table.compound[pair])
            named, index = True, index + 2
            continue
        if word == _ABD and following and following.startswith(_ARTICLE):
            stem = following[len(_ARTICLE) :]
            listed = _lookup(stem, table, first=False)
            if listed is None:
                spelled += 1
                listed = _spell(stem, words[index + 1][1])
            if listed is None or " " in listed:
                return None
            out.append("Abdel" + listed.lower())
            named, index = True, index + 2
            continue
        if word in _PARTICLES:
            if following is None:
                return None  # a name does not end on "بن" or "ولد"
            if word == _ABU and following.startswith(_ARTICLE):
                stem = following[len(_ARTICLE) :]
                listed = _lookup(stem, table, first=False)
                if listed is None:
                    spelled += 1
                    listed = _spell(stem, words[index + 1][1])
                if listed is None:
                    return None
                out.extend(("Aboul", listed))
                named, index = True, index + 2
                continue
            out.append(_PARTICLES[word])
            index += 1
            continue
        listed = _lookup(word, table, first=not named)
        if listed is None:
            spelled += 1
            listed = _spell_word(word, raw)
        if listed is None:
            return None
        out.append(listed)
        named, index = True, index + 1
    if not named or spelled > 1:
        return None
    return " ".join(out)


def _words(name: str) -> list[tuple[str, str]] | None:
    """The folded words, each with the word as written, whose hamza below and alif maqsura
    the letter-by-letter spelling reads ("إ" is "i", a final "ى" is "a"); "عبدالله" written
    as one word gives "عبد" and "الله". None when a word is not made of Arabic letters."""
    words: list[tuple[str, str]] = []
    joined = _ABD + _ARTICLE
    for written in name.split():
        word, raw = fold(written), _MARKS.sub("", written)
        if not _LETTERS.fullmatch(word):
            return None
        if word.startswith(joined) and len(word) > len(joined) + 1:
            words.append((_ABD, "عبد"))
            word, raw = word[len(_ABD) :], raw[len(_ABD) :]
        words.append((word, raw))
    return words


def _lookup(word: str, table: NameTable, *, first: bool) -> str | None:
    """A word's spelling from the tables, with the article or a fused "بو"/"بن"/"بل"."""
    tables = (table.given, table.family) if first else (table.family, table.given)
    for names in tables:
        if word in names:
            return names[word]
    if not word.startswith(_ARTICLE) and _ARTICLE + word in table.family:
        return table.family[_ARTICLE + word]  # listed with its article: "غنوشي"
    if word.startswith(_ARTICLE) and len(word) > len(_ARTICLE) + 1:
        stem = word[len(_ARTICLE) :]
        for names in tables:
            if stem in names and " " not in names[stem]:
                return "al-" + names[stem]
    for prefix, latin in _FUSED:
        stem = word[len(prefix) :]
        if word.startswith(prefix) and len(stem) >= 3:
            for names in (table.family, table.given):
                if stem in names and " " not in names[stem]:
                    return latin + names[stem].lower()
    return None


def _spell_word(word: str, raw: str) -> str | None:
    """A word in no table, letter by letter; the article gives "al-", and a fused "بو",
    "بن" or "بل" before three letters or more gives "Bou", "Ben" or "Bel" where the rest
    reads well: "بنعبود" → "Benaboud"."""
    if word.startswith(_ARTICLE) and len(word) > len(_ARTICLE) + 1:
        stem = _spell(word[len(_ARTICLE) :], raw[len(_ARTICLE) :])
        return None if stem is None else "al-" + stem
    for prefix, latin in _FUSED:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            stem = _spell(word[len(prefix) :], raw[len(prefix) :])
            if stem is not None:
                return latin + stem.lower()
    return _spell(word, raw)


def _spell(stem: str, raw: str) -> str | None:
    """One folded word letter by letter, capitalised, or None when it looks foreign or reads
    badly (see the module docstring); `raw` is the word as written."""
    maqsura = raw.endswith("ى")
    if not _reads_as_arabic(stem):
        return None
    kinds = _kinds(stem)
    out: list[str] = []
    run = 0  # consonants in a row
    for index, kind in enumerate(kinds):
        last = index == len(stem) - 1
        if kind == "V":
            run = 0
            if index == 0 and raw.startswith("إ"):
                out.append("i")  # hamza below: "إسلام" → "Islam"
            else:
                out.append(_vowel(stem, index, maqsura=maqsura and last))
            continue
        sound = _consonant(stem, index)
        if index == 1 and kinds[0] == "C":
            out.append("a")  # two opening consonants: "حمزة" → "Hamza"
            run = 0
        run += 1
        if run >= 3 or (last and run == 2 and len(stem) > 3):
            return None  # "حفترن"; "بلحيمر" would read "Balhimr", while "بدر" is "Badr"
        written = "".join(out)
        if sound == "s" and written[-1:] in tuple("aeiou") and not last and kinds[index + 1] == "V":
            sound = "ss"  # "s" between vowels, as the French-influenced press writes it
        out.append(sound)
    text = "".join(out)
    if len(text) < 2:
        return None
    return text[0].upper() + text[1:]


def _reads_as_arabic(stem: str) -> bool:
    if not 2 <= len(stem) <= _MAX_LETTERS:
        return False
    if stem.endswith("و") or stem.endswith("يا"):
        return False  # "ماتيو", "دوجاريكو", "جورجيا"
    inside = stem[1:-1]
    long_vowels = sum(letter in _LONG for letter in inside)
    if long_vowels >= 3:
        return False
    if long_vowels == 2 and not any(letter in _ARABIC_ONLY for letter in stem):
        return False  # "ميلوني", "ماكرون", "سانشيز"
    for index in range(1, len(stem) - 1):
        pair = stem[index : index + 2]
        final_wi = pair == "وي" and index + 2 == len(stem)  # "مغزاوي"
        if pair[0] in _LONG and pair[1] in _LONG and pair not in _VOWEL_PAIRS and not final_wi:
            return False
    return True


def _kinds(stem: str) -> list[str]:
    """Each letter a consonant ("C") or a vowel ("V"): و and ي are vowels after a consonant
    and before a consonant or the end; ا, a final ة/ه after a consonant and ع beside a vowel
    read as vowels too."""
    kinds: list[str] = []
    for index, letter in enumerate(stem):
        previous = kinds[index - 1] if index else None
        following = stem[index + 1] if index + 1 < len(stem) else None
        if letter == "ا":
            kinds.append("V")
        elif letter in "وي":
            vowel = previous == "C" and (following is None or following not in _LONG | {"ه"})
            if following == "ه" and index + 2 == len(stem):
                vowel = False  # "...يه": a consonant before the final vowel
            kinds.append("V" if vowel else "C")
        elif letter in "عء" or (letter == "ه" and following is None and previous == "C"):
            kinds.append("V")
        else:
            kinds.append("C")
    return kinds


def _vowel(stem: str, index: int, *, maqsura: bool) -> str:
    letter = stem[index]
    following = stem[index + 1] if index + 1 < len(stem) else None
    if letter == "ا":
        return "a"
    if letter == "و":
        return "ou"
    if letter == "ي":
        return "a" if maqsura else "i"
    if letter == "ه":
        return "a"
    # ء is silent; ع is an "a" except before ا, which gives it: "معيتيق" → "Maytik".
    if letter == "ء" or following == "ا":
        return ""
    return "a"


def _consonant(stem: str, index: int) -> str:
    letter = stem[index]
    if letter == "و":
        return "w"
    if letter == "ي":
        return "y"
    return _CONSONANTS[letter]
