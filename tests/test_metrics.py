"""The Prometheus endpoint serves the figures the service records."""

from __future__ import annotations

import socket

import httpx

from bot.metrics import Metrics


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
    port = _free_port()
    stop = metrics.serve(port)
    try:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    finally:
        stop()
    assert "briefbot_articles_fetched_total 12.0" in text
    assert "briefbot_briefs_made_total 9.0" in text
    assert 'briefbot_deliveries_total{outcome="sent"} 4.0' in text
    assert 'briefbot_deliveries_total{outcome="failed"} 1.0' in text
    assert "briefbot_outbox_depth 6.0" in text
    assert 'briefbot_job_duration_seconds_count{job="digest-sweep"} 1.0' in text
