"""Turn untrusted feed strings into bounded plain text and safe links."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

TITLE_LIMIT = 300
SUMMARY_LIMIT = 5_000
TEXT_LIMIT = 50_000
OUTLET_LIMIT = 120
URL_LIMIT = 2_000

# Markup is cut before it is read: tags can make a text several times longer than what it says.
_MARKUP_FACTOR = 8
_MIN_MARKUP_CHARS = 20_000

_PARAGRAPH = "\n\n"
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "math")
_HIDDEN_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _HIDDEN_TAGS}
# `[^<>]` keeps every attempt short, so text full of stray "<" is read in linear time, and
# the possessive `*+` keeps an unclosed "<abbb..." from trying every split of name and rest.
_MARKUP = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*+)[^<>]*+>|<!--|<!\[CDATA\[|<[!?][^<>]*+>")
_MARKUP_SIGN = re.compile(r"[<&]")

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Control characters (but \t and \n), lone surrogates, BOM, non-characters and the bidi
# embedding/override/isolate controls that can reorder a message around them.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
_SPACES = re.compile(r"[^\S\n]+")
_SPACES_AROUND_NEWLINE = re.compile(r" ?\n ?")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_ANY_WHITESPACE = re.compile(r"\s+")


def clean_text(value: str | None, max_chars: int, *, html_markup: bool = True) -> str:
    """Plain, bounded text from a feed field.

    With `html_markup` (the default) the value is read as an HTML fragment: tags go, entities
    are decoded, script-like elements are dropped with their content and block elements become
    paragraph breaks ("\\n\\n"). Without it, only characters and spaces are tidied.
    """
    if not value or max_chars <= 0:
        return ""
    if html_markup:
        value = value[: max(max_chars * _MARKUP_FACTOR, _MIN_MARKUP_CHARS)]
        if _MARKUP_SIGN.search(value):
            value = _html_to_text(value)
    else:
        value = value[: max_chars * 2 + 1_000]
    return truncate_words(_tidy(value), max_chars)


def truncate_words(text: str, max_chars: int) -> str:
    """`text` cut to at most `max_chars`, at a word boundary when one is near, marked with "…"."""
    if len(text) <= max_chars:
        return text
    if max_chars <= 1:
        return text[:max_chars]
    head = text[: max_chars - 1]
    boundary = max(head.rfind(" "), head.rfind("\n"))
    if boundary >= max_chars // 2:
        head = head[:boundary]
    return head.rstrip() + "…"


def clean_url(value: str | None) -> str | None:
    """The link itself when it is an absolute http(s) URL of sane length, else None."""
    if not value:
        return None
    url = re.sub(r"[\t\n\r]", "", value).strip()
    if not url or len(url) > URL_LIMIT or _UNWANTED.search(url):
        return None
    url = url.replace(" ", "%20")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def remove_unwanted_characters(text: str) -> str:
    """`text` without control characters (but \t and \n), lone surrogates and bidi overrides."""
    return _UNWANTED.sub("", text)


def _tidy(text: str) -> str:
    text = remove_unwanted_characters(_LINE_BREAKS.sub("\n", text))
    text = _SPACES_AROUND_NEWLINE.sub("\n", _SPACES.sub(" ", text))
    return _MANY_NEWLINES.sub(_PARAGRAPH, text).strip()


def _html_to_text(markup: str) -> str:
    parts: list[str] = []
    position = 0
    while True:
        match = _MARKUP.search(markup, position)
        if match is None:
            parts.append(_decoded(markup[position:]))
            break
        parts.append(_decoded(markup[position : match.start()]))
        markup_kind = match.group()
        if markup_kind == "<!--":
            position = _after(markup, "-->", match.end())
        elif markup_kind == "<![CDATA[":
            end = markup.find("]]>", match.end())
            end = len(markup) if end < 0 else end
            parts.append(_ANY_WHITESPACE.sub(" ", markup[match.end() : end]))
            position = end + 3
        elif match.group(2) is None:  # <!declaration> or <?instruction?>
            position = match.end()
        else:
            name = match.group(2).lower()
            position = match.end()
            if name in _BLOCK_TAGS:
                parts.append(_PARAGRAPH)
            elif name in _HIDDEN_END and not match.group(1) and not markup_kind.endswith("/>"):
                closing = _HIDDEN_END[name].search(markup, position)
                position = len(markup) if closing is None else closing.end()
    return "".join(parts)


def _decoded(chunk: str) -> str:
    # In HTML every run of white space is one space; only block elements break lines.
    return _ANY_WHITESPACE.sub(" ", html.unescape(chunk)) if chunk else ""


def _after(markup: str, marker: str, start: int) -> int:
    end = markup.find(marker, start)
    return len(markup) if end < 0 else end + len(marker)
