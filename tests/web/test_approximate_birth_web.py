"""The registration and edit form with only the year of birth known, and how pages show it."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import Returnee
from reintegrate.timeutil import local_today
from tests.builders import make_returnee
from tests.conftest import AuthActions, csrf_token
from tests.web.test_returnees_web import _form


def test_an_officer_gives_only_the_year_and_the_case_shows_it_marked(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new()
    form = client.get("/returnees/new").get_data(as_text=True)
    assert 'name="date_of_birth_year"' in form and "inputmode=numeric" in form
    assert "Leave empty when only the year is known." in form
    token = csrf_token(client, "/returnees/new")
    data = {**_form(date_of_birth="", date_of_birth_year="1985"), "csrf_token": token}
    response = client.post("/returnees/new", data=data)
    assert response.status_code == 302
    returnee = db_session.scalars(select(Returnee).where(Returnee.given_name == "Vanna")).one()
    assert (returnee.date_of_birth, returnee.date_of_birth_approximate) == (date(1985, 1, 1), True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "c. 1985" in page
    assert "Jan 1, 1985" not in page
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/returnees")})
    khmer = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ប្រហែល 1985" in khmer


def test_the_edit_form_shows_the_year_alone_and_a_full_date_makes_it_exact(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new()
    returnee = make_returnee(
        db_session, officer, date_of_birth=date(1985, 1, 1), date_of_birth_approximate=True
    )
    form = client.get(f"/returnees/{returnee.id}/edit").get_data(as_text=True)
    assert 'name="date_of_birth" type="date" value=""' in form
    assert 'name="date_of_birth_year" type="text" value="1985"' in form
    token = csrf_token(client, f"/returnees/{returnee.id}/edit")
    data = _form(
        given_name="Sokha", family_name="Chhay", status="seeking", date_of_birth="1985-03-04"
    )
    response = client.post(f"/returnees/{returnee.id}/edit", data={**data, "csrf_token": token})
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Returnee, returnee.id)
    assert (saved.date_of_birth, saved.date_of_birth_approximate) == (date(1985, 3, 4), False)


def test_a_year_out_of_range_is_refused_on_the_form_and_kept_for_correction(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new()
    token = csrf_token(client, "/returnees/new")
    future = str(local_today().year + 1)
    data = {**_form(date_of_birth="", date_of_birth_year=future), "csrf_token": token}
    response = client.post("/returnees/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    assert f"The year of birth must be between 1900 and {local_today().year}." in page
    assert f'value="{future}"' in page
    assert (
        db_session.scalars(select(Returnee).where(Returnee.given_name == "Vanna")).first() is None
    )
