"""Scoring one returnee against one listing: weighted, explained components and hard filters."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

from matching.geo import Gazetteer
from matching.reasons import REASONS, render_en
from matching.vocabulary import Vocabulary

Kind = Literal["job", "incentive"]
COMPONENTS: tuple[str, ...] = ("skills", "location", "languages", "eligibility", "interests")

WEIGHTS: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        # A job is mostly about doing the work, in a place the person can get to.
        "job": MappingProxyType(
            {
                "skills": 0.45,
                "location": 0.30,
                "languages": 0.10,
                "eligibility": 0.05,
                "interests": 0.10,
            }
        ),
        # An incentive is delivered where the person lives (other provinces are filtered out), so
        # location weighs little; who the programme is for (recent return, survivors) weighs more.
        "incentive": MappingProxyType(
            {
                "skills": 0.30,
                "location": 0.10,
                "languages": 0.05,
                "eligibility": 0.35,
                "interests": 0.20,
            }
        ),
    }
)
"""Component weights per listing kind; each kind sums to 1, so a score is at most 100."""

RELATED_CREDIT = 0.5
"""Credit for a required skill the person lacks but has a related skill for (bricklayer for a
plastering job)."""
NO_SKILLS_REQUIRED = 0.5
"""Skills value of a listing that requires no skill: neutral, so that it neither beats a listing
the person is qualified for nor sinks below one the person is not."""
PREFERRED_PROVINCE = 0.9
DISTANT_MAX = 0.85
DECAY_KM_WILLING = 300.0
COMMUTE_KM = 50.0
"""Another province scores DISTANT_MAX * exp(-km / 300) for a person willing to relocate (Siem
Reap from Banteay Meanchey, 100 km: 0.61), and DISTANT_MAX * exp(-(km / 50)**2) for one who is
not: a daily commute to the next province stays possible (Kandal from Phnom Penh, 28 km: 0.62) but
falls off sharply beyond it (80 km: 0.07, 300 km: ~0). Far jobs are never hidden: the officer may
still discuss them."""
UNREACHABLE_MAX = 8
"""Highest score of a job beyond COMMUTE_KM for a person not willing to relocate. Every job the
person can reach scores more: its location alone is worth at least 0.30 * DISTANT_MAX * exp(-1)
(a neighbouring province at exactly COMMUTE_KM), which rounds to 9; so such a job ranks below
every reachable one whatever its skills, and its reason says why."""
ELIGIBLE = 0.8
SURVIVOR_BONUS = 0.2
UNVERIFIED_PENALTY = 0.3
"""Eligibility: 0.8 when every condition is met, +0.2 on a survivors-priority programme for a
survivor, -0.3 for each condition that cannot be checked (no return date or date of birth): such
a listing is shown, flagged, rather than hidden."""
INTEREST_OTHER = 0.3
INTEREST_UNSTATED = 0.6


@dataclass(frozen=True)
class Eligibility:
    """Conditions of an incentive programme (or, rarely, a job); None fields impose nothing."""

    returned_within_months: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    sex: str | None = None
    survivors_priority: bool = False


@dataclass(frozen=True)
class Person:
    """A returnee as the engine sees them: codes, places and dates only."""

    id: int
    skills: frozenset[str]
    home_province: str
    willing_to_relocate: bool = False
    preferred_provinces: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset({"km"})
    sex: str = "other"
    date_of_birth: date | None = None
    return_date: date | None = None
    trafficking_survivor: bool = False
    interests: frozenset[str] = frozenset({"job", "incentive"})


@dataclass(frozen=True)
class Listing:
    """A job (one province, or none for anywhere) or an incentive programme (eligible provinces,
    empty meaning nationwide)."""

    id: int
    kind: Kind
    title: str
    provinces: frozenset[str]
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    eligibility: Eligibility | None = None
    min_worker_age: int | None = None
    """The youngest a person may be to do this work (the law's rule, given by the caller); a
    hard filter, and a person whose date of birth is unknown is left out too."""

    def __post_init__(self) -> None:
        if self.kind not in ("job", "incentive"):
            raise ValueError(f"unknown listing kind {self.kind!r}")
        if self.kind == "job" and len(self.provinces) > 1:
            raise ValueError("a job is in one province")


@dataclass(frozen=True)
class Reason:
    """One explained fact; ``code`` is one of ``matching.reasons.REASONS``."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render_en(self) -> str:
        return render_en(self.code, self.params)


@dataclass(frozen=True)
class Component:
    name: str
    value: float
    weight: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Match:
    listing_id: int
    person_id: int
    kind: Kind
    score: int
    components: tuple[Component, ...]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(r for c in self.components for r in c.reasons)

    def component(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)


def months_since(start: date, today: date) -> int:
    """Whole calendar months from start to today (0 if start is in the future): returned on
    2025-03-15 is 12 months on 2026-03-15 and still 12 on 2026-04-14."""
    months = (today.year - start.year) * 12 + (today.month - start.month)
    if today.day < start.day:
        months -= 1
    return max(0, months)


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def old_enough(born: date | None, minimum: int | None, today: date) -> bool:
    """Whether a person may do work with this minimum age; an unknown age is not enough."""
    if minimum is None:
        return True
    return born is not None and age_on(born, today) >= minimum


def distance_value(km: float, willing_to_relocate: bool) -> float:
    """Location value of a province other than home and not preferred."""
    if willing_to_relocate:
        return DISTANT_MAX * math.exp(-km / DECAY_KM_WILLING)
    return DISTANT_MAX * math.exp(-((km / COMMUTE_KM) ** 2))


def beyond_commute(km: float, willing_to_relocate: bool) -> bool:
    """Whether a job this far from home is out of reach: too far to travel daily, no move."""
    return not willing_to_relocate and km > COMMUTE_KM


def eligibility_value(unverified: int, survivor_priority: bool) -> float:
    return max(0.0, ELIGIBLE - UNVERIFIED_PENALTY * unverified) + (
        SURVIVOR_BONUS if survivor_priority else 0.0
    )


def interest_value(kind: str, interests: frozenset[str]) -> float:
    if not interests:
        return INTEREST_UNSTATED
    return 1.0 if kind in interests else INTEREST_OTHER


def language_value(required: frozenset[str], spoken: frozenset[str]) -> float:
    return len(required & spoken) / len(required) if required else 1.0


def combine(kind: str, values: tuple[float, float, float, float, float]) -> int:
    """Score 0..100 from component values in COMPONENTS order.

    The non-skill terms are summed first and the skills term added last: the index precomputes
    that sum per group of listings and repeats exactly these float operations (same order, same
    rounding), so that its scores equal ``score``'s to the last bit.
    """
    weights = WEIGHTS[kind]
    rest = 0.0
    for name, value in zip(COMPONENTS[1:], values[1:], strict=True):
        rest = rest + weights[name] * value
    total = weights["skills"] * values[0] + rest
    return min(100, max(0, int(math.floor(total * 100.0 + 0.5))))


def score(
    person: Person, listing: Listing, *, gazetteer: Gazetteer, vocabulary: Vocabulary, today: date
) -> Match | None:
    """The match of a person and a listing, or None when the listing is closed to them.

    Hard filters (None): a person under the listing's minimum working age (or of unknown age),
    an incentive outside its provinces, and any listing whose eligibility conditions the person
    fails (returned too long ago, outside the age range, other sex). Distance is never a hard
    filter; unknown dates flag an incentive's conditions instead of hiding it.
    """
    if not old_enough(person.date_of_birth, listing.min_worker_age, today):
        return None
    eligibility = _eligibility(person, listing, gazetteer, today)
    if eligibility is None:
        return None
    location = _location(person, listing, gazetteer)
    if location is None:
        return None
    components = (
        _skills(person, listing, vocabulary),
        location,
        _languages(person, listing),
        eligibility,
        _interests(person, listing),
    )
    weights = WEIGHTS[listing.kind]
    components = tuple(
        Component(name, value, weights[name], reasons)
        for name, (value, reasons) in zip(COMPONENTS, components, strict=True)
    )
    total = combine(listing.kind, tuple(c.value for c in components))  # type: ignore[arg-type]
    if any(r.code == "location.beyond_commute" for r in location[1]):
        total = min(total, UNREACHABLE_MAX)
    return Match(listing.id, person.id, listing.kind, total, components)


_Part = tuple[float, tuple[Reason, ...]]


def _skills(person: Person, listing: Listing, vocabulary: Vocabulary) -> _Part:
    need = listing.skills
    if not need:
        return NO_SKILLS_REQUIRED, (Reason("skills.not_required", {}),)
    have = need & person.skills
    related, via = [], set()
    for code in sorted(need - have):
        overlap = vocabulary.related(code) & person.skills
        if overlap:
            related.append(code)
            via |= overlap
    missing = tuple(sorted(need - have - set(related)))
    value = (len(have) + RELATED_CREDIT * len(related)) / len(need)
    reasons = []
    if have:
        reasons.append(
            Reason(
                "skills.covered",
                {"have": len(have), "need": len(need), "skills": tuple(sorted(have))},
            )
        )
    if related:
        reasons.append(
            Reason(
                "skills.related",
                {"count": len(related), "skills": tuple(related), "via": tuple(sorted(via))},
            )
        )
    if not have and not related:
        reasons.append(Reason("skills.none", {"need": len(need), "skills": missing}))
    elif missing:
        reasons.append(Reason("skills.missing", {"skills": missing}))
    return value, tuple(reasons)


def _location(person: Person, listing: Listing, gazetteer: Gazetteer) -> _Part | None:
    home = person.home_province
    if not listing.provinces:
        return 1.0, (Reason("location.nationwide", {}),)
    if listing.kind == "incentive":
        if home not in listing.provinces:
            return None
        return 1.0, (Reason("location.same_province", {"province": home}),)
    (where,) = listing.provinces
    if where == home:
        return 1.0, (Reason("location.same_province", {"province": home}),)
    km = round(gazetteer.distance_km(home, where))
    if where in person.preferred_provinces:
        return PREFERRED_PROVINCE, (Reason("location.preferred", {"province": where, "km": km}),)
    exact_km = gazetteer.distance_km(home, where)
    value = distance_value(exact_km, person.willing_to_relocate)
    if beyond_commute(exact_km, person.willing_to_relocate):
        params = {"province": where, "km": km, "commute_km": round(COMMUTE_KM)}
        return value, (Reason("location.beyond_commute", params),)
    params = {"province": where, "km": km, "willing_to_relocate": person.willing_to_relocate}
    return value, (Reason("location.distance", params),)


def _languages(person: Person, listing: Listing) -> _Part:
    need = listing.languages
    if not need:
        return 1.0, (Reason("languages.none_required", {}),)
    have = need & person.languages
    if have == need:
        return 1.0, (Reason("languages.all", {"languages": tuple(sorted(need))}),)
    params = {"missing": tuple(sorted(need - have)), "have": tuple(sorted(have))}
    return language_value(need, person.languages), (Reason("languages.missing", params),)


def _eligibility(
    person: Person, listing: Listing, gazetteer: Gazetteer, today: date
) -> _Part | None:
    rules = listing.eligibility
    if rules is None and listing.kind == "job":
        return eligibility_value(0, False), (Reason("eligibility.open", {}),)
    rules = rules or Eligibility()
    months = months_since(person.return_date, today) if person.return_date else None
    age = age_on(person.date_of_birth, today) if person.date_of_birth else None
    unverified = []
    if rules.returned_within_months is not None:
        if months is None:
            unverified.append("return_date")
        elif months > rules.returned_within_months:
            return None
    if rules.min_age is not None or rules.max_age is not None:
        if age is None:
            unverified.append("date_of_birth")
        elif (rules.min_age is not None and age < rules.min_age) or (
            rules.max_age is not None and age > rules.max_age
        ):
            return None
    if rules.sex and person.sex != rules.sex:
        return None
    priority = rules.survivors_priority and person.trafficking_survivor
    province = gazetteer.provinces.get(person.home_province)
    reasons = [
        Reason(
            "eligibility.eligible",
            {
                "months_since_return": months,
                "border_province": bool(province and province.is_border),
                "age": age,
            },
        )
    ]
    if unverified:
        reasons.append(Reason("eligibility.unverified", {"fields": tuple(unverified)}))
    if priority:
        reasons.append(Reason("eligibility.survivor_priority", {}))
    return eligibility_value(len(unverified), priority), tuple(reasons)


def _interests(person: Person, listing: Listing) -> _Part:
    value = interest_value(listing.kind, person.interests)
    if not person.interests:
        code = "interests.unstated"
    else:
        code = "interests.match" if listing.kind in person.interests else "interests.other"
    return value, (Reason(code, {"kind": listing.kind}),)


__all__ = [
    "COMPONENTS",
    "REASONS",
    "WEIGHTS",
    "Component",
    "Eligibility",
    "Listing",
    "Match",
    "Person",
    "Reason",
    "score",
]
