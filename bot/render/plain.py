"""Plain text for the console, and the field helpers every renderer shares.

Every string that came from a source passes through `clean` or `clean_line` before it is shown:
terminal escape sequences, control characters and bidi overrides are removed, so a headline
cannot recolour the terminal, move the cursor, fake a line of its own or reorder what is shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.chat import Button, ButtonRow, Card, Emphasis, Reply, Text
from bot.domain import Actor, Brief

WIDTH = 100
MAX_LINK = 1000  # longer URLs are shown as text, never linked
NO_ACTORS = "none named in the source"
NO_IMPLICATIONS = "none stated in the source"
NO_LINK = "no link given"

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI spelt as the C1 byte
)
_LINE_BREAK = re.compile(r"\r\n|[\r\u2028\u2029]")
# C0 except \n, DEL, C1, bidi embeddings/overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Source text safe to show: escape sequences and control characters gone, newlines kept."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LINE_BREAK.sub("\n", text).replace("\t", " ")
    return _CONTROL.sub("", text)


def clean_line(text: str | None) -> str:
    """`clean`, then every run of whitespace (newlines too) as one space: for one-line fields."""
    return " ".join(clean(text or "").split())


def utf16_len(text: str) -> int:
    """Length as Telegram and Slack count it: characters outside the BMP count twice."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, an ellipsis marking the cut."""
    if utf16_len(text) <= limit:
        return text
    kept: list[str] = []
    size = 1  # the ellipsis
    for char in text:
        size += utf16_len(char)
        if size > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def web_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link fit to put behind a label, else None."""
    candidate = (url or "").strip()
    if not candidate or len(candidate) > MAX_LINK:
        return None
    if any(char.isspace() or unicodedata.category(char)[0] == "C" for char in candidate):
        return None
    try:
        parts = urlsplit(candidate)
        host = parts.hostname
    except ValueError:
        return None
    return candidate if parts.scheme.lower() in {"http", "https"} and host else None


def headline(brief: Brief) -> str:
    return clean_line(brief.title) or "(no headline)"


def actor_label(actor: Actor) -> str:
    name, role = clean_line(actor.name), clean_line(actor.role)
    return f"{name} ({role})" if role else name


def actors_text(brief: Brief) -> str:
    labels = (actor_label(actor) for actor in brief.actors)
    return " · ".join(label for label in labels if label) or NO_ACTORS


def implications(brief: Brief) -> list[str]:
    return [item for item in (clean_line(raw) for raw in brief.implications) if item]


def card_heading(card: Card) -> str:
    """`Tunisia · North Africa security — 13 Dec 2025`."""
    names = (clean_line(name) for name in card.topic_names)
    topics = " · ".join(name for name in names if name) or "Unfiled"
    return f"{topics} — {card.brief.published_at:%d %b %Y}"


def outlet_name(outlet: str | None, url: str | None) -> str:
    """The outlet as the source names it, else the link's host, else a neutral word."""
    name = clean_line(outlet)
    if name:
        return name
    link = web_url(url)
    return clean_line(urlsplit(link).hostname) if link else "source"


def more_sources(brief: Brief) -> str:
    return f" (+{brief.source_count - 1} more)" if brief.source_count > 1 else ""


def shown_url(url: str | None) -> str:
    return clean_line(url) or NO_LINK


def button_label(button: Button) -> str:
    return clean_line(button.label) or clean_line(button.action)


def buttons_line(buttons: Sequence[Button]) -> str:
    """Buttons as the commands to type: `[More: more B12] [Source: source B12]`."""
    return " ".join(f"[{button_label(button)}: {clean_line(button.data)}]" for button in buttons)


def _bulleted(label: str, items: Sequence[str], empty: str) -> list[str]:
    if not items:
        return [f"{label}{empty}"]
    indent = " " * len(label)
    first, *rest = items
    return [f"{label}• {first}", *(f"{indent}• {item}" for item in rest)]


def card_plain(card: Card) -> str:
    """The brief card of DESIGN.md, one field a line."""
    brief = card.brief
    lines = [
        f"{card_heading(card)}  #{brief.code}",
        headline(brief),
        f"Event: {clean_line(brief.event)}",
        f"Actors: {actors_text(brief)}",
        *_bulleted("Implications: ", implications(brief), NO_IMPLICATIONS),
    ]
    if card.all_sources:
        listed = [f"{outlet_name(o, url)} — {shown_url(url)}" for o, url in card.all_sources]
        lines.extend(_bulleted("Sources: ", listed, NO_LINK))
    else:
        outlet = outlet_name(brief.primary.outlet, brief.primary.url)
        lines.append(f"Source: {outlet}{more_sources(brief)} — {shown_url(brief.primary.url)}")
    if card.buttons:
        lines.append(buttons_line(card.buttons))
    return "\n".join(lines)


def text_plain(part: Text) -> str:
    if part.emphasis is Emphasis.HEADING:
        title = clean_line(part.text)
        return f"{title}\n{'=' * min(WIDTH, len(title))}"
    lines = clean(part.text).split("\n")
    if part.emphasis is Emphasis.NOTE:
        return "\n".join(f"  {line}" if line else line for line in lines)
    return "\n".join(lines)


def render_plain(reply: Reply) -> str:
    """The reply for a terminal: cards set apart by blank lines, buttons as commands to type."""
    blocks: list[tuple[str, bool]] = []  # (text, set apart by blank lines)
    for part in reply.parts:
        if isinstance(part, Card):
            blocks.append((card_plain(part), True))
        elif isinstance(part, ButtonRow):
            if part.buttons:
                blocks.append((buttons_line(part.buttons), False))
        else:
            blocks.append((text_plain(part), part.emphasis is Emphasis.HEADING))
    if reply.next_page is not None:
        blocks.append((f"More: /{clean_line(reply.next_page.data)}", False))
    pieces: list[str] = []
    for index, (text, apart) in enumerate(blocks):
        if index:
            pieces.append("\n\n" if apart or blocks[index - 1][1] else "\n")
        pieces.append(text)
    return "".join(pieces)
