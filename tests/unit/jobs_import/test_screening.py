"""The screening rules on their own: wages against the published minimum, words that signal
fees, held documents or work abroad, and unverified employers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jobs_import.screening import (
    Keywords,
    ReferenceFileError,
    Screened,
    parse_keywords,
    parse_minimum_wages,
    screen,
)
from reintegrate.services.screening import KEYWORDS_CSV, MINIMUM_WAGES_CSV

HEADER = "year,sector,monthly_usd,applies_to,source"


def _wages() -> object:
    with MINIMUM_WAGES_CSV.open(encoding="utf-8") as lines:
        return parse_minimum_wages(lines)


def _keywords() -> Keywords:
    with KEYWORDS_CSV.open(encoding="utf-8") as lines:
        return parse_keywords(lines)


def _job(**overrides: object) -> Screened:
    values: dict[str, object] = {
        "kind": "job",
        "title": "Welder",
        "description": "Arc welding of steel frames.",
        "sectors": ("construction",),
        "wage_min_usd": Decimal("300"),
        "has_employer": True,
        "employer_verified": True,
    }
    values.update(overrides)
    return Screened(**values)  # type: ignore[arg-type]


def _codes(listing: Screened, year: int = 2026) -> list[str]:
    return [f.code for f in screen(listing, _wages(), _keywords(), year)]  # type: ignore[arg-type]


def test_a_plain_job_at_a_verified_employer_has_no_flags() -> None:
    assert _codes(_job()) == []


@pytest.mark.parametrize(
    ("year", "wage", "flagged"),
    [
        (2024, "204", False),
        (2024, "203.99", True),
        (2025, "205", True),
        (2026, "209", True),
        (2026, "210", False),
        (2030, "209", True),
        (2019, "100", False),
    ],
)
def test_garment_wages_under_the_published_minimum_of_their_year(
    year: int, wage: str, flagged: bool
) -> None:
    listing = _job(sectors=("Garment",), wage_min_usd=Decimal(wage))
    assert (_codes(listing, year) == ["below_minimum_wage"]) is flagged


def test_the_minimum_is_found_from_a_skill_and_the_reason_cites_the_regulation() -> None:
    listing = _job(sectors=("", "sewing"), wage_min_usd=Decimal("150"))
    (flag,) = screen(listing, _wages(), _keywords(), 2026)  # type: ignore[arg-type]
    assert flag.detail["minimum"] == "210.00" and flag.detail["wage"] == "150.00"
    assert "MoLVT Prakas" in flag.detail["source"] and flag.detail["year"] == "2026"
    assert _codes(_job(sectors=("construction",), wage_min_usd=Decimal("150"))) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("A recruitment fee of $300 is deducted from the first salary.", "worker_fee"),
        ("Workers pay a DEPOSIT before starting.", "worker_fee"),
        ("ត្រូវបង់ប្រាក់កក់ ៥០ដុល្លារ", "worker_fee"),
        ("The company will keep your passport during the contract.", "documents_held"),
        ("ត្រូវប្រគល់អត្តសញ្ញាណប័ណ្ណឱ្យក្រុមហ៊ុន", "documents_held"),
        ("Factory work in Thailand, transport from Poipet provided.", "work_abroad"),
        ("ធ្វើការនៅប្រទេសម៉ាឡេស៊ី", "work_abroad"),
    ],
)
def test_words_in_english_and_khmer_raise_their_flag(text: str, code: str) -> None:
    assert _codes(_job(description=text)) == [code]


def test_words_match_whole_words_only_and_abroad_only_matters_for_local_jobs() -> None:
    assert _codes(_job(description="Thai speakers welcome; deposits of concrete.")) == []
    assert _codes(_job(description="Work overseas.", in_cambodia=False)) == []


def test_an_unverified_employer_is_flagged_and_an_incentive_never_is() -> None:
    assert _codes(_job(employer_verified=False)) == ["employer_unverified"]
    incentive = _job(kind="incentive", has_employer=False, wage_min_usd=None)
    assert _codes(incentive) == []


def test_the_shipped_reference_files_load() -> None:
    wages = _wages()
    assert {r.year for r in wages.rates} >= {2024, 2025, 2026}  # type: ignore[attr-defined]
    assert set(_keywords().phrases) == {"worker_fee", "documents_held", "work_abroad"}


@pytest.mark.parametrize(
    ("rows", "row", "words"),
    [
        (["20x4,garment,204,garment,Prakas"], 2, "year '20x4'"),
        (
            ["2024,garment,204,garment,Prakas", "2025,garment,two hundred,garment,Prakas"],
            3,
            "monthly_usd 'two hundred'",
        ),
        (["2024,garment,-5,garment,Prakas"], 2, "not a wage"),
        (["2024,garment,204,garment,"], 2, "source is empty"),
        (["2024,garment,204,,Prakas"], 2, "applies_to"),
        (["2024,garment,204,garment,Prakas", "2024,garment,205,garment,Prakas"], 3, "twice"),
        (["2024,garment,204,garment,Prakas,extra"], 2, "more cells"),
    ],
)
def test_a_bad_row_in_the_minimum_wage_file_is_named(rows: list[str], row: int, words: str) -> None:
    with pytest.raises(ReferenceFileError) as caught:
        parse_minimum_wages([HEADER, *rows])
    assert caught.value.row == row and words in str(caught.value)
    assert str(caught.value).startswith(f"row {row}: ")


def test_a_minimum_wage_file_without_its_columns_is_refused() -> None:
    with pytest.raises(ReferenceFileError, match="row 1: missing column"):
        parse_minimum_wages(["year,sector,usd", "2024,garment,204"])
