"""The whole hostile farm in one ingest pass, in its own process so that its memory is its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BRIEFBOT = Path(sys.executable).with_name("briefbot")


def test_one_pass_over_every_attack_keeps_the_healthy_feeds_and_the_memory(
    tmp_path: Path,
) -> None:
    run = subprocess.run(
        [str(BRIEFBOT), "--quiet", "bench", "ingest", "--hostile", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert "Traceback" not in run.stderr
    result = json.loads(run.stdout)
    outcomes = result["outcomes"]
    assert result["healthy_stored"] == result["healthy_expected"] == 18
    assert all(outcomes[f"healthy-{n}"] == "read, 6 stored" for n in range(3))
    assert result["secret_requests"] == 0 and not result["secret_stored"]
    assert result["page_requests"] <= 8  # full_text_pages in the farm's config
    for bomb in ("gzip-stacked", "gzip-bomb"):
        assert outcomes[bomb].startswith("failed: "), outcomes[bomb]
    assert outcomes["trickle"].startswith("failed: ")
    assert outcomes["many-attributes"] == "read, 0 stored"  # refused before feedparser
    assert outcomes["entity-behind-junk"] == "read, 1 stored"
    assert result["peak_rss_mb"] <= 256, result["peak_rss_mb"]
    assert result["passed"] and run.returncode == 0
