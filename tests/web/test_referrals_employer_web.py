"""The employer's referral list: refusals confirmed, rows stay put, a bad date stays on its row."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import Referral, User
from reintegrate.services import referrals
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import make_listing, make_returnee, make_user
from tests.conftest import AuthActions, csrf_token

RETURNED = local_today() - timedelta(days=90)


def _referrals(db_session: Session, employer: User, names: list[str]) -> list[Referral]:
    """One referral per name, made in this order (so the newest is the last name)."""
    officer = make_user(db_session, provinces=["02"])
    listing = make_listing(db_session, employer, title="Steel fixer", positions=10)
    made = []
    for name in names:
        returnee = make_returnee(
            db_session, officer, given_name=name, family_name="Sok", return_date=RETURNED
        )
        made.append(referrals.refer(db_session, Actor.of(officer), returnee.id, listing.id))
        db_session.commit()
    return made


def _row(page: str, referral: Referral) -> str:
    match = re.search(rf'<tr id="referral-{referral.id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for referral {referral.id}"
    return match.group(1)


def _order(page: str) -> list[str]:
    return re.findall(r'<tr id="referral-(\d+)">', page)


def _post(browser: FlaskClient, referral: Referral, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_token(browser, "/referrals")
    return browser.post(f"/referrals/{referral.id}/status", data={"csrf_token": token, **data})


def _status(db_session: Session, referral: Referral) -> str:
    db_session.expire_all()
    return db_session.scalars(select(Referral.status).where(Referral.id == referral.id)).one()


def test_not_selected_asks_for_confirmation_before_anything_changes(
    auth: AuthActions, app: Flask, db_session: Session
) -> None:
    employer, browser = auth.browser_as_new("employer", employer="Angkor Steel")
    (referral,) = _referrals(db_session, employer, ["Dara"])
    first = _post(browser, referral, status="rejected")
    assert first.status_code == 302
    assert first.headers["Location"] == f"/referrals?confirm={referral.id}#referral-{referral.id}"
    assert _status(db_session, referral) == "referred"
    row = _row(browser.get(first.headers["Location"]).get_data(as_text=True), referral)
    assert "Mark this person as not selected?" in row
    assert 'name="confirmed" value="yes"' in row and "Yes, not selected" in row
    assert 'href="/referrals#referral-' in row  # cancel
    confirmed = _post(browser, referral, status="rejected", confirmed="yes")
    assert confirmed.status_code == 302
    assert _status(db_session, referral) == "rejected"


def test_the_confirmation_is_in_khmer_for_a_khmer_employer(
    auth: AuthActions, app: Flask, db_session: Session
) -> None:
    employer, browser = auth.browser_as_new("employer", employer="Angkor Steel", lang="km")
    (referral,) = _referrals(db_session, employer, ["Dara"])
    page = browser.get(f"/referrals?confirm={referral.id}").get_data(as_text=True)
    row = _row(page, referral)
    assert "Mark this person as not selected?" not in row
    assert re.search(r"[\u1780-\u17ff]", row.split("confirmed")[1])


def test_rows_keep_their_order_after_each_answer(
    auth: AuthActions, app: Flask, db_session: Session
) -> None:
    employer, browser = auth.browser_as_new("employer", employer="Angkor Steel")
    first, middle, last = _referrals(db_session, employer, ["Dara", "Vanna", "Chenda"])
    before = _order(browser.get("/referrals").get_data(as_text=True))
    assert before == [str(last.id), str(middle.id), str(first.id)]
    answer = _post(browser, first, status="interview")
    assert answer.headers["Location"] == f"/referrals#referral-{first.id}"
    start = (local_today() - timedelta(days=3)).isoformat()
    _post(browser, middle, status="hired", start_date=start)
    _post(browser, last, status="rejected", confirmed="yes")
    assert _order(browser.get("/referrals").get_data(as_text=True)) == before


def test_a_bad_start_date_keeps_what_was_typed_and_shows_the_error_on_its_row(
    auth: AuthActions, app: Flask, db_session: Session
) -> None:
    employer, browser = auth.browser_as_new("employer", employer="Angkor Steel")
    other, referral = _referrals(db_session, employer, ["Dara", "Vanna"])
    typed = (RETURNED - timedelta(days=10)).isoformat()
    response = _post(browser, referral, status="hired", start_date=typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    row = _row(page, referral)
    assert f'value="{typed}"' in row and 'aria-invalid="true"' in row
    assert "This date is not possible." in row
    assert "This date is not possible." not in _row(page, other)
    assert "returned home" not in page and RETURNED.isoformat() not in page
    assert _status(db_session, referral) == "referred"


def test_a_date_too_far_ahead_is_named_on_its_row_in_khmer(
    auth: AuthActions, app: Flask, db_session: Session
) -> None:
    employer, browser = auth.browser_as_new("employer", employer="Angkor Steel", lang="km")
    (referral,) = _referrals(db_session, employer, ["Dara"])
    typed = (local_today() + timedelta(days=400)).isoformat()
    response = _post(browser, referral, status="hired", start_date=typed)
    assert response.status_code == 422
    row = _row(response.get_data(as_text=True), referral)
    assert f'value="{typed}"' in row and 'class="field-error"' in row
    assert "Must be within the next six months." not in row


def test_a_hired_row_shows_its_start_date(
    auth: AuthActions, app: Flask, db_session: Session
) -> None:
    employer, browser = auth.browser_as_new("employer", employer="Angkor Steel")
    (referral,) = _referrals(db_session, employer, ["Dara"])
    start = local_today() - timedelta(days=3)
    assert _post(browser, referral, status="hired", start_date=start.isoformat()).status_code == 302
    row = _row(browser.get("/referrals").get_data(as_text=True), referral)
    assert "Hired" in row and "Starts" in row
    assert f"{start.day}, {start.year}" in row
