"""Refuse URLs that would make the bot reach into private networks (SSRF guard).

Sources added from a chat are checked before every request, including each redirect hop:
the host must resolve only to public addresses. IP literals are read the way the system
resolver reads them, so `http://2130706433/` and `http://0x7f.1/` are both 127.0.0.1.

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
    resolver_host = unquote(parsed.raw_host.decode("ascii"))
    literal = parse_ip_literal(resolver_host)
    if literal is not None:
        addresses = [literal]
    else:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        addresses = await resolve(resolver_host, port)
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
