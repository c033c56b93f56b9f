"""Telegram: messages in HTML parse mode with inline keyboards, split below the length limit.

Lengths are counted on the HTML as sent, in UTF-16 code units; Telegram counts the text after
parsing, so the count here is never lower than Telegram's.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from bot.chat import Button, ButtonRow, Card, Emphasis, Reply, Text
from bot.render import plain

MESSAGE_LIMIT = 4000  # Telegram allows 4,096; the rest is margin
CALLBACK_LIMIT = 64  # bytes of UTF-8
ROW_WIDTH = 8
KEYBOARD_LIMIT = 100  # buttons; Telegram also refuses a keyboard of more than about 10 kB
MARKUP_BUDGET = 8000  # bytes of keyboard JSON, estimated
LABEL_LIMIT = 64

_EMPHASIS_TAG = {Emphasis.HEADING: "b", Emphasis.NOTE: "i", Emphasis.CODE: "code"}
# Tags and entities stay whole; words longer than 64 characters may be cut between pieces.
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|\n|[ ]+|[^<&\n ]{1,64}|[<&]")
_TAG_NAME = re.compile(r"</?(\w+)")


@dataclass(frozen=True, slots=True)
class TelegramButton:
    label: str
    callback_data: str


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    text: str
    buttons: tuple[tuple[TelegramButton, ...], ...] = ()
    disable_preview: bool = False


def fits_callback(data: str) -> bool:
    """Whether `data` is valid callback data: 1 to 64 bytes of UTF-8."""
    return 0 < len(data.encode("utf-8")) <= CALLBACK_LIMIT


def render_telegram(reply: Reply) -> list[TelegramMessage]:
    keyboard = _keyboard(reply)
    paragraphs = _paragraphs(reply)
    if not paragraphs and not keyboard:
        return []
    if not paragraphs:  # Telegram needs some text to carry a keyboard
        paragraphs = [_escape(" · ".join(button.label for row in keyboard for button in row))]
    texts = split_message(paragraphs)
    preview_off = any(isinstance(part, Card) for part in reply.parts)
    last = len(texts) - 1
    return [
        TelegramMessage(text, keyboard if index == last else (), preview_off)
        for index, text in enumerate(texts)
    ]


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _paragraphs(reply: Reply) -> list[str]:
    """Cards and headings are paragraphs of their own; consecutive other texts share one."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for part in reply.parts:
        if isinstance(part, Text) and part.emphasis is not Emphasis.HEADING:
            lines.append(_text_html(part))
            continue
        if lines:
            paragraphs.append("\n".join(lines))
            lines = []
        if isinstance(part, Card):
            paragraphs.append(card_html(part))
        elif isinstance(part, Text):
            paragraphs.append(_text_html(part))
    if lines:
        paragraphs.append("\n".join(lines))
    return [paragraph for paragraph in paragraphs if paragraph.strip()]


def _text_html(part: Text) -> str:
    tag = _EMPHASIS_TAG.get(part.emphasis)
    lines = plain.clean(part.text).split("\n")
    return "\n".join(
        f"<{tag}>{_escape(line)}</{tag}>" if tag and line.strip() else _escape(line)
        for line in lines
    )


def _source_html(outlet: str | None, url: str | None, more: str = "") -> str:
    name = _escape(plain.outlet_name(outlet, url))
    link = plain.web_url(url)
    if link:
        return f'<a href="{html.escape(link, quote=True)}">{name}</a>{_escape(more)}'
    return f"{name}{_escape(more)} — {_escape(plain.shown_url(url))}"


def card_html(card: Card) -> str:
    brief = card.brief
    lines = [
        f"<i>{_escape(plain.card_heading(card))}</i>  <code>#{_escape(brief.code)}</code>",
        f"<b>{_escape(plain.headline(brief))}</b>",
        f"<b>Event:</b> {_escape(plain.clean_line(brief.event))}",
        f"<b>Actors:</b> {_escape(plain.actors_text(brief))}",
    ]
    items = plain.implications(brief)
    if items:
        lines.append("<b>Implications:</b>")
        lines.extend(f"• {_escape(item)}" for item in items)
    else:
        lines.append(f"<b>Implications:</b> {plain.NO_IMPLICATIONS}")
    if card.all_sources:
        lines.append("<b>Sources:</b>")
        lines.extend(f"• {_source_html(outlet, url)}" for outlet, url in card.all_sources)
    else:
        source = _source_html(brief.primary.outlet, brief.primary.url, plain.more_sources(brief))
        lines.append(f"<b>Source:</b> {source}")
    return "\n".join(lines)


def _telegram_button(button: Button, suffix: str = "") -> TelegramButton:
    if not fits_callback(button.data):
        raise ValueError(
            f"callback data for the {button.action!r} button is not 1-{CALLBACK_LIMIT} bytes"
        )
    return TelegramButton(
        plain.shorten(plain.button_label(button) + suffix, LABEL_LIMIT), button.data
    )


def _rows(buttons: Sequence[Button], suffix: str = "") -> list[tuple[TelegramButton, ...]]:
    made = [_telegram_button(button, suffix) for button in buttons]
    return [tuple(made[start : start + ROW_WIDTH]) for start in range(0, len(made), ROW_WIDTH)]


def _keyboard(reply: Reply) -> tuple[tuple[TelegramButton, ...], ...]:
    """Every button of the reply, in order; card rows are dropped last-first past the limit."""
    cards = sum(isinstance(part, Card) for part in reply.parts)
    rows: list[tuple[tuple[TelegramButton, ...], bool]] = []  # (row, belongs to a card)
    for part in reply.parts:
        if isinstance(part, ButtonRow):
            rows.extend((row, False) for row in _rows(part.buttons))
        elif isinstance(part, Card):
            # Under several cards, a bare "More" would not say which brief it is about.
            suffix = f" · {part.brief.code}" if cards > 1 else ""
            rows.extend((row, True) for row in _rows(part.buttons, suffix))
    if reply.next_page is not None:
        rows.extend((row, False) for row in _rows((reply.next_page,)))
    while _too_big([row for row, _ in rows]):
        card_rows = [index for index, (_, of_card) in enumerate(rows) if of_card]
        if not card_rows:
            raise ValueError("the reply's buttons do not fit one Telegram keyboard")
        del rows[card_rows[-1]]
    return tuple(row for row, _ in rows)


def _too_big(rows: Sequence[tuple[TelegramButton, ...]]) -> bool:
    buttons = [button for row in rows for button in row]
    size = sum(len(f"{b.label}{b.callback_data}".encode()) + 40 for b in buttons)
    return len(buttons) > KEYBOARD_LIMIT or size > MARKUP_BUDGET


def split_message(paragraphs: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Balanced HTML paragraphs packed into as few texts of at most `limit` units as possible."""
    texts: list[str] = []
    current = ""
    for paragraph in paragraphs:
        pieces = (
            [paragraph] if plain.utf16_len(paragraph) <= limit else _split_html(paragraph, limit)
        )
        for piece in pieces:
            joined = f"{current}\n\n{piece}" if current else piece
            if plain.utf16_len(joined) <= limit:
                current = joined
            else:
                texts.append(current)
                current = piece
    if current:
        texts.append(current)
    return texts


def _is_open_tag(token: str) -> bool:
    return len(token) > 2 and token[0] == "<" and token[1] != "/" and token[-1] == ">"


def _is_text(token: str) -> bool:
    return not token.startswith("<") and not token.isspace()


def _with(stack: list[str], token: str) -> list[str]:
    """The open tags, outermost first, once `token` is added."""
    if token.startswith("</") and stack:
        return stack[:-1]
    return [*stack, token] if _is_open_tag(token) else stack


def _closing(stack: Sequence[str]) -> str:
    names = [match.group(1) for tag in stack if (match := _TAG_NAME.match(tag))]
    return "".join(f"</{name}>" for name in reversed(names))


def _split_html(paragraph: str, limit: int) -> list[str]:
    """One over-long paragraph cut at line, else word, boundaries; tags closed and reopened."""
    pending = deque(_TOKEN.findall(paragraph))
    pieces: list[str] = []
    current: list[str] = []
    stack: list[str] = []
    size = 0
    while pending:
        token = pending.popleft()
        after = _with(stack, token)
        if size + plain.utf16_len(token) + plain.utf16_len(_closing(after)) <= limit:
            current.append(token)
            stack, size = after, size + plain.utf16_len(token)
            continue
        kept, rest = _cut([*current, token], len(current), limit)
        if not any(_is_text(piece) for piece in kept):
            raise ValueError("a piece of markup is longer than the message limit")
        still_open: list[str] = []
        for piece in kept:
            still_open = _with(still_open, piece)
        pieces.append("".join(kept) + _closing(still_open))
        pending.extendleft(reversed([*still_open, *rest]))
        current, stack, size = [], [], 0
    if current:
        pieces.append("".join(current) + _closing(stack))
    return pieces


def _cut(tokens: list[str], fitting: int, limit: int) -> tuple[list[str], list[str]]:
    """`tokens[:fitting]` fit; split them at the best boundary, dropping the boundary's space.

    A line break is preferred when the piece before it is at least half full, then a space,
    then the cut falls between two tokens (inside a very long word).
    """
    sizes = [0]
    for token in tokens:
        sizes.append(sizes[-1] + plain.utf16_len(token))
    index = fitting
    lines = [i for i in range(1, fitting + 1) if tokens[i] == "\n" and sizes[i] >= limit // 2]
    spaces = [i for i in range(1, fitting + 1) if tokens[i].isspace()]
    if lines or spaces:
        index = (lines or spaces)[-1]
    kept, rest = tokens[:index], tokens[index:]
    while rest and rest[0].isspace():
        rest.pop(0)
    while kept and (kept[-1].isspace() or _is_open_tag(kept[-1])):
        token = kept.pop()
        if _is_open_tag(token):
            rest.insert(0, token)
    return kept, rest
