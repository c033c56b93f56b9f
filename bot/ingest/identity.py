"""Stable identities for feed items, so the same story read twice is stored once."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from bot.analysis.text import fold
from bot.ingest.clean import clean_url, remove_unwanted_characters

IDENTITY_LIMIT = 500

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PREFIXES = ("utm_", "at_")
_TRACKING_PARAMETERS = frozenset(
    {
        "_ga", "_gl", "_hsenc", "_hsmi", "cmpid", "dclid", "fbclid", "gclid", "igshid", "mc_cid",
        "mc_eid", "mkt_tok", "msclkid", "ocid", "ref", "ref_src", "s_cid", "twclid", "wt.mc_id",
        "xtor", "yclid",
    }
)  # fmt: skip


def normalise_link(url: str) -> str:
    """A canonical form of an http(s) link for comparison, or "" for anything else.

    Scheme and host are lower-cased, default ports and the fragment dropped, tracking
    parameters removed and the remaining ones sorted (each kept exactly as written).
    An empty path becomes "/"; other paths are kept as they are.
    """
    cleaned = clean_url(url)
    if cleaned is None:
        return ""
    parts = urlsplit(cleaned)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{parts.port}"
    user_info, at_sign, _ = parts.netloc.rpartition("@")
    kept = sorted(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    return urlunsplit((scheme, user_info + at_sign + host, parts.path or "/", "&".join(kept), ""))


def article_identity(guid: str | None, link: str | None, title: str, summary: str) -> str:
    """The feed's guid, else the normalised link, else a hash of the folded title and summary."""
    guid = remove_unwanted_characters(guid or "").strip()
    if guid:
        return _bounded("guid", guid)
    normalised = normalise_link(link) if link else ""
    if normalised:
        return _bounded("link", normalised)
    return "hash:" + _sha256(fold(title) + "\n" + fold(summary))[:32]


def content_fingerprint(title: str, body: str) -> str:
    """A short hash of what an article says; it changes when the publisher edits the article."""
    return _sha256(fold(title) + "\n" + fold(body))[:16]


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.partition("=")[0]).strip().lower()
    return name in _TRACKING_PARAMETERS or name.startswith(_TRACKING_PREFIXES)


def _bounded(kind: str, value: str) -> str:
    identity = f"{kind}:{value}"
    if len(identity) <= IDENTITY_LIMIT:
        return identity
    return f"{kind}-sha256:{_sha256(value)}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
