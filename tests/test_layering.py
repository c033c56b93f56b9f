"""The layering DESIGN.md asks for, checked on the source: data moves one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(folder: Path) -> dict[str, set[str]]:
    """Top-level package names each module of `folder` imports."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("handlers", ("telegram", "slack_bolt", "slack_sdk", "aiohttp", "bot.adapters")),
        (
            "bot/analysis",
            (
                "httpx",
                "sqlalchemy",
                "aiohttp",
                "telegram",
                "slack_bolt",
                "bot.storage",
                "bot.ingest",
                "handlers",
            ),
        ),
        ("bot/render", ("telegram", "slack_bolt", "slack_sdk", "bot.storage", "handlers")),
        ("bot/storage", ("telegram", "slack_bolt", "slack_sdk", "handlers", "bot.adapters")),
    ],
)
def test_layer_does_not_import(folder: str, forbidden: tuple[str, ...]) -> None:
    offenders = {
        module: sorted(
            name
            for name in names
            if name.split(".")[0] in forbidden
            or any(name == f or name.startswith(f + ".") for f in forbidden)
        )
        for module, names in _imports(ROOT / folder).items()
    }
    assert {module: names for module, names in offenders.items() if names} == {}
