"""RSS and Atom through feedparser, after the document is made safe to hand to it.

Every feed is hostile until read. Before feedparser sees a document it is:
- converted to UTF-8 once (feedparser's own detection: BOM, declaration, HTTP charset), so
  the checks below hold whatever the original encoding (UTF-16, EBCDIC, UTF-7...). An HTTP
  charset Python cannot decode with is ignored, a document in ASCII bytes that declares
  UTF-16 or UTF-32 is read as UTF-8, and a codec that fails in an unexpected way (such as
  "undefined") leaves the document read as UTF-8 with replacements;
- stripped of every DOCTYPE and ENTITY declaration, in any case and wherever it is: in the
  prolog, after junk, after the root element, inside an item or a CDATA section. Feeds need
  no DTD. feedparser's XML parser expands the entities of a DOCTYPE, and when that parser
  fails, its loose fallback expands those its own prolog scan found; with no declaration
  left, no external entity can name a local file and no entity can multiply text.
  Removed lines become blank lines, so error line numbers still hold;
- stripped of control bytes and of character references to characters XML forbids
  (`&#0;`, lone surrogates such as `&#xD800;`, which make feedparser raise);
- cut after its first `max_items` entries (<item> or <entry>, any case or namespace prefix,
  not counting text in CDATA sections), from the next entry to the end of the last one, so
  a well-formed document stays well-formed and feedparser never builds entries to drop;
- refused when one element carries more than MAX_ATTRIBUTES attributes (see there): such a
  document is broken or hostile, and dropping attributes would need a parser of our own;
- handed over as a stream: given bytes, feedparser first tries to open them as a file name.
Every step is a linear scan: regular expressions are possessive where they could backtrack.
feedparser's HTML sanitiser is off: no markup survives `clean_text`, which drops script-like
elements itself, and the sanitiser took seconds on a page of "<a<a<a..." tag soup.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from calendar import timegm
from collections import deque
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from itertools import islice
from typing import Any
from xml.sax import SAXParseException

import feedparser
from feedparser.encodings import convert_to_utf8

from bot.ingest.entry import RawEntry, RawFeed

logger = logging.getLogger(__name__)

# feedparser's XML parser finds each attribute by a scan of the element's others, so n
# attributes cost n² steps: 40,000 on one tag took 13 s. Up to a few hundred they cost less
# than the rest of the parse; real feeds use a handful, a root element a dozen namespaces.
MAX_ATTRIBUTES = 100

_UTF8_DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>"
_XML_DECLARATION = re.compile(rb"^<\?xml[^>]*>")
_DECLARED_ENCODING = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]{1,40})"
)
_CHARSET = re.compile(r";\s*charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", re.IGNORECASE)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARATION_TOKEN = re.compile(rb"[\"'\[\]>]|<!--|<\?")
_HTML_PAGE = re.compile(rb"<html[\s>]", re.IGNORECASE)
# Possessive quantifiers, and no "<" inside a match: each search is linear in the document.
_NAME_PREFIX = rb"(?:[^\s<>/!?:\"']++:)?"
_ENTRY_START = re.compile(rb"<!\[CDATA\[|<" + _NAME_PREFIX + rb"(?i:item|entry)(?=[\s/>])")
_ENTRY_END = re.compile(rb"</" + _NAME_PREFIX + rb"(?i:item|entry)\s*+>")
_ATTRIBUTE = rb"""(?>\s++[^\s<>=/"']++\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+'))"""
_CROWDED_TAG = re.compile(rb"<[^\s<>/!?\"']++%s{%d}" % (_ATTRIBUTE, MAX_ATTRIBUTES + 1))


def read_xml_feed(
    body: bytes, source_url: str, content_type: str | None, max_items: int = 500
) -> RawFeed:
    problems: list[str] = []
    data, declarations = _prepared(body, content_type, max(max_items, 0), problems)
    crowded = _crowded_element(data)
    if crowded is not None:
        refusal = f"more than {MAX_ATTRIBUTES} attributes on one element at line {crowded}: refused"
        return RawFeed(format="", problems=(*problems, refusal))
    headers = {"content-type": "application/xml; charset=utf-8"}
    if source_url:
        headers["content-location"] = source_url  # the base for relative links
    try:
        result = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            sanitize_html=False,  # clean_text keeps no markup; the sanitiser is slow on tag soup
            resolve_relative_uris=False,  # links inside bodies are dropped with the markup
        )
        entries = tuple(_entry(item) for item in result.get("entries", ()))
    except Exception as error:  # feedparser raises on some inputs instead of flagging them
        logger.warning("feedparser failed on %s", source_url, exc_info=True)
        problems.append(f"the feed parser failed ({type(error).__name__}): no entries read")
        return RawFeed(format="", problems=tuple(problems))
    version = result.get("version") or ""
    if not version and not entries:
        page = _HTML_PAGE.search(data[:8192])
        reason = "the document is an HTML page" if page else "no RSS or Atom elements found"
        return RawFeed(format="", problems=(*problems, f"not a feed: {reason}"))
    if result.get("bozo"):
        problems.append(_malformation(result.get("bozo_exception"), len(entries)))
    if version == "rss091u" and any(b"netscape" in found.lower() for found in declarations):
        version = "rss091n"
    feed = result.get("feed", {})
    return RawFeed(
        format=version,
        title=_text(feed.get("title")),
        link=_text(feed.get("link")) or None,
        entries=entries,
        problems=tuple(problems),
    )


def _prepared(
    body: bytes, content_type: str | None, max_items: int, problems: list[str]
) -> tuple[bytes, tuple[bytes, ...]]:
    """The document as feedparser may see it, and the declarations removed from it."""
    data = _as_utf8(body, content_type, problems)
    data = _CHARACTER_REFERENCE.sub(_allowed_reference, _CONTROL_BYTES.sub(b"", data))
    data, declarations = _without_declarations(data)
    if any(b"[" in found or found[2:].upper().startswith(b"ENTITY") for found in declarations):
        problems.append("removed a DOCTYPE with declarations: entities are never expanded")
    data, cut = _first_entries(data, max_items)
    if cut:
        problems.append(f"more than {max_items} entries: kept the first {max_items}")
    return data, declarations


def _as_utf8(body: bytes, content_type: str | None, problems: list[str]) -> bytes:
    charset = _http_charset(content_type, problems) or _misdeclared_wide(body, problems)
    headers = {"content-type": f"application/xml; charset={charset}"} if charset else {}
    repaired = _mostly_utf8(body) if _claims_utf8(body, charset) else None
    if repaired is not None:
        problems.append("invalid UTF-8 bytes were replaced")
        body, headers = repaired, {"content-type": "application/xml; charset=utf-8"}
    declared = _declares_xml(body)
    data = _converted(headers, body, declared, problems)
    data = _XML_DECLARATION.sub(b"", data, count=1)
    # feedparser adds its declaration on a line of its own when the document had none.
    return _UTF8_DECLARATION + (data if declared else data.removeprefix(b"\n"))


def _converted(headers: dict[str, str], body: bytes, declared: bool, problems: list[str]) -> bytes:
    outcome: dict[str, Any] = {}
    try:
        data = convert_to_utf8(headers, body, outcome)
    except Exception as error:  # a codec raising more than UnicodeDecodeError ("undefined")
        problems.append(f"unusable character encoding ({str(error)[:200]}): read as UTF-8")
        text = body.decode("utf-8-sig", "replace").encode()
        return text if declared else b"\n" + text
    if not outcome.get("encoding"):
        problems.append("unknown character encoding: read as UTF-8 with replacements")
        data = data.decode("utf-8", "replace").encode()
    elif outcome.get("bozo_exception") is not None:
        problems.append(str(outcome["bozo_exception"]))
    return data


def _http_charset(content_type: str | None, problems: list[str]) -> str:
    """The charset of the content type when Python can decode a document with it, else ""."""
    found = _CHARSET.search(content_type or "")
    if found is None:
        return ""
    if _document_codec(found.group(1)) is not None:
        return found.group(1)
    problems.append(f"unknown charset {found.group(1)!r} in the content type: ignored")
    return ""


def _misdeclared_wide(body: bytes, problems: list[str]) -> str:
    """ "utf-8" when a document written in ASCII bytes declares UTF-16 or UTF-32, else ""."""
    found = _DECLARED_ENCODING.match(body)
    name = found.group(1).decode() if found else ""
    if not (_document_codec(name) or "").startswith(("utf-16", "utf-32")):
        return ""
    problems.append(f"document declared as {name}, but written in ASCII bytes: read as UTF-8")
    return "utf-8"


def _document_codec(name: str) -> str | None:
    """Python's name for the text encoding `name`; None for bytes-to-bytes and odd codecs."""
    try:
        codec = codecs.lookup(name).name
        b"".decode(codec)
    except (LookupError, UnicodeError, ValueError):
        return None
    return None if codec in ("punycode", "idna", "undefined") else codec


def _claims_utf8(body: bytes, charset: str) -> bool:
    """Whether the HTTP charset, else the XML declaration, says UTF-8 or says nothing."""
    if not charset and (declaration := _DECLARED_ENCODING.match(body)) is not None:
        charset = declaration.group(1).decode()
    return charset.lower() in ("", "utf-8", "utf8")


def _mostly_utf8(body: bytes) -> bytes | None:
    """UTF-8 with the few broken bytes replaced, when the document is UTF-8 but for them.

    Without this, one bad byte makes feedparser read a whole UTF-8 feed as windows-1252.
    """
    if body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in body[:4]:
        return None  # UTF-16 or UTF-32
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", "replace")
        replaced = text.count("\ufffd") - body.count("\ufffd".encode())
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))
        return text.encode() if non_ascii - replaced > replaced else None
    return None


def _declares_xml(body: bytes) -> bool:
    head = body[:64].lstrip(b"\xef\xbb\xbf\xfe\xff\x00").replace(b"\x00", b"")
    return head.startswith(b"<?xml")


def _allowed_reference(match: re.Match[bytes]) -> bytes:
    hexadecimal, decimal = match.groups()
    digits = (hexadecimal or decimal).lstrip(b"0") or b"0"
    if len(digits) > 8:
        return b""
    code = int(digits, 16 if hexadecimal else 10)
    allowed = (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )
    return match.group() if allowed else b""


def _without_declarations(data: bytes) -> tuple[bytes, tuple[bytes, ...]]:
    """The document without any DOCTYPE or ENTITY declaration, wherever it is; and those removed.

    Each removed declaration becomes its newlines (a space when it had none), so line numbers
    still hold and the text on both sides cannot join into a new "<!DOCTYPE".
    """
    kept: list[bytes] = []
    removed: list[bytes] = []
    position = 0
    while (found := _DECLARATION.search(data, position)) is not None:
        end = _declaration_end(data, found.end())
        kept.append(data[position : found.start()])
        removed.append(data[found.start() : end])
        kept.append(b"\n" * removed[-1].count(b"\n") or b" ")
        position = end
    if not removed:
        return data, ()
    kept.append(data[position:])
    return b"".join(kept), tuple(removed)


def _declaration_end(data: bytes, position: int) -> int:
    """Where the declaration read up to `position` ends: quotes, comments and subset skipped."""
    in_subset = False
    while (token := _DECLARATION_TOKEN.search(data, position)) is not None:
        kind = token.group()
        if kind in (b'"', b"'", b"<!--", b"<?"):
            closer = {b"<!--": b"-->", b"<?": b"?>"}.get(kind, kind)
            end = data.find(closer, token.end())
            position = len(data) if end < 0 else end + len(closer)
        elif kind in (b"[", b"]"):
            in_subset = kind == b"["
            position = token.end()
        elif in_subset:  # ">" closing a declaration inside the internal subset
            position = token.end()
        else:
            return token.end()
    return len(data)


def _first_entries(data: bytes, max_items: int) -> tuple[bytes, bool]:
    """The document without the entries after the first `max_items`, newlines kept; and
    whether any were removed. The cut runs to the end of the last entry, so a well-formed
    document stays well-formed; entries left unclosed after it are cut with the rest.
    """
    cut = next(islice(_entry_starts(data, 0), max_items, None), None)
    if cut is None:
        return data, False
    last_end = deque(_ENTRY_END.finditer(data, cut), maxlen=1)
    end = last_end[0].end() if last_end else cut
    if next(_entry_starts(data, end), None) is not None:
        end = len(data)
    removed = data[cut:end]
    return data[:cut] + b"\n" * removed.count(b"\n") + data[end:], True


def _entry_starts(data: bytes, position: int) -> Iterator[int]:
    """Where entries (any <item> or <entry>, any case or prefix) start; not inside CDATA."""
    cdata_can_close = True
    while (found := _ENTRY_START.search(data, position)) is not None:
        position = found.end()
        if found.group() != b"<![CDATA[":
            yield found.start()
        elif cdata_can_close:  # an unclosed section is not skipped: its items count too
            end = data.find(b"]]>", position)
            cdata_can_close = end >= 0
            position = end + 3 if cdata_can_close else position


def _crowded_element(data: bytes) -> int | None:
    """The line of the first element with more than MAX_ATTRIBUTES attributes, if any."""
    found = _CROWDED_TAG.search(data)
    return None if found is None else data.count(b"\n", 0, found.start()) + 1


def _malformation(error: object, kept: int) -> str:
    entries = "entry" if kept == 1 else "entries"
    if isinstance(error, SAXParseException):
        where = f"malformed XML at line {error.getLineNumber()}, {error.getMessage()}"
    else:
        where = f"malformed feed ({type(error).__name__})"
    return f"{where}: kept {kept} {entries}"


def _entry(item: Mapping[str, Any]) -> RawEntry:
    parts = item.get("content") or ()
    return RawEntry(
        guid=_text(item.get("id")) or None,
        link=_text(item.get("link")) or None,
        title=_text(item.get("title")),
        summary=_text(item.get("summary")),
        content=tuple(_text(part.get("value")) for part in parts if isinstance(part, Mapping)),
        published=_published(item),
    )


def _published(item: Mapping[str, Any]) -> datetime | None:
    """The first date feedparser understood, as an aware UTC datetime (it gives UTC tuples)."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # Plain dict lookup: FeedParserDict maps a missing updated_parsed to published_parsed
        # with a DeprecationWarning.
        moment = dict.get(item, key) if isinstance(item, dict) else item.get(key)
        if moment:
            try:
                return datetime.fromtimestamp(timegm(moment), UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                continue
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
