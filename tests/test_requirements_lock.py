"""The deployment lock, requirements.lock: every runtime dependency of pyproject.toml pinned
exactly, with sha256 hashes (`pip install --require-hashes`), inside the range pyproject allows."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parent.parent
LOCK = ROOT / "requirements.lock"
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Pin:
    version: Version
    options: tuple[str, ...]


def _runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def _logical_lines(text: str) -> list[str]:
    """The lock's requirement lines with their continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    lines = (line.split("#", 1)[0].strip() for line in joined.splitlines())
    return [line for line in lines if line]


def _pins() -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    for line in _logical_lines(LOCK.read_text(encoding="utf-8")):
        requirement, *options = line.split()
        name, separator, version = requirement.partition("==")
        assert separator, f"not pinned with ==: {line[:80]}"
        pins[canonicalize_name(name)] = Pin(Version(version), tuple(options))
    return pins


@pytest.fixture(scope="module")
def pins() -> dict[str, Pin]:
    return _pins()


def test_every_runtime_dependency_is_pinned_within_its_range(pins: dict[str, Pin]) -> None:
    for requirement in _runtime_requirements():
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement.name} is not in {LOCK.name}"
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"{requirement.name}=={pin.version} is outside {requirement.specifier}"
        )


def test_every_pin_has_sha256_hashes_and_nothing_else(pins: dict[str, Pin]) -> None:
    assert len(pins) > len(_runtime_requirements())  # the dependencies' dependencies too
    for name, pin in pins.items():
        assert pin.options, f"{name} has no --hash"
        assert all(HASH.fullmatch(option) for option in pin.options), name


def test_the_lock_names_no_local_index_or_file() -> None:
    text = LOCK.read_text(encoding="utf-8")
    assert "file:" not in text
    assert not re.search(r"^\s*-(-index-url|-extra-index-url|-find-links|i|f)\b", text, re.M)
