"""The actor gazetteer: packs/actors.toml loaded and checked, and its aliases found in text."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.analysis.text import fold
from bot.domain import ActorKind

DEFAULT_PATH = Path(__file__).resolve().parent / "packs" / "actors.toml"

_KEYS = frozenset(
    {
        "name",
        "kind",
        "aliases",
        "aliases_cs",
        "demonyms",
        "capitals",
        "role",
        "description",
        "country",
        "national",
    }
)
_GENERIC_KEYS = frozenset({"type", "forms", "fallback"})
# The generic type that names the state itself: its government or its authorities.
STATE_TYPE = "state"
_QUALIFIER = re.compile(r"^(?P<name>.+?) \((?P<qualifier>[^()]+)\)$")
_WILDCARD = "*"
_LISTS = ("aliases", "aliases_cs", "demonyms", "capitals")
_STATE_ONLY = ("demonyms", "capitals")
_ARABIC = re.compile("[\u0600-\u06ff]")
_ARTICLE = "ال"
# Arabic attaches conjunctions and prepositions to the word: و ف then ب ك ل.
_ARABIC_PREFIX = "[وف]?[بكل]?"
_TOKEN_PARTS = re.compile(r"[^\W_]+")


class Form(StrEnum):
    """How an actor is named: by its name, by its adjective or its capital (states), or by a
    generic name ("the interior ministry") that the country in context resolves."""

    NAME = "name"
    DEMONYM = "demonym"
    CAPITAL = "capital"
    GENERIC = "generic"


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    name: str
    kind: ActorKind
    role: str | None
    description: str | None
    aliases: tuple[str, ...]  # as written in the pack, the name first
    country: str | None = None  # the state a national body or a person belongs to

    @property
    def display(self) -> str:
        """The name without a bracketed qualifier: "Ministry of the Interior (Tunisia)" is
        shown as "Ministry of the Interior", the English Wikipedia convention."""
        match = _QUALIFIER.match(self.name)
        return match["name"] if match else self.name

    @property
    def qualifier(self) -> str | None:
        match = _QUALIFIER.match(self.name)
        return match["qualifier"] if match else None


@dataclass(frozen=True, slots=True)
class GenericType:
    """A kind of national body named generically; `fallback` resolves it to the state itself
    when the country, written next to it, has no entry of that type ("the Libyan army")."""

    name: str
    fallback: bool


@dataclass(frozen=True, slots=True)
class Hit:
    entry: GazetteerEntry  # for Form.GENERIC, a placeholder named after the generic type
    form: Form
    start: int
    end: int
    prefix: str = ""  # Arabic letters attached before the alias: و ف ب ك ل


@dataclass(frozen=True, slots=True)
class PreparedText:
    """Text with NFC accents and single spaces, and its fold with the very same offsets."""

    text: str
    folded: str


@dataclass(frozen=True, slots=True)
class _Target:
    entry: GazetteerEntry | None  # None: an ignore phrase, which only hides what it covers
    form: Form


@dataclass(frozen=True)
class Gazetteer:
    entries: tuple[GazetteerEntry, ...]
    state_words: frozenset[str]  # folded words of state names, adjectives and capitals
    states: dict[str, GazetteerEntry]
    generic_types: dict[str, GenericType]
    national: dict[tuple[str, str], GazetteerEntry]  # (country, generic type) → body
    spellings: _Spellings  # people's names, compared across transliterations
    _folded: dict[str, _Target]
    _exact: dict[str, _Target]
    _folded_pattern: re.Pattern[str]
    _arabic_pattern: re.Pattern[str]
    _exact_pattern: re.Pattern[str] | None

    def find(self, prepared: PreparedText) -> list[Hit]:
        """Non-overlapping alias matches, longest first at each place, ignore phrases dropped."""
        found: list[tuple[int, int, _Target, str]] = []
        for match in self._folded_pattern.finditer(prepared.folded):
            found.append((match.start(), match.end(), self._folded[_alias_key(match[0])], ""))
        if _ARABIC.search(prepared.folded):
            for match in self._arabic_pattern.finditer(prepared.folded):
                alias = self._folded[_alias_key(match["alias"])]
                prefix = match[0][: match.start("alias") - match.start()]
                found.append((match.start(), match.end(), alias, prefix))
        # In a text set all in capitals ("THIS IS A TEST"), short acronyms mean nothing.
        if self._exact_pattern is not None and not prepared.text.isupper():
            for match in self._exact_pattern.finditer(prepared.text):
                found.append((match.start(), match.end(), self._exact[_alias_key(match[0])], ""))
        found.sort(key=lambda item: (item[0], item[0] - item[1]))
        hits: list[Hit] = []
        covered_to = -1
        for start, end, target, prefix in found:
            if start < covered_to:
                continue
            covered_to = end
            if target.entry is not None:
                hits.append(Hit(target.entry, target.form, start, end, prefix))
        return hits

    def person_like(self, name: str) -> GazetteerEntry | None:
        """The one known person whose name `name` spells another way ("Nasser Bourrita",
        "Mohamed el-Manfi"), or who bears it as surname ("Bourrita"); None if not exactly one."""
        return self.spellings.find(name)

    def may_hold_person(self, text: str) -> bool:
        """Might `text` hold a known person's name spelt another way? A quick test before
        person_like: some words in a row have the consonants of a known full name."""
        return self.spellings.may_hold(text)

    def resolve(self, generic: str, country: str, *, explicit: bool) -> GazetteerEntry | None:
        """The body of `country` that a generic name of type `generic` stands for. Where the
        text writes the country next to it (`explicit`), a type with a fallback gives the
        state itself when the country has no such body."""
        state = self.states.get(country)
        if state is None:
            return None
        if generic == STATE_TYPE:
            return state
        body = self.national.get((country, generic))
        kind = self.generic_types.get(generic)
        if body is None and explicit and kind is not None and kind.fallback:
            return state
        return body


class _Spellings:
    """People's names reduced to a loose spelling (ou and o → u, e → a, sh → ch, doubled
    letters once, no al- or ال) and to its consonants. Two full names match when their
    consonants are the same and their loose spellings differ by one letter, two in long names,
    word by word where they have as many words (Said Kabir is not Sadiq al-Kabir); a surname
    alone must have the same loose spelling: Menfi is Manfi, Barrett is not Barrot."""

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self._full: dict[str, list[tuple[tuple[str, ...], GazetteerEntry]]] = {}
        self._surnames: dict[str, list[tuple[tuple[str, ...], GazetteerEntry]]] = {}
        for entry in entries:
            if entry.kind is not ActorKind.PERSON:
                continue
            for alias in entry.aliases:
                words = _loose_words(alias)
                if len(words) >= 2:
                    self._add(self._full, words, entry)
                elif words:  # the pack's own surnames alone: "Bourita", never "Hamza"
                    self._add(self._surnames, words, entry)

    def may_hold(self, text: str) -> bool:
        """Do two to four words in a row of `text` have a known full name's consonants?"""
        words = _loose_words(text)
        return any(
            _consonants("".join(words[start:end])) in self._full
            for start in range(len(words) - 1)
            for end in range(start + 2, min(start + 4, len(words)) + 1)
        )

    @staticmethod
    def _add(
        table: dict[str, list[tuple[tuple[str, ...], GazetteerEntry]]],
        words: tuple[str, ...],
        entry: GazetteerEntry,
    ) -> None:
        table.setdefault(_consonants("".join(words)), []).append((words, entry))

    def find(self, name: str) -> GazetteerEntry | None:
        words = _loose_words(name)
        if not words:
            return None
        if len(words) >= 2:
            candidates = self._full.get(_consonants("".join(words)), [])
            found = {entry for known, entry in candidates if _close_name(words, known)}
        else:
            if len(_consonants(words[0])) < 3 and len(words[0]) < 6:
                return None  # "Said" or "Sayed" may be anyone; "Dbaibah" is Dbeibah
            # A surname alone must be one of the pack's and spell the same loosely: Bourrita
            # is Bourita, Manfi is Menfi, Barrett is not Barrot.
            candidates = self._surnames.get(_consonants(words[0]), [])
            found = {entry for known, entry in candidates if known == words}
        return found.pop() if len(found) == 1 else None


def _close_name(words: tuple[str, ...], known: tuple[str, ...]) -> bool:
    if len(words) == len(known) and not all(map(_close, words, known)):
        return False
    return _close("".join(words), "".join(known))


_LOOSE_LATIN = (
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ph", "f"),
    ("dj", "j"),
    ("sh", "ch"),
    ("ck", "k"),
    ("q", "k"),
    ("y", "i"),
    ("w", "u"),
    # Vowels that transliterations of one Arabic name swap: Mohamed, Muhammad; Menfi, Manfi.
    ("e", "a"),
    ("o", "u"),
)
_NAME_PARTICLES = frozenset({"al", "el", "ad", "as", "ash", "at", "az", "an", "ar", "ed", "la"})
_LATIN_VOWELS = re.compile("[aeiou]")
_NAME_SPLIT = re.compile(r"[\s\-'’]+")


def loose_words(name: str) -> list[str]:
    """The words of a name in a loose spelling, particles (al-, el-) dropped."""
    return list(_loose_words(name))


@lru_cache(maxsize=8192)
def _loose_words(name: str) -> tuple[str, ...]:
    words = _NAME_SPLIT.split(fold(name))
    return tuple(_loose(word) for word in words if word and word not in _NAME_PARTICLES)


def _loose(word: str) -> str:
    if _ARABIC.search(word):
        word = word.removeprefix(_ARTICLE)  # long vowels stay: محمود is not محمد
    else:
        for written, loose in _LOOSE_LATIN:
            word = word.replace(written, loose)
        if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
            word = word[:-1]  # Dbeibah, Dbeiba
    return re.sub(r"(.)\1+", r"\1", word)


@lru_cache(maxsize=8192)
def _consonants(loose: str) -> str:
    return re.sub(r"(.)\1+", r"\1", loose[:1] + _LATIN_VOWELS.sub("", loose[1:]))


def _close(first: str, second: str) -> bool:
    """At most one edit apart, two for names of six letters or more."""
    limit = 2 if min(len(first), len(second)) >= 6 else 1
    if abs(len(first) - len(second)) > limit:
        return False
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def prepare(text: str) -> PreparedText:
    """NFC, drop marks that fold to nothing, single spaces; then fold char by char."""
    text = unicodedata.normalize("NFC", text)
    chars = set(text)
    dropped = {ord(char): None for char in chars if not _fold_char(char)}
    text = " ".join((text.translate(dropped) if dropped else text).split())
    table = {ord(char): folded for char in chars if (folded := _fold_char(char)) != char}
    return PreparedText(text, text.translate(table))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return " " if char.isspace() else fold(char)[:1]


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation for many literals, factored by prefix so each place is tried
    once; a space in a word also matches a hyphen."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(root)


def _node_pattern(node: dict[str, Any]) -> str:
    branches = [
        ("[ -]" if char == " " else re.escape(char)) + _node_pattern(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read and check the gazetteer (default: packs/actors.toml); errors name the entry."""
    path = DEFAULT_PATH if path is None else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path.name}: cannot read the gazetteer: {error}") from error
    unknown = sorted(set(data) - {"actor", "ignore", "generic"})
    if unknown:
        raise ValueError(
            f"{path.name}: {unknown[0]}: unknown table (expected actor, generic, ignore)"
        )
    records = data.get("actor")
    if not isinstance(records, list) or not records:
        raise ValueError(f"{path.name}: no [[actor]] entries")
    builder = _Builder(path.name)
    for number, record in enumerate(records, start=1):
        builder.add_entry(number, record)
    ignore = data.get("ignore", {})
    if not isinstance(ignore, dict) or set(ignore) - {"phrases"}:
        raise ValueError(f"{path.name}: [ignore] must hold only `phrases`")
    where = f"{path.name}: [ignore]"
    for phrase in _strings(where, "phrases", ignore.get("phrases", [])):
        builder.add_folded(phrase, _Target(None, Form.NAME), where)
    generic = data.get("generic", [])
    if not isinstance(generic, list):
        raise ValueError(f"{path.name}: generic must be an array of tables")
    for number, record in enumerate(generic, start=1):
        builder.add_generic(number, record)
    builder.check_national()
    return builder.build()


class _Builder:
    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.entries: list[GazetteerEntry] = []
        self.folded: dict[str, tuple[_Target, str]] = {}
        self.exact: dict[str, tuple[_Target, str]] = {}
        self.exact_folded: dict[str, tuple[_Target, str]] = {}
        self.state_words: set[str] = set()
        self.demonyms: dict[str, list[str]] = {}  # state name → its adjectives
        self.generic_types: dict[str, GenericType] = {}
        self.wildcards: dict[str, list[str]] = {}  # generic type → its forms with a `*`
        self.national: dict[tuple[str, str], GazetteerEntry] = {}
        self.pending: list[tuple[GazetteerEntry, list[str], str]] = []  # (entry, types, where)

    def add_entry(self, number: int, record: Any) -> None:
        if not isinstance(record, dict):
            raise ValueError(f"{self.file_name}: actor #{number}: must be a table")
        name = record.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{self.file_name}: actor #{number}: name: missing or empty")
        where = f"{self.file_name}: actor {name!r}"
        unknown = sorted(set(record) - _KEYS)
        if unknown:
            raise ValueError(f"{where}: {unknown[0]}: unknown key")
        kinds = {kind.value: kind for kind in ActorKind}
        raw_kind = record.get("kind")
        kind = kinds.get(raw_kind) if isinstance(raw_kind, str) else None
        if kind is None:
            raise ValueError(f"{where}: kind: {raw_kind!r} is not one of {', '.join(kinds)}")
        if kind is not ActorKind.STATE and any(key in record for key in _STATE_ONLY):
            raise ValueError(f"{where}: demonyms and capitals are for states only")
        texts = {key: _strings(where, key, record.get(key, [])) for key in _LISTS}
        optional = {key: record.get(key) for key in ("role", "description", "country")}
        for key, value in optional.items():
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"{where}: {key}: must be a non-empty string")
        if any(entry.name == name for entry in self.entries):
            raise ValueError(f"{where}: the name is used twice")
        national = _strings(where, "national", record.get("national", []))
        if national and (kind is ActorKind.STATE or optional["country"] is None):
            raise ValueError(f"{where}: national needs a country and is not for states")
        written = (name, *texts["aliases"], *texts["aliases_cs"])
        entry = GazetteerEntry(
            name, kind, optional["role"], optional["description"], written, optional["country"]
        )
        self.entries.append(entry)
        if kind is ActorKind.STATE:
            self.demonyms[name] = texts["demonyms"]
        if optional["country"] is not None:
            self.pending.append((entry, national, where))
        names = texts["aliases"] if name in texts["aliases_cs"] else [name, *texts["aliases"]]
        for form, aliases in (
            (Form.NAME, names),
            (Form.DEMONYM, texts["demonyms"]),
            (Form.CAPITAL, texts["capitals"]),
        ):
            for alias in aliases:
                self.add_folded(alias, _Target(entry, form), where)
                if kind is ActorKind.STATE:
                    self.state_words.update(_words(fold(alias)))
        for alias in texts["aliases_cs"]:
            self.add_exact(alias, _Target(entry, Form.NAME), where)
            if kind is ActorKind.STATE:
                self.state_words.update(_words(fold(alias)))

    def add_generic(self, number: int, record: Any) -> None:
        """A generic type: bare forms resolved by the country in context, and forms with a
        `*` for the country's adjective ("ministère * de l'Intérieur"), which name the body
        of that type of each country that has one."""
        where = f"{self.file_name}: generic #{number}"
        if not isinstance(record, dict) or set(record) - _GENERIC_KEYS:
            raise ValueError(f"{where}: expected the keys type, forms and fallback")
        name, fallback = record.get("type"), record.get("fallback", False)
        if not isinstance(name, str) or not name.strip() or not isinstance(fallback, bool):
            raise ValueError(f"{where}: type must be a name and fallback true or false")
        if name in self.generic_types:
            raise ValueError(f"{where}: type {name!r} is defined twice")
        where = f"{self.file_name}: generic {name!r}"
        forms = _strings(where, "forms", record.get("forms", []))
        self.generic_types[name] = GenericType(name, fallback)
        self.wildcards[name] = [form for form in forms if _WILDCARD in form]
        placeholder = GazetteerEntry(name, ActorKind.INSTITUTION, None, None, tuple(forms))
        for form in forms:
            if _WILDCARD not in form:
                self.add_folded(form, _Target(placeholder, Form.GENERIC), where)

    def check_national(self) -> None:
        """Every national body belongs to a known state and to known types, one per type and
        country; then the `*` forms of its types are spelt out with the country's adjectives."""
        for entry, types, where in self.pending:
            assert entry.country is not None
            if entry.country not in self.demonyms:
                raise ValueError(f"{where}: country: {entry.country!r} is not a state entry")
            for name in types:
                if name not in self.generic_types or name == STATE_TYPE:
                    raise ValueError(f"{where}: national: {name!r} is not a generic type")
                if (entry.country, name) in self.national:
                    other = self.national[(entry.country, name)].name
                    raise ValueError(f"{where}: national: {name!r} is already {other!r}")
                self.national[(entry.country, name)] = entry
        for (country, name), entry in self.national.items():
            where = f"{self.file_name}: actor {entry.name!r}"
            for form in self.wildcards[name]:
                for demonym in _adjectives(self.demonyms[country]):
                    if _fits(form, demonym):
                        alias = form.replace(_WILDCARD, demonym)
                        self.add_folded(alias, _Target(entry, Form.NAME), where)

    def add_folded(self, alias: str, target: _Target, where: str) -> None:
        key = _alias_key(fold(alias))
        if not key:
            raise ValueError(f"{where}: an alias is empty")
        self._claim(self.exact_folded, key, alias, target, where, check_only=True)
        self._claim(self.folded, key, alias, target, where)
        if _ARABIC.search(key):
            for variant in _arabic_variants(key, target.form):
                self.folded.setdefault(variant, (target, self._owner(where)))

    def add_exact(self, alias: str, target: _Target, where: str) -> None:
        key = _alias_key(alias.strip())
        if not key:
            raise ValueError(f"{where}: an alias is empty")
        self._claim(self.folded, _alias_key(fold(alias)), alias, target, where, check_only=True)
        self._claim(self.exact, key, alias, target, where)
        self.exact_folded.setdefault(_alias_key(fold(alias)), (target, self._owner(where)))

    def _claim(
        self,
        table: dict[str, tuple[_Target, str]],
        key: str,
        alias: str,
        target: _Target,
        where: str,
        *,
        check_only: bool = False,
    ) -> None:
        owner = table.get(key)
        if owner is not None and owner[0].entry != target.entry:
            raise ValueError(f"{where}: alias {alias!r} is already an alias of {owner[1]}")
        if owner is None and not check_only:
            table[key] = (target, self._owner(where))

    def _owner(self, where: str) -> str:
        return where.removeprefix(f"{self.file_name}: ")

    def build(self) -> Gazetteer:
        latin = [key for key in self.folded if not _ARABIC.search(key)]
        arabic = [key for key in self.folded if _ARABIC.search(key)]
        # \b before the trie lets the regex engine skip the middle of words quickly.
        folded_pattern = re.compile(rf"\b(?:{trie_pattern(latin)})(?![^\W_])")
        arabic_pattern = re.compile(
            rf"(?<![^\W_]){_ARABIC_PREFIX}(?P<alias>{trie_pattern(arabic)})(?![^\W_])"
        )
        exact_pattern = (
            re.compile(rf"(?<![^\W_])(?:{trie_pattern(self.exact)})(?![^\W_])")
            if self.exact
            else None
        )
        return Gazetteer(
            entries=tuple(self.entries),
            state_words=frozenset(self.state_words),
            states={e.name: e for e in self.entries if e.kind is ActorKind.STATE},
            generic_types=dict(self.generic_types),
            national=dict(self.national),
            spellings=_Spellings(self.entries),
            _folded={key: target for key, (target, _) in self.folded.items()},
            _exact={key: target for key, (target, _) in self.exact.items()},
            _folded_pattern=folded_pattern,
            _arabic_pattern=arabic_pattern,
            _exact_pattern=exact_pattern,
        )


def _strings(where: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where}: {key}: must be a list of strings")
    if any(not item.strip() for item in value):
        raise ValueError(f"{where}: {key}: an alias is empty")
    return value


def _alias_key(text: str) -> str:
    return " ".join(text.replace("-", " ").split())


def _words(folded: str) -> Iterator[str]:
    """Whole words and their parts, as the title patterns will see them."""
    for word in folded.replace("-", " ").split():
        yield word
        yield from _TOKEN_PARTS.findall(word)


def _fits(form: str, demonym: str) -> bool:
    """An adjective of the form's script; in Arabic the feminine, which agrees with the
    ministry ("الخارجية الجزائرية"), not with its minister ("وزير الخارجية الجزائري")."""
    if not _ARABIC.search(form):
        return not _ARABIC.search(demonym)
    return demonym.endswith("ة")


def _adjectives(demonyms: list[str]) -> Iterator[str]:
    """A state's adjectives, and the Arabic ones with the article they take after a definite
    noun ("وزارة الداخلية التونسية")."""
    for demonym in demonyms:
        yield demonym
        if _ARABIC.search(demonym) and not demonym.startswith(_ARTICLE):
            yield _ARTICLE + demonym


def _arabic_variants(key: str, form: Form) -> Iterator[str]:
    """Spellings after a prefix: ل + الجزائر is written للجزائر. Adjectives take ال too, and
    their plural and accusative endings: جنديا تشاديا, الجنود التشاديين."""
    if key.startswith(_ARTICLE):
        yield key[1:]
    elif form is Form.DEMONYM:
        for base in (key, *_inflections(key)):
            if base != key:
                yield base
            yield _ARTICLE + base
            yield "ل" + base


def _inflections(adjective: str) -> tuple[str, ...]:
    if adjective.endswith("يه"):  # the feminine, folded: تونسية → تونسيه
        return (adjective[:-1] + "ات",)
    if adjective.endswith("ي"):
        return (adjective + "ا", adjective + "ين", adjective + "ون")
    return ()
