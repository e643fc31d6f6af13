"""Streaming CSV feed parser for jobs and incentive programmes."""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from jobs_import.build import build_record
from jobs_import.columns import REQUIRED, examples, header_key, synonyms
from jobs_import.decoding import SNIFF_BYTES, check_not_binary, detect_encoding, text_stream
from jobs_import.records import KINDS, N_, FeedError, ListingRecord, RowIssue

#: Above this many characters in one field the file is unreadable (quotes never closed, or
#: not a CSV at all). Python's csv default is 131,072; our per-field limits are far lower and
#: reject just the row, so a 130,000-character description costs one row, not the file.
MAX_FIELD_CHARS = 1_000_000
_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def parse_csv(
    stream: BinaryIO,
    *,
    kind: str,
    resolve_province: Callable[[str], str | None],
    max_field_chars: int = MAX_FIELD_CHARS,
) -> Iterator[ListingRecord | RowIssue]:
    """Read a CSV feed row by row, in constant memory.

    The encoding, delimiter and header are checked now (FeedError); rows are then yielded
    lazily: a ListingRecord (warnings inside) or a RowIssue that rejects the row. FeedError
    can still come mid-file if the text stops decoding or a quote is never closed.
    Raises the process-wide ``csv.field_size_limit`` to ``max_field_chars`` if it is lower.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    head = stream.read(SNIFF_BYTES)
    check_not_binary(head)
    encoding = detect_encoding(head)
    text = text_stream(head, stream, encoding)
    header_line, skipped = _header_line(text)
    delimiter = _sniff_delimiter(header_line)
    if csv.field_size_limit() < max_field_chars:
        csv.field_size_limit(max_field_chars)
    reader = csv.reader(_chain(header_line, text), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except UnicodeDecodeError as error:  # a quoted header cell running over several lines
        raise FeedError(_decode_message(error, 1)) from None
    except csv.Error as error:
        raise FeedError(_csv_message(error, 1)) from None
    columns = _map_header(header, kind, delimiter)
    return _rows(reader, columns, header, kind, resolve_province, encoding, first_row=skipped + 2)


def _header_line(text: Iterable[str]) -> tuple[str, int]:
    """The first non-blank line and how many blank lines came before it."""
    skipped = 0
    try:
        for line in text:
            if line.strip().strip("\ufeff"):
                return line.lstrip("\ufeff"), skipped
            skipped += 1
    except UnicodeDecodeError as error:
        raise FeedError(_decode_message(error, 1)) from None
    raise FeedError(N_("the file is empty"))


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _sniff_delimiter(line: str) -> str:
    """The known delimiter appearing most often outside quotes in the header line."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _map_header(header: list[str], kind: str, delimiter: str) -> dict[str, list[int]]:
    """Field -> column indexes, in header order. FeedError if required columns are missing."""
    table = synonyms(kind)
    columns: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        field = table.get(header_key(name))
        if field:
            columns.setdefault(field, []).append(index)
    seen = ", ".join(f'"{name}"' for name in header[:20])
    if not columns:
        raise FeedError(
            N_(
                "no known column in the header (saw {seen}); the file must be separated by "
                "commas, semicolons or tabs, with a header row such as "
                "id,title,company,location,salary,closing_date",
                seen=seen,
            )
        )
    missing = [field for field in REQUIRED[kind] if field not in columns]
    if missing:
        wanted = "; ".join(f"{f} (e.g. {', '.join(examples(f, kind))})" for f in missing)
        raise FeedError(
            N_(
                "missing required column(s): {wanted}. Columns found, separated by "
                "{separator}: {seen}",
                wanted=wanted,
                separator=_DELIMITER_NAMES[delimiter],
                seen=seen,
            )
        )
    return columns


def numbered_rows(reader: Iterator[list[str]], first: int) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with its row number; a file that stops decoding or quoting properly
    fails whole, naming the row, so nothing after a broken row is read as data."""
    row = first - 1
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            raise FeedError(_decode_message(error, row)) from None
        except csv.Error as error:
            raise FeedError(_csv_message(error, row)) from None
        yield row, cells


def spilled_row(row: int, cells: list[str], width: int) -> RowIssue | None:
    """The issue of a row with text past the header's last column (an unquoted comma), or
    None: such a row's cells no longer line up with their columns."""
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        return RowIssue(
            row,
            None,
            N_(
                "the row has {cells} cells but the header has {width}; "
                "is there an unquoted comma inside a value?",
                cells=len(cells),
                width=width,
            ),
        )
    return None


def _rows(
    reader: Iterator[list[str]],
    columns: dict[str, list[int]],
    header: list[str],
    kind: str,
    resolve_province: Callable[[str], str | None],
    encoding: str,
    first_row: int,
) -> Iterator[ListingRecord | RowIssue]:
    resolve = functools.lru_cache(maxsize=4096)(resolve_province)
    labels = {field: header[indexes[0]] for field, indexes in columns.items()}
    width = len(header)
    for row, cells in numbered_rows(reader, first_row):
        if not any(cell.strip() for cell in cells):
            continue
        if spilled := spilled_row(row, cells, width):
            yield spilled
            continue
        yield build_record(row, kind, _raw(cells, columns), resolve, labels)


def _raw(cells: list[str], columns: dict[str, list[int]]) -> dict[str, object]:
    """Field -> cell text; a job's location keeps every candidate column's text."""
    raw: dict[str, object] = {}
    for field, indexes in columns.items():
        texts = [cells[i] for i in indexes if i < len(cells)]
        if field == "location":
            raw[field] = texts
        else:
            raw[field] = next((t for t in texts if t.strip()), texts[0] if texts else "")
    return raw


def _decode_message(error: UnicodeDecodeError, row: int) -> str:
    return N_(
        "at or after row {row}: the text stops being valid {encoding} (byte 0x{byte}); the "
        "file mixes encodings. Save it as CSV UTF-8",
        row=row,
        encoding=error.encoding.upper(),
        byte=f"{error.object[error.start]:02x}",
    )


def _csv_message(error: csv.Error, row: int) -> str:
    reason = str(error)
    if "field larger than field limit" in reason:
        return N_(
            "row {row}: a field is longer than {limit} characters; most likely a quote is "
            "opened and never closed",
            row=row,
            limit=f"{csv.field_size_limit():,}",
        )
    if "unexpected end of data" in reason:
        return N_("row {row}: a quoted field is never closed (unbalanced quotes)", row=row)
    return N_(
        'row {row}: the CSV is malformed ({reason}); check the quotes (") in this row',
        row=row,
        reason=reason,
    )
