"""Process metrics: Prometheus collectors, the same figures for /stats, and the metrics port.

The metrics port answers /metrics (Prometheus' own exposition, content negotiation and gzip
included) and, given a Health, /healthz and /readyz (see bot/health.py); any other path is a 404.
It is served by a small threaded WSGI server in background threads, so it answers even while the
event loop is busy, and reads only what the loop has stored.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections import Counter as Tally
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

from bot.health import Health

log = logging.getLogger(__name__)

DELIVERY_OUTCOMES = ("sent", "retried", "failed")
REQUEST_TIMEOUT = 10  # seconds a client may take over its request before the socket is closed
SHUTDOWN_POLL = 0.1  # seconds between the server loop's looks for a stop request


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    totals: Tally[str] = field(default_factory=Tally)
    last_job_seconds: dict[str, float] = field(default_factory=dict)
    outbox_depth: int = 0

    def __post_init__(self) -> None:
        self._articles = Counter(
            "briefbot_articles_fetched", "New articles stored", registry=self.registry
        )
        self._briefs = Counter("briefbot_briefs_made", "New briefs made", registry=self.registry)
        self._deliveries = Counter(
            "briefbot_deliveries", "Deliveries by outcome", ["outcome"], registry=self.registry
        )
        self._depth = Gauge(
            "briefbot_outbox_depth", "Deliveries waiting to be sent", registry=self.registry
        )
        self._jobs = Histogram(
            "briefbot_job_duration_seconds",
            "Periodic job durations",
            ["job"],
            registry=self.registry,
        )

    def serve(
        self, port: int, host: str = "127.0.0.1", health: Health | None = None
    ) -> Callable[[], None]:
        """Serve the metrics port from background threads; returns the function that stops it."""
        return StatusServer.start(self.registry, health, host, port).stop

    def ingested(self, articles: int, briefs: int) -> None:
        self._articles.inc(articles)
        self._briefs.inc(briefs)
        self.totals.update({"articles": articles, "briefs": briefs})

    def delivered(self, outcome: str, amount: int = 1) -> None:
        if amount > 0:
            self._deliveries.labels(outcome=outcome).inc(amount)
            self.totals[outcome] += amount

    def set_outbox_depth(self, depth: int) -> None:
        self.outbox_depth = depth
        self._depth.set(depth)

    async def timed(self, job: str, work: Callable[[], Awaitable[None]]) -> None:
        started = time.perf_counter()
        try:
            await work()
        finally:
            elapsed = time.perf_counter() - started
            self._jobs.labels(job=job).observe(elapsed)
            self.last_job_seconds[job] = elapsed

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) lines for /stats: this process since it started."""
        lines = [
            ("Articles fetched", str(self.totals["articles"])),
            ("Briefs made", str(self.totals["briefs"])),
        ]
        lines += [
            (f"Deliveries {outcome}", str(self.totals[outcome])) for outcome in DELIVERY_OUTCOMES
        ]
        lines.append(("Outbox depth", str(self.outbox_depth)))
        lines += [
            (f"Last {job}", f"{seconds:.2f} s")
            for job, seconds in sorted(self.last_job_seconds.items())
        ]
        return lines


def status_app(registry: CollectorRegistry, health: Health | None) -> WSGIApplication:
    """/metrics from the registry; /healthz and /readyz from `health` when there is one."""
    metrics_app = make_wsgi_app(registry)
    probes: dict[str, Callable[[], tuple[bool, dict[str, Any]]]] = (
        {"/healthz": health.liveness, "/readyz": health.readiness} if health is not None else {}
    )

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics_app(environ, start_response)
        probe = probes.get(path)
        if probe is None:
            return _json(start_response, "404 Not Found", {"error": "not found"})
        if environ.get("REQUEST_METHOD") != "GET":
            return _json(start_response, "405 Method Not Allowed", {"error": "use GET"})
        ok, body = probe()
        return _json(start_response, "200 OK" if ok else "503 Service Unavailable", body)

    return app


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a slow client never holds up shutdown


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    timeout = REQUEST_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics port: " + format, *args)


@dataclass
class StatusServer:
    """The metrics port, running; `port` is the bound port (useful when asked for port 0)."""

    httpd: WSGIServer
    thread: threading.Thread

    @classmethod
    def start(
        cls, registry: CollectorRegistry, health: Health | None, host: str, port: int
    ) -> StatusServer:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        server_class = _ThreadingServer6 if family[0][0] == socket.AF_INET6 else _ThreadingServer
        httpd = make_server(
            host, port, status_app(registry, health), server_class, handler_class=_QuietHandler
        )
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL},
            name="metrics-port",
            daemon=True,
        )
        thread.start()
        return cls(httpd, thread)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
