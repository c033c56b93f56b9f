"""The operator's install, not the developer's: the wheel built from this source, installed with
its dependencies into a fresh venv by the pip that Python bundles (never upgraded), runs
`briefbot version` and `briefbot demo` from a folder outside the source tree. Topic packs,
sample feeds and migrations must travel in the wheel for the demo to work.

It takes under a minute with pip's cache warm (the first run on a machine downloads the
dependencies)."""

from __future__ import annotations

import ensurepip
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
# What the build reads: the project table, the readme it names, and the two packages.
BUILD_INPUTS = ("pyproject.toml", "README.md", "bot", "handlers")
# The files that are not Python modules but must be installed beside them.
DATA_FILES = (
    "bot/analysis/packs/*.toml",
    "bot/analysis/packs/topics/*.toml",
    "bot/ingest/samples/*",
    "bot/storage/migrations/*.py",
    "bot/storage/migrations/*.mako",
    "bot/storage/migrations/versions/*.py",
)
INSTALL_TIMEOUT = 600  # seconds; only a cold cache on a slow link comes near it


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path
    outside: Path  # an empty folder away from the source tree, to run briefbot in


def clean_environment() -> dict[str, str]:
    """This process's environment less what would point the venv back at the source tree or at
    another configuration."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH")
    return {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith("BRIEFBOT_")
    }


def run(
    command: Sequence[str | Path], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel-install")
    # Build from a copy: pip builds in the source folder and would leave build/ behind there.
    source = work / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        origin = ROOT / name
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            shutil.copy2(origin, source / name)
    venv = work / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=work, timeout=120)
    python = venv / "bin" / "python"
    pip: list[str | Path] = [python, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    pip_version = run([*pip, "--version"], cwd=work, timeout=60).stdout
    assert pip_version.startswith(f"pip {ensurepip.version()} "), pip_version
    dist = work / "dist"
    run([*pip, "wheel", "--no-deps", "--wheel-dir", dist, source], work, INSTALL_TIMEOUT)
    (wheel,) = dist.glob("briefbot-*.whl")
    run([*pip, "install", "--no-compile", wheel], cwd=work, timeout=INSTALL_TIMEOUT)
    run([*pip, "check"], cwd=work, timeout=60)
    outside = work / "elsewhere"
    outside.mkdir()
    return Installed(wheel=wheel, bin=venv / "bin", outside=outside)


def test_the_wheel_carries_every_pack_sample_feed_and_migration(installed: Installed) -> None:
    expected = {
        path.relative_to(ROOT).as_posix()
        for pattern in DATA_FILES
        for path in ROOT.glob(pattern)
        if path.is_file()
    }
    assert len(expected) > 15  # the patterns still find the files
    with zipfile.ZipFile(installed.wheel) as wheel:
        carried = set(wheel.namelist())
    assert expected <= carried, sorted(expected - carried)


def test_briefbot_runs_from_the_installed_package_not_the_source_tree(
    installed: Installed,
) -> None:
    where = run(
        [
            installed.bin / "python",
            "-c",
            "import bot, handlers; print(bot.__file__, handlers.__file__)",
        ],
        cwd=installed.outside,
        timeout=60,
    ).stdout.split()
    site = (installed.bin.parent / "lib").resolve()
    assert all(Path(path).resolve().is_relative_to(site) for path in where), where


def test_version_prints_the_project_version(installed: Installed) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    result = run([installed.bin / "briefbot", "version"], cwd=installed.outside, timeout=60)
    assert result.stdout.strip() == f"briefbot {project['version']}"


def test_demo_ingests_the_bundled_feeds_and_prints_a_digest(installed: Installed) -> None:
    result = run([installed.bin / "briefbot", "demo"], cwd=installed.outside, timeout=180)
    summary = re.search(
        r"^(\d+) sources: \1 fetched, 0 unchanged, 0 failed; (\d+) new articles.*?(\d+) new briefs",
        result.stdout,
        re.MULTILINE,
    )
    assert summary, result.stdout[-2000:] + result.stderr[-2000:]
    sources, articles, briefs = (int(group) for group in summary.groups())
    assert sources >= 3 and articles > 0 and briefs > 0
    assert result.stdout.count("Event: ") >= 5  # briefs under the default topics
    assert "Traceback" not in result.stderr
