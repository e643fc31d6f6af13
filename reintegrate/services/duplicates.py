"""Possible duplicates of a new registration: same phone, birth date or a similar name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matching.names import cross_script_similarity, record_name_similarity, stored_keys
from reintegrate.errors import N_
from reintegrate.models import Returnee
from reintegrate.services import name_lookup
from reintegrate.services.access import Actor

# Name similarity (`matching.names`) needed beside each other piece of evidence: one letter
# apart in a long word (85) with the same birth date, the same name (100 after folding
# romanisation, order and script) with a close one, any likeness with the same phone.
NAME_THRESHOLD_SAME_BIRTH = 80.0
NAME_THRESHOLD_CLOSE_BIRTH = 95.0
NAME_THRESHOLD_PHONE = 60.0
NAME_THRESHOLD_CERTAIN = 88.0
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
            "same_date_of_birth" in self.reasons and self.similarity >= NAME_THRESHOLD_CERTAIN
        )


class _Person(Protocol):
    given_name: str
    family_name: str
    name_km: str | None
    date_of_birth: date
    phone_key: str | None


def _only_year_known(born: date, approximate: bool) -> bool:
    """1 January is what a registration gets when no one knows the day: only the year is sure."""
    return approximate or (born.month, born.day) == (1, 1)


def _birth_dates_agree(
    born: date, other_born: date, approximate: bool, other_approximate: bool
) -> str | None:
    """Whether two birth dates may be one: "same", "close" (a year apart on the same day, day
    and month swapped, or only the year known on either side and the years at most one apart)
    or None.

    A year-only date is allowed the year off as well: someone unsure of their birthday is often
    unsure of the year. The price is the namesakes with a placeholder in three years: with 5%
    of a million registered so, `bench/duplicate_quality.py` warns about one new person in five
    (one in six with the same year only, at a lower recall).
    """
    vague = _only_year_known(born, approximate) or _only_year_known(other_born, other_approximate)
    if born == other_born and not vague:
        return "same"
    years_apart = abs(born.year - other_born.year)
    if vague and years_apart <= 1:
        return "close"
    if years_apart == 1 and (born.month, born.day) == (other_born.month, other_born.day):
        return "close"
    if born.year == other_born.year and (born.day, born.month) == (
        other_born.month,
        other_born.day,
    ):
        return "close"
    return None


# At most this many registered people born a year either side with the same name are compared
# when the new person's birth date is only a year (all those born on a near date are).
NAMESAKES = 100
# How alike two name keys must be (word order aside) to be worth a look when only the year of
# birth is known: `compare` then asks for the same name, which folds to the same key.
CLOSE_KEYS = 80.0


def near_dates(born: date) -> list[date]:
    """Every birth date on which `_birth_dates_agree` may find a registered person the same or
    close: the day itself, a year either side on the same day, day and month swapped, and the 1
    January put down when only the year is known, from a year before to a year after."""
    dates = {born}
    for year in (born.year - 1, born.year, born.year + 1):
        dates.add(date(year, 1, 1))
        if year != born.year and not (born.month, born.day) == (2, 29):
            dates.add(born.replace(year=year))
    if born.day <= 12:
        dates.add(date(born.year, born.day, born.month))
    return sorted(dates)


def _close(keys: list[str], own: str) -> list[str]:
    return [key for key in keys if fuzz.token_sort_ratio(key, own) >= CLOSE_KEYS]


def compare(
    given_name: str,
    family_name: str,
    name_km: str | None,
    date_of_birth: date,
    key: str | None,
    other: _Person,
    *,
    approximate: bool = False,
) -> Evidence | None:
    """The evidence that a new person is `other`, or None if there is none.

    A name alone is no evidence: in a registry of a million, a common name is carried by dozens
    of people born within a year of each other. So a warning needs the same phone, or a similar
    name with the same birth date, or the very same name (romanisation, order and script aside)
    with a close birth date (`_birth_dates_agree`). `approximate` says the new person's birth
    date is a guess; the other record's flag is read if it has one. The score adds points for
    the birth date only when the names are similar too, so a differing score cannot confirm a
    guessed birth date.
    """
    dates = _birth_dates_agree(
        date_of_birth,
        other.date_of_birth,
        approximate,
        bool(getattr(other, "date_of_birth_approximate", False)),
    )
    same_phone = bool(key and other.phone_key == key)
    needed = {"same": NAME_THRESHOLD_SAME_BIRTH, "close": NAME_THRESHOLD_CLOSE_BIRTH}.get(
        dates or "", NAME_THRESHOLD_PHONE if same_phone else None
    )
    if needed is None:
        return None
    names = (given_name, family_name, name_km, other.given_name, other.family_name, other.name_km)
    similarity = record_name_similarity(*names)
    if similarity < needed:
        similarity = max(similarity, cross_script_similarity(*names))
    reasons = ["same_phone"] if same_phone else []
    if dates == "same" and similarity >= NAME_THRESHOLD_SAME_BIRTH:
        reasons += ["same_date_of_birth", "similar_name"]
    elif dates == "close" and similarity >= NAME_THRESHOLD_CLOSE_BIRTH:
        reasons += ["close_date_of_birth", "similar_name"]
    elif same_phone and similarity >= NAME_THRESHOLD_PHONE:
        reasons.append("similar_name")
    if not reasons:
        return None
    score = (
        similarity
        + (30 if same_phone else 0)
        + (20 if "same_date_of_birth" in reasons else 10 if "close_date_of_birth" in reasons else 0)
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
    approximate: bool = False,
) -> DuplicateCheck:
    """Candidates share a phone, or hold a name key alike to the person's and a birth date
    `compare` may take for the same (index lookups, bounded); `compare` decides."""
    key = phone_key(phone)
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
    own, own_km = stored_keys(given_name, family_name, name_km)
    latin = name_lookup.alike_keys(session, own, khmer=False)
    khmer = name_lookup.alike_keys(session, own_km, khmer=True) if own_km else []
    own_km = own_km or ""
    alike = [
        name_lookup.key_column(in_khmer).in_(keys)
        for in_khmer, keys in ((False, latin), (True, khmer))
        if keys
    ]
    queries = []
    if alike:
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
    if close and _only_year_known(date_of_birth, approximate):
        # Only the year is known: anyone a year either side with the same name may be the
        # person. The newest NAMESAKES, so a name shared by thousands is read no further.
        # (`id + 0`: sorting the few thousand found beats walking the whole primary key
        # backwards, which a planner may prefer.)
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
        evidence = compare(
            given_name, family_name, name_km, date_of_birth, key, other, approximate=approximate
        )
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
