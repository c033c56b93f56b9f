"""The metrics port serves the figures the service records."""

from __future__ import annotations

import socket
from datetime import timedelta

import httpx
import pytest

from bot.health import Health
from bot.metrics import Metrics, StatusServer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_metrics_endpoint_reports_counters_gauge_and_job_durations() -> None:
    metrics = Metrics()
    metrics.ingested(articles=12, briefs=9)
    metrics.delivered("sent", 4)
    metrics.delivered("failed", 1)
    metrics.set_outbox_depth(6)

    async def job() -> None:
        return None

    await metrics.timed("digest-sweep", job)
    server = StatusServer.start(metrics.registry, None, "127.0.0.1", 0)
    try:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{server.port}/metrics")).text
    finally:
        server.stop()
    assert "briefbot_articles_fetched_total 12.0" in text
    assert "briefbot_briefs_made_total 9.0" in text
    assert 'briefbot_deliveries_total{outcome="sent"} 4.0' in text
    assert 'briefbot_deliveries_total{outcome="failed"} 1.0' in text
    assert "briefbot_outbox_depth 6.0" in text
    assert 'briefbot_job_duration_seconds_count{job="digest-sweep"} 1.0' in text


async def test_without_health_only_metrics_is_served() -> None:
    server = StatusServer.start(Metrics().registry, None, "127.0.0.1", 0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            answers = [(await client.get(path)).status_code for path in ("/metrics", "/healthz")]
    finally:
        server.stop()
    assert answers == [200, 404]


async def test_serve_answers_probes_on_the_configured_port_and_stops() -> None:
    metrics = Metrics()
    port = _free_port()
    stop = metrics.serve(port, "127.0.0.1", Health(ingest_every=timedelta(minutes=15)))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            live = await client.get("/healthz")
    finally:
        stop()
    assert live.json() == {"status": "ok"}
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/healthz")
