#!/usr/bin/env python3
"""Set up .venv when needed, then run the demo or the test suite: `python3 dev.py demo|test`."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if sys.platform == "win32" else "bin")
STAMP = VENV / ".briefbot-installed"


def ensure_environment() -> None:
    """Create .venv if missing; install the project with its dev extra when pyproject changes."""
    if sys.version_info < (3, 11):
        sys.exit("briefbot needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("installing briefbot and its dependencies into .venv", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "--editable", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def main() -> int:
    task = sys.argv[1] if len(sys.argv) > 1 else ""
    extra = sys.argv[2:]
    if task not in {"demo", "test", "setup"}:
        print("usage: python3 dev.py demo | test [pytest args] | setup", file=sys.stderr)
        return 2
    ensure_environment()
    if task == "demo":
        return subprocess.run([str(BIN / "briefbot"), "demo", *extra], cwd=ROOT).returncode
    if task == "test":
        lint = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT).returncode
        lint |= subprocess.run([str(BIN / "ruff"), "format", "--check", "."], cwd=ROOT).returncode
        lint |= subprocess.run([str(BIN / "mypy"), "bot", "handlers"], cwd=ROOT).returncode
        tests = subprocess.run([str(BIN / "pytest"), *extra], cwd=ROOT).returncode
        return tests or lint
    return 0


if __name__ == "__main__":
    sys.exit(main())
