"""Small builders for test data: make_user, make_returnee, with overrides."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from reintegrate.models import Returnee, User
from reintegrate.schemas.returnees import Consent, ReturneeInput
from reintegrate.services import registry, users
from reintegrate.services.access import Actor

PASSWORD = "correct horse battery staple"
_counter = iter(range(1, 1_000_000))


def make_user(
    session: Session,
    role: str = "officer",
    *,
    provinces: list[str] | None = None,
    employer: str | None = None,
    email: str | None = None,
) -> User:
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
    session.commit()
    return user


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
