"""The safeguarding rules themselves: age boundaries (birthdays, leap days) and the list of
hazardous work for children with its source."""

from __future__ import annotations

from datetime import date

import pytest

from reintegrate.errors import RuleBroken
from reintegrate.reference import HAZARDOUS_WORK_CSV, hazardous_work
from reintegrate.services import safeguarding


def test_the_age_rules_follow_the_labour_law() -> None:
    assert (safeguarding.MINIMUM_WORKING_AGE, safeguarding.HAZARDOUS_MINIMUM_AGE) == (15, 18)
    born = date(2011, 6, 10)
    safeguarding.check_job(born, "job", False, date(2026, 6, 10))
    with pytest.raises(RuleBroken) as refused:
        safeguarding.check_job(born, "job", False, date(2026, 6, 10), date(2026, 6, 9))
    assert refused.value.rule == "under_minimum_age" and refused.value.status == 409
    with pytest.raises(RuleBroken) as hazardous:
        safeguarding.check_job(born, "job", True, date(2029, 6, 9))
    assert hazardous.value.rule == "hazardous_under_18"
    safeguarding.check_job(born, "job", True, date(2029, 6, 10))
    safeguarding.check_job(born, "incentive", True, date(2012, 1, 1))


def test_children_are_told_apart_on_leap_day_birthdays() -> None:
    leap = date(2012, 2, 29)
    assert safeguarding.is_child(leap, date(2027, 2, 28))
    assert not safeguarding.is_child(leap, date(2027, 3, 1))
    for today in (date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 29)):
        cutoff = safeguarding.born_after_is_child(today)
        for born in (leap, date(2013, 2, 28), date(2013, 3, 1), cutoff):
            assert (born > cutoff) == safeguarding.is_child(born, today), (born, today)


def test_the_hazardous_work_list_names_its_source() -> None:
    header = HAZARDOUS_WORK_CSV.read_text(encoding="utf-8")
    assert "Prakas No. 106 MoLVT of 28 April 2004" in header
    assert all(entry.source.startswith("Prakas No. 106 MoLVT") for entry in hazardous_work())
    assert all(entry.label_km for entry in hazardous_work())


@pytest.mark.parametrize(
    ("texts", "isco", "reason"),
    [
        (["Crew for a fishing boat"], [], "keyword:fishing boat"),
        (["Deckhand"], ["6223"], "isco:6223"),
        (["កម្មករ ឡឥដ្ឋ"], [], "keyword:ឡឥដ្ឋ"),
        (["Security", "Night guard for a warehouse"], [], "keyword:night guard"),
        (["KARAOKE hostess"], [], "keyword:karaoke"),
        (["Sewing Machine Operator", "Overlock machines"], ["7533"], None),
        (["Examine the mine-sweeping reports"], [], "keyword:mine"),
        (["Determine stock levels"], [], None),
    ],
)
def test_a_listing_matches_the_list_by_occupation_or_words(
    texts: list[str], isco: list[str], reason: str | None
) -> None:
    entry = safeguarding.find_hazardous_work(texts, isco)
    assert (safeguarding.reason_of(entry) if entry else None) == reason
