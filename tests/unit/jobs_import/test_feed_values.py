"""Value readers: salary text, dates, employment types, languages and town names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jobs_import import TOWNS
from jobs_import.dates import parse_date
from jobs_import.places import resolve_location
from jobs_import.salary import KHR_PER_USD, parse_salary
from jobs_import.values import employment_type, languages, sex, whole_number, yes_no

D = Decimal


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("$250-$300", D("250.00"), D("300.00")),
        ("$250 - $300 per month", D("250.00"), D("300.00")),
        ("250 USD", D("250.00"), D("250.00")),
        ("USD 300/month", D("300.00"), D("300.00")),
        ("300$", D("300.00"), D("300.00")),
        ("300USD", D("300.00"), D("300.00")),
        ("US$ 1,200", D("1200.00"), D("1200.00")),
        ("250 - 300", D("250.00"), D("300.00")),
        ("250–300 dollars", D("250.00"), D("300.00")),
        ("$250 to $300", D("250.00"), D("300.00")),
        ("1,000,000 riel", D("243.90"), D("243.90")),
        ("1000000 KHR", D("243.90"), D("243.90")),
        ("៛1,000,000", D("243.90"), D("243.90")),
        ("១,០០០,០០០ រៀល", D("243.90"), D("243.90")),
        ("1.2 million riel", D("292.68"), D("292.68")),
        ("800k riel", D("195.12"), D("195.12")),
        ("$10/day", D("260.00"), D("260.00")),
        ("$10 per day", D("260.00"), D("260.00")),
        ("$1.50/hour", D("312.00"), D("312.00")),
        ("$60 a week", D("260.00"), D("260.00")),
        ("$3,600 per year", D("300.00"), D("300.00")),
        ("up to $400", None, D("400.00")),
        ("from $250", D("250.00"), None),
        ("$220 + commission", D("220.00"), None),
        ("$0", D("0.00"), D("0.00")),
    ],
)
def test_salary_table(text: str, low: Decimal | None, high: Decimal | None) -> None:
    salary = parse_salary(text)
    assert (salary.min_usd, salary.max_usd, salary.note) == (low, high, None)


@pytest.mark.parametrize(
    "text", ["", "Negotiable", "negotiable", "Competitive", "ចរចា", "TBD", "5000 baht", "฿9,000"]
)
def test_salary_left_empty_with_a_note(text: str) -> None:
    salary = parse_salary(text)
    assert salary.min_usd is None and salary.max_usd is None and salary.note


@pytest.mark.parametrize(
    "text", ["-250", "$-250", "- $250", "$25,000", "1200000", "$500-$200", "$1000/day"]
)
def test_salary_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="salary"):
        parse_salary(text)


def test_riel_rate_is_documented_constant() -> None:
    assert KHR_PER_USD == 4100


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-31",
        "31/12/2026",
        "31-12-2026",
        "31.12.2026",
        "2026/12/31",
        "31-Dec-2026",
        "31 Dec 2026",
        "31 December 2026",
        "December 31, 2026",
        "Dec 31 2026",
        "12/31/2026",
        "31/12/26",
        "2026-12-31T17:00:00+07:00",
        "2026-12-31T23:30:00Z",
        "2026-12-31 09:00",
        "Thu, 31 Dec 2026",
        "៣១/១២/២០២៦",
        "31 ធ្នូ 2026",
        "46387",
    ],
)
def test_date_table(text: str) -> None:
    assert parse_date(text) == date(2026, 12, 31)


def test_ambiguous_numeric_dates_are_day_first() -> None:
    assert parse_date("05/06/2026") == date(2026, 6, 5)
    assert parse_date("06/13/2026") == date(2026, 6, 13)


def test_datetime_keeps_the_date_as_written_in_its_zone() -> None:
    assert parse_date("2026-12-31T23:30:00-05:00") == date(2026, 12, 31)


@pytest.mark.parametrize("text", ["32/13/2026", "2026-02-30", "soon", "31/12", "Dec 2026", "13"])
def test_unparseable_dates(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


def test_blank_date_is_none() -> None:
    assert parse_date("  ") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Full time", "full_time"),
        ("FULL_TIME", "full_time"),
        ("full-time", "full_time"),
        ("Permanent", "full_time"),
        ("ពេញម៉ោង", "full_time"),
        ("PART_TIME", "part_time"),
        ("Part-time", "part_time"),
        ("CONTRACTOR", "contract"),
        ("Fixed-term contract", "contract"),
        ("TEMPORARY", "temporary"),
        ("Daily", "temporary"),
        ("Seasonal", "seasonal"),
        ("INTERN", "internship"),
        ("Apprenticeship", "internship"),
        ("Self-employed", "self_employment"),
        ("VOLUNTEER", None),
        ("OTHER", None),
    ],
)
def test_employment_types(text: str, expected: str | None) -> None:
    assert employment_type(text) == expected


def test_languages_to_iso_codes() -> None:
    codes, unknown = languages(
        "English, Khmer; Thai / Korean and Japanese, Chinese, Vietnamese, Malay, EN, zh-CN, Elvish"
    )
    assert codes == ("en", "km", "th", "ko", "ja", "zh", "vi", "ms")
    assert unknown == ["Elvish"]
    assert languages(["km", "Thai language", "អង់គ្លេស"]) == (("km", "th", "en"), [])


@pytest.mark.parametrize(
    ("text", "expected"), [("F", "female"), ("women", "female"), ("ប្រុស", "male"), ("any", None)]
)
def test_sex(text: str, expected: str | None) -> None:
    assert sex(text) == expected


def test_yes_no_and_numbers() -> None:
    assert [yes_no(v) for v in ("yes", "TRUE", "1", "no", "false", "0", "", None)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert whole_number("១២", minimum=1) == 12
    assert whole_number("", minimum=1) is None
    with pytest.raises(ValueError):
        whole_number("3 people", minimum=1)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Poipet", "01"),
        ("Poipet City", "01"),
        ("Sisophon", "01"),
        ("Serei Saophoan", "01"),
        ("Bavet", "20"),
        ("Sihanoukville", "18"),
        ("Kampong Som", "18"),
        ("Suong", "25"),
        ("Ta Khmau", "08"),
        ("Samraong", "22"),
        ("Koh Kong town", "09"),
        ("Krong Banlung", "16"),
        ("Sen Sok, Phnom Penh", "12"),
        ("ប៉ោយប៉ែត", "01"),
        ("Phnom Penh, Cambodia", "12"),
        ("Khan Chamkar Mon", "12"),
        ("ខេត្តបាត់ដំបង", "02"),
        ("Kampong Cham Province", "03"),
    ],
)
def test_towns_and_places_resolve(gazetteer, text: str, code: str) -> None:
    assert resolve_location([text], gazetteer.resolve) == code


def test_every_town_resolves_to_a_real_province(gazetteer) -> None:
    for town, code in TOWNS.items():
        assert code in gazetteer, town
        assert resolve_location([town], lambda _: None) == code, town


def test_unknown_places_do_not_resolve(gazetteer) -> None:
    for text in ("Bangkok", "Seoul", "", "  "):
        assert resolve_location([text], gazetteer.resolve) is None
