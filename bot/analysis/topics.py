"""Topic packs: TOML files holding a slug, a display name, a description, a query and places.

A pack's `query` is a boolean query (bot.analysis.query). Its places say what the topic is
*about*: a country topic is its country, the Sahel topic its five countries, the region as a whole
and the armed groups active there, a theme topic (security, migration) the region it covers. A
topic with places matches only when they are salient in the article (`salient`): a story that
names a country in passing (a departure port, a nationality, a neighbour named in a Sudan story, a
comparison in a coup story elsewhere) is not about it.

    [places.tunisia]                    # one place: the words that name it
    names = ["tunis*", "sfax", "kais saied", "تونس*"]
    except = ["tunisian border", "from sfax"]   # phrases in which those names do not count
    [[places.tunisia.when]]             # names that count only in some articles
    names = ["tripoli"]
    unless = ["leban*"]                 # ... not when one of these is anywhere in the article
    # with = ["afric*"]                 # ... or only when one of these is

`regions = ["tunisia", "libya"]` adds places defined by other packs of the same folder. A pack
with places may leave out `query`: the topic is then its places alone, and its query is written
from them. Names are terms of the query language (a word, word*, a phrase of words), folded alike.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from bot.analysis.matchdoc import Phrase, tokens
from bot.analysis.query import MIN_PREFIX_LENGTH, MatchDoc, Query, QueryError, compile_query
from bot.domain import Topic

PACKS_FOLDER = Path(__file__).resolve().parent / "packs" / "topics"
CANONICAL_ORDER = (
    "tunisia",
    "libya",
    "algeria",
    "morocco",
    "egypt",
    "sahel",
    "north-africa-security",
    "mediterranean-migration",
)
# Packs are trusted data and long; users' watches keep the default, stricter limits.
PACK_MAX_LENGTH = 20_000
PACK_MAX_TERMS = 1_000

_REQUIRED = ("slug", "name", "description")
_OPTIONAL = ("query", "places", "regions", "terms", "theme", "aliases")
_PLACE_KEYS = ("names", "except", "when")
_WHEN_KEYS = ("names", "unless", "with")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_QUOTES = frozenset('"“”«»„()')
_LIST_REFERENCE = re.compile(r"@([a-z0-9]+(?:-[a-z0-9]+)*)")
_RANK = {slug: rank for rank, slug in enumerate(CANONICAL_ORDER)}


def topic_sort_key(slug: str) -> tuple[int, str]:
    """The canonical topics first, in their fixed order, then the others alphabetically."""
    return (_RANK.get(slug, len(_RANK)), slug)


# --- places -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Condition:
    """Names that count only when none of `unless` (or one of `needs`) is in the article."""

    names: tuple[Phrase, ...]
    unless: tuple[Phrase, ...] = ()
    needs: tuple[Phrase, ...] = ()

    def holds(self, doc: MatchDoc) -> bool:
        if any(doc.spots(term) for term in self.unless):
            return False
        return not self.needs or any(doc.spots(term) for term in self.needs)


@dataclass(frozen=True, eq=False)
class Place:
    """A country or region: the words that name it, the phrases in which they do not count.
    Places are compared by identity: packs share them by reference."""

    key: str
    names: tuple[Phrase, ...]
    masks: tuple[Phrase, ...] = ()
    conditions: tuple[Condition, ...] = ()
    # the masks by their longest plain word, which an article must have for them to occur
    mask_index: dict[str, tuple[Phrase, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Phrase]] = {}
        for mask in self.masks:
            plain = [word for word, prefix in mask if not prefix]
            index.setdefault(max(plain, key=len) if plain else "", []).append(mask)
        object.__setattr__(self, "mask_index", {w: tuple(m) for w, m in index.items()})

    def masks_in(self, doc: MatchDoc) -> tuple[Phrase, ...]:
        """The masks that may occur in the article (every mask whose plain words it has)."""
        words = self.mask_index.keys() & doc.known
        return (*self.mask_index.get("", ()), *(m for w in words for m in self.mask_index[w]))

    @property
    def term_count(self) -> int:
        named = sum(len(c.names) + len(c.unless) + len(c.needs) for c in self.conditions)
        return len(self.names) + len(self.masks) + named

    def entries(self) -> Iterator[Entry]:
        yield from ((self, name, None) for name in self.names)
        yield from ((self, name, c) for c in self.conditions for name in c.names)


Entry = tuple[Place, Phrase, Condition | None]  # a name, its place and its condition if any
STEM = 3  # names ending in * are found through the first letters of the article's words


@dataclass(frozen=True, eq=False)
class PlaceIndex:
    """Every name of some places, by first word or first letters, so that an article is only
    checked for the names whose first word it has."""

    by_word: dict[str, tuple[Entry, ...]]
    by_stem: dict[str, tuple[Entry, ...]]
    stem_lengths: frozenset[int]

    @classmethod
    def of(cls, places: Iterable[Place]) -> PlaceIndex:
        by_word: dict[str, list[Entry]] = {}
        by_stem: dict[str, list[Entry]] = {}
        for entry in (e for place in places for e in place.entries()):
            word, prefix = entry[1][0]
            if prefix:
                by_stem.setdefault(word[:STEM], []).append(entry)
            else:
                by_word.setdefault(word, []).append(entry)
        return cls(
            by_word={word: tuple(entries) for word, entries in by_word.items()},
            by_stem={stem: tuple(entries) for stem, entries in by_stem.items()},
            stem_lengths=frozenset(map(len, by_stem)),
        )

    def spots(self, doc: MatchDoc) -> dict[Place, set[int]]:
        """Each named place and the positions of its names. A one-word name (plain or prefix)
        inside one of the place's masks does not count; a name of several words is specific
        enough to always count ("tunisian border guards" against the mask "tunisian border")."""
        single: dict[Place, set[int]] = {}
        whole: dict[Place, set[int]] = {}
        held: dict[Condition, bool] = {}
        for place, name, condition in self._candidates(doc):
            if condition is not None:
                if (holds := held.get(condition)) is None:
                    holds = held[condition] = condition.holds(doc)
                if not holds:
                    continue
            if found := doc.spots(name):
                (single if len(name) == 1 else whole).setdefault(place, set()).update(found)
        named: dict[Place, set[int]] = {}
        for place in single.keys() | whole.keys():
            spots = single.get(place, set())
            if spots and (masks := place.masks_in(doc)):
                spots = spots - doc.hidden(masks)
            if spots := spots | whole.get(place, set()):
                named[place] = spots
        return named

    def _candidates(self, doc: MatchDoc) -> list[Entry]:
        found = [e for word in self.by_word.keys() & doc.known for e in self.by_word[word]]
        if self.by_stem:
            stems = {word[:n] for n in self.stem_lengths for word in doc.vocabulary}
            found += [e for stem in self.by_stem.keys() & stems for e in self.by_stem[stem]]
        return found


@lru_cache(maxsize=64)
def _index(places: tuple[Place, ...]) -> PlaceIndex:
    return PlaceIndex.of(places)


def parse_term(text: str) -> Phrase:
    """A name as the query language reads a term: folded words, each one a prefix when it ends
    with * ("frontiere* tunisien*"). Raises ValueError on anything else."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{text!r} is not a word, word* or a phrase of words")
    elements: list[tuple[str, bool]] = []
    for piece in text.split():
        stem = piece.removesuffix("*")
        words = tokens(stem)
        if "*" in stem or _QUOTES & set(piece) or not words:
            raise ValueError(f"{text!r} is not a word, word* or a phrase of words")
        if piece.endswith("*") and len(words[-1]) < MIN_PREFIX_LENGTH:
            raise ValueError(f"{text!r}: prefix too short (at least {MIN_PREFIX_LENGTH} letters)")
        elements += [(word, False) for word in words]
        elements[-1] = (words[-1], piece.endswith("*"))
    return tuple(elements)


def _terms(value: Any, what: str) -> tuple[Phrase, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{what}: must be a non-empty list of names")
    terms = []
    for item in value:
        try:
            terms.append(parse_term(item))
        except ValueError as error:
            raise ValueError(f"{what}: {error}") from error
    return tuple(dict.fromkeys(terms))


def _condition(value: Any, what: str) -> Condition:
    if not isinstance(value, dict):
        raise ValueError(f"{what}: must be a table")
    _check_keys(value, _WHEN_KEYS, what)
    if "names" not in value or ("unless" in value) == ("with" in value):
        raise ValueError(f"{what}: needs names and one of unless or with")
    return Condition(
        names=_terms(value["names"], f"{what}.names"),
        unless=_terms(value["unless"], f"{what}.unless") if "unless" in value else (),
        needs=_terms(value["with"], f"{what}.with") if "with" in value else (),
    )


def build_place(key: str, data: Any, table: str = "places") -> Place:
    """A place (or a list of terms) from its table in a pack; raises ValueError naming the
    faulty key."""
    what = f"{table}.{key}"
    if not isinstance(data, dict):
        raise ValueError(f"{what}: must be a table")
    _check_keys(data, _PLACE_KEYS, what)
    if "names" not in data:
        raise ValueError(f"{what}.names: missing")
    when = data.get("when", [])
    if not isinstance(when, list):
        raise ValueError(f"{what}.when: must be a list of tables")
    return Place(
        key=key,
        names=_terms(data["names"], f"{what}.names"),
        masks=_terms(data["except"], f"{what}.except") if "except" in data else (),
        conditions=tuple(_condition(c, f"{what}.when") for c in when),
    )


# Places no topic is about but which stories in our region are often about: a story that keeps
# naming one of them is about it, not about the topic's place it mentions once or twice (Egypt in
# a Sudan story, Chad in a Darfur story, Mali and Niger in a coup story from Gabon).
ELSEWHERE: dict[str, str] = {  # names separated by commas
    "sudan": (
        "sudan*, soudan*, khartoum, omdurman, darfur, kordofan, el fasher, el geneina, burhan, "
        "dagalo, hemedti, rapid support forces, forces de soutien rapide, السودان, سوداني*, "
        "الخرطوم, ام درمان, دارفور, كردفان, الفاشر, البرهان, حميدتي, الدعم السريع"
    ),
    "somalia": "somali*, mogadishu, mogadiscio, shabaab, الصومال, صومالي*, مقديشو",
    "ethiopia": "ethiopia*, ethiopie*, addis ababa, addis abeba, اثيوبيا, اثيوبي*",
    "nigeria": "nigeria*, abuja, lagos, borno, maiduguri, tinubu, boko haram, نيجيريا, بوكو حرام",
    "cameroon": "cameroon*, cameroun*, yaounde, الكاميرون",
    "senegal": "senegal*, dakar, السنغال",
    "guinea": "guinea, guinean*, guinee, guineen*, conakry, doumbouya, غينيا",
    "gabon": "gabon*, libreville, bongo, oligui, الغابون",
    "ivory-coast": "ivory coast, ivorian*, cote d ivoire, ivoirien*, abidjan",
    "benin": "benin*, beninois*, cotonou, بنين",
    "togo": "togo*, lome, توغو",
    "ghana": "ghana*, accra, غانا",
    "central-african-republic": "central african republic, centrafric*, bangui",
    "palestine": (
        "gaza, palestin*, hamas, west bank, cisjordanie, israel*, netanyahu, غزه, فلسطين*, "
        "حماس, الضفه الغربيه, اسرائيل*, نتنياهو"
    ),
    "lebanon": "leban*, liban*, beirut, beyrouth, hezbollah, لبنان, بيروت",
    "syria": "syria*, syrie*, damascus, damas, سوريا, سوري*, دمشق",
    "yemen": "yemen*, houthi*, اليمن, يمني*, الحوثي*",
    "gulf": (
        "qatar*, doha, saudi*, riyadh, emirat*, abu dhabi, قطر, الدوحه, السعوديه, الرياض, "
        "الامارات, ابوظبي"
    ),
    "turkey": "turkey, turkish, turquie, turc, turque, ankara, erdogan, تركيا",
    "ukraine": "ukrain*, kyiv, kiev, zelensky*, اوكرانيا, كييف",
    "france": (
        "france, french, francais, francaise*, macron, elysee, quai d orsay, فرنسا, فرنسي*, "
        "باريس, ماكرون"
    ),
}


def _elsewhere() -> tuple[Place, ...]:
    return tuple(build_place(key, {"names": names.split(", ")}) for key, names in ELSEWHERE.items())


# --- salience -----------------------------------------------------------------------------------

# Mentions are counted as passages: names a few words apart ("Mali, Burkina Faso and Niger")
# are one mention. A place named in the title is salient. Named first in the lead, it must come
# back further on, or be named twice there ("Algerian President Abdelmadjid Tebboune") in a story
# that names no other place twice, or be the only place the story names at all ("the central
# bank of Egypt" in a rates brief), and not be dwarfed by another place (a neighbour named in the
# lead of a Sudan story). Named only further down, the
# story must keep coming back to it and it must hold its own against the place the story is
# really about (a Sahel paragraph at the end of a Libya story).
SAME_PASSAGE = 6  # names at most this many words apart are one mention
LEAD_SHARE = 0.4
BODY_MENTIONS = 3
BODY_SHARE = 0.75


@dataclass(frozen=True, slots=True)
class Presence:
    """How many times (passages) and where first a place, or several pooled, is named."""

    count: int
    first: int  # -1 when not named
    names: int = 0  # the names themselves, however close together


def presence(spots: Iterable[set[int]]) -> Presence:
    found = sorted(set().union(*spots))
    if not found:
        return Presence(0, -1)
    passages = 1 + sum(b - a > SAME_PASSAGE for a, b in pairwise(found))
    return Presence(passages, found[0], len(found))


def salient(anchor: Presence, rival: int, doc: MatchDoc) -> bool:
    """The article is about the anchor, given the mentions of the most-mentioned other place."""
    if anchor.count == 0:
        return False
    if anchor.first < doc.title_length:
        return True
    if anchor.first < doc.focus_length:
        again = anchor.count >= 2 or (anchor.names >= 2 and rival < 2) or rival == 0
        return again and anchor.count >= LEAD_SHARE * rival
    return anchor.count >= BODY_MENTIONS and anchor.count >= BODY_SHARE * rival


# --- packs --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicPack(Topic):
    """A topic loaded from a pack: its places, salient together (their mentions are pooled),
    whether its query must hold too (a pack without a query is its places), and its theme: the
    lists of terms whose mentions, pooled, stand in for the query's substance rule."""

    places: tuple[Place, ...] = ()
    query_given: bool = True
    theme: tuple[Place, ...] = ()


def load_topics(folder: Path | None = None) -> dict[str, Topic]:
    """Every *.toml pack in the folder (default: the packs shipped with briefbot), checked."""
    folder = PACKS_FOLDER if folder is None else folder
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise ValueError(f"{folder}: no topic packs (*.toml) found")
    raw = {path: _read(path) for path in files}
    places: dict[str, Place] = {}
    for path, data in raw.items():
        for key, value in data.get("places", {}).items():
            if key in places:
                raise ValueError(f"{path.name}: places.{key}: already defined by another pack")
            try:
                places[key] = build_place(key, value)
            except ValueError as error:
                raise ValueError(f"{path.name}: {error}") from error
    topics = {topic.slug: topic for topic in (_pack(p, d, places) for p, d in raw.items())}
    return {slug: topics[slug] for slug in sorted(topics, key=topic_sort_key)}


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path.name}: cannot read the pack: {error}") from error
    try:
        _check_keys(data, (*_REQUIRED, *_OPTIONAL), "")
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from error
    for key in _REQUIRED:
        if key not in data:
            raise ValueError(f"{path.name}: {key}: missing")
    for key in (*_REQUIRED, "query"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise ValueError(f"{path.name}: {key}: must be a non-empty string")
    for key in ("places", "terms"):
        if key in data and not isinstance(data[key], dict):
            raise ValueError(f"{path.name}: {key}: must be a table of {key}")
    if "query" not in data and not data.get("places") and not data.get("regions"):
        raise ValueError(f"{path.name}: query: missing")
    slug = data["slug"].strip()
    if not _SLUG.fullmatch(slug):
        raise ValueError(f"{path.name}: slug: {slug!r} must be lower-case words joined by -")
    if slug != path.stem:
        raise ValueError(f"{path.name}: slug: {slug!r} must be the file name without .toml")
    return data


def _check_keys(data: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        name = f"{where}.{unknown[0]}" if where else unknown[0]
        raise ValueError(f"{name}: unknown key (expected {', '.join(known)})")


def _pack(path: Path, data: dict[str, Any], places: Mapping[str, Place]) -> TopicPack:
    regions = data.get("regions", [])
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise ValueError(f"{path.name}: regions: must be a list of place names")
    for region in regions:
        if region not in places:
            raise ValueError(f"{path.name}: regions: {region!r} is no pack's place")
    own = [places[key] for key in data.get("places", {})]
    anchor = tuple(dict.fromkeys([*own, *(places[r] for r in regions)]))
    lists = _term_lists(path, data)
    limit = sum(place.term_count for place in [*own, *lists.values()])
    if limit > PACK_MAX_TERMS:
        raise ValueError(
            f"{path.name}: places and terms: too many names ({limit}, at most {PACK_MAX_TERMS})"
        )
    query = _expand(path, data["query"], lists) if "query" in data else _query_of(own)
    _check_query(path, query)
    return TopicPack(
        slug=data["slug"].strip(),
        name=" ".join(data["name"].split()),
        description=" ".join(data["description"].split()),
        query=query,
        aliases=_aliases(path, data),
        places=anchor,
        query_given="query" in data,
        theme=_theme(path, data, lists),
    )


def _aliases(path: Path, data: dict[str, Any]) -> tuple[str, ...]:
    """Other names of the topic, in any language, as a chat may type them."""
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ValueError(f"{path.name}: aliases: must be a list of names")
    return tuple(" ".join(alias.split()) for alias in aliases)


def _term_lists(path: Path, data: dict[str, Any]) -> dict[str, Place]:
    """The pack's named lists of terms ([terms.NAME], written like a place)."""
    try:
        return {
            key: build_place(key, value, "terms") for key, value in data.get("terms", {}).items()
        }
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from error


def _theme(path: Path, data: dict[str, Any], lists: Mapping[str, Place]) -> tuple[Place, ...]:
    theme = data.get("theme", [])
    if not isinstance(theme, list) or not all(name in lists for name in theme):
        raise ValueError(f"{path.name}: theme: must be a list of the pack's [terms] names")
    return tuple(lists[name] for name in theme)


def _expand(path: Path, query: str, lists: Mapping[str, Place]) -> str:
    """The query with each @NAME replaced by the pack's list of terms of that name."""

    def replace(found: re.Match[str]) -> str:
        if found[1] not in lists:
            raise ValueError(f"{path.name}: query: @{found[1]} is no list of the pack's [terms]")
        return _query_of([lists[found[1]]])

    return _LIST_REFERENCE.sub(replace, query)


def _check_query(path: Path, query: str) -> None:
    try:
        _compile(query)
    except QueryError as error:
        line = query.count("\n", 0, error.position) + 1
        column = error.position - (query.rfind("\n", 0, error.position) + 1) + 1
        raise ValueError(
            f"{path.name}: query: {error} (line {line}, column {column} of the query)"
        ) from error


def _query_of(places: Iterable[Place]) -> str:
    """The boolean query a pack of places stands for, for readers of Topic.query."""

    def term(phrase: Phrase) -> str:
        return '"' + " ".join(word + "*" * prefix for word, prefix in phrase) + '"'

    def any_of(phrases: Iterable[Phrase]) -> str:
        return "(" + " OR ".join(map(term, phrases)) + ")"

    parts = []
    for place in places:
        group = [any_of(place.names)] if place.names else []
        for c in place.conditions:
            guard = f"NOT {any_of(c.unless)}" if c.unless else any_of(c.needs)
            group.append(f"({any_of(c.names)} {guard})")
        text = " OR ".join(group)
        parts.append(f"(({text}) EXCEPT {any_of(place.masks)})" if place.masks else f"({text})")
    return "(" + "\n OR ".join(parts) + ")"


def _compile(query: str) -> Query:
    return compile_query(query, max_length=PACK_MAX_LENGTH, max_terms=PACK_MAX_TERMS)


# --- matching -----------------------------------------------------------------------------------

# A dateline says where the reporter files from, not what the story is about ("CAIRO (Reuters) -"
# on a Sudan story): "PLACE[, date] [(agency)] -" at the start of the body, the place in capitals,
# or followed by an agency or a date, or one or two Arabic words.
_DATELINE = re.compile(
    r"\s*(?P<place>[^\W\d_][^\n()\-–—,]{0,30}?)\s*(?P<date>,[^\n()\-–—]{1,30}?)?\s*"
    r"(?P<agency>\([^()\n]{1,30}\))?\s*[-–—]{1,2}\s"
)
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def strip_dateline(body: str) -> str:
    """The body without its dateline, if it starts with one."""
    found = _DATELINE.match(body)
    if found is None:
        return body
    place = found["place"].strip()
    if (
        place.isupper()
        or found["agency"]
        or any(c.isdigit() for c in found["date"] or "")
        or (_ARABIC_LETTER.match(place) and len(place.split()) <= 2)
    ):
        return body[found.end() :]
    return body


def match_topics(title: str, body: str, topics: Mapping[str, Topic]) -> tuple[str, ...]:
    """The slugs of the topics the article is substantially about, in the canonical order."""
    if not topics:
        return ()
    doc = MatchDoc.build(title, strip_dateline(body), clitics=True)
    named = _index(_catalogue(tuple(topics.values()))).spots(doc)
    counts = {place: presence((spots,)).count for place, spots in named.items()}
    return ordered(slug for slug, topic in topics.items() if _holds(topic, doc, named, counts))


@lru_cache(maxsize=64)
def _catalogue(topics: tuple[Topic, ...]) -> tuple[Place, ...]:
    """Every place of the topics, then the places elsewhere, which only compete."""
    own = (p for t in topics if isinstance(t, TopicPack) for p in t.places)
    return tuple(dict.fromkeys([*own, *_ELSEWHERE]))


def _holds(
    topic: Topic, doc: MatchDoc, named: Mapping[Place, set[int]], counts: Mapping[Place, int]
) -> bool:
    if not isinstance(topic, TopicPack):
        return _compile(topic.query).matches(doc)
    if topic.places:
        anchor = presence(named[place] for place in topic.places if place in named)
        rival = max((n for place, n in counts.items() if place not in topic.places), default=0)
        if not salient(anchor, rival, doc):
            return False
        if not topic.query_given:
            return True
    query = _compile(topic.query)
    if query.matches(doc):
        return True
    return bool(topic.theme) and recurs(topic.theme, doc) and query.mentions(doc)


# A theme recurs when its terms, pooled, are named in three passages, or in the title or lead and
# once more: a security story that says "clashes", then "armed groups", then "ceasefire" is one,
# though the query's substance rule wants one term twice or in the lead.
THEME_MENTIONS = 3


def recurs(theme: tuple[Place, ...], doc: MatchDoc) -> bool:
    found = presence(_index(theme).spots(doc).values())
    in_focus = 0 <= found.first < doc.focus_length
    return found.count >= THEME_MENTIONS or (in_focus and found.count >= 2)


_ELSEWHERE = _elsewhere()


def ordered(slugs: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(slugs), key=topic_sort_key))
