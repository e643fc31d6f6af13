"""The admins' employers page: verify with a registration number; employers are refused."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from reintegrate.models import Employer
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, log_in


def test_admin_verifies_an_employer_on_the_page(client: FlaskClient, db_session: Session) -> None:
    employer_user = make_user(
        db_session, "employer", employer="Angkor Garments", employer_verified=False
    )
    admin = make_user(db_session, "admin", email="checker@example.org")
    log_in(client, admin.email, PASSWORD)
    page = client.get("/admin/employers").get_data(as_text=True)
    assert "Angkor Garments" in page and "Not verified" in page
    token = csrf_token(client, "/admin/employers")
    url = f"/admin/employers/{employer_user.employer_id}"
    refused = client.post(
        url, data={"verified": "yes", "contact": "HR office", "csrf_token": token}
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="registration_number-error"' in page and "registration number" in page
    assert 'value="HR office"' in page
    page = client.get("/admin/employers").get_data(as_text=True)
    assert "Not verified" in page
    saved = client.post(
        url,
        data={
            "verified": "yes",
            "registration_number": "MOC-77",
            "contact": "HR office 012 000 777",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 302
    page = client.get("/admin/employers").get_data(as_text=True)
    assert "Employer saved." in page and "checker@example.org" in page and "MOC-77" in page
    assert "HR office 012 000 777" in page
    db_session.expire_all()
    assert db_session.get(Employer, employer_user.employer_id).verified  # type: ignore[union-attr]


def test_an_employer_cannot_verify_itself_on_the_page(
    client: FlaskClient, db_session: Session
) -> None:
    employer_user = make_user(
        db_session, "employer", employer="Angkor Garments", employer_verified=False
    )
    log_in(client, employer_user.email, PASSWORD)
    assert client.get("/admin/employers").status_code == 403
    token = csrf_token(client, "/account/password")
    answer = client.post(
        f"/admin/employers/{employer_user.employer_id}",
        data={"verified": "yes", "registration_number": "MOC-1", "csrf_token": token},
    )
    assert answer.status_code == 409
    assert "cannot verify that employer" in answer.get_data(as_text=True)
    db_session.expire_all()
    assert not db_session.get(Employer, employer_user.employer_id).verified  # type: ignore[union-attr]
