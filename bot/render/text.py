"""Plain-text rendering for the terminal: the brief card and a digest of cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain import Actor, Brief

WIDTH = 100
_INDENT = " " * len("Implications: ")


def actor_label(actor: Actor) -> str:
    return f"{actor.name} ({actor.role})" if actor.role else actor.name


def source_label(brief: Brief) -> str:
    outlet = brief.primary.outlet or "source"
    more = f" (+{brief.source_count - 1} more)" if brief.source_count > 1 else ""
    link = brief.primary.url or "no link given"
    return f"{outlet}{more} — {link}"


def brief_card(brief: Brief, topic_names: Mapping[str, str]) -> str:
    topics = " · ".join(topic_names.get(slug, slug) for slug in brief.topics) or "Unfiled"
    heading = f"{topics} — {brief.published_at:%d %b %Y}"
    lines = [f"{heading}  #{brief.code}".rstrip(), brief.title, f"Event: {brief.event}"]
    actors = " · ".join(actor_label(actor) for actor in brief.actors)
    lines.append(f"Actors: {actors or 'none named in the source'}")
    if brief.implications:
        first, *rest = brief.implications
        lines.append(f"Implications: • {first}")
        lines.extend(f"{_INDENT}• {item}" for item in rest)
    else:
        lines.append("Implications: none stated in the source")
    lines.append(f"Source: {source_label(brief)}")
    return "\n".join(lines)


def digest_text(
    sections: Sequence[tuple[str, Sequence[Brief]]], topic_names: Mapping[str, str]
) -> str:
    """Cards grouped under each topic's heading; a brief shows once, under its first topic."""
    shown: set[int] = set()
    blocks: list[str] = []
    for slug, briefs in sections:
        fresh = [brief for brief in briefs if brief.id not in shown]
        shown.update(brief.id for brief in fresh)
        name = topic_names.get(slug, slug)
        rule = "=" * min(WIDTH, len(name) + 12)
        blocks.append(f"{rule}\n{name} — {len(fresh)} brief{'s' * (len(fresh) != 1)}\n{rule}")
        if not fresh:
            blocks.append("Nothing new on this topic.")
        blocks.extend(brief_card(brief, topic_names) for brief in fresh)
    return "\n\n".join(blocks)
