"""Small builders for test data: make_user, make_returnee, with overrides."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from reintegrate.models import Returnee, User
from reintegrate.services import registry, users
from reintegrate.services.access import Actor
from reintegrate.services.registry import Consent, ReturneeInput

PASSWORD = "correct horse battery staple"
_counter = iter(range(1, 1_000_000))


def make_user(
    session: Session,
    role: str = "officer",
    *,
    provinces: list[str] | None = None,
    employer: str | None = None,
    email: str | None = None,
    employer_verified: bool = True,
) -> User:
    """An account; an employer account's organisation is verified unless told otherwise (as
    an admin would have done), so survivors may be referred to it."""
    if role == "officer" and provinces is None:
        provinces = ["02"]
    if role == "employer" and employer is None:
        employer = "Angkor Garments"
    user = users.create_user(
        session,
        Actor.system("test"),
        email=email or f"{role}{next(_counter)}@example.org",
        role=role,
        password=PASSWORD,
        provinces=provinces or [],
        employer=employer,
    )
    if user.employer_id is not None and employer_verified:
        verify_employer(session, user.employer_id)
    session.commit()
    return user


def verify_employer(session: Session, employer_id: int) -> None:
    """Mark an employer verified as an admin would (registration checked)."""
    from reintegrate.models import Employer
    from reintegrate.services import screening

    employer = session.get(Employer, employer_id)
    assert employer is not None
    employer.verified, employer.registration_number = True, f"TEST-{employer_id}"
    session.flush()
    screening.rescreen(session, Actor.system("test"), employer_id=employer_id)


def returnee_input(**overrides: Any) -> ReturneeInput:
    values: dict[str, Any] = {
        "given_name": "Sokha",
        "family_name": "Chhay",
        "name_km": "ឆាយ សុខា",
        "sex": "female",
        "date_of_birth": date(1995, 4, 12),
        "phone": "012 345 678",
        "home_province": "02",
        "return_date": date(2026, 3, 1),
        "destination_country": "TH",
        "sector_abroad": "construction",
        "skills": ("bricklaying", "ជាងឈើ"),
        "languages": ("km", "th"),
        "trafficking_survivor": False,
        "willing_to_relocate": True,
        "interests": ("job", "incentive"),
        "consent": Consent(referral=True, share_with_employers=True, research=True),
    }
    values.update(overrides)
    return ReturneeInput(**values)


def make_returnee(session: Session, officer: User, **overrides: Any) -> Returnee:
    returnee = registry.register(session, Actor.of(officer), returnee_input(**overrides)).returnee
    session.commit()
    return returnee


def returnee_json(**overrides: Any) -> dict[str, Any]:
    """A valid POST /api/v1/returnees body."""
    body: dict[str, Any] = {
        "given_name": "Dara",
        "family_name": "Keo",
        "name_km": "កែវ តារា",
        "sex": "male",
        "date_of_birth": "1990-07-01",
        "phone": "+855 97 111 2222",
        "home_province": "02",
        "district": "Thma Koul",
        "return_date": "2026-05-20",
        "destination_country": "KR",
        "sector_abroad": "manufacturing",
        "skills": ["welding", "ការផ្សារដែក"],
        "languages": ["km", "ko"],
        "trafficking_survivor": False,
        "willing_to_relocate": False,
        "preferred_provinces": [],
        "interests": ["job"],
        "consent": {"referral": True, "share_with_employers": False, "research": True},
    }
    body.update(overrides)
    return body


def in_days(days: int) -> date:
    """A date counted from today in Phnom Penh (closing dates are local dates)."""
    from datetime import timedelta

    from reintegrate.timeutil import local_today

    return local_today() + timedelta(days=days)


def listing_record(**overrides: Any) -> Any:
    """A valid job ListingRecord, as a form or the API hands it to the listings service."""
    from decimal import Decimal

    from jobs_import import ListingRecord

    values: dict[str, Any] = {
        "row": 0,
        "kind": "job",
        "external_id": None,
        "title": "Welder",
        "employer": "Mekong Steel Works",
        "provinces": ("02",),
        "district": "Thma Koul",
        "description": "Arc and MIG welding of steel frames.",
        "skills": ("welding", "grinding"),
        "positions": 3,
        "wage_min_usd": Decimal("300.00"),
        "wage_max_usd": Decimal("400.00"),
        "employment_type": "full_time",
        "languages": ("km",),
        "valid_through": in_days(60),
    }
    values.update(overrides)
    return ListingRecord(**values)


def make_listing(session: Session, user: User, **overrides: Any) -> Any:
    """A listing posted in the app by `user` (an employer's is always its own)."""
    from reintegrate.services import listings

    if user.role == "employer":
        overrides.setdefault("employer", None)
    listing = listings.create_listing(session, Actor.of(user), listing_record(**overrides))
    session.commit()
    return listing


def listing_json(**overrides: Any) -> dict[str, Any]:
    """A valid POST /api/v1/listings body for a job."""
    body: dict[str, Any] = {
        "kind": "job",
        "title": "Sewing Machine Operator",
        "province": "02",
        "district": "Battambang",
        "description": "Single-needle and overlock machines.",
        "skills": ["sewing", "overlock machine"],
        "positions": 12,
        "wage_min_usd": 250,
        "wage_max_usd": 300,
        "employment_type": "full_time",
        "languages": ["km"],
        "valid_through": in_days(45).isoformat(),
    }
    body.update(overrides)
    return body


JOB_BOARD_HEADER = (
    "id,title,company,industry,location,salary,employment_type,closing_date,description,url"
)


def job_board_row(number: int, **overrides: Any) -> str:
    """One job-board CSV row (header JOB_BOARD_HEADER); cells quoted as a spreadsheet would."""
    cells: dict[str, Any] = {
        "id": f"JB-{number}",
        "title": f"Construction Worker {number}",
        "company": "Angkor Build Co., Ltd.",
        "industry": "Construction",
        "location": "Siem Reap",
        "salary": "$250-$300",
        "employment_type": "Full time",
        "closing_date": in_days(90).isoformat(),
        "description": "Concrete and rebar work.",
        "url": f"https://jobs.example.kh/jb-{number}",
    }
    cells.update(overrides)
    return ",".join('"' + str(v).replace('"', '""') + '"' for v in cells.values())


def job_board_csv(rows: int | list[str], *, start: int = 1) -> bytes:
    """A job-board CSV feed: `rows` generated rows, or the given row lines."""
    lines = rows if isinstance(rows, list) else [job_board_row(start + i) for i in range(rows)]
    return ("\n".join([JOB_BOARD_HEADER, *lines]) + "\n").encode("utf-8")


def make_incentive(session: Session, user: User, **overrides: Any) -> Any:
    """An open incentive programme posted by an officer or admin (nationwide, open to all)."""
    from jobs_import import Eligibility

    values: dict[str, Any] = {
        "kind": "incentive",
        "title": "Chicken raising grant",
        "employer": None,
        "programme": "Livelihoods for returnees",
        "provinces": (),
        "district": None,
        "skills": ("chicken raising",),
        "positions": None,
        "wage_min_usd": None,
        "wage_max_usd": None,
        "employment_type": None,
        "languages": (),
        "benefit": "$300 start-up grant",
        "eligibility": Eligibility(),
    }
    values.update(overrides)
    return make_listing(session, user, **values)


def make_placement(
    session: Session, officer: User, employer: User, start_date: date, **returnee_overrides: Any
) -> Any:
    """A returnee referred by `officer` and hired by `employer` from `start_date`: the placement."""
    from sqlalchemy import select

    from reintegrate.models import Placement
    from reintegrate.services import referrals

    returnee = make_returnee(session, officer, **returnee_overrides)
    listing = make_listing(session, employer, positions=5)
    referral = referrals.refer(session, Actor.of(officer), returnee.id, listing.id)
    referrals.change_status(
        session, Actor.of(employer), referral.id, "hired", start_date=start_date
    )
    session.commit()
    return session.scalars(select(Placement).where(Placement.referral_id == referral.id)).one()
