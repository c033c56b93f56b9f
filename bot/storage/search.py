"""Full-text search over briefs: FTS5 on SQLite, tsvector on PostgreSQL. Newest first.

Both sides are folded alike (`bot.analysis.text.fold`: case, accents, Arabic letter variants):
the stored `search_text` is folded when a brief is saved, and so are the terms here, so
`securite` finds "sécurité" on PostgreSQL's 'simple' configuration as on FTS5.

`find_briefs` answers a chat's query (/search) with exactly the briefs a watch with that query
would match. SQL only narrows; the watch matcher decides. The query's requirement (the words a
brief must hold: AND and OR kept, NOT dropped, since it never requires a word) is asked of
`search_text`, which holds everything the watch matcher reads, folded the same way; each brief
that passes is then tested, newest first, with the watch matcher itself. The requirement is
asked twice over:
- of the newest briefs, as substrings: looser than words (nothing the matcher would read is
  missed, whatever a tokenizer makes of `3.5` or `f-16`), and cheap on a few hundred rows;
- when those do not fill the page, through the full-text index, as an FTS5 MATCH or a tsquery.
  Each word is asked for in every form the matcher reads as that word (with an attached Arabic
  prefix: وتونس, للجيش) when it starts with an Arabic letter or a digit; on PostgreSQL as a
  lexeme prefix, since its parser keeps `3.5`, `u.s` or `-16` (of `f-16`) as one token. Left
  out: a later word of a term that PostgreSQL may hold inside such a token (a short or digit-only
  word: the s of u.s), and Latin letters glued to an Arabic prefix (وlibya).

`search_briefs` is the older form: briefs holding every word as a word prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Integer,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.query import AllOf, Has, Requirement, word_forms
from bot.analysis.text import fold
from bot.domain import Brief
from bot.storage.briefs import to_brief
from bot.storage.models import BriefRow

_TERM = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 12
MAX_TERM_LENGTH = 60  # longer "words" are cut: no real word is longer, and indexes cap them
# The newest briefs are tried first: a common word fills the page from them at once, and only
# rarer words go through the full-text index to every match (cheap then: there are few).
RECENT_WINDOW = 200
_CONFIG: ColumnClause[str] = literal_column(
    "'simple'"
)  # a literal, not a parameter, so the GIN index applies


def search_terms(words: str) -> list[str]:
    """Folded letters and digits only: nothing the person types reaches the query syntax."""
    terms = (term[:MAX_TERM_LENGTH] for term in _TERM.findall(fold(words)))
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def _condition(dialect: str, terms: Sequence[str]) -> ColumnElement[bool]:
    if dialect == "sqlite":
        expression = " ".join(f'"{term}"*' for term in terms)
        matching = text("SELECT rowid FROM briefs_fts WHERE briefs_fts MATCH :query").bindparams(
            query=expression
        )
        return BriefRow.id.in_(matching.columns(column("rowid", Integer)))
    tsquery = " & ".join(f"{term}:*" for term in terms)
    return func.to_tsvector(_CONFIG, BriefRow.search_text).op("@@")(
        func.to_tsquery(_CONFIG, tsquery)
    )


async def search_briefs(
    session: AsyncSession, words: str, limit: int = 5, offset: int = 0
) -> list[Brief]:
    """Briefs containing every word (as a word prefix), newest first. The newest briefs are
    tried first; when they hold the whole page, no older brief can be on it."""
    terms = search_terms(words)
    if not terms:
        return []
    dialect = session.get_bind().dialect.name
    condition = _condition(dialect, terms)
    wanted = limit + offset
    recent = (
        select(BriefRow.id)
        .order_by(BriefRow.published_at.desc(), BriefRow.id.desc())
        .limit(RECENT_WINDOW + wanted)
        .subquery()
    )
    rows = list(
        await session.scalars(
            select(BriefRow)
            .join(recent, BriefRow.id == recent.c.id)
            .where(condition)
            .order_by(BriefRow.published_at.desc(), BriefRow.id.desc())
            .limit(wanted)
        )
    )
    if len(rows) < wanted:
        rows = await _page_of_every_match(session, dialect, condition, limit, offset)
    else:
        rows = rows[offset:]
    return [to_brief(row) for row in rows]


async def _page_of_every_match(
    session: AsyncSession, dialect: str, condition: ColumnElement[bool], limit: int, offset: int
) -> list[BriefRow]:
    """The page among every match, found through the full-text index. On PostgreSQL the matches
    are gathered first (MATERIALIZED): its planner cannot tell a rare prefix from a common one,
    and walking briefs newest first would re-parse each one's text to test it."""
    matching = select(BriefRow.id, BriefRow.published_at).where(condition).cte("matching")
    if dialect == "postgresql":
        matching = matching.prefix_with("MATERIALIZED")
    page = (
        select(matching.c.id)
        .order_by(matching.c.published_at.desc(), matching.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = await session.scalars(
        select(BriefRow)
        .where(BriefRow.id.in_(page))
        .order_by(BriefRow.published_at.desc(), BriefRow.id.desc())
    )
    return list(rows)


def page_of(items: Sequence[Brief], limit: int) -> tuple[list[Brief], bool]:
    """Split a fetch of limit+1 rows into the page and whether another page follows."""
    return list(items[:limit]), len(items) > limit


# --- a chat's query: SQL narrows, the watch matcher decides ---------------------------------

SCAN_LIMIT = 2000  # candidates tested past the recent window before the search stops
FIRST_CHUNK = 8  # candidates loaded at once, growing fourfold each round
Keep = Callable[[Brief], bool]


@dataclass(frozen=True, slots=True)
class Found:
    briefs: list[Brief]
    stopped_after: int = 0  # older candidates tested when SCAN_LIMIT cut the search short

    @property
    def complete(self) -> bool:
        return not self.stopped_after


async def find_briefs(
    session: AsyncSession, requirement: Requirement, keep: Keep, limit: int = 5, offset: int = 0
) -> Found:
    """The briefs `keep` accepts, newest first, among those holding `requirement`'s words: the
    newest briefs first (a common word fills the page from them), then the older candidates
    the full-text index gives, tested in order until the page is full."""
    wanted = limit + offset
    window = RECENT_WINDOW + wanted
    newest = list(
        await session.execute(
            select(BriefRow.id, BriefRow.published_at, substrings(requirement).label("holds"))
            .order_by(BriefRow.published_at.desc(), BriefRow.id.desc())
            .limit(window)
        )
    )
    found: list[Brief] = []
    await _test(session, [row.id for row in newest if row.holds], keep, wanted, found)
    if len(found) == wanted or len(newest) < window:  # a full page, or every brief tried
        return Found(found[offset:])
    last = newest[-1]
    older = await _older_candidates(session, requirement, (last.published_at, last.id))
    await _test(session, older[:SCAN_LIMIT], keep, wanted, found)
    cut = len(older) > SCAN_LIMIT and len(found) < wanted
    return Found(found[offset:], stopped_after=SCAN_LIMIT if cut else 0)


async def _test(
    session: AsyncSession, ids: Sequence[int], keep: Keep, wanted: int, found: list[Brief]
) -> None:
    """Load the candidates in order, a growing chunk at a time, and keep the matches until
    `found` holds `wanted` briefs."""
    start, size = 0, FIRST_CHUNK
    while start < len(ids) and len(found) < wanted:
        chunk = ids[start : start + size]
        rows = await session.scalars(select(BriefRow).where(BriefRow.id.in_(chunk)))
        by_id = {row.id: row for row in rows}
        for brief_id in chunk:
            brief = to_brief(by_id[brief_id])
            if keep(brief):
                found.append(brief)
                if len(found) == wanted:
                    return
        start, size = start + size, size * 4


async def _older_candidates(
    session: AsyncSession, requirement: Requirement, before: tuple[datetime, int]
) -> list[int]:
    """The briefs older than `before` (published_at, id) that hold the words, newest first,
    through the full-text index. On PostgreSQL the matches are gathered first (MATERIALIZED),
    as in `_page_of_every_match`."""
    dialect = session.get_bind().dialect.name
    matching = (
        select(BriefRow.id, BriefRow.published_at)
        .where(_index_condition(dialect, requirement))
        .cte("candidates")
    )
    if dialect == "postgresql":
        matching = matching.prefix_with("MATERIALIZED")
    return list(
        await session.scalars(
            select(matching.c.id)
            .where(tuple_(matching.c.published_at, matching.c.id) < before)
            .order_by(matching.c.published_at.desc(), matching.c.id.desc())
        )
    )


def substrings(requirement: Requirement) -> ColumnElement[bool]:
    """The requirement as substrings of the folded text: every word a brief must hold appears
    in it as a substring (or, for an Arabic word after لل, its ل-less core does)."""
    if isinstance(requirement, Has):
        return and_(
            *(
                or_(
                    *(BriefRow.search_text.contains(core, autoescape=True) for core in _cores(word))
                )
                for word, _ in requirement.elements
            )
        )
    parts = [substrings(part) for part in requirement.parts]
    return and_(*parts) if isinstance(requirement, AllOf) else or_(*parts)


def _cores(word: str) -> list[str]:
    """The forms of a word that hold no other form: substrings enough to find them all."""
    forms = word_forms(word)
    return [form for form in forms if not any(o != form and o in form for o in forms)]


def _indexed_forms(word: str) -> tuple[str, ...]:
    """The forms asked of the index: with attached Arabic prefixes for a word that starts with
    an Arabic letter or a digit (و2023); a Latin word as it is."""
    first = word[0]
    return word_forms(word) if first.isdigit() or "\u0600" <= first <= "\u06ff" else (word,)


def _index_condition(dialect: str, requirement: Requirement) -> ColumnElement[bool]:
    if dialect == "sqlite":
        matching = text("SELECT rowid FROM briefs_fts WHERE briefs_fts MATCH :query").bindparams(
            query=fts5_query(requirement)
        )
        return BriefRow.id.in_(matching.columns(column("rowid", Integer)))
    return func.to_tsvector(_CONFIG, BriefRow.search_text).op("@@")(
        bindparam("tsquery", tsquery(requirement), type_=TSQUERY)
    )


def fts5_query(requirement: Requirement) -> str:
    """FTS5 MATCH syntax: every word of a term (its forms ORed), AND and OR kept."""
    if isinstance(requirement, Has):
        return " AND ".join(
            "(" + " OR ".join(f'"{form}"' + "*" * prefix for form in _indexed_forms(word)) + ")"
            for word, prefix in requirement.elements
        )
    joiner = " AND " if isinstance(requirement, AllOf) else " OR "
    return joiner.join(f"({fts5_query(part)})" for part in requirement.parts)


def tsquery(requirement: Requirement) -> str:
    """tsquery syntax, each form a lexeme prefix. Of a term's words, the first and those that
    cannot be the tail of one of PostgreSQL's compound tokens (digits after a point, the s of
    u.s) are asked for."""
    if isinstance(requirement, Has):
        first, *others = requirement.elements
        asked = [first[0], *(word for word, _ in others if len(word) > 2 and not word.isdigit())]
        return " & ".join("(" + " | ".join(_lexemes(word)) + ")" for word in asked)
    joiner = " & " if isinstance(requirement, AllOf) else " | "
    return joiner.join(f"({tsquery(part)})" for part in requirement.parts)


def _lexemes(word: str) -> list[str]:
    forms = list(_indexed_forms(word))
    if word[0].isdigit():
        forms.append("-" + word)  # the parser reads f-16 as `f` and `-16`
    return [f"'{form}':*" for form in forms]
