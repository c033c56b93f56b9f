"""Connections for guarded fetches: only to an address the SSRF guard checked.

Checking a name and then letting the HTTP client resolve it again leaves a gap: a rebinding DNS
server can answer a public address to the check and a private one to the connection. Here the
connection pool's network backend does both: it resolves the host once, refuses it unless every
address passes the guard (the allowlist honoured), and connects to one of those very addresses,
in the resolver's order. The Host header, TLS SNI and the certificate check keep the URL's name.

The transport ignores proxy settings from the environment (a proxy would resolve and connect
on its own), and it has its own pool, so a connection opened for an unguarded fetch is never
reused by a guarded one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

import httpcore
import httpx

from bot.ingest import guard

SocketOptions = Iterable[httpcore.SOCKET_OPTION] | None


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to `host` only through addresses that passed the guard (asyncio only)."""

    def __init__(
        self, allow: Sequence[str] = (), inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        guard.compile_allowlist(allow)
        self._allow = tuple(allow)
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        """Raise guard.BlockedAddress, the resolver's OSError, or httpcore's connect errors."""
        try:
            async with asyncio.timeout(timeout):
                addresses = await guard.checked_addresses(host, port, self._allow)
                return await self._connect_any(addresses, port, local_address, socket_options)
        except TimeoutError:
            raise httpcore.ConnectTimeout("no connection in time") from None

    async def _connect_any(
        self,
        addresses: Sequence[guard.IPAddress],
        port: int,
        local_address: str | None,
        socket_options: SocketOptions,
    ) -> httpcore.AsyncNetworkStream:
        failure: httpcore.ConnectError | None = None
        for address in dict.fromkeys(addresses):
            try:
                return await self._inner.connect_tcp(
                    str(address), port, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError("no address to connect to")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pinned_transport(allow: Sequence[str] = ()) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go through PinnedBackend, with no proxies."""
    ssl_context = httpx.create_ssl_context()  # SSL_CERT_FILE still applies: it moves no request
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, trust_env=False)
    # httpx has no public way to give its pool a network backend: replace the pool it built,
    # which has opened nothing yet.
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError("httpx transport no longer keeps its pool in _pool")
    limits = httpx.Limits()
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=PinnedBackend(allow),
    )
    return transport
