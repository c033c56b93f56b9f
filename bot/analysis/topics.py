"""Topic packs: TOML files holding a slug, a display name, a description and a query."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.analysis.query import MatchDoc, Query, QueryError, compile_query
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

_KEYS = ("slug", "name", "description", "query")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_RANK = {slug: rank for rank, slug in enumerate(CANONICAL_ORDER)}


def topic_sort_key(slug: str) -> tuple[int, str]:
    """The canonical topics first, in their fixed order, then the others alphabetically."""
    return (_RANK.get(slug, len(_RANK)), slug)


def load_topics(folder: Path | None = None) -> dict[str, Topic]:
    """Every *.toml pack in the folder (default: the packs shipped with briefbot), checked."""
    folder = PACKS_FOLDER if folder is None else folder
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise ValueError(f"{folder}: no topic packs (*.toml) found")
    topics = {topic.slug: topic for topic in map(_load_pack, files)}  # slug == file name
    return {slug: topics[slug] for slug in sorted(topics, key=topic_sort_key)}


def _load_pack(path: Path) -> Topic:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path.name}: cannot read the pack: {error}") from error
    for key in _KEYS:
        if key not in data:
            raise ValueError(f"{path.name}: {key}: missing")
        if not isinstance(data[key], str) or not data[key].strip():
            raise ValueError(f"{path.name}: {key}: must be a non-empty string")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ValueError(f"{path.name}: {unknown[0]}: unknown key (expected {', '.join(_KEYS)})")
    slug = data["slug"].strip()
    if not _SLUG.fullmatch(slug):
        raise ValueError(f"{path.name}: slug: {slug!r} must be lower-case words joined by -")
    if slug != path.stem:
        raise ValueError(f"{path.name}: slug: {slug!r} must be the file name without .toml")
    query = data["query"]
    try:
        _compile(query)
    except QueryError as error:
        line = query.count("\n", 0, error.position) + 1
        column = error.position - (query.rfind("\n", 0, error.position) + 1) + 1
        raise ValueError(
            f"{path.name}: query: {error} (line {line}, column {column} of the query)"
        ) from error
    return Topic(
        slug=slug,
        name=" ".join(data["name"].split()),
        description=" ".join(data["description"].split()),
        query=query,
    )


def _compile(query: str) -> Query:
    return compile_query(query, max_length=PACK_MAX_LENGTH, max_terms=PACK_MAX_TERMS)


def match_topics(title: str, body: str, topics: Mapping[str, Topic]) -> tuple[str, ...]:
    """The slugs of the topics the article is substantially about, in the canonical order."""
    if not topics:
        return ()
    doc = MatchDoc.build(title, body)
    return ordered(slug for slug, topic in topics.items() if _compile(topic.query).matches(doc))


def ordered(slugs: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(slugs), key=topic_sort_key))
