"""Returnee lists (CSV or XLSX) read row by row into registration payloads, in constant memory.

Pure like the feed parsers: which columns exist and which are required is given by the caller
(the registration schema is their home); here only the file's shape and the cells' hygiene are
judged. A payload then goes through the same schema as `POST /returnees`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, BinaryIO

from jobs_import.csv_feed import (
    MAX_FIELD_CHARS,
    _header_line,
    _sniff_delimiter,
    numbered_rows,
    spilled_row,
)
from jobs_import.decoding import SNIFF_BYTES, check_not_binary, detect_encoding, text_stream
from jobs_import.records import N_, FeedError, RowIssue

MAX_CELL_CHARS = 5000
"""Longer than any field allows (notes: 5,000): such a cell rejects its row before validation."""
MAX_COLUMNS = 200
LIST_SEPARATOR = "|"
CONSENT_COLUMNS = ("consent_referral", "consent_share_with_employers", "consent_research")
EXTERNAL_ID = "external_id"
EXTERNAL_ID_MAX = 100
_XLSX_MAGIC = b"PK\x03\x04"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_FORMULA_START = ("=", "@")
_SIGNS = ("+", "-")


class HeaderError(FeedError):
    """The header makes the whole file unreadable (a column missing or given twice)."""

    def __init__(self, message: str, column: str | None) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Columns:
    """What the caller's schema accepts: every column, the required ones, and their types."""

    known: frozenset[str]
    required: tuple[str, ...]
    lists: frozenset[str]
    booleans: frozenset[str]
    dates: frozenset[str]


@dataclass(frozen=True)
class PersonRow:
    """One data row: a payload for the registration schema, or the issues that reject it."""

    row: int
    payload: dict[str, Any]
    external_id: str | None = None
    issues: tuple[RowIssue, ...] = ()


@dataclass
class PeopleFile:
    """An opened list: its unknown columns (ignored, reported once) and its rows."""

    rows: Iterator[PersonRow]
    unknown_columns: list[str] = field(default_factory=list)


def read_people(stream: BinaryIO, *, filename: str, columns: Columns) -> PeopleFile:
    """Open a returnee list; FeedError now for an empty, binary or headless file, or later
    while iterating if the text stops decoding."""
    head = stream.read(SNIFF_BYTES)
    if not head.strip():
        raise FeedError(N_("the file is empty"))
    if head.startswith(_XLSX_MAGIC) or PurePath(filename or "").suffix.casefold() == ".xlsx":
        lines = _xlsx_rows(head, stream)
    else:
        check_not_binary(head)
        lines = _csv_rows(head, stream)
    first_row, header = _first_nonblank(lines)
    index, unknown = _map_header(header, columns)
    return PeopleFile(_people(lines, index, columns, len(header)), unknown)


def _first_nonblank(lines: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    for number, cells in lines:
        if any(cell.strip() for cell in cells):
            return number, cells
    raise FeedError(N_("the file is empty"))


def _csv_rows(head: bytes, stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    encoding = detect_encoding(head)
    text = text_stream(head, stream, encoding)
    header_line, skipped = _header_line(text)
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(
        _chain(header_line, text), delimiter=_sniff_delimiter(header_line), strict=True
    )
    return numbered_rows(reader, skipped + 1)


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _xlsx_rows(head: bytes, stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows as text, streamed (openpyxl's read-only mode). Formulas stay
    formulas (=...), so they are refused rather than evaluated or silently dropped."""
    from openpyxl import load_workbook

    try:
        stream.seek(0)
        source: BinaryIO = stream
    except (AttributeError, OSError, io.UnsupportedOperation):
        source = io.BytesIO(head + stream.read())
    try:
        book = load_workbook(source, read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise FeedError(
            N_("the file is not a readable XLSX workbook; save it again as .xlsx or as CSV UTF-8")
        ) from None
    return _xlsx_text(rows, book)


def _xlsx_text(rows: Iterator[tuple[Any, ...]], book: Any) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(rows, start=1):
            yield number, [_cell_text(value) for value in values[: MAX_COLUMNS + 1]]
    except FeedError:
        raise
    except Exception:
        raise FeedError(
            N_("the file is not a readable XLSX workbook; save it again as .xlsx or as CSV UTF-8")
        ) from None
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _key(name: str) -> str:
    return name.strip().strip("\ufeff").casefold().replace(" ", "_")


def _map_header(header: list[str], columns: Columns) -> tuple[dict[str, int], list[str]]:
    index: dict[str, int] = {}
    unknown: list[str] = []
    for position, name in enumerate(header[:MAX_COLUMNS]):
        key = _key(name)
        if not key:
            continue
        if key in index:
            raise HeaderError(
                N_('the column "{column}" appears twice; keep one of them', column=name.strip()),
                key,
            )
        if key in columns.known:
            index[key] = position
        else:
            unknown.append(name.strip()[:100])
    missing = [name for name in columns.required if name not in index]
    if missing:
        raise HeaderError(
            N_(
                "missing required column(s): {missing}. The header must use the API's field "
                "names, such as given_name,family_name,sex,date_of_birth,home_province",
                missing=", ".join(missing),
            ),
            missing[0],
        )
    return index, unknown


def _people(
    lines: Iterator[tuple[int, list[str]]], index: dict[str, int], columns: Columns, width: int
) -> Iterator[PersonRow]:
    for row, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if spilled := spilled_row(row, cells, width):
            yield PersonRow(row, {}, issues=(spilled,))
            continue
        yield _person(row, cells, index, columns)


def _cell_issue(row: int, name: str, text: str) -> RowIssue | None:
    if len(text) > MAX_CELL_CHARS:
        return RowIssue(
            row, name, N_("longer than {limit} characters", limit=f"{MAX_CELL_CHARS:,}")
        )
    if _CONTROL.search(text):
        return RowIssue(row, name, N_("contains a control character (such as a NUL byte)"))
    if text.startswith(_FORMULA_START) or (
        text.startswith(_SIGNS) and len(text) > 1 and not (text[1].isdigit() or text[1] in " (")
    ):
        return RowIssue(
            row, name, N_("looks like a spreadsheet formula; formulas are not imported")
        )
    return None


def _person(row: int, cells: list[str], index: dict[str, int], columns: Columns) -> PersonRow:
    payload: dict[str, Any] = {}
    consent: dict[str, str] = {}
    issues: list[RowIssue] = []
    external_id = None
    for name, position in index.items():
        text = cells[position].strip() if position < len(cells) else ""
        if not text:
            continue
        issue = _cell_issue(row, name, text)
        if issue is not None:
            issues.append(issue)
            continue
        if name == EXTERNAL_ID:
            if len(text) > EXTERNAL_ID_MAX:
                issues.append(
                    RowIssue(row, name, N_("longer than {limit} characters", limit=EXTERNAL_ID_MAX))
                )
            external_id = text
        elif name in CONSENT_COLUMNS:
            consent[name.removeprefix("consent_")] = text.casefold()
        elif name in columns.lists:
            payload[name] = [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
        elif name in columns.booleans:
            payload[name] = text.casefold()
        elif name in columns.dates:
            payload[name] = _iso_date(text)
        else:
            payload[name] = text
    if consent or any(name in index for name in CONSENT_COLUMNS):
        payload["consent"] = consent
    return PersonRow(row, payload, external_id, tuple(issues))


def _iso_date(text: str) -> str:
    """DD/MM/YYYY written as ISO; anything else as given (the schema judges it, once)."""
    match = _DAY_FIRST.fullmatch(text)
    if match is None:
        return text
    day, month, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"
