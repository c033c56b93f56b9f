"""Full-text search over briefs: FTS5 on SQLite, tsvector on PostgreSQL. Newest first."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Brief
from bot.storage.briefs import to_brief
from bot.storage.models import BriefRow

_TERM = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 12


def search_terms(words: str) -> list[str]:
    """Letters and digits only: nothing the person types reaches the query syntax."""
    return [term.lower() for term in _TERM.findall(words)][:MAX_TERMS]


async def search_briefs(
    session: AsyncSession, words: str, limit: int = 5, offset: int = 0
) -> list[Brief]:
    """Briefs containing every word (as a word prefix), newest first."""
    terms = search_terms(words)
    if not terms:
        return []
    if session.bind.dialect.name == "sqlite":
        expression = " ".join(f'"{term}"*' for term in terms)
        matching = text("SELECT rowid FROM briefs_fts WHERE briefs_fts MATCH :query").bindparams(
            query=expression
        )
        condition = BriefRow.id.in_(matching.columns())
    else:
        tsquery = " & ".join(f"{term}:*" for term in terms)
        condition = func.to_tsvector("simple", BriefRow.search_text).op("@@")(
            func.to_tsquery("simple", tsquery)
        )
    rows = await session.scalars(
        select(BriefRow)
        .where(condition)
        .order_by(BriefRow.published_at.desc(), BriefRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [to_brief(row) for row in rows]


def page_of(items: Sequence[Brief], limit: int) -> tuple[list[Brief], bool]:
    """Split a fetch of limit+1 rows into the page and whether another page follows."""
    return list(items[:limit]), len(items) > limit
