"""`briefbot extract`: one JSON article in, the analysis as one JSON object out (a contract).

`published` may be a whole or partial ISO 8601 date (`2023`, `2023-09`, `2023-09-14T10:00Z`); it
is read by `bot.dates.parse_date`, and anything it cannot read (another type, "soon") is an
unknown date, never a bad article. The output gives it back as `published`: ISO 8601 in UTC, or
null.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.dates import parse_date
from bot.domain import Analysis, Article

MAX_INPUT_BYTES = 20_000_000
_TEXT_FIELDS = ("title", "url", "outlet", "text")  # `published` is read leniently


class BadArticle(ValueError):
    """The input is not an article this command can read; the message is one line."""


def read_article(raw: bytes) -> Article:
    if len(raw) > MAX_INPUT_BYTES:
        raise BadArticle(f"input is larger than {MAX_INPUT_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadArticle(f"not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadArticle("expected a JSON object with title, url, published, outlet, text")
    for key in _TEXT_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise BadArticle(f'"{key}" must be a string or null, found {type(value).__name__}')
    title, text = (data.get("title") or "").strip(), (data.get("text") or "").strip()
    if not title and not text:
        raise BadArticle('the article needs a non-empty "title" or "text"')
    url = data.get("url") or None
    return Article(
        identity=url or f"title:{title[:200]}",
        title=title,
        url=url,
        summary="",
        text=text,
        outlet=data.get("outlet") or None,
        published_at=parse_date(data.get("published")),
    )


def analysis_json(article: Article, analysis: Analysis) -> dict[str, Any]:
    return {
        "event": analysis.event,
        "actors": [
            {"name": actor.name, "kind": actor.kind.value, "role": actor.role}
            for actor in analysis.actors
        ],
        "implications": list(analysis.implications),
        "topics": list(analysis.topics),
        "language": analysis.language,
        "source": {"url": article.url or "", "outlet": article.outlet},
        "published": _iso(article.published_at),
    }


def _iso(moment: datetime | None) -> str | None:
    """`2023-09-01T00:00:00Z`: UTC with a final Z, or None for an unknown date."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
