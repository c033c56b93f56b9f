"""Hostile and badly encoded feeds: entities, local files, markup, links, sizes, bytes."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from bot.ingest.clean import OUTLET_LIMIT, SUMMARY_LIMIT, TITLE_LIMIT
from tests.test_parse import DECLARATION, item, read, rss

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
