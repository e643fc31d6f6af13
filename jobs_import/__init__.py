"""Pure feed parsing: CSV, JSON and JSON-LD job and incentive feeds to ListingRecords.

Imports neither Flask, SQLAlchemy nor ``reintegrate``: the app's import service persists
what these parsers yield. Entry point: ``parse_feed``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import BinaryIO

from jobs_import.csv_feed import parse_csv
from jobs_import.decoding import SNIFF_BYTES, check_not_binary, prefixed
from jobs_import.json_feed import MAX_JSON_BYTES, parse_json
from jobs_import.places import TOWNS
from jobs_import.records import KINDS, N_, Eligibility, FeedError, ListingRecord, RowIssue

__all__ = [
    "Eligibility",
    "FeedError",
    "KINDS",
    "ListingRecord",
    "RowIssue",
    "TOWNS",
    "parse_csv",
    "parse_feed",
    "parse_json",
]

_JSON_EXTENSIONS = {".json", ".jsonld", ".json-ld"}
_HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
_LEADING = b"\xef\xbb\xbf \t\r\n"


def parse_feed(
    source: BinaryIO | bytes,
    *,
    filename: str,
    kind: str,
    resolve_province: Callable[[str], str | None],
) -> Iterator[ListingRecord | RowIssue]:
    """Parse a feed of any supported format, chosen by content first, then by extension.

    Content starting with ``[`` or ``{`` is JSON, ``<`` is HTML with JSON-LD; a ``.json``
    or ``.html`` name forces that parser (for a clear error); anything else is CSV. Whole-file
    problems (empty, binary, unreadable header or JSON) raise FeedError before this returns.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    head = stream.read(SNIFF_BYTES)
    check_not_binary(head)
    start = head.lstrip(_LEADING)[:1]
    extension = PurePath(filename or "").suffix.casefold()
    if start == b"<" and head.lstrip(_LEADING)[:5].lower() == b"<?xml":
        raise FeedError(N_("XML and RSS feeds are not supported; use CSV, JSON or JSON-LD"))
    if start in (b"[", b"{", b"<") or extension in _JSON_EXTENSIONS | _HTML_EXTENSIONS:
        rest = stream.read(MAX_JSON_BYTES + 1 - len(head))
        return parse_json(head + rest, kind=kind, resolve_province=resolve_province)
    return parse_csv(prefixed(head, stream), kind=kind, resolve_province=resolve_province)
