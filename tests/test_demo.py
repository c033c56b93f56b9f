"""`briefbot demo` as a user runs it: a subprocess, no config, no network, twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def _demo(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _cards(output: str) -> list[str]:
    return [block for block in output.split("\n\n") if "\nEvent: " in block]


def test_demo_prints_complete_briefs_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert (tmp_path / "briefbot.db").exists()
    cards = _cards(first.stdout)
    tunisia = [card for card in cards if card.startswith("Tunisia")]
    assert tunisia, first.stdout
    for card in cards:
        for field in ("\nEvent: ", "\nActors: ", "\nImplications: ", "\nSource: "):
            assert field in card
        assert re.search(r"#B\d+", card)
        assert re.search(r"\nSource: .+ — https://", card)
    assert any("Implications: • " in card for card in tunisia)
    merged = re.search(r"(\d+) new briefs, (\d+) merged", first.stdout)
    assert merged and int(merged.group(1)) >= 25 and int(merged.group(2)) >= 1

    second = _demo(tmp_path)
    assert second.returncode == 0, second.stderr
    assert "0 new articles, 0 updated; 0 new briefs, 0 merged" in second.stdout
    assert _cards(second.stdout) == cards
