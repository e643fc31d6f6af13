"""Reading feed bytes as text: binary sniffing and encoding detection (UTF-8, BOM, cp1252)."""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO

from jobs_import.records import N_, FeedError

#: Bytes read up front to sniff the format, the encoding and the CSV delimiter.
SNIFF_BYTES = 64 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls or Word document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3", "an SQLite database"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Share of control characters (other than tab, CR, LF, FF) above which text is binary.
_MAX_CONTROL_SHARE = 0.05


def check_not_binary(head: bytes) -> None:
    """FeedError if the first bytes are empty or belong to a binary file."""
    if not head.strip():
        raise FeedError(N_("the file is empty"))
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise FeedError(
                N_("the file is {what}, not a CSV or JSON feed; export it as CSV", what=what)
            )
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    if controls > _MAX_CONTROL_SHARE * len(head):
        raise FeedError(N_("the file holds binary data, not text; export it as CSV (UTF-8)"))


def detect_encoding(head: bytes) -> str:
    """The codec for a file starting with ``head``: BOM, else UTF-8 if valid, else cp1252."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
    except UnicodeDecodeError as error:
        raise FeedError(
            N_(
                "the text is neither UTF-8 nor Windows-1252 (byte 0x{byte} at offset "
                "{offset}); save the file as CSV UTF-8",
                byte=f"{head[error.start]:02x}",
                offset=error.start,
            )
        ) from None
    return "cp1252"


def decode_all(data: bytes, *, fallback: str | None = None) -> str:
    """Whole-document decoding for JSON and HTML: BOM, else UTF-8, else ``fallback``."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if fallback:
            return data.decode(fallback, errors="replace")
        raise FeedError(
            N_(
                "the file is not valid UTF-8 (byte 0x{byte} at offset {offset}); JSON feeds "
                "must be UTF-8",
                byte=f"{data[error.start]:02x}",
                offset=error.start,
            )
        ) from None


class _Prefixed(io.RawIOBase):
    """A raw stream that serves already-read bytes, then the rest of the original stream."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def prefixed(head: bytes, rest: BinaryIO) -> io.BufferedReader:
    """One binary stream: bytes already read from ``rest``, then the remainder of ``rest``."""
    return io.BufferedReader(_Prefixed(head, rest), buffer_size=SNIFF_BYTES)


def text_stream(head: bytes, rest: BinaryIO, encoding: str) -> io.TextIOWrapper:
    """A text stream over ``head`` + ``rest`` with newlines untranslated, as csv wants."""
    return io.TextIOWrapper(prefixed(head, rest), encoding=encoding, errors="strict", newline="")
