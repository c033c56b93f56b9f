"""The actors of an article: gazetteer matches plus people introduced by their titles.

States count only where the text shows them acting (see agency.py); bodies named only to
describe another ("al-Qaeda-linked") are left out. People keep their name as the article first
writes it in full, and the title the article gives them, else the gazetteer's. Actors are
ordered by first appearance, those in the title first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.analysis.agency import acting_states, article_country, is_descriptor, resolve_generic
from bot.analysis.gazetteer import Gazetteer, GazetteerEntry, Hit, PreparedText, prepare
from bot.analysis.gazetteer import load_gazetteer as _load
from bot.analysis.lexicon import HEADS, HONORIFICS, PARTICLES, Tokens
from bot.analysis.text import fold
from bot.analysis.titles import Context, PersonMention, Spans, find_people, is_headline_case
from bot.domain import Actor, ActorKind

__all__ = ["Gazetteer", "extract_actors", "load_gazetteer"]

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
    surnames: set[str] = field(default_factory=set)
    words: tuple[str, ...] = ()  # folded name words of a discovered person

    def seen_at(self, order: Order) -> None:
        self.order = min(self.order, order)

    def add_name(self, written: str, order: Order) -> None:
        self.names[written] = min(order, self.names.get(written, order))

    def add_role(self, role: str | None, order: Order) -> None:
        if role:
            self.roles[role] = min(order, self.roles.get(role, order))

    def actor(self) -> Actor:
        entry = self.entry
        name = entry.display if entry else ""
        if self.names:
            # A name cut short in a Title Case headline gives way to the full one.
            written = [(order, text) for text, order in self.names.items()]
            full = [(order, text) for order, text in written if not _cut(text, self.names)]
            name = min(full or written)[1]
        # The fullest title, the earliest of equals: "Tunisian Defence Minister" over "Minister".
        ranked = sorted(self.roles.items(), key=lambda item: (-len(item[0].split()), item[1]))
        role = ranked[0][0] if ranked else None
        if role is None and entry is not None:
            role = entry.role or entry.qualifier
        role = clean_role(role) if role else None
        if entry is None:
            return Actor(name, self.kind, role)
        return Actor(name, self.kind, role, entry.description, key=entry.name)


def extract_actors(
    title: str, body: str, gazetteer: Gazetteer, limit: int = 8
) -> tuple[Actor, ...]:
    """Up to `limit` actors named in the article, in order of first appearance (title first)."""
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
    _place_unmatched(actors, unmatched)
    ranked = sorted(actors.values(), key=lambda record: record.order)
    return tuple(record.actor() for record in ranked[: max(limit, 0)])


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
    context = Context(
        prepared.text, prepared.folded, gazetteer.state_words, words, bodies, headline
    )
    mentions = find_people(context)
    # "Tunisian Defence Minister X": a state inside a person's title is not an actor.
    titles = Spans([mention.role_span for mention in mentions if mention.role_span])
    hits = resolve_generic(prepared, part.hits, gazetteer, part.country, titles.overlaps)
    acting = acting_states(
        prepared, words, hits, headline=headline, french=part.french, known=actors.keys()
    )
    people: list[Hit] = []
    for index, hit in enumerate(hits):
        kind = hit.entry.kind
        if kind is ActorKind.STATE and (index not in acting or titles.overlaps(hit)):
            continue
        if kind not in (ActorKind.STATE, ActorKind.PERSON) and is_descriptor(prepared, hit):
            continue
        record = _entry_actor(actors, hit.entry, (part.number, hit.start))
        if kind is ActorKind.PERSON:
            people.append(hit)
            written = prepared.text[hit.start : hit.end]
            if _is_full_name(written):
                record.add_name(written, (part.number, hit.start))
    _note_mentions(part.number, mentions, people, actors, unmatched)


def _note_mentions(
    part: int,
    mentions: list[PersonMention],
    people: list[Hit],
    actors: dict[str, _Actor],
    unmatched: list[tuple[Order, PersonMention]],
) -> None:
    """Titles and full names of people the gazetteer knows; the others go to `unmatched`."""
    people_at = {offset: hit.entry for hit in people for offset in range(hit.start, hit.end)}
    for mention in mentions:
        order = (part, mention.start)
        entry = next(
            (
                people_at[offset]
                for offset in range(mention.start, mention.end)
                if offset in people_at
            ),
            None,
        )
        if entry is None:
            unmatched.append((order, mention))
            continue
        _note(_entry_actor(actors, entry, order), order, mention)


def _entry_actor(actors: dict[str, _Actor], entry: GazetteerEntry, order: Order) -> _Actor:
    record = actors.get(entry.name)
    if record is None:
        record = actors[entry.name] = _Actor(entry.kind, entry, order)
        if entry.kind is ActorKind.PERSON:
            record.surnames = {_surname(alias) for alias in entry.aliases if _is_full_name(alias)}
    record.seen_at(order)
    return record


def _note(record: _Actor, order: Order, mention: PersonMention) -> None:
    record.seen_at(order)
    record.add_role(mention.role, order)
    if mention.parts >= 2:
        record.add_name(mention.name, order)


def _place_unmatched(
    actors: dict[str, _Actor], mentions: list[tuple[Order, PersonMention]]
) -> None:
    """New people from full names; then a surname alone joins the nearest full name before
    it (or else after it) that ends with it, and is dropped when there is none."""
    mentions.sort(key=lambda item: item[0])
    for order, mention in mentions:
        if mention.parts < 2:
            continue
        words = _name_words(mention.name)
        record = next(
            (
                found
                for found in actors.values()
                if found.words and _same_person(found.words, words)
            ),
            None,
        )
        if record is None:
            record = actors[" ".join(words)] = _Actor(ActorKind.PERSON, None, order, words=words)
            record.surnames = {words[-1]}
        elif len(words) > len(record.words):
            record.words = words
        _note(record, order, mention)
    for order, mention in mentions:
        if mention.parts >= 2:
            continue
        surname = _surname(mention.name)
        candidates = [
            found
            for found in actors.values()
            if found.kind is ActorKind.PERSON and surname in found.surnames
        ]
        if candidates:
            earlier = [found for found in candidates if found.order <= order]
            chosen = (
                max(earlier, key=lambda found: found.order)
                if earlier
                else min(candidates, key=lambda found: found.order)
            )
            chosen.seen_at(order)
            chosen.add_role(mention.role, order)


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
    words = fold(name).replace("-", " ").split()
    return tuple(word for word in words if word not in PARTICLES and not word.endswith("."))


def _surname(name: str) -> str:
    last = fold(name).split()[-1] if name.split() else ""
    for suffix in ("'s", "'"):
        last = last.removesuffix(suffix)
    return _NAME_PREFIX.sub("", last)


def _is_full_name(written: str) -> bool:
    """Two words or more in Latin script, not opening on a title ("Marshal Haftar")."""
    words = fold(written).split()
    return len(words) >= 2 and not _ARABIC.search(written) and words[0] not in HEADS | HONORIFICS


def _looks_french(text: str) -> bool:
    sample = text[:600].lower()
    return len(_FRENCH_WORDS.findall(sample)) > len(_ENGLISH_WORDS.findall(sample))
