"""The actors of an article: gazetteer matches plus people introduced by their titles.

States count only where the text shows them acting (see agency.py); bodies named only to
describe another ("al-Qaeda-linked") are left out. People keep their name as the article first
writes it in full, and the title the article gives them, else the gazetteer's. One person is one
actor however the article spells or shortens the name: "Nasser Bourrita" and "Bourita",
"Mohamed el-Manfi", "al-Menfi" and "المنفي" all give the gazetteer's entry and its `key`; a
surname alone joins the full name the article gives it, even where the gazetteer knows another
person of that surname ("Ibrahim Dbeibah ... Dbeibah said").

In an Arabic article a person the gazetteer knows keeps the gazetteer's English name, so that
one actor reads the same in every language, and the title the article gives, else the
gazetteer's role; a person it does not know keeps the name and the title in Arabic script, as
the article writes them: names are not transliterated.

An article lists at most `limit` actors: when it names more, those in the title and those
named most often are kept. Actors are ordered by first appearance, those in the title first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.analysis.agency import (
    acting_states,
    article_country,
    is_cited,
    is_descriptor,
    resolve_generic,
)
from bot.analysis.companies import find_companies
from bot.analysis.gazetteer import (
    Gazetteer,
    GazetteerEntry,
    Hit,
    PreparedText,
    loose_words,
    prepare,
)
from bot.analysis.gazetteer import load_gazetteer as _load
from bot.analysis.lexicon import HEADS, HONORIFICS, PARTICLES, REGAL, Tokens
from bot.analysis.mentions import Context, PersonMention, Spans
from bot.analysis.text import fold
from bot.analysis.titles import find_people, is_headline_case, name_runs
from bot.analysis.titles_arabic import after_arabic_minister
from bot.domain import Actor, ActorKind

__all__ = ["DEFAULT_LIMIT", "Gazetteer", "extract_actors", "load_gazetteer"]

# Enough for a summit or a Security Council vote; the brief card lists them on one line.
DEFAULT_LIMIT = 10
_TITLE_WEIGHT = 3  # a mention in the title counts as much as three in the body

Order = tuple[int, int]  # (0 for the title or 1 for the body, character offset)
_ARABIC = re.compile("[\u0600-\u06ff]")
_NAME_PREFIX = re.compile(r"^(?:al|el|ad|as|ash|at|az|an|ar)[-' ]")
_FRENCH_WORDS = re.compile(r"(?<![^\W_])(?:le|la|les|des|du|une|est|et|dans|pour|qui)(?![^\W_])")
_BRACKETED_ACRONYM = re.compile(r"\s*\((?:[A-Z][A-Za-z0-9.&-]*\s?){1,3}\)")
_BRACKETED = re.compile(r"\s*\(([^()]*)\)")
_ENGLISH_WORDS = re.compile(r"(?<![^\W_])(?:the|and|of|is|was|in|to|for|that|with)(?![^\W_])")


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The actor gazetteer (default: packs/actors.toml beside this module), checked:
    an unknown kind, an empty alias or an alias shared by two entries raises ValueError."""
    return _load(path)


@dataclass
class _Actor:
    kind: ActorKind
    entry: GazetteerEntry | None
    order: Order
    names: dict[str, Order] = field(default_factory=dict)  # full names as written, first seen
    roles: dict[str, Order] = field(default_factory=dict)
    surnames: set[str] = field(default_factory=set)  # loose spellings
    words: tuple[str, ...] = ()  # loose name words of a discovered person
    places: set[Order] = field(default_factory=set)  # where the article names the actor
    named: bool = False  # the article gives a person's full name or title, not a surname alone
    bare: set[str] = field(default_factory=set)  # surnames written alone for a known person

    def seen_at(self, order: Order) -> None:
        self.order = min(self.order, order)
        self.places.add(order)

    def add_name(self, written: str, order: Order) -> None:
        self.names[written] = min(order, self.names.get(written, order))

    def add_role(self, role: str | None, order: Order) -> None:
        if role:
            self.roles[role] = min(order, self.roles.get(role, order))

    def absorb(self, other: _Actor) -> None:
        """Take over the mentions of `other`, a surname that turned out to be this person's."""
        for order in other.places:
            self.seen_at(order)
        for role, order in other.roles.items():
            self.add_role(role, order)

    @property
    def weight(self) -> int:
        """How much the article is about the actor: its mentions, the title's counting more."""
        return sum(_TITLE_WEIGHT if part == 0 else 1 for part, _ in self.places)

    def actor(self) -> Actor:
        entry = self.entry
        name = entry.display if entry else ""
        if self.names:
            # A name cut short in a Title Case headline gives way to the full one.
            written = [(order, text) for text, order in self.names.items()]
            full = [(order, text) for order, text in written if not _cut(text, self.names)]
            name = min(full or written)[1]
        role = self._role()
        if entry is None:
            return Actor(name, self.kind, role)
        return Actor(name, self.kind, role, entry.description, key=entry.name)

    def _role(self) -> str | None:
        """The fullest title, the earliest of equals: "Tunisian Defence Minister" over
        "Minister"; else the gazetteer's role. A known person's one-word Arabic title
        ("الرئيس") says less than the gazetteer's role, written like the name, and gives way."""
        roles = self.roles
        entry = self.entry
        if entry is not None and entry.role:
            roles = {
                role: order
                for role, order in roles.items()
                if len(role.split()) > 1 or not _ARABIC.search(role)
            }
        ranked = sorted(roles.items(), key=lambda item: (-len(item[0].split()), item[1]))
        role = ranked[0][0] if ranked else None
        if role is None and entry is not None:
            role = entry.role or entry.qualifier
        return clean_role(role) if role else None


def extract_actors(
    title: str, body: str, gazetteer: Gazetteer, limit: int = DEFAULT_LIMIT
) -> tuple[Actor, ...]:
    """Up to `limit` actors named in the article, in order of first appearance (title first);
    over the limit, those named in the title and most often are the ones kept."""
    parts = [
        (part, prepared, gazetteer.find(prepared))
        for part, raw in enumerate((title, body))
        if raw.strip()
        for prepared in (prepare(raw),)
    ]
    country = article_country(parts)
    french = _looks_french(body or title)
    actors: dict[str, _Actor] = {}
    unmatched: list[tuple[Order, PersonMention]] = []
    for part, prepared, hits in parts:
        _read_part(_Part(part, prepared, hits, country, french), gazetteer, actors, unmatched)
    _place_unmatched(actors, unmatched, gazetteer)
    _join_bare_surnames(actors)
    return tuple(record.actor() for record in _most_active(actors.values(), limit))


def _most_active(records: Iterable[_Actor], limit: int) -> list[_Actor]:
    """The `limit` actors with the most weight (the earliest of equals), in order of first
    appearance."""
    ranked = sorted(records, key=lambda record: (-record.weight, record.order))
    return sorted(ranked[: max(limit, 0)], key=lambda record: record.order)


@dataclass(frozen=True)
class _Part:
    number: int  # 0 for the title, 1 for the body
    prepared: PreparedText
    hits: list[Hit]
    country: str | None  # the state the article is about
    french: bool


def _read_part(
    part: _Part,
    gazetteer: Gazetteer,
    actors: dict[str, _Actor],
    unmatched: list[tuple[Order, PersonMention]],
) -> None:
    """Record the actors of the title or the body; people without an entry go to `unmatched`."""
    prepared = part.prepared
    headline = part.number == 0 and is_headline_case(prepared.text)
    words = Tokens(prepared.text)
    bodies = Spans(
        [(hit.start, hit.end) for hit in part.hits if hit.entry.kind is not ActorKind.PERSON]
    )
    people = Spans(
        [(hit.start, hit.end) for hit in part.hits if hit.entry.kind is ActorKind.PERSON]
    )
    context = Context(
        prepared.text, prepared.folded, gazetteer.state_words, words, bodies, headline, people
    )
    mentions = find_people(context)
    # "Tunisian Defence Minister X": a state inside a person's title is not an actor.
    titles = Spans([mention.role_span for mention in mentions if mention.role_span])
    hits = resolve_generic(prepared, part.hits, gazetteer, part.country, titles.overlaps)
    acting = acting_states(
        prepared, words, hits, headline=headline, french=part.french, known=actors.keys()
    )
    tied, others = _tie_mentions(prepared.text, mentions, hits, gazetteer)
    tied.extend(_respelt(context, mentions, hits, gazetteer))
    # "Kamel Saied, a lawyer": the known Saied's surname inside another person's name.
    elsewhere = Spans([(mention.start, mention.end) for mention in others])
    for index, hit in enumerate(hits):
        kind = hit.entry.kind
        if kind is ActorKind.STATE and (index not in acting or titles.overlaps(hit)):
            continue
        if kind not in (ActorKind.STATE, ActorKind.PERSON) and (
            is_descriptor(prepared, hit) or after_arabic_minister(prepared.folded, hit.start)
        ):
            continue
        if kind is ActorKind.PERSON and elsewhere.overlaps(hit):
            continue
        if kind is ActorKind.INSTITUTION and is_cited(prepared, hit):
            continue
        order = (part.number, hit.start)
        record = _entry_actor(actors, hit.entry, order)
        if kind is ActorKind.PERSON:
            _note_hit(record, prepared.text[hit.start : hit.end], order)
    for mention, entry in tied:
        order = (part.number, mention.start)
        _note(_entry_actor(actors, entry, order), order, mention)
    _note_companies(part, context, mentions, actors)
    unmatched.extend(((part.number, mention.start), mention) for mention in others)


def _note_companies(
    part: _Part, context: Context, mentions: list[PersonMention], actors: dict[str, _Actor]
) -> None:
    """Companies the gazetteer lacks: one actor per name, whatever its case."""
    taken = Spans(
        [(hit.start, hit.end) for hit in part.hits if hit.entry.kind is not ActorKind.STATE]
        + [(mention.start, mention.end) for mention in mentions if mention.parts >= 2]
    )
    found = find_companies(context.text, context.folded, context.tokens, context.state_words)
    for company in found:
        if taken.overlaps(company):
            continue
        order = (part.number, company.start)
        key = f"company:{fold(company.name)}"
        record = actors.setdefault(key, _Actor(ActorKind.ORGANISATION, None, order))
        record.seen_at(order)
        record.add_name(company.name, order)


def _note_hit(record: _Actor, written: str, order: Order) -> None:
    """A known person named by an alias: a full name as written, or a surname alone."""
    words = loose_words(written)
    if len(words) >= 2:
        record.named = True
        if _is_full_name(written):
            record.add_name(written, order)
    elif words:
        record.bare.add(words[0])


def _tie_mentions(
    text: str, mentions: list[PersonMention], hits: list[Hit], gazetteer: Gazetteer
) -> tuple[list[tuple[PersonMention, GazetteerEntry]], list[PersonMention]]:
    """Mentions of people the gazetteer knows, with their entry, and the other mentions. A
    mention holding a known person's alias is that person unless the name is another one:
    "Kamel Saied" is not Kais Saied, "Abdelhamid Dbeibah" is Abdul Hamid Dbeibah."""
    people = [hit for hit in hits if hit.entry.kind is ActorKind.PERSON]
    tied: list[tuple[PersonMention, GazetteerEntry]] = []
    others: list[PersonMention] = []
    for mention in mentions:
        hit = next(
            (hit for hit in people if hit.start < mention.end and mention.start < hit.end), None
        )
        if hit is not None and _same_entry(mention, hit, text[hit.start : hit.end], gazetteer):
            tied.append((mention, hit.entry))
        else:
            others.append(mention)
    return tied, others


def _respelt(
    context: Context, mentions: list[PersonMention], hits: list[Hit], gazetteer: Gazetteer
) -> list[tuple[PersonMention, GazetteerEntry]]:
    """Known people written another way in a run of names that nothing else reads:
    "Mohamed el-Manfi met the envoy"."""
    taken = Spans(
        [(mention.start, mention.end) for mention in mentions]
        + [(hit.start, hit.end) for hit in hits if hit.entry.kind is ActorKind.PERSON]
    )
    found: list[tuple[PersonMention, GazetteerEntry]] = []
    for run in name_runs(context, gazetteer.may_hold_person):
        if taken.overlaps(run):
            continue
        entry = gazetteer.person_like(run.name)
        if entry is not None:
            found.append((run, entry))
    return found


def _same_entry(mention: PersonMention, hit: Hit, written: str, gazetteer: Gazetteer) -> bool:
    """Only a surname alias ("Saied") can sit in another person's name; the name is the
    known person's when its given name is one of theirs ("Khalifa Belqasim Haftar") or the
    whole is a spelling of theirs, or when the gazetteer has no full name in that script."""
    if mention.parts < 2 or len(loose_words(written)) > 1:
        return True
    given = loose_words(mention.name)[:1]
    known = _given_names(hit.entry, arabic=bool(_ARABIC.search(mention.name)))
    if not known or (given and given[0] in known):
        return True
    return gazetteer.person_like(mention.name) == hit.entry


@lru_cache(maxsize=1024)
def _given_names(entry: GazetteerEntry, *, arabic: bool) -> frozenset[str]:
    """The loose words of the entry's full names in one script, surnames included."""
    return frozenset(
        word
        for alias in entry.aliases
        if bool(_ARABIC.search(alias)) == arabic
        for words in (loose_words(alias),)
        if len(words) >= 2
        for word in words
    )


def _entry_actor(actors: dict[str, _Actor], entry: GazetteerEntry, order: Order) -> _Actor:
    record = actors.get(entry.name)
    if record is None:
        record = actors[entry.name] = _Actor(entry.kind, entry, order)
        if entry.kind is ActorKind.PERSON:
            record.surnames = set(_entry_surnames(entry))
    record.seen_at(order)
    return record


@lru_cache(maxsize=1024)
def _entry_surnames(entry: GazetteerEntry) -> frozenset[str]:
    """The surnames of a known person's full names, in every script: Bourita, بوريطة."""
    return frozenset(_surname(alias) for alias in entry.aliases if len(alias.split()) >= 2)


def _note(record: _Actor, order: Order, mention: PersonMention) -> None:
    record.seen_at(order)
    record.add_role(mention.role, order)
    record.named = record.named or mention.parts >= 2 or mention.role is not None
    # A known person keeps a Latin-script name, whatever the article's script.
    if _full(mention) and (record.entry is None or _is_full_name(mention.name)):
        record.add_name(mention.name, order)


def _place_unmatched(
    actors: dict[str, _Actor],
    mentions: list[tuple[Order, PersonMention]],
    gazetteer: Gazetteer,
) -> None:
    """People without an exact alias: a known person spelt another way ("Nasser Bourrita")
    joins the gazetteer's entry, other full names are new people; then a surname alone joins
    the nearest full name before it (or else after it) that ends with it, or the one known
    person with that surname, and is dropped when there is none."""
    mentions.sort(key=lambda item: item[0])
    surnames: list[tuple[Order, PersonMention]] = []
    for order, mention in mentions:
        if _full(mention):
            _place_full_name(actors, order, mention, gazetteer)
        else:
            surnames.append((order, mention))
    for order, mention in surnames:
        _place_surname(actors, order, mention, gazetteer)


def _full(mention: PersonMention) -> bool:
    """A name in full: two words or more, or one after the title of a monarch or a pope, who
    goes by one name ("la reine Letizia", "Pope Francis")."""
    if mention.parts >= 2:
        return True
    words = fold(mention.role).split() if mention.role else []
    return bool(words) and words[-1] in REGAL


def _place_full_name(
    actors: dict[str, _Actor], order: Order, mention: PersonMention, gazetteer: Gazetteer
) -> None:
    entry = gazetteer.person_like(mention.name)
    if entry is not None:
        _note(_entry_actor(actors, entry, order), order, mention)
        return
    words = _name_words(mention.name)
    record = actors.get(" ".join(words)) or next(
        (found for found in actors.values() if found.words and _same_person(found.words, words)),
        None,
    )
    if record is None:
        record = actors[" ".join(words)] = _Actor(ActorKind.PERSON, None, order, words=words)
        record.surnames = {_surname(mention.name)}
    elif len(words) > len(record.words):
        record.words = words
    _note(record, order, mention)


def _place_surname(
    actors: dict[str, _Actor], order: Order, mention: PersonMention, gazetteer: Gazetteer
) -> None:
    surname = _surname(mention.name)
    candidates = [
        found
        for found in actors.values()
        if found.kind is ActorKind.PERSON and surname in found.surnames
    ]
    if candidates:
        chosen = _nearest(candidates, order)
    else:
        entry = gazetteer.person_like(mention.name)
        if entry is None:
            return
        chosen = _entry_actor(actors, entry, order)
    chosen.seen_at(order)
    chosen.add_role(mention.role, order)


def _nearest(candidates: list[_Actor], order: Order) -> _Actor:
    """The person named last before `order`, else the first one after it."""
    earlier = [found for found in candidates if found.order <= order]
    if earlier:
        return max(earlier, key=lambda found: found.order)
    return min(candidates, key=lambda found: found.order)


def _join_bare_surnames(actors: dict[str, _Actor]) -> None:
    """A known person the article names only by a surname ("Dbeibah said"), never in full
    nor with a title ("Prime Minister Dbeibah"), is the person it names in full with that
    surname ("Ibrahim Dbeibah, an adviser"), if there is one."""
    for key, record in list(actors.items()):
        if record.entry is None or record.named or not record.bare:
            continue
        namesakes = [
            found
            for found in actors.values()
            if found is not record and found.named and record.bare & found.surnames
        ]
        if namesakes:
            _nearest(namesakes, record.order).absorb(record)
            del actors[key]


def clean_role(role: str) -> str | None:
    """A role as plain text, shown in brackets after the name, so holding none itself: an
    acronym in brackets goes ("Commander of the Libyan National Army (LNA)"), other bracketed
    words follow a comma ("Prime Minister (2023-2025)" → "Prime Minister, 2023-2025")."""
    if "(" in role or ")" in role:
        role = _BRACKETED_ACRONYM.sub("", role)
        role = _BRACKETED.sub(r", \1", role).replace("(", " ").replace(")", " ")
    cleaned = " ".join(role.split()).strip(" ,;:-–—")
    return cleaned or None


def _cut(written: str, names: dict[str, Order]) -> bool:
    words = _name_words(written)
    return any(
        len(other) > len(words) and other[: len(words)] == words
        for other in map(_name_words, names)
    )


def _same_person(known: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """Same words, or one name is the start or the end of the other ("Zaafrani Zenzri")."""
    short, long = sorted((known, new), key=len)
    return len(short) >= 2 and (long[: len(short)] == short or long[-len(short) :] == short)


def _name_words(name: str) -> tuple[str, ...]:
    """The words of a name in a loose spelling, without particles or initials: "Ibrahim
    al-Dabbashi" and "Ibrahim Dabashi" give the same words."""
    words = fold(name).replace("-", " ").split()
    kept = " ".join(word for word in words if word not in PARTICLES and not word.endswith("."))
    return tuple(loose_words(kept))


def _surname(name: str) -> str:
    """The last word in a loose spelling, without al- or a possessive: Kikli's, al-Kikly."""
    last = fold(name).split()[-1] if name.split() else ""
    for suffix in ("'s", "'"):
        last = last.removesuffix(suffix)
    words = loose_words(_NAME_PREFIX.sub("", last))
    return words[-1] if words else ""


def _is_full_name(written: str) -> bool:
    """Two words or more in Latin script, not opening on a title ("Marshal Haftar")."""
    words = fold(written).split()
    return len(words) >= 2 and not _ARABIC.search(written) and words[0] not in HEADS | HONORIFICS


def _looks_french(text: str) -> bool:
    sample = text[:600].lower()
    return len(_FRENCH_WORDS.findall(sample)) > len(_ENGLISH_WORDS.findall(sample))
