"""Safeguarding age rules through /api/v1: children are registered and shown as children, but
never ranked, listed as candidates, referred, hired or shown to an employer; no hazardous job
under 18; the start date of a hire counts, not only today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Listing, Placement, Referral, User
from reintegrate.services import referrals
from reintegrate.services.access import Actor
from reintegrate.timeutil import add_months, local_today
from tests.builders import make_incentive, make_listing, make_returnee, make_user, returnee_json

Bearer = Callable[[User], dict[str, str]]


def _born(years: int, days: int = 0) -> date:
    """The date of birth of someone who turned `years` `days` days ago."""
    return add_months(local_today(), -12 * years) - timedelta(days=days)


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Referral)) or 0,
        session.scalar(select(func.count()).select_from(Placement)) or 0,
    )


@pytest.fixture
def employer(db_session: Session) -> User:
    return make_user(db_session, "employer", employer="Angkor Garments")


@pytest.fixture
def sewing_job(db_session: Session, employer: User) -> Listing:
    return make_listing(
        db_session, employer, title="Sewing Machine Operator", skills=("sewing",), positions=5
    )


def _hazardous(session: Session, listing: Listing) -> Listing:
    listing.hazardous = True
    session.commit()
    return listing


def test_a_child_is_registered_and_shown_as_a_child(
    client: FlaskClient, officer: User, bearer: Bearer
) -> None:
    body = returnee_json(date_of_birth=_born(5).isoformat(), given_name="Nary")
    created = client.post("/api/v1/returnees", json=body, headers=bearer(officer))
    assert created.status_code == 201, created.json
    assert (created.json["is_child"], created.json["age"]) == (True, 5)
    adult = client.post("/api/v1/returnees", json=returnee_json(), headers=bearer(officer))
    assert adult.json["is_child"] is False and adult.json["age"] >= 30
    fetched = client.get(f"/api/v1/returnees/{created.json['id']}", headers=bearer(officer))
    assert fetched.json["is_child"] is True
    listed = client.get("/api/v1/returnees", headers=bearer(officer)).json["items"]
    assert {item["given_name"]: item["is_child"] for item in listed}["Nary"] is True


def test_a_child_is_never_ranked_for_a_job_nor_a_candidate(
    client: FlaskClient, db_session: Session, officer: User, sewing_job: Listing, bearer: Bearer
) -> None:
    child = make_returnee(db_session, officer, date_of_birth=_born(5), skills=("sewing",))
    just_15 = make_returnee(db_session, officer, date_of_birth=_born(15), skills=("sewing",))
    grant = make_incentive(db_session, officer)
    headers = bearer(officer)

    matches = client.get(f"/api/v1/returnees/{child.id}/matches", headers=headers).json["items"]
    assert [item["listing"]["id"] for item in matches] == [grant.id]
    jobs = client.get(
        f"/api/v1/returnees/{child.id}/matches", query_string={"kind": "job"}, headers=headers
    )
    assert jobs.json["items"] == []
    teen = client.get(f"/api/v1/returnees/{just_15.id}/matches", headers=headers).json["items"]
    assert sewing_job.id in [item["listing"]["id"] for item in teen]

    candidates = client.get(f"/api/v1/listings/{sewing_job.id}/candidates", headers=headers)
    assert candidates.status_code == 200
    ids = [item["returnee"]["id"] for item in candidates.json["items"]]
    assert just_15.id in ids and child.id not in ids


def test_referring_a_child_is_409_naming_the_rule_in_the_users_language(
    client: FlaskClient, db_session: Session, officer: User, sewing_job: Listing, bearer: Bearer
) -> None:
    child = make_returnee(db_session, officer, date_of_birth=_born(14, days=364))
    body = {"returnee_id": child.id, "listing_id": sewing_job.id}
    refused = client.post("/api/v1/referrals", json=body, headers=bearer(officer))
    assert refused.status_code == 409
    assert refused.json["rule"] == "under_minimum_age"
    assert "under 15" in refused.json["message"]
    officer.locale = "km"
    db_session.commit()
    in_khmer = client.post("/api/v1/referrals", json=body, headers=bearer(officer))
    assert in_khmer.status_code == 409 and in_khmer.json["rule"] == "under_minimum_age"
    assert "ក្រោម ១៥ ឆ្នាំ" in in_khmer.json["message"]
    assert _counts(db_session) == (0, 0)


def test_hazardous_work_is_refused_under_18_and_allowed_at_18(
    client: FlaskClient, db_session: Session, officer: User, sewing_job: Listing, bearer: Bearer
) -> None:
    kiln = _hazardous(db_session, sewing_job)
    seventeen = make_returnee(db_session, officer, date_of_birth=_born(17), skills=("sewing",))
    eighteen = make_returnee(db_session, officer, date_of_birth=_born(18), skills=("sewing",))
    headers = bearer(officer)
    refused = client.post(
        "/api/v1/referrals",
        json={"returnee_id": seventeen.id, "listing_id": kiln.id},
        headers=headers,
    )
    assert refused.status_code == 409 and refused.json["rule"] == "hazardous_under_18"
    assert _counts(db_session) == (0, 0)
    ranked = client.get(f"/api/v1/returnees/{seventeen.id}/matches", headers=headers).json
    assert kiln.id not in [item["listing"]["id"] for item in ranked["items"]]
    candidates = client.get(f"/api/v1/listings/{kiln.id}/candidates", headers=headers).json
    assert [item["returnee"]["id"] for item in candidates["items"]] == [eighteen.id]
    allowed = client.post(
        "/api/v1/referrals",
        json={"returnee_id": eighteen.id, "listing_id": kiln.id},
        headers=headers,
    )
    assert allowed.status_code == 201, allowed.json


def test_a_hire_starting_before_the_15th_birthday_is_refused(
    client: FlaskClient,
    db_session: Session,
    officer: User,
    employer: User,
    sewing_job: Listing,
    bearer: Bearer,
) -> None:
    turned_15 = make_returnee(
        db_session,
        officer,
        date_of_birth=_born(15, days=30),
        return_date=local_today() - timedelta(days=300),
    )
    referral = referrals.refer(db_session, Actor.of(officer), turned_15.id, sewing_job.id)
    db_session.commit()
    url = f"/api/v1/referrals/{referral.id}"
    too_early = (local_today() - timedelta(days=60)).isoformat()
    refused = client.patch(
        url, json={"status": "hired", "start_date": too_early}, headers=bearer(employer)
    )
    assert refused.status_code == 409 and refused.json["rule"] == "under_minimum_age"
    assert _counts(db_session) == (1, 0)
    db_session.expire_all()
    assert db_session.get(Referral, referral.id).status == "referred"
    on_time = (local_today() - timedelta(days=10)).isoformat()
    hired = client.patch(
        url, json={"status": "hired", "start_date": on_time}, headers=bearer(employer)
    )
    assert hired.status_code == 200, hired.json
    assert _counts(db_session) == (1, 1)


def test_an_employer_never_sees_a_child_referred_before_the_rules(
    client: FlaskClient,
    db_session: Session,
    officer: User,
    employer: User,
    sewing_job: Listing,
    bearer: Bearer,
) -> None:
    """A referral written before these rules (or by hand in the database) stays hidden."""
    adult = make_returnee(db_session, officer)
    child = make_returnee(db_session, officer, date_of_birth=_born(15), given_name="Nary")
    for person in (adult, child):
        referrals.refer(db_session, Actor.of(officer), person.id, sewing_job.id)
    db_session.commit()
    child.date_of_birth = _born(5)
    db_session.commit()
    child_referral = db_session.scalar(select(Referral.id).where(Referral.returnee_id == child.id))

    listed = client.get("/api/v1/referrals", headers=bearer(employer))
    assert listed.json["total"] == 1
    assert "Nary" not in listed.get_data(as_text=True)
    answer: dict[str, Any] = {"status": "interview"}
    hidden = client.patch(
        f"/api/v1/referrals/{child_referral}", json=answer, headers=bearer(employer)
    )
    assert hidden.status_code == 404
