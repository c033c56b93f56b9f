"""Refuse URLs that would make the bot reach into private networks (SSRF guard).

Sources added from a chat are checked before every request, including each redirect hop:
the host must resolve only to public addresses. IP literals are read the way the system
resolver reads them, so `http://2130706433/` and `http://0x7f.1/` are both 127.0.0.1.
An address is refused when `ipaddress` flags it (loopback, private, link-local, multicast,
reserved, unspecified, not global), when it lies in a range of the IANA IPv4 or IPv6
Special-Purpose Address Registry (some of which Python 3.11 calls global), or when the IPv4
address an IPv4-mapped, NAT64 or 6to4 address carries would be refused. The operator's
allowlist (networks or host names) is the only exemption.

`checked_addresses` resolves a host once and returns only addresses that passed, so a caller
can connect to exactly what was checked (see `bot.ingest.pinned`).

The URL is parsed with httpx, the same parser the fetcher sends with, so the guard and the
request never disagree about which host is meant.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Sequence
from urllib.parse import unquote

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

# IANA IPv4 and IPv6 Special-Purpose Address Registries, every entry, including those the
# registry marks globally reachable (anycast services such as AS112 are no web servers), plus
# multicast and deprecated site-local space. Checked in addition to `ipaddress`'s flags.
# IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 address they carry instead.
SPECIAL_PURPOSE_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private use
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local
        "172.16.0.0/12",  # private use
        "192.0.0.0/24",  # IETF protocol assignments (DS-Lite, PCP/TURN anycast, NAT64 discovery)
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.31.196.0/24",  # AS112-v4
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",  # private use
        "192.175.48.0/24",  # direct delegation AS112 service
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, with 255.255.255.255 limited broadcast
        "::/128",  # unspecified
        "::1/128",  # loopback
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b::/96",  # IPv4/IPv6 translation (its IPv4 part is checked as well)
        "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation
        "100::/64",  # discard-only
        "100:0:0:1::/64",  # dummy prefix
        "2001::/23",  # IETF protocol assignments (Teredo, benchmarking, ORCHID, AMT, AS112, ...)
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "2620:4f:8000::/48",  # direct delegation AS112 service
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing (SRv6) SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")


class BadUrl(ValueError):
    """The URL is malformed, uses a scheme other than http(s), or carries credentials."""


class BlockedAddress(Exception):
    """The host resolves to an address the bot must not contact."""

    def __init__(self, host: str, address: IPAddress, reason: str) -> None:
        self.host = host
        self.address = address
        self.reason = reason
        shown = host if host == str(address) else f"{host} ({address})"
        super().__init__(f"refused {shown}: {reason} address")


def parse_http_url(url: str | httpx.URL) -> httpx.URL:
    """Parse and validate an http(s) URL without resolving it; raise BadUrl if unusable."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url.strip())
    except httpx.InvalidURL as exc:
        raise BadUrl(f"malformed URL ({exc})") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        shown = f"'{parsed.scheme}'" if parsed.scheme else "none"
        raise BadUrl(f"unsupported scheme {shown}: only http and https are allowed")
    if not parsed.host:
        raise BadUrl("URL has no host")
    if parsed.userinfo:
        raise BadUrl("credentials in the URL are not allowed")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise BadUrl(f"port {parsed.port} is out of range")
    return parsed


async def check_url(url: str | httpx.URL, allow: Sequence[str] = ()) -> None:
    """Raise BadUrl or BlockedAddress unless every address `url`'s host resolves to is public.

    `allow` lists CIDR networks ("127.0.0.1/32") and host names that are let through anyway.
    A name that does not resolve raises the resolver's OSError (socket.gaierror).
    """
    parsed = parse_http_url(url)
    networks, names = compile_allowlist(allow)
    host = parsed.host.rstrip(".").lower()
    if host in names:
        return
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = await _addresses_of(parsed.raw_host.decode("ascii"), port)
    _check_all(host, addresses, networks)


async def checked_addresses(host: str, port: int, allow: Sequence[str] = ()) -> list[IPAddress]:
    """Resolve `host` (as sent on the wire) once; its addresses, if every one may be contacted.

    Raise BlockedAddress if any may not. A host name on the allowlist is resolved but not
    checked; a name that does not resolve raises the resolver's OSError.
    """
    networks, names = compile_allowlist(allow)
    addresses = await _addresses_of(host, port)
    name = host.rstrip(".").lower()
    if name not in names:
        _check_all(name, addresses, networks)
    return addresses


async def _addresses_of(raw_host: str, port: int) -> list[IPAddress]:
    """The address a literal denotes, or every address the name resolves to."""
    resolver_host = unquote(raw_host)
    literal = parse_ip_literal(resolver_host)
    return [literal] if literal is not None else await resolve(resolver_host, port)


def _check_all(host: str, addresses: Sequence[IPAddress], networks: Sequence[IPNetwork]) -> None:
    for address in addresses:
        if _is_allowlisted(address, networks):
            continue
        reason = blocked_reason(address)
        if reason is not None:
            raise BlockedAddress(host, address, reason)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every A and AAAA address of `host`, through the running loop's resolver."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, f"no address for {host}")
    return addresses


def compile_allowlist(allow: Sequence[str]) -> tuple[list[IPNetwork], set[str]]:
    """Split allowlist entries into networks and lower-case host names."""
    networks: list[IPNetwork] = []
    names: set[str] = set()
    for entry in allow:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            if "/" in entry or not entry.strip():
                raise ValueError(
                    f"allowlist entry {entry!r} is neither a network nor a host"
                ) from None
            names.add(entry.strip().rstrip(".").lower())
    return networks, names


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host string denotes by itself, or None if it is a name to resolve."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return _parse_loose_ipv4(host)


def _parse_loose_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """inet_aton forms: 1 to 4 parts, each decimal, 0x-hex or 0-octal; the last fills the rest."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(part) for part in parts):
        return None
    values = [
        int(part, 0) if part[:2].lower() == "0x" else int(part, 8 if part[0] == "0" else 10)
        for part in parts
    ]
    *head, last = values
    if any(value > 255 for value in head) or last >= 256 ** (4 - len(head)):
        return None
    number = last
    for index, value in enumerate(head):
        number += value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def blocked_reason(address: IPAddress) -> str | None:
    """Why `address` must not be contacted ("loopback", "private", ...), or None if public."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return blocked_reason(embedded)
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "non-public"),
        (any(address in network for network in SPECIAL_PURPOSE_NETWORKS), "special-purpose"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried by an IPv4-mapped, NAT64 or 6to4 IPv6 address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def _is_allowlisted(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    candidates = [address]
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        candidates.append(embedded)
    return any(candidate in network for candidate in candidates for network in networks)
