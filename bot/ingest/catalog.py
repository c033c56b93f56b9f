"""Which feeds to read: the configured ones; the bundled offline samples only when there is no
config file at all (the embedded defaults that `briefbot demo` runs on)."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.config import Config, SourceConfig

log = logging.getLogger(__name__)
SAMPLES = Path(__file__).with_name("samples")


def bundled_sources() -> list[SourceConfig]:
    return [
        SourceConfig(url=path.resolve().as_uri(), name=None, interval=15)
        for path in sorted(SAMPLES.iterdir())
        if path.suffix in {".xml", ".json"}
    ]


def configured_sources(config: Config) -> list[SourceConfig]:
    """A config file without [[sources]] reads no bundled samples into its database: it keeps
    the sources added by `briefbot sources import` or /addsource, and says so."""
    if config.sources:
        return list(config.sources)
    if not config.has_file:
        return bundled_sources()
    log.warning(
        "%s has no [[sources]]: only the feeds added with `briefbot sources import` or "
        "/addsource are read (the bundled sample feeds are used only without a config file)",
        config.origin,
    )
    return []
