"""The body reader on its own: codings named, chunk boundaries anywhere, the caps exact."""

from __future__ import annotations

import gzip
import zlib

import pytest

from bot.ingest.inflate import (
    BadEncoding,
    BodyReader,
    BodyTooLarge,
    compressed_cap,
    content_coding,
)

TEXT = b"Fishing boats return to port after the storm warning is lifted. " * 40


def read(coding: str, cap: int, raw: bytes, chunk: int) -> bytes:
    reader = BodyReader(coding, cap)
    for start in range(0, len(raw), chunk):
        reader.feed(raw[start : start + chunk])
    return reader.finish()


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        (None, "identity"),
        ("", "identity"),
        ("identity", "identity"),
        (" GZIP ", "gzip"),
        ("x-gzip", "gzip"),
        ("deflate", "deflate"),
        ("identity, deflate", "deflate"),
        ("gzip,", "gzip"),
    ],
)
def test_accepted_codings(header: str | None, coding: str) -> None:
    assert content_coding(header) == coding


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("gzip, gzip", "stacked content encodings (gzip, gzip) are refused"),
        ("x-gzip, deflate", "stacked content encodings (x-gzip, deflate) are refused"),
        ("br", "unsupported content encoding 'br'"),
        ("gzip, zstd", "unsupported content encoding 'zstd'"),
        ("gzip\x00evil", "unsupported content encoding"),
    ],
)
def test_refused_codings(header: str, reason: str) -> None:
    with pytest.raises(BadEncoding) as caught:
        content_coding(header)
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    ("coding", "raw"),
    [
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("gzip", gzip.compress(TEXT[:100]) + gzip.compress(b"") + gzip.compress(TEXT[100:])),
        ("gzip", gzip.compress(TEXT) + b"\x1f"),  # a lone byte after the end is no member
        ("deflate", zlib.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)[2:-4]),  # the same stream without its zlib wrapping
        ("deflate", zlib.compress(TEXT) + b"junk"),
    ],
)
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 16])
def test_any_chunking_decodes_the_same(coding: str, raw: bytes, chunk: int) -> None:
    assert read(coding, len(TEXT), raw, chunk) == TEXT


@pytest.mark.parametrize("coding", ["identity", "gzip", "deflate"])
def test_a_body_one_byte_over_the_cap_is_refused(coding: str) -> None:
    raw = {"identity": TEXT, "gzip": gzip.compress(TEXT), "deflate": zlib.compress(TEXT)}[coding]
    assert read(coding, len(TEXT), raw, 5) == TEXT
    with pytest.raises(BodyTooLarge):
        read(coding, len(TEXT) - 1, raw, 5)


def test_raw_bytes_are_capped_even_when_they_inflate_to_nothing() -> None:
    empty_members = gzip.compress(b"") * (compressed_cap(1000) // 20 + 1)
    with pytest.raises(BodyTooLarge):
        read("gzip", 1000, empty_members, 1 << 16)


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_an_empty_body_is_empty_but_a_cut_stream_is_not(coding: str) -> None:
    assert read(coding, 100, b"", 1) == b""
    with pytest.raises(BadEncoding, match="ended early"):
        read(coding, 100, b"x", 1)
