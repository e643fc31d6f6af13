"""Record identity (content_hash) and change detection (fingerprint)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from feed_helpers import ROOT

from jobs_import import Eligibility, ListingRecord, RowIssue


def job(**changes: object) -> ListingRecord:
    base = ListingRecord(
        row=2,
        kind="job",
        external_id=None,
        title="Construction Worker",
        employer="Angkor Build Co., Ltd.",
        provinces=("17",),
        district="Siem Reap",
        wage_min_usd=Decimal("250.00"),
        wage_max_usd=Decimal("300.00"),
        valid_through=date(2026, 12, 31),
        skills=("bricklaying",),
    )
    return dataclasses.replace(base, **changes)


def test_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        job().title = "x"  # type: ignore[misc]


def test_content_hash_is_stable_and_hex() -> None:
    first, second = job().content_hash(), job().content_hash()
    assert first == second
    assert len(first) == 64 and int(first, 16) >= 0


def test_content_hash_known_value_is_stable_across_runs() -> None:
    code = (
        "from jobs_import import ListingRecord;"
        "print(ListingRecord(row=1, kind='job', external_id=None, title='Cook',"
        " employer='Hotel', provinces=('07',)).content_hash())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(runs) == 1


def test_wage_change_keeps_identity_but_changes_fingerprint() -> None:
    before, after = job(), job(wage_min_usd=Decimal("260"))
    assert before.content_hash() == after.content_hash()
    assert before.fingerprint() != after.fingerprint()


def test_identity_ignores_case_punctuation_and_row() -> None:
    a = job()
    b = job(row=99, title="construction  worker", employer="ANGKOR BUILD CO LTD", district=None)
    assert a.content_hash() != b.content_hash()  # district is part of identity
    c = job(row=99, title="construction  worker", employer="angkor build co. ltd.")
    assert a.content_hash() == c.content_hash()


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "Welder"},
        {"employer": "Other Builders"},
        {"provinces": ("01",)},
        {"district": "Puok"},
        {"kind": "incentive"},
    ],
)
def test_identity_fields_change_content_hash(changes: dict[str, object]) -> None:
    assert job().content_hash() != job(**changes).content_hash()


def test_fingerprint_ignores_row_and_warnings() -> None:
    warned = job(row=7, warnings=(RowIssue(7, "salary", "note"),))
    assert warned.fingerprint() == job().fingerprint()


@pytest.mark.parametrize(
    "changes",
    [
        {"description": "new text"},
        {"valid_through": date(2027, 1, 1)},
        {"skills": ("bricklaying", "plastering")},
        {"external_id": "X-1"},
        {"eligibility": Eligibility(min_age=18)},
    ],
)
def test_any_content_change_changes_fingerprint(changes: dict[str, object]) -> None:
    assert job().fingerprint() != job(**changes).fingerprint()


def test_equal_decimal_values_fingerprint_equal() -> None:
    assert job(wage_min_usd=Decimal("250")).fingerprint() == job().fingerprint()


def test_incentive_identity_uses_programme() -> None:
    a = ListingRecord(1, "incentive", None, "Chicken raising", programme="MRD pilot")
    b = dataclasses.replace(a, programme="Other fund")
    assert a.content_hash() != b.content_hash()


def test_row_issue_reads_well() -> None:
    assert str(RowIssue(5, "location", 'unknown province: "Bangkok"')) == (
        'row 5, location: unknown province: "Bangkok"'
    )
    assert str(RowIssue(6, None, "too many cells")) == "row 6: too many cells"


def test_import_pulls_in_no_web_or_database_code() -> None:
    code = (
        "import sys, jobs_import, jobs_import.dedupe;"
        "banned = ('flask', 'sqlalchemy', 'reintegrate');"
        "bad = [m for m in sys.modules if m.split('.')[0] in banned];"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
