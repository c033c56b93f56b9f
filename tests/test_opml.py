"""OPML: reading what feed readers export (carefully: the files come from people), writing what
they import, and the admin's `/sources opml` in the console chat."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.adapters.console import ConsoleChat
from bot.analysis.topics import load_topics
from bot.app import Runtime
from bot.config import Config, DatabaseConfig
from bot.domain import Source
from bot.ingest import opml
from bot.ingest.opml import OpmlError, OpmlFeed, read_opml, topic_hints, write_opml
from bot.storage import sources as source_store

NOW = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)
READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Maghreb" title="Maghreb">
      <outline text="Tunisie">
        <outline type="rss" text="Maghreb Wire" title="Maghreb Wire"
                 xmlUrl="https://wire.example.org/rss" htmlUrl="https://wire.example.org/"/>
        <outline type="rss" text="La Presse" xmlUrl=" https://lapresse.example.tn/feed "/>
      </outline>
      <outline type="rss" text="Libya Observer" category="/Libya,/Security/Sahel"
               xmlurl="https://libya.example.ly/atom"/>
    </outline>
    <outline text="Loose &amp; unfiled" xmlUrl="https://loose.example.com/index.xml"/>
    <outline text="A site without a feed" htmlUrl="https://site.example.com/"/>
  </body>
</opml>"""


def test_nested_outlines_give_feeds_with_their_folders() -> None:
    assert read_opml(READER_EXPORT) == [
        OpmlFeed(
            "https://wire.example.org/rss",
            "Maghreb Wire",
            "https://wire.example.org/",
            ("Maghreb", "Tunisie"),
        ),
        OpmlFeed("https://lapresse.example.tn/feed", "La Presse", None, ("Maghreb", "Tunisie")),
        OpmlFeed(
            "https://libya.example.ly/atom",
            "Libya Observer",
            None,
            ("Maghreb", "Libya", "Security", "Sahel"),
        ),
        OpmlFeed("https://loose.example.com/index.xml", "Loose & unfiled", None, ()),
        OpmlFeed(None, "A site without a feed", "https://site.example.com/", ()),
    ]


def test_folder_and_category_names_become_topic_hints() -> None:
    topics = load_topics()
    assert topic_hints(("Maghreb", "Tunisie", "tunisia"), topics) == ("tunisia",)
    assert topic_hints(("Maghreb", "Libya", "Security", "Sahel"), topics) == ("libya", "sahel")
    assert topic_hints(("North Africa security", "news"), topics) == ("north-africa-security",)


def _source(
    source_id: int,
    url: str,
    name: str | None = None,
    topics: tuple[str, ...] = (),
    enabled: bool = True,
) -> Source:
    return Source(id=source_id, url=url, name=name, topics=topics, enabled=enabled)


def test_writing_then_reading_gives_the_same_sources() -> None:
    sources = [
        _source(1, "https://wire.example.org/rss", name="Maghreb Wire", topics=("tunisia",)),
        _source(2, "https://libya.example.ly/atom?lang=en&x=1", topics=("libya", "sahel")),
        _source(3, "https://odd.example.org/feed", name='Quotes " & <tags>\x01 and tabs\there'),
    ]
    data = write_opml(sources, NOW)
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<opml version=\"2.0\">")
    assert b"<dateCreated>Sat, 13 Dec 2025 09:30:00 +0000</dateCreated>" in data
    feeds = read_opml(data)
    assert [(f.url, f.name, topic_hints(f.categories, load_topics())) for f in feeds] == [
        ("https://wire.example.org/rss", "Maghreb Wire", ("tunisia",)),
        ("https://libya.example.ly/atom?lang=en&x=1", None, ("libya", "sahel")),
        ("https://odd.example.org/feed", 'Quotes " & <tags> and tabs here', ()),
    ]


def test_only_sources_that_are_on_and_on_the_web_travel() -> None:
    on = _source(1, "https://wire.example.org/rss")
    off = _source(2, "https://gone.example.org/rss", enabled=False)
    local = _source(3, "file:///srv/feeds/sample.xml")
    assert opml.exportable([on, off, local]) == ([on], [off, local])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"<opml><body><outline", "not well-formed XML"),
        (b"<rss version='2.0'><channel/></rss>", "the document is <rss>, not <opml>"),
        (b"<opml version='2.0'><head/></opml>", "the document has no <body>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<opml><body><outline text="&lol2;" xmlUrl="https://x.example/"/></body></opml>',
            "DOCTYPE",
        ),
        (
            b'<!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml><body/></opml>',
            "DOCTYPE",
        ),
        (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e SYSTEM '
            '"file:///etc/passwd">]><opml><body><outline text="&e;"/></body></opml>'.encode(
                "utf-16"
            ),
            "DOCTYPE",
        ),
        (
            b"<opml><body>" + b"<outline>" * 100 + b"</outline>" * 100 + b"</body></opml>",
            "nested more than 64 deep",
        ),
        (b"<opml><body>" + b"<outline/>" * 50_001 + b"</body></opml>", "more than 50,000"),
        (b"<opml>" + b" " * opml.MAX_OPML_BYTES + b"</opml>", "larger than 5 MiB"),
    ],
)
def test_unsafe_or_broken_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(OpmlError) as refused:
        read_opml(data)
    assert reason in str(refused.value) and "\n" not in str(refused.value)


@pytest.fixture
async def console(sqlite_url: str) -> AsyncIterator[tuple[ConsoleChat, Runtime]]:
    runtime = await Runtime.open(Config(database=DatabaseConfig(url=sqlite_url)))
    runtime.clock = lambda: NOW
    yield ConsoleChat(runtime.context(), chat="desk"), runtime
    await runtime.close()


async def test_sources_opml_sends_the_sources_as_a_file(
    console: tuple[ConsoleChat, Runtime],
) -> None:
    chat, runtime = console
    async with runtime.sessions() as session, session.begin():
        await source_store.ensure_source(
            session, "https://wire.example.org/rss", NOW, name="Maghreb Wire", topics=("tunisia",)
        )
        gone = await source_store.ensure_source(session, "https://gone.example.org/rss", NOW)
        await source_store.disable_source(session, gone.id)
        await source_store.ensure_source(session, "file:///srv/feeds/sample.xml", NOW)
    reply = await chat.reply("/sources opml")
    assert reply is not None
    assert reply.parts[0].text == (  # type: ignore[union-attr]
        "Sources as OPML: 1 feed, in the file briefbot-sources.opml."
    )
    text = await chat.say("/sources OPML")
    assert "Left out: 2 sources off or read from a local file." in text
    [attached] = reply.files
    assert (attached.name, attached.media_type) == ("briefbot-sources.opml", "text/x-opml")
    [feed] = read_opml(attached.data)
    assert (feed.url, feed.name, feed.categories) == (
        "https://wire.example.org/rss",
        "Maghreb Wire",
        ("tunisia",),
    )
    assert ET.fromstring(attached.data).get("version") == "2.0"


async def test_sources_opml_is_for_admins_and_pages_still_work(
    console: tuple[ConsoleChat, Runtime],
) -> None:
    chat, _ = console
    assert "There are no sources yet." in await chat.say("/sources")
    reply = await chat.reply("/sources opml")
    assert reply is not None and reply.files
    assert read_opml(reply.files[0].data) == []
    assert "“opm” is not a page number." in await chat.say("/sources opm")
