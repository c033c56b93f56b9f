"""The fetcher against a real loopback HTTP server: limits, conditional GET, redirects, guard."""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.ingest.fetch import (
    USER_AGENT,
    Fetcher,
    FetchError,
    FetchErrorKind,
    FetchLimits,
    parse_retry_after,
)
from bot.ingest.guard import parse_ip_literal

FEED = b'<rss version="2.0"><channel><title>Coastal watch, week two</title></channel></rss>'
LAST_MODIFIED = "Mon, 06 Jan 2025 08:30:00 GMT"


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown, so a handler that stalls or drips ends with its test."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher.create(FetchLimits()) as made:
        yield made


async def fetch_error(fetcher: Fetcher, url: str, **options: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url, **options)
    return caught.value


def requested_paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


async def test_plain_fetch_returns_body_and_validators(
    server: HTTPServer, fetcher: Fetcher
) -> None:
    server.expect_request("/feed.xml", headers={"User-Agent": USER_AGENT}).respond_with_data(
        FEED,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED},
    )
    result = await fetcher.fetch(server.url_for("/feed.xml"))
    assert (result.status, result.body, result.not_modified) == (200, FEED, False)
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)
    assert str(result.content_type).startswith("application/rss+xml")
    assert result.url == server.url_for("/feed.xml")
    assert result.elapsed_ms >= 0


async def test_etag_round_trip_gives_not_modified(server: HTTPServer, fetcher: Fetcher) -> None:
    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v7"':
            return Response(status=304)
        return Response(FEED, headers={"ETag": '"v7"', "Last-Modified": LAST_MODIFIED})

    server.expect_request("/feed.xml").respond_with_handler(conditional)
    first = await fetcher.fetch(server.url_for("/feed.xml"))
    second = await fetcher.fetch(server.url_for("/feed.xml"), first.etag, first.last_modified)
    assert first.body == FEED
    assert (second.status, second.body, second.not_modified) == (304, None, True)
    assert (second.etag, second.last_modified) == ('"v7"', LAST_MODIFIED)


async def test_if_modified_since_alone_gives_not_modified(
    server: HTTPServer, fetcher: Fetcher
) -> None:
    conditional = {"If-Modified-Since": LAST_MODIFIED}
    server.expect_request("/feed.xml", headers=conditional).respond_with_data("", status=304)
    result = await fetcher.fetch(server.url_for("/feed.xml"), last_modified=LAST_MODIFIED)
    assert (result.not_modified, result.etag, result.last_modified) == (True, None, LAST_MODIFIED)


async def test_dripping_body_hits_the_overall_deadline(
    server: HTTPServer, release: threading.Event
) -> None:
    def drip(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"<rss>"
            for _ in range(250):  # bounded, so a missing deadline fails the test instead of hanging
                if release.wait(0.02):
                    return
                yield b" "

        return Response(body(), content_type="application/rss+xml")

    server.expect_request("/slow.xml").respond_with_handler(drip)
    limits = FetchLimits(read_timeout=5.0, total_timeout=0.5)
    async with Fetcher.create(limits) as fetcher:
        error = await fetch_error(fetcher, server.url_for("/slow.xml"))
    assert error.kind is FetchErrorKind.TIMEOUT
    assert "overall deadline" in error.reason


async def test_server_going_quiet_hits_the_read_timeout(
    server: HTTPServer, release: threading.Event
) -> None:
    def stall(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"<rss>"
            release.wait(5)

        return Response(body())

    server.expect_request("/stall.xml").respond_with_handler(stall)
    async with Fetcher.create(FetchLimits(read_timeout=0.2, total_timeout=10.0)) as fetcher:
        error = await fetch_error(fetcher, server.url_for("/stall.xml"))
    assert error.kind is FetchErrorKind.TIMEOUT
    assert "read timeout" in error.reason


async def test_body_at_the_cap_passes_and_one_past_a_declared_length_fails(
    server: HTTPServer,
) -> None:
    server.expect_request("/exact").respond_with_data(b"x" * 1000)
    server.expect_request("/big").respond_with_data(b"x" * 1001)
    async with Fetcher.create(FetchLimits(max_bytes=1000)) as fetcher:
        assert (await fetcher.fetch(server.url_for("/exact"))).body == b"x" * 1000
        error = await fetch_error(fetcher, server.url_for("/big"))
    assert error.kind is FetchErrorKind.TOO_LARGE


async def test_streamed_oversize_body_without_length_is_stopped(server: HTTPServer) -> None:
    def endless(request: Request) -> Response:
        return Response(b"y" * 1000 for _ in range(50))

    server.expect_request("/stream").respond_with_handler(endless)
    async with Fetcher.create(FetchLimits(max_bytes=5000)) as fetcher:
        error = await fetch_error(fetcher, server.url_for("/stream"))
    assert error.kind is FetchErrorKind.TOO_LARGE


async def test_gzip_is_decoded_and_the_cap_counts_decoded_bytes(server: HTTPServer) -> None:
    gzipped = {"Content-Encoding": "gzip"}
    bomb = gzip.compress(b"\0" * 2_000_000)
    assert len(bomb) < 10_000
    server.expect_request("/zipped").respond_with_data(gzip.compress(FEED), headers=gzipped)
    server.expect_request("/bomb").respond_with_data(bomb, headers=gzipped)
    async with Fetcher.create(FetchLimits(max_bytes=100_000)) as fetcher:
        assert (await fetcher.fetch(server.url_for("/zipped"))).body == FEED
        error = await fetch_error(fetcher, server.url_for("/bomb"))
    assert error.kind is FetchErrorKind.TOO_LARGE


def add_redirect_chain(server: HTTPServer, length: int) -> None:
    for hop in range(length):
        target = f"/hop{hop + 1}" if hop % 2 else server.url_for(f"/hop{hop + 1}")
        server.expect_request(f"/hop{hop}").respond_with_data(
            "", status=(301, 302, 307, 308)[hop % 4], headers={"Location": target}
        )
    server.expect_request(f"/hop{length}").respond_with_data(FEED)


async def test_redirect_chain_within_the_limit_is_followed(server: HTTPServer) -> None:
    add_redirect_chain(server, 3)
    async with Fetcher.create(FetchLimits(max_redirects=3)) as fetcher:
        result = await fetcher.fetch(server.url_for("/hop0"))
    assert result.body == FEED
    assert result.url == server.url_for("/hop3")
    assert requested_paths(server) == ["/hop0", "/hop1", "/hop2", "/hop3"]


async def test_too_many_redirects_fail(server: HTTPServer) -> None:
    add_redirect_chain(server, 4)
    async with Fetcher.create(FetchLimits(max_redirects=3)) as fetcher:
        error = await fetch_error(fetcher, server.url_for("/hop0"))
    assert error.kind is FetchErrorKind.TOO_MANY_REDIRECTS
    assert requested_paths(server) == ["/hop0", "/hop1", "/hop2", "/hop3"]


async def test_redirect_to_a_file_url_is_refused(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    error = await fetch_error(fetcher, server.url_for("/start"))
    assert error.kind is FetchErrorKind.BAD_URL


async def test_guarded_fetch_refuses_loopback_unless_allowlisted(
    server: HTTPServer, fetcher: Fetcher
) -> None:
    server.expect_request("/feed.xml").respond_with_data(FEED)
    error = await fetch_error(fetcher, server.url_for("/feed.xml"), guarded=True)
    assert error.kind is FetchErrorKind.BLOCKED
    assert error.reason == "refused 127.0.0.1: loopback address"
    assert requested_paths(server) == []
    async with Fetcher.create(guard_allow=["127.0.0.1/32"]) as trusting:
        assert (await trusting.fetch(server.url_for("/feed.xml"), guarded=True)).body == FEED


@pytest.mark.parametrize(
    "target_host", ["127.0.0.2", "[::1]", "2130706434", "0x7f.0.0.3", "localhost"]
)
async def test_guarded_redirect_to_another_loopback_form_is_blocked(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, target_host: str
) -> None:
    loop = asyncio.get_running_loop()
    real_getaddrinfo = loop.getaddrinfo

    async def getaddrinfo(host: str, port: int, **options: Any) -> Any:
        if host == "localhost":
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0))]
        assert parse_ip_literal(host) is not None, f"unexpected DNS lookup of {host!r}"
        return await real_getaddrinfo(host, port, **options)

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    location = f"http://{target_host}:{server.port}/inside"
    server.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": location}
    )
    server.expect_request("/inside").respond_with_data("internal")
    async with Fetcher.create(guard_allow=["127.0.0.1/32"]) as fetcher:
        error = await fetch_error(fetcher, server.url_for("/start"), guarded=True)
    assert error.kind is FetchErrorKind.BLOCKED
    assert "loopback" in error.reason
    assert requested_paths(server) == ["/start"]


async def test_without_address_checks_guarded_fetches_connect_but_never_read_files(
    server: HTTPServer, tmp_path: Path
) -> None:
    server.expect_request("/feed.xml").respond_with_data(FEED)
    sample = tmp_path / "sample.xml"
    sample.write_bytes(FEED)
    async with Fetcher.create(check_addresses=False) as fetcher:
        result = await fetcher.fetch(server.url_for("/feed.xml"), guarded=True)
        error = await fetch_error(fetcher, sample.as_uri(), guarded=True)
    assert result.body == FEED
    assert error.kind is FetchErrorKind.BAD_URL


@pytest.mark.parametrize(("status", "header"), [(404, None), (500, None), (429, "120"), (503, "7")])
async def test_error_statuses_raise_with_retry_after_when_given(
    server: HTTPServer, fetcher: Fetcher, status: int, header: str | None
) -> None:
    retry_after = {"Retry-After": header} if header else {}
    server.expect_request("/feed.xml").respond_with_data("no", status=status, headers=retry_after)
    error = await fetch_error(fetcher, server.url_for("/feed.xml"))
    assert error.kind is FetchErrorKind.HTTP_STATUS
    assert (error.status, error.retry_after) == (status, float(header) if header else None)
    assert error.reason.startswith(f"HTTP {status}")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("30", 30.0),
        ("Wed, 08 Jan 2025 12:10:00 GMT", 600.0),
        ("Wed, 08 Jan 2025 11:00:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        (None, None),
    ],
)
def test_retry_after_header_forms(header: str | None, seconds: float | None) -> None:
    now = datetime(2025, 1, 8, 12, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == seconds


async def test_refused_connection_is_a_network_error(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await fetch_error(fetcher, f"http://127.0.0.1:{port}/feed.xml")
    assert (error.kind, error.reason) == (FetchErrorKind.NETWORK, "could not connect")


async def test_guarded_name_that_does_not_resolve_is_a_network_error(
    monkeypatch: pytest.MonkeyPatch, fetcher: Fetcher
) -> None:
    async def no_such_host(host: str, port: int, **options: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", no_such_host)
    error = await fetch_error(fetcher, "https://feeds.nowhere.example/rss", guarded=True)
    assert (error.kind, error.reason) == (FetchErrorKind.NETWORK, "host name did not resolve")


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/feed.xml", "http://reader:pa55@127.0.0.1/", "http://[::1/", "https://"]
)
async def test_unusable_urls_are_bad_url(fetcher: Fetcher, url: str) -> None:
    error = await fetch_error(fetcher, url)
    assert error.kind is FetchErrorKind.BAD_URL
    assert "pa55" not in error.reason


async def test_local_file_is_read_and_then_not_modified(fetcher: Fetcher, tmp_path: Path) -> None:
    sample = tmp_path / "sample.xml"
    sample.write_bytes(FEED)
    first = await fetcher.fetch(sample.as_uri())
    again = await fetcher.fetch(sample.as_uri(), last_modified=first.last_modified)
    assert (first.status, first.body, first.content_type) == (200, FEED, "application/xml")
    assert (again.status, again.body, again.not_modified) == (304, None, True)


async def test_local_file_is_size_capped(tmp_path: Path) -> None:
    sample = tmp_path / "big.xml"
    sample.write_bytes(b"z" * 101)
    async with Fetcher.create(FetchLimits(max_bytes=100)) as fetcher:
        error = await fetch_error(fetcher, sample.as_uri())
    assert error.kind is FetchErrorKind.TOO_LARGE


async def test_unreadable_local_paths_fail(fetcher: Fetcher, tmp_path: Path) -> None:
    missing = await fetch_error(fetcher, (tmp_path / "missing.xml").as_uri())
    folder = await fetch_error(fetcher, tmp_path.as_uri())
    remote = await fetch_error(fetcher, "file://fileserver/share/feed.xml")
    assert missing.kind is FetchErrorKind.NETWORK
    assert "missing.xml" in missing.reason
    assert (folder.kind, remote.kind) == (FetchErrorKind.BAD_URL, FetchErrorKind.BAD_URL)


async def test_requests_to_one_host_are_limited_but_other_hosts_proceed() -> None:
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] += 1
        in_flight["all"] += 1
        for key in (host, "all"):
            peak[key] = max(peak[key], in_flight[key])
        for _ in range(5):
            await asyncio.sleep(0)  # yield so every task that can start, starts
        in_flight[host] -= 1
        in_flight["all"] -= 1
        return httpx.Response(200, content=b"ok")

    limits = FetchLimits(per_host_concurrency=2)
    urls = [f"http://{host}.example/{n}" for host in ("alpha", "beta") for n in range(6)]
    async with Fetcher.create(limits, transport=httpx.MockTransport(handler)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
    assert [result.body for result in results] == [b"ok"] * 12
    assert peak == {"alpha.example": 2, "beta.example": 2, "all": 4}


async def test_query_strings_stay_out_of_logs_and_reasons(
    server: HTTPServer, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.ingest")
    server.expect_request("/private/feed").respond_with_data("gone", status=404)
    error = await fetch_error(fetcher, server.url_for("/private/feed?token=s3cr3t-value"))
    ours = [record for record in caplog.records if record.name.startswith("bot.ingest")]
    assert any("127.0.0.1/private/feed" in record.getMessage() for record in ours)
    assert all(record.levelno < logging.INFO for record in ours)
    assert not any("s3cr3t" in record.getMessage() for record in ours)
    assert "s3cr3t" not in error.reason


async def test_only_an_owned_client_is_closed() -> None:
    async with httpx.AsyncClient() as client:
        async with Fetcher(client) as borrower:
            pass
        assert not client.is_closed
        assert borrower.guarded_client.is_closed  # made by the fetcher, so its own
    async with Fetcher.create() as owner:
        pass
    assert owner.client.is_closed
    assert owner.guarded_client.is_closed
