"""Full-text search over briefs: FTS5 on SQLite, tsvector on PostgreSQL. Newest first.

Both sides are folded alike (`bot.analysis.text.fold`: case, accents, Arabic letter variants):
the stored `search_text` is folded when a brief is saved, and so are the terms here, so
`securite` finds "sécurité" on PostgreSQL's 'simple' configuration as on FTS5.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Integer,
    column,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

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
