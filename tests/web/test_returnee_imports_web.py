"""The imports page: an officer uploads a returnee list and reads its report."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import Returnee
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, log_in
from tests.returnee_lists import people_csv, person


def _post(client: FlaskClient, data: bytes, filename: str = "poipet.csv") -> object:
    return client.post(
        "/imports",
        data={"csrf_token": csrf_token(client, "/imports"), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_an_officer_uploads_a_list_and_sees_the_report(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, provinces=["02"]).email, PASSWORD)
    page = client.get("/imports").get_data(as_text=True)
    assert "Import a returnee list" in page and "consent_referral" in page
    response = _post(client, people_csv([person(1), person(2, home_province="12")]))
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Registered" in report and "Home province" in report
    assert "You can only register returnees from your own provinces." in report
    assert db_session.scalar(select(func.count()).select_from(Returnee)) == 1
    assert "poipet.csv" in client.get("/imports").get_data(as_text=True)


def test_the_report_reads_in_khmer(client: FlaskClient, db_session: Session) -> None:
    log_in(client, make_user(db_session, provinces=["02"]).email, PASSWORD)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/imports")})
    response = _post(client, people_csv([person(1), person(2, sex="x")]))
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Unknown value." not in report


def test_a_file_is_required_and_employers_are_refused(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, provinces=["02"]).email, PASSWORD)
    response = client.post(
        "/imports",
        data={"csrf_token": csrf_token(client, "/imports")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    client.post("/logout", data={"csrf_token": csrf_token(client, "/imports")})
    log_in(client, make_user(db_session, "employer").email, PASSWORD)
    assert client.get("/imports").status_code in (403, 404)
