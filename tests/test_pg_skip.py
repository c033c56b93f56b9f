"""Without a reachable PostgreSQL the tests that need one skip with one reason, or fail without
a traceback where BRIEFBOT_REQUIRE_PG is set (CI): checked by running pytest on a closed port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_PG, missing_postgresql

ROOT = Path(__file__).parent.parent
NEEDS_POSTGRESQL = """
async def test_needs_postgresql(pg_url: str) -> None:
    raise AssertionError("ran without PostgreSQL")
"""


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on loopback that is bound but not listening: connecting to it is refused."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def run_pytest(
    tmp_path: Path, pg_url: str, require: str | None
) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_needs_postgresql.py"
    test_file.write_text(NEEDS_POSTGRESQL, encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if name != REQUIRE_PG}
    env["BRIEFBOT_TEST_PG_URL"] = pg_url
    if require is not None:
        env[REQUIRE_PG] = require
    command = [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider"]
    command += ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), str(test_file)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_locally_a_missing_postgresql_skips_with_one_reason(
    tmp_path: Path, closed_port: int
) -> None:
    url = f"postgresql+asyncpg://briefbot:sekrit@127.0.0.1:{closed_port}/test"
    result = run_pytest(tmp_path, url, require=None)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "1 skipped" in output
    reason = f"PostgreSQL not reachable at postgresql+asyncpg://briefbot:***@127.0.0.1:{closed_port}/test"
    skipped = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1 and reason in skipped[0], output
    assert "set BRIEFBOT_TEST_PG_URL" in skipped[0]
    assert "Traceback" not in output and "sekrit" not in output


def test_in_ci_a_missing_postgresql_fails_in_one_line(tmp_path: Path, closed_port: int) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port}/test"
    result = run_pytest(tmp_path, url, require="1")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 error" in output and "skipped" not in output
    assert len([line for line in output.splitlines() if line.startswith("ERROR")]) == 1, output
    reasons = [line for line in output.splitlines() if "PostgreSQL not reachable" in line]
    assert reasons[0].startswith(f"PostgreSQL not reachable at {url} ("), output
    assert reasons[0].endswith(f"({REQUIRE_PG} is set, so this is a failure)")
    assert "Traceback" not in output and "asyncpg/" not in output


@pytest.mark.parametrize(
    ("environ", "outcome"),
    [
        ({}, pytest.skip.Exception),
        ({REQUIRE_PG: ""}, pytest.skip.Exception),
        ({REQUIRE_PG: "0"}, pytest.skip.Exception),
        ({REQUIRE_PG: "1"}, pytest.fail.Exception),
    ],
)
def test_only_briefbot_require_pg_turns_the_skip_into_a_failure(
    environ: dict[str, str], outcome: type[BaseException]
) -> None:
    with pytest.raises(outcome, match="PostgreSQL not reachable"):
        missing_postgresql("PostgreSQL not reachable at somewhere", environ)
