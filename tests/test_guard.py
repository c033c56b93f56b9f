"""The SSRF guard: literal addresses in every spelling, resolved names, allowlists, bad URLs."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from bot.ingest.guard import (
    SPECIAL_PURPOSE_NETWORKS,
    BadUrl,
    BlockedAddress,
    blocked_reason,
    check_url,
    checked_addresses,
    parse_ip_literal,
)

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


# One address inside every range of the IANA IPv4 and IPv6 Special-Purpose Address Registries,
# plus multicast and deprecated site-local space; several are "global" to Python 3.11.
SPECIAL_PURPOSE = [
    ("0.0.0.0/8", "0.1.2.3"),
    ("10.0.0.0/8", "10.200.0.1"),
    ("100.64.0.0/10", "100.127.255.254"),
    ("127.0.0.0/8", "127.53.0.1"),
    ("169.254.0.0/16", "169.254.0.1"),
    ("172.16.0.0/12", "172.31.0.1"),
    ("192.0.0.0/24", "192.0.0.1"),
    ("192.0.0.9/32 PCP anycast", "192.0.0.9"),
    ("192.0.0.10/32 TURN anycast", "192.0.0.10"),
    ("192.0.0.170/32 NAT64 discovery", "192.0.0.170"),
    ("192.0.2.0/24", "192.0.2.10"),
    ("192.31.196.0/24", "192.31.196.1"),
    ("192.52.193.0/24", "192.52.193.1"),
    ("192.88.99.0/24", "192.88.99.1"),
    ("192.168.0.0/16", "192.168.77.1"),
    ("192.175.48.0/24", "192.175.48.6"),
    ("198.18.0.0/15", "198.19.255.1"),
    ("198.51.100.0/24", "198.51.100.7"),
    ("203.0.113.0/24", "203.0.113.9"),
    ("224.0.0.0/4", "239.1.2.3"),
    ("240.0.0.0/4", "250.1.2.3"),
    ("255.255.255.255/32", "255.255.255.255"),
    ("::/128", "::"),
    ("::1/128", "::1"),
    ("::ffff:0:0/96", "::ffff:192.168.0.1"),
    ("::ffff:0:0:0/96", "::ffff:0:8.8.8.8"),
    ("64:ff9b::/96", "64:ff9b::10.0.0.1"),
    ("64:ff9b:1::/48", "64:ff9b:1::808:808"),
    ("100::/64", "100::1"),
    ("100:0:0:1::/64", "100:0:0:1::1"),
    ("2001::/23", "2001:1ff::1"),
    ("2001::/32 Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
    ("2001:1::1/128 PCP anycast", "2001:1::1"),
    ("2001:1::2/128 TURN anycast", "2001:1::2"),
    ("2001:1::3/128 DNS-SD SRP anycast", "2001:1::3"),
    ("2001:2::/48", "2001:2::1"),
    ("2001:3::/32 AMT", "2001:3::1"),
    ("2001:4:112::/48 AS112-v6", "2001:4:112::1"),
    ("2001:10::/28 ORCHID", "2001:10::1"),
    ("2001:20::/28 ORCHIDv2", "2001:20::1"),
    ("2001:30::/28 DRIP", "2001:30::1"),
    ("2001:db8::/32", "2001:db8::1"),
    ("2002::/16 carrying a private IPv4", "2002:c0a8:101::1"),
    ("2620:4f:8000::/48", "2620:4f:8000::1"),
    ("3fff::/20", "3fff:fff::1"),
    ("5f00::/16", "5f00::1"),
    ("fc00::/7", "fdff::1"),
    ("fe80::/10", "febf::1"),
    ("fec0::/10", "fec0::1"),
    ("ff00::/8", "ff0e::1"),
]


@pytest.mark.parametrize(("network", "address"), SPECIAL_PURPOSE)
def test_every_special_purpose_range_is_refused(network: str, address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is not None, network


@pytest.mark.parametrize(
    "network", SPECIAL_PURPOSE_NETWORKS, ids=[str(network) for network in SPECIAL_PURPOSE_NETWORKS]
)
def test_listed_ranges_are_refused_from_end_to_end(network: ipaddress.IPv4Network) -> None:
    assert blocked_reason(network.network_address) is not None
    assert blocked_reason(network.broadcast_address) is not None


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "100.63.255.255",  # just below shared address space
        "100.128.0.1",  # just above it
        "192.0.1.1",
        "192.31.195.255",
        "192.88.100.1",
        "192.175.49.1",
        "198.17.255.255",
        "198.20.0.1",
        "223.255.255.254",
        "2606:4700::1111",
        "2001:4860:4860::8888",
        "2001:200::1",  # just above 2001::/23
        "2620:4f:8001::1",
        "3fff:1000::1",  # just above 3fff::/20
        "::ffff:8.8.8.8",  # IPv4-mapped public address
        "64:ff9b::808:808",  # NAT64 of a public address
        "2002:808:808::1",  # 6to4 of a public address
    ],
)
def test_public_neighbours_of_special_ranges_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


async def test_allowlist_exempts_a_special_purpose_range(dns: Callable[..., None]) -> None:
    await check_url("http://100.64.3.4/", allow=["100.64.0.0/10"])
    await check_url("http://192.175.48.6/", allow=["192.175.48.0/24"])
    with pytest.raises(BlockedAddress, match="special-purpose"):
        await check_url("http://192.175.48.6/")


async def test_checked_addresses_resolve_once_and_return_what_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups: list[str] = []
    answer = _fake_resolver({"news.example": ["93.184.216.34", "2606:4700::1111"]})

    async def counting(host: str, port: int, **options: Any) -> list[AddrInfo]:
        lookups.append(host)
        return await answer(host, port, **options)

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", counting)
    addresses = await checked_addresses("news.example", 443)
    assert addresses == [
        ipaddress.ip_address("93.184.216.34"),
        ipaddress.ip_address("2606:4700::1111"),
    ]
    assert lookups == ["news.example"]


async def test_checked_addresses_refuse_a_blocked_answer_and_read_literals_loosely(
    dns: Callable[..., None],
) -> None:
    dns({"rebind.example": ["93.184.216.34", "10.0.0.7"], "feeds.internal": ["10.0.0.8"]})
    with pytest.raises(BlockedAddress, match=r"rebind\.example \(10\.0\.0\.7\): private"):
        await checked_addresses("rebind.example", 80)
    with pytest.raises(BlockedAddress, match="loopback"):
        await checked_addresses("0x7f.1", 80)
    assert await checked_addresses("127.0.0.1", 80, ["127.0.0.0/8"]) == [
        ipaddress.ip_address("127.0.0.1")
    ]
    allowed_name = await checked_addresses("feeds.internal", 80, ["Feeds.Internal."])
    assert allowed_name == [ipaddress.ip_address("10.0.0.8")]
