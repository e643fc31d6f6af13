"""Safeguarding: the age rules of Cambodia's Labour Law, in one place for every entry point.

Labour Law (1997), Article 177: the minimum age for employment is 15; the minimum age for work
that by its nature or conditions is hazardous to health, safety or morals is 18. Children are
registered like anyone else (many came back with their families), but they are never ranked for,
referred to or hired into a job, and no employer ever sees them. Incentive programmes keep their
own age conditions (``Listing.min_age``/``max_age``), so none of this applies to them.

Which work is hazardous comes from reference/hazardous_work.csv, the list of hazardous work
prohibited for children (MoLVT Prakas No. 106 of 28 April 2004): a listing gets it as its default,
and an employer (for its own listings) or an admin may set it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from matching.scoring import age_on
from matching.text import PhraseFinder, normalise
from reintegrate.errors import N_, RuleBroken
from reintegrate.models.listing import ListingKind
from reintegrate.reference import HazardousWork, hazardous_work
from reintegrate.timeutil import add_months

MINIMUM_WORKING_AGE = 15
"""Labour Law (1997), Article 177, paragraph 1."""
HAZARDOUS_MINIMUM_AGE = 18
"""Labour Law (1997), Article 177, paragraph 2."""

UNDER_MINIMUM_AGE = "under_minimum_age"
HAZARDOUS_UNDER_18 = "hazardous_under_18"

RULE_MESSAGES: dict[str, str] = {
    UNDER_MINIMUM_AGE: N_(
        "Refused by the minimum-age rule: a person under 15 is never referred to or hired "
        "into a job (Labour Law, Article 177)."
    ),
    HAZARDOUS_UNDER_18: N_(
        "Refused by the hazardous-work rule: this job is hazardous work and the person is "
        "under 18 (Labour Law, Article 177)."
    ),
}


def youngest_birth(born: date, approximate: bool = False) -> date:
    """The birth date every age rule counts from: the stored one, or, when only the year is
    known (stored as 1 January, `approximate`), 31 December of that year.

    Why the last day: a person known only as "born 2008" may have been born on any day of
    2008, so may still be 17 on any day of the year they turn 18. A rule that protects
    children must protect everyone who could be a child, so it takes the youngest the person
    can be; counting from 1 January would make them up to a year older than they may be and
    let a 17-year-old into hazardous work. This is the one place that choice is made.
    """
    return date(born.year, 12, 31) if approximate else born


def age(born: date, on: date, approximate: bool = False) -> int:
    """Age in whole years on a given day; for a year-only birth date, the youngest it can be."""
    return age_on(youngest_birth(born, approximate), on)


def is_child(born: date, on: date, approximate: bool = False) -> bool:
    """Under the minimum working age on that day (or possibly so, if only the year is known)."""
    return age(born, on, approximate) < MINIMUM_WORKING_AGE


def born_after_is_child(today: date) -> date:
    """The latest date of birth of someone who is 15 today: anyone born after it is a child.

    Lets a query keep children out (``date_of_birth <= born_after_is_child(today)``)."""
    return add_months(today, -12 * MINIMUM_WORKING_AGE)


def not_a_child(born: Any, approximate: Any, today: date) -> ColumnElement[bool]:
    """The SQL form of ``not is_child(born, today, approximate)`` for a query that keeps
    children out: a year-only date qualifies only if 31 December of its year does."""
    latest = born_after_is_child(today)
    last_full_year = latest.year if latest.month == 12 and latest.day == 31 else latest.year - 1
    return or_(
        and_(~approximate, born <= latest),
        and_(approximate, born <= date(last_full_year, 1, 1)),
    )


def minimum_age_for(kind: str, hazardous: bool) -> int | None:
    """The youngest a person may be to work in a listing; None for incentive programmes,
    whose own eligibility conditions decide."""
    if kind != ListingKind.JOB:
        return None
    return HAZARDOUS_MINIMUM_AGE if hazardous else MINIMUM_WORKING_AGE


def check_job(
    born: date, kind: str, hazardous: bool, *days: date, approximate: bool = False
) -> None:
    """Refuse a referral or hire when the person is (or, with only a birth year, may be) too
    young on any of the given days (today, and a hire's start date)."""
    minimum = minimum_age_for(kind, hazardous)
    if minimum is None:
        return
    youngest = min(age(born, day, approximate) for day in days)
    if youngest < MINIMUM_WORKING_AGE:
        raise RuleBroken(UNDER_MINIMUM_AGE, RULE_MESSAGES[UNDER_MINIMUM_AGE])
    if youngest < minimum:
        raise RuleBroken(HAZARDOUS_UNDER_18, RULE_MESSAGES[HAZARDOUS_UNDER_18])


SET_BY = "set:"
"""Prefix of ``Listing.hazardous_reason`` when a person decided (``set:employer``, ``set:admin``);
such a decision stands across edits and re-imports. Otherwise the reason is the list entry
matched, ``isco:<code>`` or ``keyword:<phrase>``."""


def find_hazardous_work(
    texts: Iterable[str | None], isco_codes: Iterable[str]
) -> HazardousWork | None:
    """The entry of the hazardous-work list a listing matches, or None.

    ISCO-08 codes (from the listing's recognised skills) are checked first, being the more
    precise; then keywords in its words: whole words in Latin script, anywhere in Khmer (which
    does not separate words with spaces)."""
    entries = hazardous_work()
    codes = set(isco_codes)
    for entry in entries:
        if entry.match == "isco" and entry.value in codes:
            return entry
    # Not the cached normalise: an import would fill its cache with thousands of descriptions.
    words = " ".join(normalise.__wrapped__(text) for text in texts if text)
    keywords = [entry for entry in entries if entry.match == "keyword"]
    index = _keyword_finder(tuple(entry.value for entry in keywords)).first(words)
    return None if index is None else keywords[index]


@lru_cache(maxsize=4)
def _keyword_finder(phrases: tuple[str, ...]) -> PhraseFinder:
    return PhraseFinder(phrases)


def reason_of(entry: HazardousWork) -> str:
    return f"{entry.match}:{entry.value}"


def entry_of(reason: str | None) -> HazardousWork | None:
    """The list entry a stored reason names (None when a person set it, or it left the list)."""
    if not reason or reason.startswith(SET_BY):
        return None
    match, _, value = reason.partition(":")
    return next((e for e in hazardous_work() if (e.match, e.value) == (match, value)), None)
