"""Paths and small filters shared by the feed parser tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

from jobs_import import ListingRecord, RowIssue

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
PROVINCES = ROOT / "reintegrate" / "reference" / "provinces.csv"


def records(items: list[ListingRecord | RowIssue]) -> list[ListingRecord]:
    return [item for item in items if isinstance(item, ListingRecord)]


def issues(items: list[ListingRecord | RowIssue]) -> list[RowIssue]:
    return [item for item in items if isinstance(item, RowIssue)]
