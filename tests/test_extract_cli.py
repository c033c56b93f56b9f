"""`briefbot extract` — the JSON contract, from a file and from stdin, and its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ARTICLE = {
    "title": "Tunisian Defence Minister Khaled Shtili receives U.S. delegation on border security",
    "url": "https://news.example.org/2025/12/shtili-us-delegation",
    "published": "2025-12-12T10:00:00Z",
    "outlet": "Example Wire",
    "text": (
        "TUNIS, Dec 12 (Example Wire) - Tunisia's Defence Minister Khaled Shtili received a U.S. "
        "military delegation in Tunis on Friday to discuss border security and equipment for the "
        "army, the ministry said.\n\nThe two sides reviewed surveillance of the border with Libya. "
        "The talks signal that Washington wants Tunisia to play a larger role in regional "
        "security, analysts said."
    ),
}


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "extract", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_extract_prints_exactly_one_object_with_the_contract_schema(tmp_path: Path) -> None:
    path = tmp_path / "article.json"
    path.write_text(json.dumps(ARTICLE), encoding="utf-8")
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "event",
        "actors",
        "implications",
        "topics",
        "language",
        "source",
        "published",
    }
    assert isinstance(data["event"], str) and 0 < len(data["event"]) <= 300
    assert data["event"].startswith("Tunisia's Defence Minister Khaled Shtili received")
    for actor in data["actors"]:
        assert set(actor) == {"name", "kind", "role"}
        assert actor["kind"] in {"person", "state", "institution", "organisation", "armed_group"}
    shtili = next(actor for actor in data["actors"] if actor["name"] == "Khaled Shtili")
    assert shtili["kind"] == "person" and "Defence Minister" in shtili["role"]
    assert all(len(item) <= 280 for item in data["implications"])
    assert any("signal" in item for item in data["implications"])
    assert {"tunisia", "north-africa-security"} <= set(data["topics"])
    assert data["language"] == "en"
    assert data["source"] == {"url": ARTICLE["url"], "outlet": "Example Wire"}
    assert data["published"] == "2025-12-12T10:00:00Z"
    assert result.stdout.count("\n") == 1


def test_extract_reads_stdin() -> None:
    result = _run("-", stdin=json.dumps(ARTICLE))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["source"]["outlet"] == "Example Wire"


def test_missing_and_malformed_files_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"title": 5}), encoding="utf-8")
    for args in ([str(tmp_path / "missing.json")], [str(bad)], [str(wrong)], [str(tmp_path)]):
        result = _run(*args)
        assert result.returncode == 2, args
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2023", "2023-01-01T00:00:00Z"),
        ("2023-09", "2023-09-01T00:00:00Z"),
        ("2023-09-14", "2023-09-14T00:00:00Z"),
        ("2023-09-14T10:00", "2023-09-14T10:00:00Z"),
        ("2023-09-14T10:00Z", "2023-09-14T10:00:00Z"),
        ("2023-09-14T10:00+02:00", "2023-09-14T08:00:00Z"),
        (" 2023-09-14T10:00:30.5-04:00 ", "2023-09-14T14:00:30.500000Z"),
        ("soon", None),
        ("2023-13", None),
        ("", None),
        (12345, None),
        ([2023, 9], None),
        (None, None),
    ],
)
def test_partial_and_unreadable_dates_never_fail_the_article(
    published: Any, expected: str | None
) -> None:
    result = _run("-", stdin=json.dumps({**ARTICLE, "published": published}))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["published"] == expected
    assert data["source"]["outlet"] == "Example Wire"
    assert data["event"]


def test_an_article_without_published_has_a_null_date() -> None:
    article = {key: value for key, value in ARTICLE.items() if key != "published"}
    result = _run("-", stdin=json.dumps(article))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["published"] is None
