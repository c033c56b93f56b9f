"""Which feeds to read: the configured ones, else the bundled offline samples."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config, SourceConfig

SAMPLES = Path(__file__).with_name("samples")


def bundled_sources() -> list[SourceConfig]:
    return [
        SourceConfig(url=path.resolve().as_uri(), name=None, interval=15)
        for path in sorted(SAMPLES.iterdir())
        if path.suffix in {".xml", ".json"}
    ]


def configured_sources(config: Config) -> list[SourceConfig]:
    return list(config.sources) or bundled_sources()
