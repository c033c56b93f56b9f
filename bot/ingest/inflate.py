"""Read an HTTP body from its raw bytes, undoing at most one content coding, within a cap.

Accepted codings: none (or `identity`), or exactly one `gzip` (also spelled `x-gzip`) or
`deflate` layer; deflate may come zlib-wrapped (as RFC 9110 says) or raw (as some servers send
it). Stacked codings (`gzip, gzip`) and unknown ones (`br`, `zstd`, `compress`, ...) are
refused before any byte is read.

Every decompression step is asked for at most the room left under the cap plus one byte, so a
compression bomb stops once it has produced cap + 1 bytes, whatever its ratio. The raw bytes
are capped as well (`compressed_cap`), so padding or empty gzip members cannot stream forever.

A gzip body may be a series of members (RFC 1952); they are joined. Bytes after the last
complete member that do not start another one are ignored, since the body before them is
complete and its checksum verified. A stream that ends before its end marker, or that fails
its checksum, is an error.
"""

from __future__ import annotations

import re
import zlib

ACCEPT_ENCODING = "gzip, deflate"
IDENTITY = "identity"
_ALIASES = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}
_TOKEN = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]{1,20}")
_GZIP_MAGIC = b"\x1f\x8b"


class BodyTooLarge(Exception):
    """The body, decoded or raw, grew past its cap."""


class BadEncoding(Exception):
    """The body's content coding is refused, or its bytes do not decode; str() is the reason."""


def compressed_cap(cap: int) -> int:
    """Raw bytes allowed for a compressed body that inflates to at most `cap` bytes.

    Deflate never grows data by more than a few bytes per 16 KB block; the slack covers that
    and the gzip header and trailer.
    """
    return cap + cap // 1000 + 4096


def content_coding(header: str | None) -> str:
    """The one coding a Content-Encoding value names ("identity", "gzip", "deflate").

    Multiple Content-Encoding headers arrive joined by commas, so they count as stacked.
    """
    names = [name.strip().lower() for name in (header or "").split(",")]
    codings = [name for name in names if name and name != IDENTITY]
    for name in codings:
        if name not in _ALIASES:
            shown = f" '{name}'" if _TOKEN.fullmatch(name) else ""
            raise BadEncoding(f"unsupported content encoding{shown}")
    if len(codings) > 1:
        raise BadEncoding(f"stacked content encodings ({', '.join(codings)}) are refused")
    return _ALIASES[codings[0]] if codings else IDENTITY


class BodyReader:
    """Collects a body fed as raw chunks, decoding `coding` with bounded output per step."""

    def __init__(self, coding: str, cap: int) -> None:
        self.coding = coding
        self.cap = cap
        self.raw_cap = cap if coding == IDENTITY else compressed_cap(cap)
        self._raw_size = 0
        self._body = bytearray()
        self._held = b""  # raw bytes kept until it is clear what they start
        self._inflater: zlib._Decompress | None = None
        self._streams_done = 0
        self._ignoring = False  # past the end of the body: the rest is dropped

    def feed(self, data: bytes) -> None:
        """Take the next raw chunk; raise BodyTooLarge or BadEncoding."""
        self._raw_size += len(data)
        if self._raw_size > self.raw_cap:
            raise BodyTooLarge
        if self.coding == IDENTITY:
            self._add(data)
            return
        pending = self._held + data
        self._held = b""
        while pending and not self._ignoring:
            if self._inflater is None:
                self._inflater = self._start(pending)
                if self._inflater is None:
                    self._held = pending
                    return
            pending = self._inflate(self._inflater, pending)

    def finish(self) -> bytes:
        """The whole decoded body; raise BadEncoding if the compressed stream was cut off."""
        cut_off = self._inflater is not None or (self._streams_done == 0 and self._raw_size > 0)
        if self.coding != IDENTITY and cut_off:
            raise BadEncoding("compressed body ended early")
        return bytes(self._body)

    def _start(self, data: bytes) -> zlib._Decompress | None:
        """A decompressor for the stream `data` begins, or None until enough bytes are in."""
        if self._streams_done and self.coding == "deflate":
            self._ignoring = True
            return None
        if self.coding == "gzip" and not self._streams_done:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if len(data) < 2:
            return None
        if self.coding == "gzip":
            if not data.startswith(_GZIP_MAGIC):
                self._ignoring = True
                return None
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        zlib_wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)

    def _inflate(self, inflater: zlib._Decompress, data: bytes) -> bytes:
        """Inflate `data` step by step; the bytes left over after the stream's end."""
        try:
            while data:
                self._add(inflater.decompress(data, self.cap - len(self._body) + 1))
                data = inflater.unconsumed_tail
        except zlib.error:
            raise BadEncoding("compressed body is corrupt") from None
        if not inflater.eof:
            return b""
        self._inflater = None
        self._streams_done += 1
        return inflater.unused_data

    def _add(self, piece: bytes) -> None:
        if len(self._body) + len(piece) > self.cap:
            raise BodyTooLarge
        self._body += piece
