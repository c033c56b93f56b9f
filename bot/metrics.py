"""Process metrics: Prometheus collectors, and the same figures for /stats."""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

DELIVERY_OUTCOMES = ("sent", "retried", "failed")


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

    def serve(self, port: int, host: str = "127.0.0.1") -> Callable[[], None]:
        """Expose /metrics from a background thread; returns the function that stops it."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)

        def stop() -> None:
            server.shutdown()
            server.server_close()

        return stop

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
