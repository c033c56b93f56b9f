"""One reading of the dates that articles and feeds carry, shared by ingest, extract and eval.

`parse_date` takes ISO 8601 / RFC 3339 text, whole or partial: `2023`, `2023-09`, `2023-09-14`,
`2023-09-14T10:00`, with or without seconds and a zone (`Z`, `+02:00`). A missing month or day is
the first one; a time without a zone is UTC. The result is an aware datetime in UTC. Anything
else — another type, an empty or overlong string, a date that does not exist — is unknown
(None): a bad date never costs the article that carries it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_MAX_CHARS = 64
_YEAR_OR_MONTH = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?")


def parse_date(value: object) -> datetime | None:
    """An ISO 8601 date, whole or partial, as an aware UTC datetime; None when unreadable."""
    if not isinstance(value, str) or len(value) > _MAX_CHARS:
        return None
    text = value.strip()
    try:
        moment = _year_or_month(text) or datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _year_or_month(text: str) -> datetime | None:
    """`2023` → 1 January 2023, `2023-09` → 1 September 2023 (fromisoformat reads neither)."""
    match = _YEAR_OR_MONTH.fullmatch(text)
    if match is None:
        return None
    year, month = match.groups()
    return datetime(int(year), int(month or 1), 1, tzinfo=UTC)
