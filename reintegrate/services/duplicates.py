"""Possible duplicates of a new registration: same phone, birth date or a similar name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matching.names import khmer_name_similarity, name_key, person_name_similarity
from reintegrate.errors import N_
from reintegrate.models import Returnee
from reintegrate.services import name_lookup
from reintegrate.services.access import Actor

NAME_THRESHOLD_SAME_BIRTH = 70.0
NAME_THRESHOLD_SAME_YEAR = 88.0
# At most this many registered people born a year either side with a nearly identical name
# are compared (all those born on a near date are).
NAMESAKES = 100
# How alike two name keys must be (word order aside) for a near birth year to be worth a look.
CLOSE_KEYS = 80.0


def near_dates(born: date) -> list[date]:
    """The birth dates a person registered elsewhere may carry for the same birth: the day
    itself, day and month swapped, and the 1 January put down when only the year is known."""
    dates = {born, date(born.year, 1, 1)}
    if born.day <= 12:
        dates.add(date(born.year, born.day, born.month))
    return sorted(dates)


def _close(keys: list[str], own: str) -> list[str]:
    return [key for key in keys if fuzz.token_sort_ratio(key, own) >= CLOSE_KEYS]


_NON_DIGITS = re.compile(r"\D")
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def phone_key(phone: str | None) -> str | None:
    """Digits of a Cambodian number without the 0 or +855 prefix: "012 345 678" -> "12345678"."""
    if not phone:
        return None
    digits = _NON_DIGITS.sub("", phone).translate(_KHMER_DIGITS)
    if digits.startswith("855"):
        digits = digits[3:]
    digits = digits.lstrip("0")
    return digits or None


ELSEWHERE_NOTICE = N_(
    "A person who may be the same is registered in another province; ask the national desk."
)


@dataclass(frozen=True)
class PossibleDuplicate:
    """A registered person who may be the same as the one being registered.

    Inside the officer's provinces: who, why and how likely. Outside them the check must not
    be an oracle (a phone number or 365 birth-date guesses must not reveal where someone
    lives or when they were born), so only strong evidence is reported, once, with no case
    number, province, score or reason: `ELSEWHERE_NOTICE`. The national desk follows it up
    from the cross-province review list.
    """

    returnee_id: int | None
    case_number: str | None
    in_scope: bool
    name: str | None
    home_province: str | None
    score: int | None
    reasons: tuple[str, ...]
    message: str | None = None


@dataclass(frozen=True)
class DuplicateCheck:
    """What a check shows the officer, and the out-of-scope records behind the notice."""

    shown: list[PossibleDuplicate]
    elsewhere_ids: tuple[int, ...]
    # The evidence behind the notice, for the duplicate queue only (never shown to the officer).
    elsewhere: tuple[PossibleDuplicate, ...] = ()


def _strong(reasons: list[str]) -> bool:
    """A similar name together with the same date of birth or the same phone."""
    return "similar_name" in reasons and (
        "same_date_of_birth" in reasons or "same_phone" in reasons
    )


@dataclass(frozen=True)
class Evidence:
    """Why two records may be one person, with the name similarity and a 0-100 score."""

    reasons: tuple[str, ...]
    similarity: float
    score: int

    @property
    def certain(self) -> bool:
        """Strong enough to take the records for one person without asking anyone (a bulk
        import links such a row to the case): the same phone and a similar name, or the same
        birth date and a very similar name."""
        return ("same_phone" in self.reasons and "similar_name" in self.reasons) or (
            "same_date_of_birth" in self.reasons and self.similarity >= NAME_THRESHOLD_SAME_YEAR
        )


class _Person(Protocol):
    given_name: str
    family_name: str
    name_km: str | None
    date_of_birth: date
    phone_key: str | None


def compare(
    given_name: str,
    family_name: str,
    name_km: str | None,
    date_of_birth: date,
    key: str | None,
    other: _Person,
) -> Evidence | None:
    """The evidence that a new person is `other`, or None if there is none.

    The score adds points for the same birth date only when the names are similar too, so a
    differing score cannot confirm a guessed birth date.
    """
    reasons = []
    similarity = max(
        person_name_similarity(given_name, family_name, other.given_name, other.family_name),
        khmer_name_similarity(name_km, other.name_km),
    )
    same_birth = other.date_of_birth == date_of_birth
    if key and other.phone_key == key:
        reasons.append("same_phone")
    if same_birth and similarity >= NAME_THRESHOLD_SAME_BIRTH:
        reasons += ["same_date_of_birth", "similar_name"]
    elif similarity >= NAME_THRESHOLD_SAME_YEAR:
        reasons.append("similar_name")
    elif "same_phone" in reasons and similarity >= NAME_THRESHOLD_SAME_BIRTH:
        reasons.append("similar_name")
    if not reasons:
        return None
    score = (
        similarity
        + (30 if "same_phone" in reasons else 0)
        + (20 if "same_date_of_birth" in reasons else 0)
    )
    return Evidence(tuple(reasons), similarity, min(100, round(score / 1.5)))


def find_possible_duplicates(
    session: Session,
    actor: Actor,
    *,
    given_name: str,
    family_name: str,
    name_km: str | None,
    date_of_birth: date,
    phone: str | None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> DuplicateCheck:
    """Candidates share a phone or a birth year (an index lookup); names are compared fuzzily
    (`compare`)."""
    key = phone_key(phone)
    # Birth dates are often approximate: a year either side is looked at (the comparison says
    # how much a near date counts).
    born_near = Returnee.date_of_birth.between(
        date(date_of_birth.year - 1, 1, 1), date(date_of_birth.year + 1, 12, 31)
    )
    columns = (
        Returnee.id,
        Returnee.case_number,
        Returnee.given_name,
        Returnee.family_name,
        Returnee.name_km,
        Returnee.date_of_birth,
        Returnee.date_of_birth_approximate,
        Returnee.phone_key,
        Returnee.home_province,
    )
    own, own_km = name_key(f"{given_name} {family_name}"), name_key(name_km) if name_km else ""
    latin = name_lookup.alike_keys(session, own, khmer=False)
    khmer = name_lookup.alike_keys(session, own_km, khmer=True) if own_km else []
    alike = [
        name_lookup.key_column(in_khmer).in_(keys)
        for in_khmer, keys in ((False, latin), (True, khmer))
        if keys
    ]
    queries = []
    if alike:
        # Born that day, or on the day and month swapped, or on a 1 January placeholder: an
        # index probe per key and date.
        queries.append(
            select(*columns).where(
                or_(*alike),
                Returnee.date_of_birth.in_(near_dates(date_of_birth)),
                Returnee.merged_into_id.is_(None),
            )
        )
    close = [
        name_lookup.key_column(in_khmer).in_(keys)
        for in_khmer, keys in ((False, _close(latin, own)), (True, _close(khmer, own_km)))
        if keys
    ]
    if close:
        # A year either side with a name that is nearly the same: the newest NAMESAKES, so a
        # name shared by thousands is read no further. (`id + 0`: sorting the few thousand
        # found beats walking the whole primary key backwards, which a planner may prefer.)
        queries.append(
            select(*columns)
            .where(or_(*close), born_near, Returnee.merged_into_id.is_(None))
            .order_by((Returnee.id + 0).desc())
            .limit(NAMESAKES)
        )
    if key:
        queries.append(
            select(*columns).where(Returnee.phone_key == key, Returnee.merged_into_id.is_(None))
        )
    people = {
        row.id: row
        for query in queries
        for row in session.execute(
            query if exclude_id is None else query.where(Returnee.id != exclude_id)
        )
    }
    found: list[PossibleDuplicate] = []
    elsewhere: list[PossibleDuplicate] = []
    for other in people.values():
        evidence = compare(given_name, family_name, name_km, date_of_birth, key, other)
        if evidence is None:
            continue
        candidate = PossibleDuplicate(
            returnee_id=other.id,
            case_number=other.case_number,
            in_scope=other.home_province in actor.provinces,
            name=f"{other.given_name} {other.family_name}",
            home_province=other.home_province,
            score=evidence.score,
            reasons=evidence.reasons,
        )
        if not candidate.in_scope:
            if _strong(list(evidence.reasons)):
                elsewhere.append(candidate)
            continue
        found.append(candidate)
    found.sort(key=lambda d: (-(d.score or 0), d.case_number or ""))
    shown = found[:limit]
    if elsewhere:
        shown.append(
            PossibleDuplicate(
                returnee_id=None,
                case_number=None,
                in_scope=False,
                name=None,
                home_province=None,
                score=None,
                reasons=(),
                message=ELSEWHERE_NOTICE,
            )
        )
    return DuplicateCheck(
        shown=shown,
        elsewhere_ids=tuple(sorted(d.returnee_id for d in elsewhere if d.returnee_id)),
        elsewhere=tuple(elsewhere),
    )
