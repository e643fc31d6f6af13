"""The referral letter: job, employer and address, officer's contact and date, and nothing of
the person's history; in English and Khmer; only for the officers of the person's province."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reintegrate.services import notes, referrals
from reintegrate.services.access import Actor
from tests.builders import PASSWORD, make_listing, make_returnee, make_user
from tests.conftest import csrf_token, log_in


def _referral(db_session: Session):  # type: ignore[no-untyped-def]
    officer = make_user(db_session, provinces=["02"], email="dara.officer@example.org")
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    returnee = make_returnee(db_session, officer, trafficking_survivor=True)
    listing = make_listing(db_session, employer, title="Welder", district="Mongkol Borey")
    notes.add_note(db_session, Actor.of(officer), returnee.id, "Afraid of the broker")
    referral = referrals.refer(db_session, Actor.of(officer), returnee.id, listing.id)
    db_session.commit()
    return officer, returnee, referral


def test_the_letter_names_the_job_employer_address_officer_and_date_and_no_history(
    client: FlaskClient, db_session: Session
) -> None:
    officer, returnee, referral = _referral(db_session)
    log_in(client, officer.email, PASSWORD)
    detail = client.get(f"/returnees/{returnee.id}").get_data(as_text=True)
    assert f"/referrals/{referral.id}/letter" in detail
    page = client.get(f"/referrals/{referral.id}/letter").get_data(as_text=True)
    assert "Referral letter" in page and "Sokha Chhay" in page
    assert "Welder" in page and "Angkor Steel" in page and "Mongkol Borey" in page
    assert "dara.officer@example.org" in page and "Date:" in page
    assert re.search(r'media="print"|/css/letter(\.[0-9a-f]+)?\.css', page)
    for history in ("Thailand", "Survivor", "Afraid of the broker", returnee.case_number):
        assert history not in page, history


def test_the_letter_prints_in_khmer(client: FlaskClient, db_session: Session) -> None:
    officer, _returnee, referral = _referral(db_session)
    log_in(client, officer.email, PASSWORD)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/work")})
    page = client.get(f"/referrals/{referral.id}/letter").get_data(as_text=True)
    assert "លិខិតបញ្ជូន" in page and "មន្ត្រីទំនាក់ទំនង" in page and "Welder" in page


def test_only_officers_of_the_province_can_print_it(app: Flask, db_session: Session) -> None:
    _officer, _returnee, referral = _referral(db_session)
    for user, status in (
        (make_user(db_session, provinces=["17"]), 404),
        (make_user(db_session, "employer", employer="Angkor Steel"), 403),
        (make_user(db_session, "manager"), 403),
    ):
        browser = app.test_client()
        log_in(browser, user.email, PASSWORD)
        assert browser.get(f"/referrals/{referral.id}/letter").status_code == status
