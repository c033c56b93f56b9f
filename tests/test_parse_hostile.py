"""Hostile and badly encoded feeds: entities, local files, markup, links, sizes, bytes."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest

from bot.ingest.clean import OUTLET_LIMIT, SUMMARY_LIMIT, TITLE_LIMIT
from bot.ingest.xmlfeed import read_xml_feed
from tests.test_parse import DECLARATION, SOURCE, item, read, rss

# --- encodings and bad characters ----------------------------------------------------------

FRENCH_TITLE = "Les élus de Sète à l'œuvre : « Été » 5 €"


@pytest.mark.parametrize("encoding", ["iso-8859-15", "windows-1252"])
def test_declared_single_byte_encodings(encoding: str) -> None:
    head = f'<?xml version="1.0" encoding="{encoding}"?>'
    body = rss(item(FRENCH_TITLE), title="Midi Côte", head=head).decode().encode(encoding)
    feed = read(body)
    assert feed.title == "Midi Côte"
    assert [a.title for a in feed.articles] == [FRENCH_TITLE]
    assert feed.problems == ()


def test_iso_8859_1_with_charset_from_the_http_header() -> None:
    title = "Grève évitée au port de Sète"
    body = rss(item(title), head='<?xml version="1.0"?>').decode().encode("iso-8859-1")
    feed = read(body, content_type="application/rss+xml; charset=ISO-8859-1")
    assert [a.title for a in feed.articles] == [title]


def test_wrong_declared_encoding_still_reads_the_entries() -> None:
    title = "Grève évitée au port de Sète"
    body = rss(item(title) + item("Deuxième article")).decode().encode("cp1252")
    feed = read(body)
    assert [a.title for a in feed.articles] == [title, "Deuxième article"]
    assert any("declared as utf-8" in note for note in feed.problems)


def test_a_few_invalid_bytes_in_utf8_do_not_spoil_the_rest() -> None:
    body = rss(item("Grève évitée") + item("Pêche \xff\xfe interdite")).decode("latin-1")
    feed = read(body.encode("latin-1").replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"))
    assert [a.title for a in feed.articles] == ["Grève évitée", "Pêche \ufffd\ufffd interdite"]
    assert "invalid UTF-8 bytes were replaced" in feed.problems


def test_utf16_feed() -> None:
    body = rss(item(FRENCH_TITLE), head='<?xml version="1.0" encoding="utf-16"?>')
    feed = read(body.decode().encode("utf-16"))
    assert [a.title for a in feed.articles] == [FRENCH_TITLE]


def test_forbidden_character_references_are_dropped() -> None:
    feed = read(
        rss(
            item("Lone &#xD800;surrogate", extra="<description>a&#0;b&#x1F;c</description>")
            + item("Second &#55296;story &#x110000;")
            + item("Fine &#xE9;t&#233;")
        )
    )
    assert [a.title for a in feed.articles] == ["Lone surrogate", "Second story", "Fine été"]
    assert feed.articles[0].summary == "abc"


def test_nul_and_control_bytes() -> None:
    feed = read(rss(item("Night\x00 ferry\x07 delayed", extra="<description>x\x00y</description>")))
    [article] = feed.articles
    assert (article.title, article.summary) == ("Night ferry delayed", "xy")


# --- hostile content -----------------------------------------------------------------------


def test_markup_in_titles_becomes_text() -> None:
    feed = read(
        rss(
            item("&lt;b&gt;Breaking&lt;/b&gt; &amp;amp; more")
            + item("&lt;script&gt;alert(1)&lt;/script&gt;Hello")
            + item("<![CDATA[<style>h1{}</style>Tides <i>rise</i>]]>")
        )
    )
    assert [a.title for a in feed.articles] == ["Breaking & more", "Hello", "Tides rise"]


def test_only_http_links_are_kept() -> None:
    feed = read(
        rss(
            item("Script link", extra="<link>javascript:alert(document.cookie)</link>")
            + item("Data link", extra="<link>data:text/html;base64,PGI+eDwvYj4=</link>")
            + item("File link", extra="<link>file:///etc/hostname</link>")
            + item("Relative link", extra="<link>/2025/12/relative</link>")
        )
    )
    links = {a.title: a.url for a in feed.articles}
    assert links == {
        "Script link": None,
        "Data link": None,
        "File link": None,
        "Relative link": "https://coastal-dispatch.example.org/2025/12/relative",
    }
    assert feed.articles[0].identity.startswith("hash:")


def test_huge_fields_are_bounded() -> None:
    huge_title = "storm " * 400_000
    huge_summary = "the quay flooded " * 50_000
    feed = read(
        rss(item(huge_title, extra=f"<description>{huge_summary}</description>"), title="N" * 500)
    )
    [article] = feed.articles
    assert len(article.title) <= TITLE_LIMIT
    assert article.title.endswith("storm…")
    assert len(article.summary) <= SUMMARY_LIMIT
    assert article.outlet is not None and len(article.outlet) <= OUTLET_LIMIT


def test_external_entities_never_read_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("KEEP-OUT-7f3a9c", encoding="utf-8")
    uri = secret.as_uri()
    bodies = [
        f'{DECLARATION}<!DOCTYPE rss [<!ENTITY leak SYSTEM "{uri}">]>',
        f'{DECLARATION}\n<!DOCTYPE rss [\n<!ENTITY leak SYSTEM "{uri}">\n]>',
        f'{DECLARATION}\n<!DOCTYPE rss [ <!ENTITY % remote SYSTEM "{uri}"> %remote; ]>',
        f'{DECLARATION}\n<!DOCTYPE rss SYSTEM "{uri}">',
    ]
    for head in bodies:
        body = rss(item("Quay &leak; news", extra="<description>&leak;</description>"), head=head)
        feed = read(body)
        assert "KEEP-OUT" not in repr(feed)
        assert [a.title for a in feed.articles] == ["Quay &leak; news"]


def test_a_document_that_names_a_local_file_is_not_opened(tmp_path: Path) -> None:
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss(item("KEEP-OUT story")))
    feed = read(str(secret).encode())
    assert feed.articles == ()
    assert "KEEP-OUT" not in repr(feed)


def test_billion_laughs_is_not_expanded() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    body = rss(item("Laughs &lol9;"), head=f"{DECLARATION}<!DOCTYPE rss [{entities}]>")
    tracemalloc.start()
    try:
        feed = read(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [a.title for a in feed.articles] == ["Laughs &lol9;"]
    assert peak < 10_000_000  # expanded by the XML parser, this document needs about 60 MB
    assert any("removed a DOCTYPE" in note for note in feed.problems)


@pytest.mark.parametrize(
    ("encoding", "title"),
    [
        ("euc-kr", "부산 항구 파업 종료"),
        ("gb18030", "港口工人结束罢工"),
        ("shift_jis", "港湾ストライキ終了"),
        ("windows-1256", "انتهاء إضراب عمال الميناء"),
    ],
)
def test_declared_multibyte_and_arabic_encodings(encoding: str, title: str) -> None:
    head = f'<?xml version="1.0" encoding="{encoding}"?>'
    feed = read(rss(item(title), head=head).decode().encode(encoding))
    assert [a.title for a in feed.articles] == [title]
    assert feed.problems == ()


# --- declarations anywhere in the document -------------------------------------------------

MARKER = "EXPANDED"
ENTITY_VALUE = MARKER * 125  # 1,000 characters
REFERENCES = "&a;" * 500  # half a megabyte of text if the entity were expanded
SUBSET = f'<!DOCTYPE rss [\n<!ENTITY a "{ENTITY_VALUE}">\n]>'
CHANNEL = (
    '<rss version="2.0"><channel><title>Coastal Dispatch</title>'
    "<item><title>Tide &a; report</title><description>{references}</description>{inner}</item>"
    "</channel></rss>"
)


def channel(*, inner: str = "", references: str = REFERENCES) -> str:
    return CHANNEL.format(inner=inner, references=references)


HOSTILE_DECLARATIONS = {
    "after junk": f"JUNK\n{SUBSET}\n{channel()}",
    "after a first doctype and junk": f"<!DOCTYPE rss>\nJUNK\n{SUBSET}\n{channel()}",
    "after a comment and an instruction": f"{DECLARATION}<!-- x --><?pi x?>\n{SUBSET}{channel()}",
    "mixed case, split over lines": (
        f'JUNK\n<!doctype\nrss\n[\n<!EnTiTy\na\n"{ENTITY_VALUE}"\n>\n]\n>\n{channel()}'
    ),
    "entity without doctype": f'JUNK\n<!ENTITY a "{ENTITY_VALUE}">\n{channel()}',
    "after the root element": channel().replace("<channel>", f"\n{SUBSET}\n<channel>"),
    "inside an item": channel(inner=SUBSET),
    "inside cdata": channel(inner=f"<category><![CDATA[{SUBSET}]]></category>"),
    "in utf-16": f"{SUBSET}\n{channel()}",
}


def hostile(name: str) -> bytes:
    body = HOSTILE_DECLARATIONS[name]
    return body.encode("utf-16") if name == "in utf-16" else body.encode()


@pytest.mark.parametrize("name", HOSTILE_DECLARATIONS)
def test_entities_declared_anywhere_are_never_expanded(name: str) -> None:
    raw = read_xml_feed(hostile(name), SOURCE, None)
    [entry] = raw.entries
    assert MARKER not in entry.title + entry.summary
    assert len(entry.summary) < 2 * len(REFERENCES)
    feed = read(hostile(name))
    assert MARKER not in repr(feed)
    assert [a.title for a in feed.articles] == ["Tide &a; report"]


@pytest.mark.parametrize("name", HOSTILE_DECLARATIONS)
def test_feedparser_never_sees_a_declaration(name: str, handed_to_feedparser: list[bytes]) -> None:
    read(hostile(name))
    [document] = handed_to_feedparser
    assert re.search(rb"<!\s*(doctype|entity)", document, re.IGNORECASE) is None
    assert any("entities are never expanded" in note for note in read(hostile(name)).problems)


def test_removed_declarations_keep_line_numbers() -> None:
    body = channel(references="").replace(
        "<item>", f"\n{SUBSET}\n<item>\n<title>Second</oops></item><item>", 1
    )
    feed = read(body.encode())
    assert any(note.startswith("malformed XML at line 6,") for note in feed.problems)


def test_declaration_text_cannot_join_into_a_new_declaration(
    handed_to_feedparser: list[bytes],
) -> None:
    body = f'<!<!ENTITY x "y">DOCTYPE rss [<!<!doctype z>ENTITY a "{ENTITY_VALUE}">]>{channel()}'
    feed = read(body.encode())
    assert MARKER not in repr(feed)
    assert re.search(rb"<!(doctype|entity)", handed_to_feedparser[0], re.IGNORECASE) is None
