"""Ids typed into forms and query strings: a superscript digit or a 20-digit number is a 4xx
or simply no match, never a server error."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.builders import PASSWORD, make_listing, make_returnee, make_user
from tests.conftest import csrf_token, log_in

HOSTILE = ("²", "99999999999999999999", "-1", "１２")


@pytest.mark.parametrize("value", HOSTILE)
def test_officer_forms_refuse_hostile_ids_without_a_server_error(
    client: FlaskClient, db_session: Session, value: str
) -> None:
    officer = make_user(db_session, provinces=["02"])
    person = make_returnee(db_session, officer)
    log_in(client, officer.email, PASSWORD)
    token = csrf_token(client, f"/returnees/{person.id}")
    for url, data in (
        (f"/returnees/{person.id}/referrals", {"listing_id": value}),
        (f"/returnees/{person.id}/enrolments", {"listing_id": value}),
        ("/placements/1/keep-schedule", {"drop": value}),
        ("/returnees/new", {"decision": "new", "different": value, "given_name": "Dara"}),
        ("/returnees/reviews/1/merge", {"keep": value}),
    ):
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code < 500, (url, value, response.status_code)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_employer_referral_list_ignores_a_hostile_confirm_id(
    client: FlaskClient, db_session: Session, value: str
) -> None:
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    make_listing(db_session, employer)
    log_in(client, employer.email, PASSWORD)
    assert client.get(f"/referrals?confirm={value}").status_code == 200
