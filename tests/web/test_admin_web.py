"""The administrators' audit trail: every case view and change is there, filterable, admins only."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import log_in


def test_admin_sees_who_viewed_and_changed_a_case(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session, provinces=["02"], email="viewer@example.org")
    returnee = make_returnee(db_session, officer)
    browser = client.application.test_client()
    log_in(browser, officer.email, PASSWORD)
    assert browser.get(f"/returnees/{returnee.id}").status_code == 200
    assert browser.get("/returnees").status_code == 200
    admin = make_user(db_session, "admin")
    log_in(client, admin.email, PASSWORD)
    page = client.get(
        "/admin/audit", query_string={"entity_type": "returnee", "entity_id": returnee.id}
    ).get_data(as_text=True)
    assert "viewer@example.org" in page and "<td>Viewed</td>" in page and "<td>Created</td>" in page
    assert "<td>Viewed (on a list)</td>" in page  # seen on the returnee list, not opened
    assert returnee.given_name not in page and returnee.phone not in page
    only_views = client.get(
        "/admin/audit", query_string={"action": "view", "actor": "viewer"}
    ).get_data(as_text=True)
    assert "<td>Created</td>" not in only_views and "<td>Viewed</td>" in only_views


def test_bad_filters_are_422_and_other_roles_403(client: FlaskClient, db_session: Session) -> None:
    admin = make_user(db_session, "admin")
    log_in(client, admin.email, PASSWORD)
    assert client.get("/admin/audit", query_string={"since": "yesterday"}).status_code == 422
    assert client.get("/admin/audit", query_string={"action": "launch"}).status_code == 422
    for role in ("officer", "employer", "manager"):
        other = client.application.test_client()
        log_in(other, make_user(db_session, role).email, PASSWORD)
        assert other.get("/admin/audit").status_code == 403
