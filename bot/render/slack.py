"""Slack: Block Kit messages, with a short plain fallback text for notifications.

Source text in mrkdwn is escaped in two steps. `&`, `<` and `>` become entities, so nothing can
open a link, a mention or `<!channel>`. Slack has no escape for its formatting characters, so each
`*`, `_`, `~` and `` ` `` gets a zero-width space on both sides: whether Slack reads that space
as a word character or as white space, the mark can then neither open nor close a span. A `>`
starting a line gets one in front, so it cannot start a quote. mrkdwn objects are sent
`verbatim`, so Slack does not turn bare URLs or channel names into links either. plain_text
objects (header, button labels) are shown literally and only cleaned of control characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from bot.chat import Button, ButtonRow, Card, Emphasis, Reply, Text
from bot.render import plain

HEADER_LIMIT = 150
TEXT_LIMIT = 3000  # a section's text, a context element's text
BLOCK_LIMIT = 50
ACTIONS_LIMIT = 25
CONTEXT_LIMIT = 10  # elements in one context block
VALUE_LIMIT = 2000
ACTION_LIMIT = 240  # action ids may be 255 characters; room for the ":index" suffix
LABEL_LIMIT = 75
FALLBACK_LIMIT = 300
SHOWN_LIMIT = 200  # an outlet, or a URL shown as text, inside a context element

Block = dict[str, Any]
_ZWSP = "\u200b"
_FORMATTING = re.compile(r"[*_~`]")
_QUOTE = re.compile(r"^(\s*)&gt;", re.MULTILINE)
_TOKEN = re.compile(r"<[^<>]*>|&\w+;| +|[^ <&]{1,100}|[<&]")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str
    blocks: list[Block]


def escape_text(text: str) -> str:
    """`&`, `<` and `>` as the entities Slack reads back."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_mrkdwn(text: str) -> str:
    """Source text that shows as written inside mrkdwn (see the module's docstring)."""
    escaped = _FORMATTING.sub(lambda mark: f"{_ZWSP}{mark.group()}{_ZWSP}", escape_text(text))
    return _QUOTE.sub(lambda quote: f"{quote.group(1)}{_ZWSP}&gt;", escaped)


def slack_link(url: str | None, label: str) -> str | None:
    """`<url|label>` for an http(s) URL that cannot break out of the link, else None."""
    link = plain.web_url(url)
    if link is None or any(mark in link for mark in "|<>"):
        return None
    return f"<{escape_text(link)}|{escape_mrkdwn(label)}>"


class _Group(NamedTuple):
    """Blocks that belong together, and the words a notification would show for them."""

    blocks: list[Block]
    summary: str
    is_card: bool = False


def render_slack(reply: Reply) -> list[SlackMessage]:
    """Blocks packed into as few messages as Slack's 50-block limit allows; a card stays whole."""
    messages: list[list[_Group]] = []
    for group in _groups(reply):
        for start in range(0, len(group.blocks), BLOCK_LIMIT):
            part = group._replace(blocks=group.blocks[start : start + BLOCK_LIMIT])
            used = sum(len(kept.blocks) for kept in messages[-1]) if messages else BLOCK_LIMIT
            if used + len(part.blocks) <= BLOCK_LIMIT:
                messages[-1].append(part)
            else:
                messages.append([part])
    return [_message(groups) for groups in messages]


def _message(groups: Sequence[_Group]) -> SlackMessage:
    blocks = [block for group in groups for block in group.blocks]
    _number_actions(blocks)
    cards = [group.summary for group in groups if group.is_card]
    if cards:
        more = len(cards) - 1
        summary = f"{cards[0]} (and {more} more briefs)" if more else cards[0]
    else:
        summary = next((group.summary for group in groups if group.summary), "")
    return SlackMessage(escape_mrkdwn(plain.shorten(summary, FALLBACK_LIMIT)), blocks)


def _number_actions(blocks: Sequence[Block]) -> None:
    """Make every action_id `action:index`, unique within the message."""
    elements = [el for block in blocks if block["type"] == "actions" for el in block["elements"]]
    for index, element in enumerate(elements):
        element["action_id"] = f"{element['action_id']}:{index}"


def _groups(reply: Reply) -> list[_Group]:
    groups: list[_Group] = []
    lines: list[str] = []
    summary = ""
    for part in reply.parts:
        if isinstance(part, Text) and part.emphasis in {Emphasis.PLAIN, Emphasis.CODE}:
            summary = summary or plain.clean_line(part.text)
            lines.extend(_text_lines(part))
            continue
        if lines:
            groups.append(_Group([_section(chunk) for chunk in _chunks(lines)], summary))
            lines, summary = [], ""
        if isinstance(part, Card):
            groups.append(_Group(_card_blocks(part), plain.headline(part.brief), is_card=True))
        elif isinstance(part, ButtonRow):
            labels = " · ".join(plain.button_label(button) for button in part.buttons)
            groups.append(_Group(_actions(part.buttons), labels))
        elif part.emphasis is Emphasis.HEADING:
            title = plain.clean_line(part.text)
            groups.append(_Group(_heading(title), title))
        else:
            groups.append(_Group(_context(_text_lines(part)), plain.clean_line(part.text)))
    if lines:
        groups.append(_Group([_section(chunk) for chunk in _chunks(lines)], summary))
    if reply.next_page is not None:
        groups.append(_Group(_actions((reply.next_page,)), plain.button_label(reply.next_page)))
    return [group for group in groups if group.blocks]


def _text_lines(part: Text) -> list[str]:
    lines = plain.clean(part.text).split("\n")
    if part.emphasis is not Emphasis.CODE:
        return [escape_mrkdwn(line) for line in lines]
    # Inline code shows its text as is; only a backtick could end it early.
    return [
        f"`{escape_text(line)}`" if line.strip() and "`" not in line else escape_mrkdwn(line)
        for line in lines
    ]


def _heading(title: str) -> list[Block]:
    if not title:
        return []
    if plain.utf16_len(title) <= HEADER_LIMIT:
        return [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    return [_section(chunk) for chunk in _chunks(_bold(title))]


def _bold(text: str) -> list[str]:
    """Source text in bold, cut so that every piece is bold on its own."""
    return [f"*{piece}*" for piece in _split_line(escape_mrkdwn(text), TEXT_LIMIT - 2)]


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(lines: Sequence[str]) -> list[Block]:
    elements = [_mrkdwn(chunk) for chunk in _chunks(lines)]
    return [
        {"type": "context", "elements": elements[start : start + CONTEXT_LIMIT]}
        for start in range(0, len(elements), CONTEXT_LIMIT)
    ]


def _actions(buttons: Sequence[Button]) -> list[Block]:
    elements = [_button(button) for button in buttons]
    return [
        {"type": "actions", "elements": elements[start : start + ACTIONS_LIMIT]}
        for start in range(0, len(elements), ACTIONS_LIMIT)
    ]


def _button(button: Button) -> Block:
    if len(button.data) > VALUE_LIMIT or not 0 < len(button.action) <= ACTION_LIMIT:
        raise ValueError(f"the {button.action[:40]!r} button's action or data is too long")
    label = plain.shorten(plain.button_label(button), LABEL_LIMIT)
    # action_id gets its ":index" suffix once the message is put together.
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": button.action,
        "value": button.data,
    }


def _source(outlet: str | None, url: str | None, more: str = "") -> str:
    name = plain.shorten(plain.outlet_name(outlet, url), SHOWN_LIMIT)
    link = slack_link(url, name)
    if link:
        return f"{link}{escape_mrkdwn(more)}"
    shown = plain.shorten(plain.shown_url(url), SHOWN_LIMIT)
    return escape_mrkdwn(f"{name}{more} — {shown}")


def _card_blocks(card: Card) -> list[Block]:
    brief = card.brief
    title = plain.headline(brief)
    short_title = plain.shorten(title, HEADER_LIMIT)
    lines = _bold(title) if short_title != title else []
    lines.append(f"*Event:* {escape_mrkdwn(plain.clean_line(brief.event))}")
    lines.append(f"*Actors:* {escape_mrkdwn(plain.actors_text(brief))}")
    items = plain.implications(brief)
    if items:
        lines.append("*Implications:*")
        lines.extend(f"• {escape_mrkdwn(item)}" for item in items)
    else:
        lines.append(f"*Implications:* {plain.NO_IMPLICATIONS}")
    meta = [_mrkdwn(escape_mrkdwn(plain.shorten(plain.card_heading(card), SHOWN_LIMIT)))]
    if card.all_sources:
        lines.append("*Sources:*")
        lines.extend(f"• {_source(outlet, url)}" for outlet, url in card.all_sources)
    else:
        source = _source(brief.primary.outlet, brief.primary.url, plain.more_sources(brief))
        meta.append(_mrkdwn(f"*Source:* {source}"))
    meta.append(_mrkdwn(f"`#{brief.code}`"))
    return [
        {"type": "header", "text": {"type": "plain_text", "text": short_title}},
        *(_section(chunk) for chunk in _chunks(lines)),
        {"type": "context", "elements": meta},
        *_actions(card.buttons),
    ]


def _chunks(lines: Sequence[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Lines packed into texts of at most `limit` units; an over-long line is cut at spaces."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        for piece in _split_line(line, limit):
            joined = f"{current}\n{piece}" if current else piece
            if plain.utf16_len(joined) <= limit:
                current = joined
                continue
            if current.strip():
                chunks.append(current)
            current = piece
    if current.strip():
        chunks.append(current)
    return chunks


def _split_line(line: str, limit: int) -> list[str]:
    """Cut at spaces, never inside a link or an entity; a very long word is cut as it comes."""
    if plain.utf16_len(line) <= limit:
        return [line]
    pieces: list[str] = []
    tokens: list[str] = []
    size = 0
    for token in _TOKEN.findall(line):
        while tokens and size + plain.utf16_len(token) > limit:
            spaces = [index for index, kept in enumerate(tokens) if index and kept.isspace()]
            cut = spaces[-1] if spaces else len(tokens)
            pieces.append("".join(tokens[:cut]))
            tokens = tokens[cut:]
            if tokens and tokens[0].isspace():
                tokens = tokens[1:]
            size = sum(plain.utf16_len(kept) for kept in tokens)
        tokens.append(token)
        size += plain.utf16_len(token)
    pieces.append("".join(tokens))
    return [piece for piece in pieces if piece.strip()]
