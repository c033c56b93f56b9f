"""Fetch feeds and pages over HTTP(S) or from local `file://` paths, within hard limits.

Conditional GET, an overall deadline (httpx's own timeouts only bound each read), a cap on
the body counted on the decoded bytes as they are inflated (see `bot.ingest.inflate`: one gzip
or deflate layer at most, never inflated past the cap), manual redirects so that every hop can
pass the SSRF guard, and a concurrency limit per host. Failures come out as one FetchError
whose `reason` is short and safe to show an admin.

Guarded fetches go through a client of their own: its connections are made only to addresses
the guard checked (`bot.ingest.pinned`), it ignores proxy settings from the environment, and
its pool is never shared with unguarded fetches.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import mimetypes
import socket
import stat
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from bot.ingest import guard, inflate, pinned

logger = logging.getLogger(__name__)

USER_AGENT = "briefbot/0.1 (+https://github.com/briefbot/briefbot)"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRY_LATER_STATUSES = frozenset({429, 503})
_NETWORK_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (socket.gaierror, "host name did not resolve"),
    (httpx.ConnectError, "could not connect"),
    (httpx.ReadError, "connection lost while reading"),
    (httpx.RemoteProtocolError, "server broke the HTTP protocol"),
)


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    per_host_concurrency: int = 4
    user_agent: str = USER_AGENT

    def httpx_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.read_timeout, connect=self.connect_timeout)


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    not_modified: bool
    elapsed_ms: int


class FetchErrorKind(StrEnum):
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    HTTP_STATUS = "http_status"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BLOCKED = "blocked"
    NETWORK = "network"
    BAD_URL = "bad_url"
    ENCODING = "encoding"  # a content coding refused, or a body that does not decode


class FetchError(Exception):
    """A fetch that gave no usable answer; `reason` holds no URL query, secret or traceback."""

    def __init__(
        self,
        kind: FetchErrorKind,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """Fetches URLs within `limits`; close it (or use `async with`) to close owned clients.

    `client` serves unguarded fetches (`owns_client`: close it with the Fetcher). Guarded ones
    use `guarded_client`; when none is given, the Fetcher makes and owns one whose connections
    enforce the guard. A given `guarded_client` (owned like `client`) cannot be trusted to, so
    then each hop is checked before it is sent.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        limits: FetchLimits | None = None,
        *,
        guard_allow: Sequence[str] = (),
        check_addresses: bool = True,
        owns_client: bool = False,
        guarded_client: httpx.AsyncClient | None = None,
    ) -> None:
        guard.compile_allowlist(guard_allow)  # reject a malformed allowlist now, not per fetch
        self.client = client
        self.limits = limits or FetchLimits()
        self.guard_allow = tuple(guard_allow)
        self.check_addresses = check_addresses
        self._check_each_hop = check_addresses and guarded_client is not None
        self._owned = [client] if owns_client else []
        if guarded_client is None:
            guarded_client = _guarded_client(self.limits, self.guard_allow, check_addresses)
            self._owned.append(guarded_client)
        elif owns_client:
            self._owned.append(guarded_client)
        self.guarded_client = guarded_client
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def create(
        cls,
        limits: FetchLimits | None = None,
        *,
        guard_allow: Sequence[str] = (),
        check_addresses: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Fetcher:
        """A Fetcher with its own clients; `check_addresses=False` skips DNS/IP checks (tests).

        With a `transport` (tests: httpx.MockTransport) both clients use it, and guarded
        fetches are checked hop by hop instead of connection by connection.
        """
        limits = limits or FetchLimits()
        guarded = _client(limits, transport, trust_env=False) if transport is not None else None
        return cls(
            _client(limits, transport),
            limits,
            guard_allow=guard_allow,
            check_addresses=check_addresses,
            owns_client=True,
            guarded_client=guarded,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._owned:
            await client.aclose()

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        guarded: bool = False,
    ) -> FetchResult:
        """GET `url` (conditionally when etag/last_modified are given); raise FetchError.

        `guarded` is for URLs that came from a chat: file:// is refused and every hop must
        pass the SSRF guard. On 304 the validators sent are returned unless the server sent
        new ones, so they can be stored as they are.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        total = self.limits.total_timeout
        try:
            if not guarded and url.strip().partition(":")[0].lower() == "file":
                async with asyncio.timeout(total):
                    result = await self._fetch_file(url, last_modified)
            else:
                result = await self._fetch_http(url, etag, last_modified, guarded)
        except TimeoutError:
            reason = f"no complete response within {total:g} s (overall deadline)"
            raise FetchError(FetchErrorKind.TIMEOUT, reason) from None
        except guard.BadUrl as exc:
            raise FetchError(FetchErrorKind.BAD_URL, str(exc)) from None
        except guard.BlockedAddress as exc:
            raise FetchError(FetchErrorKind.BLOCKED, str(exc)) from None
        except inflate.BodyTooLarge:
            raise _too_large(self.limits.max_bytes) from None
        except inflate.BadEncoding as exc:
            raise FetchError(FetchErrorKind.ENCODING, str(exc)) from None
        except httpx.TimeoutException as exc:
            raise FetchError(FetchErrorKind.TIMEOUT, self._timeout_reason(exc)) from None
        except (httpx.InvalidURL, ValueError):
            raise FetchError(FetchErrorKind.BAD_URL, "malformed URL") from None
        except (httpx.HTTPError, OSError) as exc:
            raise FetchError(FetchErrorKind.NETWORK, _network_reason(exc)) from None
        elapsed_ms = round((loop.time() - started) * 1000)
        return replace(result, elapsed_ms=elapsed_ms)

    async def _fetch_http(
        self, url: str, etag: str | None, last_modified: str | None, guarded: bool
    ) -> FetchResult:
        loop = asyncio.get_running_loop()
        budget = self.limits.total_timeout
        headers = _base_headers(self.limits)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        client = self.guarded_client if guarded else self.client
        hop = guard.parse_http_url(url)
        for redirects in range(self.limits.max_redirects + 1):
            async with self._slot(hop.host):
                hop_started = loop.time()
                async with asyncio.timeout(budget):
                    if guarded and self._check_each_hop:
                        await guard.check_url(hop, self.guard_allow)
                    outcome = await self._request(client, hop, headers, etag, last_modified)
                budget -= loop.time() - hop_started
            if isinstance(outcome, FetchResult):
                return outcome
            hop = guard.parse_http_url(outcome)
            logger.debug("redirect %d to %s%s", redirects + 1, hop.host, hop.path)
        reason = f"more than {self.limits.max_redirects} redirects"
        raise FetchError(FetchErrorKind.TOO_MANY_REDIRECTS, reason)

    async def _request(
        self,
        client: httpx.AsyncClient,
        url: httpx.URL,
        headers: dict[str, str],
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult | httpx.URL:
        """One GET; the result, or the URL a redirect points to."""
        logger.debug("GET %s%s", url.host, url.path)
        request = client.build_request(
            "GET", url, headers=headers, timeout=self.limits.httpx_timeout()
        )
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            status = response.status_code
            if status in _REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(
                        FetchErrorKind.HTTP_STATUS, f"HTTP {status} without Location", status=status
                    )
                return url.join(location)
            if status == 304:
                return _result(url, response, None, etag, last_modified)
            if not 200 <= status < 300:
                raise _status_error(response)
            body = await self._read_body(response)
        finally:
            await response.aclose()
        return _result(url, response, body, None, None)

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decoded body from the raw bytes, failing as soon as either grows past its cap."""
        coding = inflate.content_coding(response.headers.get("Content-Encoding"))
        reader = inflate.BodyReader(coding, self.limits.max_bytes)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > reader.raw_cap:
            raise inflate.BodyTooLarge
        async for chunk in _raw_chunks(response):
            reader.feed(chunk)
        return reader.finish()

    async def _fetch_file(self, url: str, last_modified: str | None) -> FetchResult:
        parts = urlsplit(url.strip())
        if parts.netloc not in ("", "localhost"):
            raise guard.BadUrl("file:// URLs must name a local path")
        path = Path(url2pathname(parts.path))
        body, modified = await asyncio.to_thread(
            _read_file, path, self.limits.max_bytes, last_modified
        )
        status = 304 if body is None else 200
        content_type = mimetypes.guess_type(path.name)[0]
        return FetchResult(url, status, body, None, modified, content_type, body is None, 0)

    def _slot(self, host: str) -> asyncio.Semaphore:
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.limits.per_host_concurrency)
        return slot

    def _timeout_reason(self, exc: httpx.TimeoutException) -> str:
        if isinstance(exc, httpx.ConnectTimeout):
            return f"could not connect within {self.limits.connect_timeout:g} s"
        if isinstance(exc, httpx.PoolTimeout):
            return "no free connection in time"
        return f"server went quiet for {self.limits.read_timeout:g} s (read timeout)"


def _read_file(path: Path, cap: int, last_modified: str | None) -> tuple[bytes | None, str]:
    """Read a local file up to `cap` bytes; body None when it is unchanged since last_modified."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise guard.BadUrl(f"{path.name} is not a regular file")
        modified = email.utils.formatdate(info.st_mtime, usegmt=True)
        if last_modified == modified:
            return None, modified
        if info.st_size > cap:
            raise _too_large(cap)
        with path.open("rb") as handle:
            body = handle.read(cap + 1)
    except OSError as exc:
        reason = f"cannot read {path.name}: {exc.strerror or type(exc).__name__}"
        raise FetchError(FetchErrorKind.NETWORK, reason) from None
    if len(body) > cap:
        raise _too_large(cap)
    return body, modified


def _result(
    url: httpx.URL,
    response: httpx.Response,
    body: bytes | None,
    etag: str | None,
    modified: str | None,
) -> FetchResult:
    """A result from `response`; etag/modified stand in for validators the server left out."""
    headers = response.headers
    etag = headers.get("ETag", etag)
    modified = headers.get("Last-Modified", modified)
    content_type = headers.get("Content-Type")
    return FetchResult(
        str(url), response.status_code, body, etag, modified, content_type, body is None, 0
    )


def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body as sent, not inflated by httpx."""
    stream = response.stream
    if response.is_stream_consumed and isinstance(stream, httpx.AsyncByteStream):
        # Built in memory (httpx.MockTransport) and read already; its stream replays as sent.
        return aiter(stream)
    return response.aiter_raw()


def _client(
    limits: FetchLimits, transport: httpx.AsyncBaseTransport | None, trust_env: bool = True
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=transport,
        timeout=limits.httpx_timeout(),
        follow_redirects=False,
        headers=_base_headers(limits),
        trust_env=trust_env,
    )


def _guarded_client(
    limits: FetchLimits, allow: Sequence[str], check_addresses: bool
) -> httpx.AsyncClient:
    """No proxies from the environment; with checks on, connections only through the guard."""
    transport = (
        pinned.pinned_transport(allow)
        if check_addresses
        else httpx.AsyncHTTPTransport(trust_env=False)
    )
    return _client(limits, transport, trust_env=False)


def _base_headers(limits: FetchLimits) -> dict[str, str]:
    # Explicit, or httpx would offer br and zstd whenever their packages are installed.
    return {"User-Agent": limits.user_agent, "Accept-Encoding": inflate.ACCEPT_ENCODING}


def _network_reason(exc: Exception) -> str:
    """A fixed phrase per failure; exception text is left out as it may quote proxy URLs."""
    for kind, reason in _NETWORK_REASONS:
        if isinstance(exc, kind):
            return reason
    return f"network error ({type(exc).__name__})"


def _too_large(cap: int) -> FetchError:
    return FetchError(FetchErrorKind.TOO_LARGE, f"response larger than {cap:,} bytes")


def _status_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    retry_after = None
    if status in _RETRY_LATER_STATUSES:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
    return FetchError(FetchErrorKind.HTTP_STATUS, reason, status=status, retry_after=retry_after)
