"""Near-duplicate detection across sources: employer, province and title similarity."""

from __future__ import annotations

import pytest

from jobs_import import ListingRecord
from jobs_import.dedupe import (
    TITLE_THRESHOLD,
    block_key,
    employer_key,
    same_listing,
    title_key,
    title_similarity,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ABC Garment Co., Ltd.", "abc garment"),
        ("ABC Garment Co.,Ltd", "ABC GARMENT COMPANY LIMITED"),
        ("Angkor Build PLC", "Angkor Build Enterprise"),
        ("Sole Step Footwear (Cambodia) Co., Ltd.", "Sole Step Footwear"),
        ("Café Mékong", "Cafe Mekong"),
        ("ក្រុមហ៊ុន អង្គរ", "អង្គរ"),
    ],
)
def test_employer_keys_equal(a: str, b: str) -> None:
    assert employer_key(a) == employer_key(b) != ""


@pytest.mark.parametrize(
    ("a", "b"),
    [("ABC Garment", "ABD Garment"), ("Angkor Build", "Angkor Beer"), ("Cambodia Brewery", "")],
)
def test_employer_keys_differ(a: str, b: str) -> None:
    assert employer_key(a) != employer_key(b)


def test_title_key_drops_noise() -> None:
    assert title_key("URGENT!! Hiring 10 Construction Workers") == "construction workers"


LINK = [
    ("Construction Worker", "Construction Workers"),
    ("Security Guard", "Security Guards"),
    ("Driver", "Drivers"),
    ("Cook", "Cooks"),
    ("Sewing Machine Operator", "Operator, Sewing Machine"),
    ("Truck Driver (Category C)", "Truck Driver - Category C"),
    ("URGENT: Farm Workers", "Farm Worker"),
    ("Waiter/Waitress", "Waiter / Waitress"),
]
NO_LINK = [
    ("Welder", "Wedding Planner"),
    ("Welding", "Wedding planner"),
    ("Garment Worker", "General Worker"),
    ("Sewing Machine Operator", "Sewing Machine Mechanic"),
    ("Truck Driver", "Tuk-tuk Driver"),
    ("Cook", "Cashier"),
    ("Factory Worker", "Factory Workers Supervisor"),
    ("Waiter", "Waitress"),
]


@pytest.mark.parametrize(("a", "b"), LINK)
def test_similar_titles_link(a: str, b: str) -> None:
    assert title_similarity(a, b) >= TITLE_THRESHOLD
    assert same_listing(("ABC Co., Ltd.", "02", a), ("ABC Company", "02", b))


@pytest.mark.parametrize(("a", "b"), NO_LINK)
def test_different_titles_never_link(a: str, b: str) -> None:
    assert title_similarity(a, b) < TITLE_THRESHOLD
    assert not same_listing(("ABC", "02", a), ("ABC", "02", b))


def test_different_province_never_links() -> None:
    assert not same_listing(("ABC", "02", "Driver"), ("ABC", "01", "Driver"))


def test_different_or_missing_employer_never_links() -> None:
    assert not same_listing(("ABC", "02", "Driver"), ("XYZ", "02", "Driver"))
    assert not same_listing((None, "02", "Driver"), (None, "02", "Driver"))
    assert not same_listing(("Co., Ltd.", "02", "Driver"), ("Company", "02", "Driver"))


def test_records_and_tuples_mix() -> None:
    record = ListingRecord(
        2, "job", None, "Security Guards", employer="Sentinel Security Co., Ltd.", provinces=("12",)
    )
    assert same_listing(record, ("sentinel security", "12", "Security Guard"))
    incentive = ListingRecord(
        2, "incentive", None, "Security Guards", programme="Sentinel Security", provinces=("12",)
    )
    assert not same_listing(record, incentive)


def test_block_key_groups_candidates() -> None:
    a = ("ABC Garment Co., Ltd.", "20", "Sewer")
    b = ("abc garment", "20", "Sewers")
    assert block_key(a) == block_key(b) == "abc garment|20"
    assert block_key((None, "20", "Sewer")) == ""


def test_khmer_titles_compare_whole() -> None:
    assert same_listing(("ABC", "02", "កម្មករសំណង់"), ("ABC", "02", "កម្មករ សំណង់"))
    assert not same_listing(("ABC", "02", "កម្មករសំណង់"), ("ABC", "02", "អ្នកបើកបរ"))
