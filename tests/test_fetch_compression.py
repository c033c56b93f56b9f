"""Content-Encoding against a loopback server: one gzip or deflate layer, bounded inflation."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.ingest.fetch import Fetcher, FetchError, FetchErrorKind, FetchLimits

FEED = b'<rss version="2.0"><channel><title>Harbour notes</title></channel></rss>' * 20
CAP = 1 << 20
BOMB_SIZE = 64 << 20  # inflated size of the bombs; their compressed size is ~64 KB or less


def gzip_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes, compressed a megabyte at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join([*parts, packer.flush()])


def gzip_members(data: bytes) -> bytes:
    """`data` as two gzip members, one after the other (RFC 1952 allows a series)."""
    half = len(data) // 2
    return gzip.compress(data[:half]) + gzip.compress(data[half:])


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def serve(server: HTTPServer, path: str, body: bytes | Iterator[bytes], *encodings: str) -> None:
    """Serve `body` at `path` with one Content-Encoding header per entry of `encodings`."""
    headers = [("Content-Encoding", encoding) for encoding in encodings]

    def handler(request: Request) -> Response:
        return Response(body, headers=headers, content_type="application/rss+xml")

    server.expect_request(path).respond_with_handler(handler)


async def fetch_error(url: str, limits: FetchLimits) -> FetchError:
    async with Fetcher.create(limits) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(url)
    return caught.value


class RecordingDecompressor:
    """A zlib decompressor that records how many bytes each step produced."""

    def __init__(self, real: Any, steps: list[int]) -> None:
        self._real = real
        self._steps = steps

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out: bytes = self._real.decompress(data, max_length)
        self._steps.append(len(out))
        return out

    def flush(self, *length: int) -> bytes:
        out: bytes = self._real.flush(*length)
        self._steps.append(len(out))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.fixture
def inflation_steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Bytes produced by every zlib decompression step while the test runs."""
    steps: list[int] = []
    real = zlib.decompressobj

    def recording(*args: Any, **kwargs: Any) -> RecordingDecompressor:
        return RecordingDecompressor(real(*args, **kwargs), steps)

    monkeypatch.setattr(zlib, "decompressobj", recording)
    return steps


@asynccontextmanager
async def raw_server(body: bytes, *encodings: str) -> AsyncIterator[str]:
    """Answer every request with `body` and these Content-Encoding headers; yields a URL.

    It runs on the test's own loop: a server thread would count in the memory traced.
    """
    head = [b"HTTP/1.1 200 OK", b"Content-Length: %d" % len(body), b"Connection: close"]
    head += [b"Content-Encoding: " + encoding.encode() for encoding in encodings]
    response = b"\r\n".join([*head, b"", body])

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(response)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}/feed.xml"


async def traced_fetch_error(body: bytes, *encodings: str) -> tuple[FetchError, int]:
    """The error of fetching `body` under a cap of CAP, and the peak of memory traced meanwhile.

    A small fetch comes first, so that modules httpx imports lazily are not counted.
    """
    async with Fetcher.create(FetchLimits(max_bytes=CAP)) as fetcher:
        async with raw_server(gzip.compress(FEED), "gzip") as warm_up:
            await fetcher.fetch(warm_up)
        async with raw_server(body, *encodings) as url:
            tracemalloc.start()
            try:
                with pytest.raises(FetchError) as caught:
                    await fetcher.fetch(url)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    return caught.value, peak


async def test_single_layer_gzip_bomb_stops_at_the_cap_in_bounded_steps(
    inflation_steps: list[int],
) -> None:
    error, peak = await traced_fetch_error(gzip_zeros(BOMB_SIZE), "gzip")
    assert max(inflation_steps) <= CAP + 1
    assert peak < 8 * CAP  # the bomb is 64 times the cap
    assert error.kind is FetchErrorKind.TOO_LARGE


@pytest.mark.parametrize("headers", [("gzip, gzip",), ("gzip", "gzip")])
async def test_stacked_gzip_bomb_is_refused_without_inflating(
    inflation_steps: list[int], headers: tuple[str, ...]
) -> None:
    bomb = gzip.compress(gzip_zeros(BOMB_SIZE))
    assert len(bomb) < 2_000
    error, peak = await traced_fetch_error(bomb, *headers)
    assert sum(inflation_steps) <= CAP + 1
    assert peak < 8 * CAP
    assert error.kind is FetchErrorKind.ENCODING
    assert error.reason == "stacked content encodings (gzip, gzip) are refused"


def bad_checksum(member: bytes) -> bytes:
    return member[:-8] + bytes(4) + member[-4:]  # the CRC-32 sits before the length


def one_byte_chunks(data: bytes) -> Iterator[bytes]:
    return (data[index : index + 1] for index in range(len(data)))


@pytest.mark.parametrize(
    ("encodings", "encode"),
    [
        ((), lambda data: data),
        (("identity",), lambda data: data),
        (("gzip",), gzip.compress),
        (("GZip ",), gzip.compress),
        (("x-gzip",), gzip.compress),
        (("deflate",), zlib.compress),
        (("deflate",), raw_deflate),
        (("identity, gzip",), gzip.compress),
        (("gzip",), gzip_members),
        (("gzip",), lambda data: gzip.compress(data) + b"\0\0\0\0 trailing junk"),
        (("gzip",), lambda data: one_byte_chunks(gzip_members(data))),
        (("deflate",), lambda data: one_byte_chunks(zlib.compress(data))),
        (("deflate",), lambda data: one_byte_chunks(raw_deflate(data))),
    ],
    ids=[
        "none",
        "identity",
        "gzip",
        "gzip-spelling",
        "x-gzip",
        "deflate-zlib",
        "deflate-raw",
        "identity-then-gzip",
        "gzip-members",
        "gzip-trailing-bytes",
        "gzip-members-byte-by-byte",
        "deflate-zlib-byte-by-byte",
        "deflate-raw-byte-by-byte",
    ],
)
async def test_one_layer_of_gzip_or_deflate_is_decoded(
    server: HTTPServer,
    encodings: tuple[str, ...],
    encode: Callable[[bytes], bytes | Iterator[bytes]],
) -> None:
    serve(server, "/feed.xml", encode(FEED), *encodings)
    async with Fetcher.create(FetchLimits(max_bytes=len(FEED))) as fetcher:
        result = await fetcher.fetch(server.url_for("/feed.xml"))
    assert result.body == FEED


async def test_empty_gzip_body_is_empty(server: HTTPServer) -> None:
    serve(server, "/empty", b"", "gzip")
    async with Fetcher.create() as fetcher:
        assert (await fetcher.fetch(server.url_for("/empty"))).body == b""


async def test_accept_encoding_offers_only_gzip_and_deflate(server: HTTPServer) -> None:
    offered = {"Accept-Encoding": "gzip, deflate"}
    server.expect_request("/feed.xml", headers=offered).respond_with_data(FEED)
    async with Fetcher.create() as fetcher:
        assert (await fetcher.fetch(server.url_for("/feed.xml"))).body == FEED


@pytest.mark.parametrize(
    ("encodings", "reason"),
    [
        (("br",), "unsupported content encoding 'br'"),
        (("zstd",), "unsupported content encoding 'zstd'"),
        (("compress",), "unsupported content encoding 'compress'"),
        (("gzip, br",), "unsupported content encoding 'br'"),
        (("deflate, gzip",), "stacked content encodings (deflate, gzip) are refused"),
        (("gzip", "deflate"), "stacked content encodings (gzip, deflate) are refused"),
        (("gzip;q=1",), "unsupported content encoding"),
        (("x" * 300,), "unsupported content encoding"),
    ],
)
async def test_unknown_or_stacked_encodings_are_refused(
    server: HTTPServer, encodings: tuple[str, ...], reason: str
) -> None:
    serve(server, "/feed.xml", gzip.compress(FEED), *encodings)
    error = await fetch_error(server.url_for("/feed.xml"), FetchLimits())
    assert (error.kind, error.reason) == (FetchErrorKind.ENCODING, reason)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (gzip.compress(FEED)[:-6], "compressed body ended early"),
        (gzip.compress(FEED)[:5], "compressed body ended early"),
        (b"\x1f", "compressed body ended early"),
        (b"<rss>not compressed</rss>", "compressed body is corrupt"),
        (bad_checksum(gzip.compress(FEED)), "compressed body is corrupt"),
        (gzip.compress(FEED) + gzip.compress(FEED)[:12], "compressed body ended early"),
    ],
    ids=["no-trailer", "header-only", "one-byte", "plain-text", "bad-crc", "cut-second-member"],
)
async def test_truncated_or_corrupt_gzip_is_an_error(
    server: HTTPServer, body: bytes, reason: str
) -> None:
    serve(server, "/feed.xml", body, "gzip")
    error = await fetch_error(server.url_for("/feed.xml"), FetchLimits())
    assert (error.kind, error.reason) == (FetchErrorKind.ENCODING, reason)


async def test_compressed_bytes_are_bounded_too(server: HTTPServer) -> None:
    padded = gzip.compress(FEED) + bytes(100_000)
    serve(server, "/padded", padded, "gzip")
    serve(server, "/streamed", iter([padded]), "gzip")  # no Content-Length
    limits = FetchLimits(max_bytes=len(FEED))
    declared = await fetch_error(server.url_for("/padded"), limits)
    streamed = await fetch_error(server.url_for("/streamed"), limits)
    assert declared.kind is streamed.kind is FetchErrorKind.TOO_LARGE


async def test_a_mock_transport_body_is_decoded_by_the_fetcher_too() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=gzip.compress(FEED), headers={"Content-Encoding": "gzip"}
        )

    limits = FetchLimits(max_bytes=len(FEED))
    async with Fetcher.create(limits, transport=httpx.MockTransport(handler)) as fetcher:
        assert (await fetcher.fetch("https://news.example/feed.xml")).body == FEED
    async with Fetcher.create(
        FetchLimits(max_bytes=len(FEED) - 1), transport=httpx.MockTransport(handler)
    ) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch("https://news.example/feed.xml")
    assert caught.value.kind is FetchErrorKind.TOO_LARGE
