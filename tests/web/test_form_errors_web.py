"""The registration form names every invalid field at once, beside it, keeping what was typed."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Returnee
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, log_in


def test_every_bad_field_of_a_registration_is_named_at_once(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, provinces=["02"]).email, PASSWORD)
    token = csrf_token(client, "/returnees/new")
    response = client.post(
        "/returnees/new",
        data={
            "given_name": "",
            "family_name": "Sok",
            "sex": "female",
            "date_of_birth": "1990-02-30",
            "phone": "call me",
            "home_province": "02",
            "return_date": "next week",
            "destination_country": "TH",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    named = re.findall(r'class="field-error" id="(\w+)-error"', page)
    assert {"given_name", "date_of_birth", "phone", "return_date"} <= set(named), named
    assert 'value="call me"' in page and 'value="next week"' in page and 'value="Sok"' in page
    assert db_session.scalar(select(func.count()).select_from(Returnee)) == 0
