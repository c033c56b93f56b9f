"""The SSRF guard: literal addresses in every spelling, resolved names, allowlists, bad URLs."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from bot.ingest.guard import BadUrl, BlockedAddress, check_url, parse_ip_literal

AddrInfo = tuple[Any, Any, Any, str, tuple[Any, ...]]


def _fake_resolver(table: Mapping[str, Sequence[str]]) -> Callable[..., Any]:
    """A getaddrinfo that answers from `table` and fails loudly for any other name."""

    async def getaddrinfo(host: str, port: int, **_: Any) -> list[AddrInfo]:
        if host not in table:
            raise AssertionError(f"unexpected DNS lookup of {host!r}")
        answers: list[AddrInfo] = []
        for address in table[host]:
            if ":" in address:
                answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return answers

    return getaddrinfo


@pytest.fixture
async def dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[Mapping[str, Sequence[str]]], None]:
    """Install a fake resolver on the running loop; with no table every lookup fails the test."""
    loop = asyncio.get_running_loop()

    def install(table: Mapping[str, Sequence[str]]) -> None:
        monkeypatch.setattr(loop, "getaddrinfo", _fake_resolver(table))

    install({})
    return install


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.8.9.10:8080/feed", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://0x7f000001/", "loopback"),
        ("http://0177.1/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://127.0.0.1./", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:7f00:1]/", "loopback"),
        ("http://[64:ff9b::7f00:1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://10.1.2.3/", "private"),
        ("http://172.16.0.9/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://0xc0.0xa8.1.1/", "private"),
        ("http://[fd12:3456::1]/", "private"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "non-public"),
    ],
)
async def test_literal_addresses_of_internal_networks_are_refused(
    dns: Callable[..., None], url: str, reason: str
) -> None:
    with pytest.raises(BlockedAddress) as caught:
        await check_url(url)
    assert caught.value.reason == reason
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/",
        "https://93.184.216.34:8443/feed.xml?page=2",
        "http://1572395042/",
        "http://[2606:2800:220:1:248:1893:25c8:1946]/rss",
        "http://[::ffff:93.184.216.34]/",
    ],
)
async def test_public_literals_pass_without_any_lookup(dns: Callable[..., None], url: str) -> None:
    await check_url(url)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("10.0x10.1", "10.16.0.1"),
        ("192.168.258", "192.168.1.2"),
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
        ("news.example", None),
        ("1.2.3.4.example", None),
        ("256.1.1.1", None),
        ("08.1.1.1", None),
    ],
)
def test_ip_literals_are_read_like_the_system_resolver(spelling: str, expected: str | None) -> None:
    parsed = parse_ip_literal(spelling)
    assert parsed == (ipaddress.ip_address(expected) if expected else None)


async def test_localhost_name_is_resolved_and_refused(dns: Callable[..., None]) -> None:
    dns({"localhost": ["127.0.0.1", "::1"]})
    with pytest.raises(BlockedAddress) as caught:
        await check_url("http://localhost:8080/")
    assert caught.value.host == "localhost"
    assert "loopback" in str(caught.value)


async def test_one_private_answer_among_public_ones_is_enough_to_refuse(
    dns: Callable[..., None],
) -> None:
    dns({"mixed.example": ["93.184.216.34", "2606:2800:220:1::1", "10.0.0.7"]})
    with pytest.raises(BlockedAddress) as caught:
        await check_url("https://mixed.example/feed")
    assert caught.value.address == ipaddress.ip_address("10.0.0.7")
    assert "mixed.example (10.0.0.7)" in str(caught.value)


async def test_name_resolving_to_mapped_metadata_address_is_refused(
    dns: Callable[..., None],
) -> None:
    dns({"sneaky.example": ["::ffff:169.254.169.254"]})
    with pytest.raises(BlockedAddress, match="link-local"):
        await check_url("http://sneaky.example/")


async def test_name_resolving_only_to_public_addresses_passes(dns: Callable[..., None]) -> None:
    dns({"news.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]})
    await check_url("https://news.example/rss.xml")


async def test_internationalised_name_is_resolved_in_its_ascii_form(
    dns: Callable[..., None],
) -> None:
    dns({"xn--bcher-kva.example": ["192.168.0.4"]})
    with pytest.raises(BlockedAddress, match="private"):
        await check_url("http://bücher.example/")


async def test_unresolvable_name_raises_the_resolver_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def no_such_host(host: str, port: int, **_: Any) -> list[AddrInfo]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", no_such_host)
    with pytest.raises(OSError, match="not known"):
        await check_url("http://nowhere.invalid/")


async def test_allowlisted_network_lets_its_addresses_through(dns: Callable[..., None]) -> None:
    await check_url("http://127.0.0.1:8000/", allow=["127.0.0.0/8"])
    await check_url("http://127.0.0.2:8000/", allow=["127.0.0.0/8"])
    await check_url("http://[::ffff:127.0.0.1]/", allow=["127.0.0.1/32"])


async def test_allowlisted_single_address_does_not_cover_its_neighbours(
    dns: Callable[..., None],
) -> None:
    await check_url("http://127.0.0.1/", allow=["127.0.0.1/32"])
    with pytest.raises(BlockedAddress, match="loopback"):
        await check_url("http://127.0.0.2/", allow=["127.0.0.1/32"])
    with pytest.raises(BlockedAddress, match="loopback"):
        await check_url("http://[::1]/", allow=["127.0.0.1/32"])


async def test_allowlisted_host_name_is_not_even_resolved(dns: Callable[..., None]) -> None:
    await check_url("http://Feeds.Internal./rss", allow=["feeds.internal"])
    with pytest.raises(AssertionError, match="unexpected DNS lookup"):
        await check_url("http://other.internal/rss", allow=["feeds.internal"])


async def test_malformed_allowlist_entry_is_an_error(dns: Callable[..., None]) -> None:
    with pytest.raises(ValueError, match="neither a network nor a host"):
        await check_url("http://93.184.216.34/", allow=["10.0.0.0/33"])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("ftp://93.184.216.34/feed.xml", "unsupported scheme 'ftp'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("gopher://127.0.0.1:6379/_INFO", "unsupported scheme 'gopher'"),
        ("not a url", "unsupported scheme none"),
        ("http:///only-a-path", "no host"),
        ("http://user:secret@93.184.216.34/", "credentials"),
        ("http://93.184.216.34\\@127.0.0.1/", "credentials"),
        ("http://93.184.216.34:99999/", "out of range"),
        ("http://bad\x00host/", "malformed"),
        ("http://0177.0.0.1/", "malformed"),
    ],
)
async def test_bad_urls_are_refused_before_any_lookup(
    dns: Callable[..., None], url: str, message: str
) -> None:
    with pytest.raises(BadUrl, match=message) as caught:
        await check_url(url)
    assert isinstance(caught.value, ValueError)
    assert "secret" not in str(caught.value)
