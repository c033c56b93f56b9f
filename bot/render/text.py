"""The terminal demo's output: brief cards, and a digest of them grouped by topic.

The card itself is `bot.render.plain.card_plain`, the same one the console shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.chat import Card
from bot.domain import Brief
from bot.render.plain import WIDTH, actor_label, card_plain, clean_line

__all__ = ["actor_label", "brief_card", "digest_text"]


def brief_card(brief: Brief, topic_names: Mapping[str, str]) -> str:
    names = tuple(topic_names.get(slug, slug) for slug in brief.topics)
    return card_plain(Card(brief=brief, topic_names=names))


def digest_text(
    sections: Sequence[tuple[str, Sequence[Brief]]], topic_names: Mapping[str, str]
) -> str:
    """Cards grouped under each topic's heading; a brief shows once, under its first topic."""
    shown: set[int] = set()
    blocks: list[str] = []
    for slug, briefs in sections:
        fresh = [brief for brief in briefs if brief.id not in shown]
        shown.update(brief.id for brief in fresh)
        name = clean_line(topic_names.get(slug, slug))
        rule = "=" * min(WIDTH, len(name) + 12)
        blocks.append(f"{rule}\n{name} — {len(fresh)} brief{'s' * (len(fresh) != 1)}\n{rule}")
        if not fresh:
            blocks.append("Nothing new on this topic.")
        blocks.extend(brief_card(brief, topic_names) for brief in fresh)
    return "\n\n".join(blocks)
