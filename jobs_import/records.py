"""The values a feed parser yields: listing records, row issues and the whole-file error."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from matching.text import normalise

Kind = Literal["job", "incentive"]
KINDS: tuple[str, ...] = ("job", "incentive")
EMPLOYMENT_TYPES: tuple[str, ...] = (
    "full_time",
    "part_time",
    "contract",
    "temporary",
    "seasonal",
    "internship",
    "self_employment",
)


class Message(str):
    """A message in English that keeps its template and values, so a page can show it in the
    reader's language (the template is the catalogue's msgid). Everywhere else it is the
    plain English string: logs, the CLI, stored reports, comparisons."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        text = super().__new__(cls, template.format(**params))
        text.template = template
        text.params = params
        return text

    def as_data(self) -> dict[str, Any]:
        """Template and values as JSON-ready data (nested messages kept as such)."""
        return {"template": self.template, "params": {k: _data(v) for k, v in self.params.items()}}


def _data(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_data()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


N_ = Message
"""Marks a message template for translation (the name babel extracts) and builds the message."""


def reason(error: Exception) -> str:
    """What a ValueError says, keeping its Message (``str(error)`` would drop the template)."""
    first = error.args[0] if error.args else ""
    return first if isinstance(first, str) else str(first)


class FeedError(Exception):
    """The whole file cannot be read; nothing from it should be imported.

    May be raised when a parser is called (empty, binary, bad header) or while iterating
    (text that stops decoding, quotes never closed): an importer must then roll back.
    """


@dataclass(frozen=True)
class RowIssue:
    """A problem with one row: yielded alone it rejects the row; inside a record it warns.

    ``row`` is the number a person looking at the file would use. CSV: the spreadsheet row,
    counting the header as row 1 (so the first data row is 2, blank rows still count, and a
    quoted field spanning several lines is one row). JSON and JSON-LD: the 1-based position of
    the listing among the listings found, in document order. ``field`` is the record field
    (``location`` for a job's place, ``salary`` for salary text) or None for the whole row.
    """

    row: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Eligibility:
    """Who may join an incentive programme; None means no restriction on that criterion."""

    returned_within_months: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    sex: str | None = None
    survivors_priority: bool = False


@dataclass(frozen=True)
class ListingRecord:
    """One job or incentive programme as read from a feed, validated and normalised.

    Wages are monthly USD. ``provinces`` holds codes: exactly one for a job; for an incentive
    the eligible provinces, empty meaning nationwide. ``skills`` are raw phrases as written
    (normalising them to vocabulary codes is the importer's job). Incentives always carry an
    ``Eligibility`` (all None = open to all); jobs carry None.
    """

    row: int
    kind: str
    external_id: str | None
    title: str
    employer: str | None = None
    programme: str | None = None
    provinces: tuple[str, ...] = ()
    district: str | None = None
    description: str | None = None
    skills: tuple[str, ...] = ()
    positions: int | None = None
    wage_min_usd: Decimal | None = None
    wage_max_usd: Decimal | None = None
    employment_type: str | None = None
    languages: tuple[str, ...] = ()
    valid_through: date | None = None
    url: str | None = None
    sector: str | None = None
    benefit: str | None = None
    eligibility: Eligibility | None = None
    hazardous: bool | None = None
    """Said by the employer or an admin in the app; None (always, from feeds) means the default
    from the list of hazardous work."""
    warnings: tuple[RowIssue, ...] = ()

    def content_hash(self) -> str:
        """Identity when the feed gives no external id: kind, title, employer or programme,
        provinces and district, normalised (case, punctuation, spacing do not count).

        Anything else (wage, dates, description) may change without changing identity; a
        change of title or employer makes a new listing, and the old one closes on a full feed.
        """
        identity = {
            "v": 1,
            "kind": self.kind,
            "title": normalise(self.title),
            "owner": normalise(self.employer if self.kind == "job" else self.programme),
            "provinces": sorted(self.provinces),
            "district": normalise(self.district),
        }
        return _sha256(identity)

    def fingerprint(self) -> str:
        """Hash of all content (not the row number or warnings): equal means "unchanged"."""
        return _sha256({"v": 1, **{k: _plain(v) for k, v in self._content().items()}})

    def _content(self) -> dict[str, Any]:
        skip = {"row", "warnings", "hazardous"}
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in skip}


def _plain(value: Any) -> Any:
    """A JSON-ready, run-independent form of a field value."""
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Eligibility):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    return value


def _sha256(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
