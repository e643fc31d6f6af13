"""An admin reading the Khmer interface reads the audit trail in Khmer, not in codes."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import csrf_token, log_in

KHMER = re.compile(r"[\u1780-\u17ff]")


def _cells(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("<tr>")[1:]]


def test_audit_actions_record_types_and_views_are_in_khmer(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"], email="viewer@example.org")
    returnee = make_returnee(db_session, officer)
    browser = client.application.test_client()
    log_in(browser, officer.email, PASSWORD)
    assert browser.get("/returnees").status_code == 200
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/admin/audit")})
    page = client.get(
        "/admin/audit", query_string={"entity_type": "returnee", "entity_id": returnee.id}
    ).get_data(as_text=True)
    rows = _cells(page)
    assert rows
    for row in rows:
        action, record = row[2], row[3]
        assert KHMER.search(action) and KHMER.search(record), row
        assert not re.search(r"\b(view|create|list|returnee)\b", action + record), row
    selects = page.split('id="entity_type"', 1)[1].split("</select>", 1)[0]
    assert 'value="returnee"' in selects and KHMER.search(selects)


def test_an_unknown_record_type_is_refused_by_name(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, "admin").email, PASSWORD)
    response = client.get("/admin/audit", query_string={"entity_type": "spaceship"})
    assert response.status_code == 422
