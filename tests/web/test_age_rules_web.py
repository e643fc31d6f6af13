"""Safeguarding age rules on the pages: children shown as children, refusals flashed."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Placement, Referral
from reintegrate.services import referrals
from reintegrate.services.access import Actor
from reintegrate.timeutil import add_months, local_today
from tests.builders import PASSWORD, make_listing, make_returnee, make_user
from tests.conftest import AuthActions, csrf_token, log_in


def _born(years: int, days: int = 0) -> date:
    return add_months(local_today(), -12 * years) - timedelta(days=days)


def test_a_child_has_a_badge_on_the_case_page_and_the_list(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new()
    child = make_returnee(db_session, officer, given_name="Nary", date_of_birth=_born(9))
    adult = make_returnee(db_session, officer, given_name="Dara", phone=None)
    case_page = client.get(f"/returnees/{child.id}").get_data(as_text=True)
    assert "Child, age 9" in case_page
    assert "Child" not in client.get(f"/returnees/{adult.id}").get_data(as_text=True)
    listing = client.get("/returnees").get_data(as_text=True)
    assert listing.count("Child, age 9") == 1


def test_a_child_sees_no_job_and_a_referral_is_refused_with_the_rule(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new()
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    job = make_listing(db_session, employer, title="Sewing Machine Operator", skills=("sewing",))
    child = make_returnee(db_session, officer, date_of_birth=_born(12), skills=("sewing",))
    matches_url = f"/returnees/{child.id}/matches"
    matches = client.get(matches_url).get_data(as_text=True)
    assert "Sewing Machine Operator" not in matches
    assert "No job is offered to a child under 15" in matches
    assert "Sewing Machine Operator" in client.get(f"/listings/{job.id}").get_data(as_text=True)
    candidates = client.get(f"/listings/{job.id}/candidates").get_data(as_text=True)
    assert child.case_number not in candidates
    response = client.post(
        f"/returnees/{child.id}/referrals",
        data={"listing_id": job.id, "next": matches_url, "csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    assert "Refused by the minimum-age rule" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Referral)) == 0


def test_an_employer_hire_before_the_15th_birthday_is_flashed(
    auth: AuthActions, app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new()
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    job = make_listing(db_session, employer, skills=("sewing",))
    person = make_returnee(
        db_session,
        officer,
        date_of_birth=_born(15, days=20),
        return_date=local_today() - timedelta(days=300),
    )
    referral = referrals.refer(db_session, Actor.of(officer), person.id, job.id)
    db_session.commit()
    browser = app.test_client()
    log_in(browser, employer.email, PASSWORD)
    response = browser.post(
        f"/referrals/{referral.id}/status",
        data={
            "status": "hired",
            "start_date": (local_today() - timedelta(days=40)).isoformat(),
            "csrf_token": csrf_token(browser, "/referrals"),
        },
        follow_redirects=True,
    )
    assert "Refused by the minimum-age rule" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Placement)) == 0
