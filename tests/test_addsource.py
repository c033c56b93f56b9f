"""/addsource checks the URL at once, through the console chat, against loopback servers.

The runtime is wired as `briefbot chat` wires it, with `[ingest] allow_networks` letting the
guard reach 127.0.0.1: the feed is fetched with ingest's guard and caps, read in the sandbox,
found behind a web page when it is one, and refused with its reason when it can't be read.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from bot.adapters.console import ConsoleChat
from bot.app import Runtime
from bot.config import Config, DatabaseConfig, IngestConfig
from bot.domain import Source
from bot.ingest import discover
from bot.storage import sources as source_store

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Maghreb Wire</title><link>https://wire.example.org/</link>
<item><title>Tunisia extends the state of emergency</title>
<link>https://wire.example.org/1</link><description>For another month.</description></item>
<item><title>Algeria and Tunisia open a border post</title>
<link>https://wire.example.org/2</link><description>At Sakiet.</description></item>
<item><title>Libya's parliament meets in Benghazi</title>
<link>https://wire.example.org/3</link><description>A session on the budget.</description></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Sahel Watch</title><id>urn:sahel</id>
<updated>2025-12-13T08:00:00Z</updated>
<entry><title>Mali junta extends transition</title><id>urn:sahel:1</id>
<link href="https://sahel.example.org/1"/><updated>2025-12-13T08:00:00Z</updated>
<summary>By five years.</summary></entry></feed>"""


def page(head: str, body: str = "<p>News from the region.</p>") -> bytes:
    html = f"<!doctype html><html><head><title>Wire</title>{head}</head><body>{body}</body></html>"
    return html.encode()


@pytest.fixture
async def runtime(sqlite_url: str) -> AsyncIterator[Runtime]:
    config = Config(
        database=DatabaseConfig(url=sqlite_url),
        ingest=IngestConfig(allow_networks=("127.0.0.1/32",), max_bytes=200_000),
    )
    opened = await Runtime.open(config)
    yield opened
    await opened.close()


@pytest.fixture
def console(runtime: Runtime) -> ConsoleChat:
    return ConsoleChat(runtime.context(), chat="desk")


async def stored(runtime: Runtime) -> list[Source]:
    async with runtime.sessions() as session:
        return await source_store.list_sources(session)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_feed_is_named_after_its_title_with_its_item_count(
    console: ConsoleChat, runtime: Runtime, server: HTTPServer
) -> None:
    server.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
    url = server.url_for("/rss")
    text = await console.say(f"/addsource {url} tunisia")
    assert text.splitlines()[0] == "Added S1: Maghreb Wire — 3 items."
    assert "topics hint: Tunisia" in text
    [source] = await stored(runtime)
    assert (source.url, source.name, source.origin, source.topics) == (
        url,
        "Maghreb Wire",
        "chat",
        ("tunisia",),
    )
    assert "S1  on  Maghreb Wire — 127.0.0.1" in await console.say("/sources")


async def test_a_web_page_leads_to_the_feed_it_links_to(
    console: ConsoleChat, runtime: Runtime, server: HTTPServer
) -> None:
    head = (
        '<link rel="stylesheet" href="/site.css">'
        '<link rel="alternate" type="application/rss+xml" title="Wire" href="/feeds/main.xml">'
    )
    server.expect_request("/").respond_with_data(page(head), content_type="text/html")
    server.expect_request("/feeds/main.xml").respond_with_data(
        RSS, content_type="application/rss+xml"
    )
    text = await console.say(f"/addsource {server.url_for('/')}")
    assert text.splitlines()[0] == "Added S1: Maghreb Wire — 3 items."
    assert f"found through the page {server.url_for('/')}" in text
    [source] = await stored(runtime)
    assert source.url == server.url_for("/feeds/main.xml")


async def test_discovery_follows_the_base_and_skips_a_broken_first_link(
    console: ConsoleChat, runtime: Runtime, server: HTTPServer
) -> None:
    head = (
        '<base href="/news/">'
        '<link rel="alternate" type="application/rss+xml" href="gone.xml">'
        "<link rel=alternate type='application/atom+xml' href=atom.xml>"
    )
    server.expect_request("/news/index.html").respond_with_data(
        page(head), content_type="text/html; charset=utf-8"
    )
    server.expect_request("/news/gone.xml").respond_with_data("gone", status=404)
    server.expect_request("/news/atom.xml").respond_with_data(
        ATOM, content_type="application/atom+xml"
    )
    text = await console.say(f"/addsource {server.url_for('/news/index.html')}")
    assert text.splitlines()[0] == "Added S1: Sahel Watch — 1 item."
    assert [s.url for s in await stored(runtime)] == [server.url_for("/news/atom.xml")]


async def test_a_page_whose_feed_is_listed_names_the_existing_source(
    console: ConsoleChat, runtime: Runtime, server: HTTPServer
) -> None:
    head = '<link rel="alternate" type="application/rss+xml" href="/rss">'
    server.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
    server.expect_request("/").respond_with_data(page(head), content_type="text/html")
    assert "Added S1" in await console.say(f"/addsource {server.url_for('/rss')}")
    text = await console.say(f"/addsource {server.url_for('/')}")
    assert "That feed is already there as S1 (Maghreb Wire — 127.0.0.1)." in text
    assert len(await stored(runtime)) == 1


@pytest.mark.parametrize(
    ("path", "respond", "expected"),
    [
        ("/missing", {"response_data": "no", "status": 404}, "answered HTTP 404 NOT FOUND."),
        (
            "/broken",
            {"response_data": "oops", "status": 500},
            "answered HTTP 500 INTERNAL SERVER ERROR.",
        ),
        (
            "/notes.txt",
            {"response_data": "just some text", "content_type": "text/plain"},
            "is not a feed (no RSS or Atom elements found).",
        ),
        (
            "/data.json",
            {"response_data": '{"a": 1}', "content_type": "application/json"},
            "is not a feed (not a JSON Feed: JSON without an items list).",
        ),
        (
            "/plain.html",
            {"response_data": page(""), "content_type": "text/html"},
            "is a web page that links to no feed.",
        ),
        (
            "/huge.xml",
            {"response_data": b"<rss>" + b" " * 300_000, "content_type": "application/rss+xml"},
            "could not be fetched (response larger than 200,000 bytes).",
        ),
    ],
)
async def test_what_is_not_a_readable_feed_is_refused_in_one_line(
    console: ConsoleChat,
    runtime: Runtime,
    server: HTTPServer,
    path: str,
    respond: dict[str, object],
    expected: str,
) -> None:
    server.expect_request(path).respond_with_data(**respond)  # type: ignore[arg-type]
    text = await console.say(f"/addsource {server.url_for(path)}")
    assert text == f"Not added: {server.url_for(path)} {expected}"
    assert await stored(runtime) == []


async def test_a_page_whose_feed_link_is_dead_says_which_link(
    console: ConsoleChat, runtime: Runtime, server: HTTPServer
) -> None:
    head = '<link rel="alternate" type="application/feed+json" href="/feed.json">'
    server.expect_request("/").respond_with_data(page(head), content_type="text/html")
    server.expect_request("/feed.json").respond_with_data("gone", status=404)
    text = await console.say(f"/addsource {server.url_for('/')}")
    assert text == (
        f"Not added: {server.url_for('/')} links to the feed {server.url_for('/feed.json')}, "
        "which answered HTTP 404 NOT FOUND."
    )
    assert await stored(runtime) == []


async def test_a_dead_host_is_refused(console: ConsoleChat, runtime: Runtime) -> None:
    url = f"http://127.0.0.1:{closed_port()}/feed"
    text = await console.say(f"/addsource {url}")
    assert text == f"Not added: {url} could not be fetched (could not connect)."
    assert await stored(runtime) == []


async def test_blocked_addresses_are_refused_before_and_after_a_redirect(
    console: ConsoleChat, runtime: Runtime, server: HTTPServer
) -> None:
    text = await console.say("/addsource http://10.0.0.8/rss")
    assert text.splitlines()[0] == (
        "Refused: 10.0.0.8 is a private address; briefbot only fetches feeds on public addresses."
    )
    server.expect_request("/moved").respond_with_response(
        Response(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"})
    )
    text = await console.say(f"/addsource {server.url_for('/moved')}")
    assert text == (
        f"Not added: {server.url_for('/moved')} could not be fetched "
        "(refused 169.254.169.254: link-local address)."
    )
    assert await stored(runtime) == []


async def test_pages_and_feeds_are_read_in_the_sandbox_never_here(
    console: ConsoleChat,
    server: HTTPServer,
    handed_to_feedparser: list[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_here(*_: object) -> list[str]:
        raise AssertionError("a fetched page was parsed in the bot's own process")

    monkeypatch.setattr(discover, "feed_links", not_here)
    head = '<link rel="alternate" type="application/rss+xml" href="/rss">'
    server.expect_request("/").respond_with_data(page(head), content_type="text/html")
    server.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
    assert "Added S1: Maghreb Wire — 3 items." in await console.say(
        f"/addsource {server.url_for('/')}"
    )
    assert handed_to_feedparser == []
