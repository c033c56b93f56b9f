"""Guarded fetches connect only to the address that was checked: DNS rebinding, proxies, pools.

Two loopback servers share one port: "inside" on 127.0.0.1 (refused by the guard) and
"outside" on 127.0.0.2, which the allowlist lets through and so stands in for a public
address. A fake resolver decides which of them a name points to, lookup by lookup.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.ingest.fetch import Fetcher, FetchError, FetchErrorKind, FetchLimits

STAND_IN_PUBLIC = "127.0.0.2"
ALLOW = [f"{STAND_IN_PUBLIC}/32"]


@dataclass
class Recorder:
    """An HTTP/1.1 server answering every request with `body` (or a redirect to `location`).

    Connections are kept open between requests, so a client may pool them.
    """

    body: bytes
    location: str | None = None
    connections: int = 0
    hosts: list[str] = field(default_factory=list)
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.hosts.append(_header(head, b"host"))
                writer.write(self._response())
                await writer.drain()
        writer.close()

    def _response(self) -> bytes:
        if self.location is not None:
            return b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % (
                self.location.encode()
            )
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(self.body), self.body)

    def close_connections(self) -> None:
        for writer in self._writers:
            writer.close()


def _header(head: bytes, name: bytes) -> str:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip().decode()
    return ""


@dataclass
class Servers:
    inside: Recorder
    outside: Recorder
    port: int

    def url(self, host: str, path: str = "/feed.xml") -> str:
        return f"http://{host}:{self.port}{path}"


async def _serve(
    stack: contextlib.AsyncExitStack,
    recorder: Recorder,
    host: str,
    port: int,
    tls: ssl.SSLContext | None = None,
) -> int:
    server = await asyncio.start_server(recorder.answer, host, port, ssl=tls)
    stack.callback(recorder.close_connections)
    await stack.enter_async_context(server)
    return int(server.sockets[0].getsockname()[1])


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    inside, outside = Recorder(b"inside"), Recorder(b"outside")
    for _ in range(20):  # the port 127.0.0.1 got may be taken on 127.0.0.2
        async with contextlib.AsyncExitStack() as stack:
            port = await _serve(stack, inside, "127.0.0.1", 0)
            try:
                await _serve(stack, outside, STAND_IN_PUBLIC, port)
            except OSError:
                continue
            yield Servers(inside, outside, port)
            return
    pytest.fail("no port free on both loopback addresses")


@dataclass
class FakeDns:
    """Answers names from `answers` (one list per lookup, the last repeating); records lookups."""

    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)

    async def getaddrinfo(self, host: str | bytes, port: int, **options: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else host  # anyio passes bytes
        self.lookups.append(name)
        if name not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        rounds = self.answers[name]
        addresses = rounds[min(self.lookups.count(name), len(rounds)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in addresses]


@pytest.fixture
async def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    fake = FakeDns()
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fake.getaddrinfo)
    return fake


async def fetch_error(fetcher: Fetcher, url: str, **options: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url, **options)
    return caught.value


async def test_rebinding_name_is_connected_to_the_address_that_was_checked(
    servers: Servers, dns: FakeDns
) -> None:
    dns.answers["rebind.example"] = [[STAND_IN_PUBLIC], ["127.0.0.1"]]
    async with Fetcher.create(guard_allow=ALLOW) as fetcher:
        result = await fetcher.fetch(servers.url("rebind.example"), guarded=True)
    assert result.body == b"outside"
    assert servers.inside.connections == 0
    assert dns.lookups == ["rebind.example"]
    assert servers.outside.hosts == [f"rebind.example:{servers.port}"]


async def test_name_resolving_to_a_blocked_address_is_refused_before_connecting(
    servers: Servers, dns: FakeDns
) -> None:
    dns.answers["inside.example"] = [["127.0.0.1"]]
    dns.answers["mixed.example"] = [[STAND_IN_PUBLIC, "127.0.0.1"]]
    async with Fetcher.create(guard_allow=ALLOW) as fetcher:
        single = await fetch_error(fetcher, servers.url("inside.example"), guarded=True)
        mixed = await fetch_error(fetcher, servers.url("mixed.example"), guarded=True)
    assert (single.kind, single.reason) == (
        FetchErrorKind.BLOCKED,
        "refused inside.example (127.0.0.1): loopback address",
    )
    assert mixed.kind is FetchErrorKind.BLOCKED
    assert servers.inside.connections == servers.outside.connections == 0


async def test_every_redirect_hop_is_connected_through_the_guard(
    servers: Servers, dns: FakeDns
) -> None:
    servers.outside.location = servers.url("next.example")
    dns.answers["start.example"] = [[STAND_IN_PUBLIC]]
    dns.answers["next.example"] = [["127.0.0.1"]]
    async with Fetcher.create(guard_allow=ALLOW) as fetcher:
        error = await fetch_error(fetcher, servers.url("start.example"), guarded=True)
    assert error.kind is FetchErrorKind.BLOCKED
    assert "next.example (127.0.0.1)" in error.reason
    assert servers.outside.hosts == [f"start.example:{servers.port}"]
    assert servers.inside.connections == 0


async def test_proxies_from_the_environment_carry_no_guarded_fetch(
    servers: Servers, dns: FakeDns, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_url = servers.url("127.0.0.1", "")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy_url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    dns.answers["feeds.example"] = [[STAND_IN_PUBLIC]]
    async with Fetcher.create(guard_allow=ALLOW) as fetcher:
        guarded = await fetcher.fetch(servers.url("feeds.example"), guarded=True)
        configured = await fetcher.fetch(servers.url("feeds.example"))
    assert guarded.body == b"outside"
    assert configured.body == b"inside"  # the operator's proxy still serves configured feeds
    assert servers.inside.connections == 1


async def test_a_connection_opened_unguarded_is_never_reused_for_a_guarded_fetch(
    servers: Servers, dns: FakeDns
) -> None:
    dns.answers["shared.example"] = [["127.0.0.1"], [STAND_IN_PUBLIC]]
    async with Fetcher.create(guard_allow=ALLOW) as fetcher:
        configured = await fetcher.fetch(servers.url("shared.example"))
        guarded = await fetcher.fetch(servers.url("shared.example"), guarded=True)
    assert (configured.body, guarded.body) == (b"inside", b"outside")
    assert len(servers.inside.hosts) == 1


async def test_an_allowlisted_name_connects_wherever_it_resolves(
    servers: Servers, dns: FakeDns
) -> None:
    dns.answers["feeds.internal"] = [["127.0.0.1"]]
    async with Fetcher.create(guard_allow=["feeds.internal"]) as fetcher:
        result = await fetcher.fetch(servers.url("feeds.internal"), guarded=True)
    assert result.body == b"inside"


async def test_a_name_that_does_not_resolve_is_a_network_error(
    servers: Servers, dns: FakeDns
) -> None:
    async with Fetcher.create(guard_allow=ALLOW) as fetcher:
        error = await fetch_error(fetcher, servers.url("nowhere.example"), guarded=True)
    assert (error.kind, error.reason) == (FetchErrorKind.NETWORK, "host name did not resolve")


async def test_with_a_custom_transport_each_hop_is_checked_before_sending() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b"ok")

    transport = httpx.MockTransport(handler)
    async with Fetcher.create(FetchLimits(), transport=transport) as fetcher:
        error = await fetch_error(fetcher, "http://127.0.0.1/feed.xml", guarded=True)
        unguarded = await fetcher.fetch("http://127.0.0.1/feed.xml")
    assert error.kind is FetchErrorKind.BLOCKED
    assert unguarded.body == b"ok"
    assert seen == ["http://127.0.0.1/feed.xml"]


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context with a self-signed certificate for rebind.example, trusted by clients."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    command += " -subj /CN=rebind.example -addext subjectAltName=DNS:rebind.example"
    outputs = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run([*command.split(), *outputs], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def test_tls_verifies_the_name_from_the_url_not_the_address(
    dns: FakeDns, certificate: ssl.SSLContext
) -> None:
    names: list[str | None] = []
    certificate.sni_callback = lambda _socket, name, _context: names.append(name)
    outside = Recorder(b"outside")
    async with contextlib.AsyncExitStack() as stack:
        port = await _serve(stack, outside, STAND_IN_PUBLIC, 0, certificate)
        dns.answers["rebind.example"] = [[STAND_IN_PUBLIC]]
        dns.answers["other.example"] = [[STAND_IN_PUBLIC]]
        async with Fetcher.create(guard_allow=ALLOW) as fetcher:
            result = await fetcher.fetch(f"https://rebind.example:{port}/", guarded=True)
            error = await fetch_error(fetcher, f"https://other.example:{port}/", guarded=True)
    assert result.body == b"outside"
    assert (error.kind, error.reason) == (FetchErrorKind.NETWORK, "could not connect")
    assert names == ["rebind.example", "other.example"]


async def test_a_resolver_that_never_answers_is_a_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def silent(host: str | bytes, port: int, **options: Any) -> list[Any]:
        await asyncio.Event().wait()
        return []

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", silent)
    limits = FetchLimits(connect_timeout=0.2, total_timeout=30.0)
    async with Fetcher.create(limits) as fetcher:
        error = await fetch_error(fetcher, "http://slow-dns.example/feed.xml", guarded=True)
    assert (error.kind, error.reason) == (FetchErrorKind.TIMEOUT, "could not connect within 0.2 s")
