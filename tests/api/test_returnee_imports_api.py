"""POST /api/v1/imports with kind=returnees: officers import as themselves, admins name one."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import Returnee, User
from tests.builders import make_user
from tests.returnee_lists import people_csv, person

URL = "/api/v1/imports"
Bearer = Callable[[User], dict[str, str]]


def _upload(client: FlaskClient, headers: dict[str, str], data: bytes, **form: Any) -> Any:
    fields = {"kind": "returnees", **form, "file": (io.BytesIO(data), "poipet.csv")}
    return client.post(URL, data=fields, headers=headers, content_type="multipart/form-data")


def test_an_officer_imports_a_list_and_reads_the_case_with_its_external_id(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    headers = bearer(officer)
    response = _upload(client, headers, people_csv([person(1), person(2, sex="x")]))
    assert response.status_code == 201, response.json
    report = response.json
    assert (report["kind"], report["status"], report["created"], report["rejected"]) == (
        "returnees",
        "partial",
        1,
        1,
    )
    assert report["errors"][0]["row"] == 3 and report["errors"][0]["field"] == "sex"
    assert client.get(f"{URL}/{report['id']}", headers=headers).status_code == 200
    returnee_id = db_session.scalar(select(Returnee.id))
    case = client.get(f"/api/v1/returnees/{returnee_id}", headers=headers).json
    assert case["external_ids"] == [{"source": "poipet", "id": "P-1"}]
    found = client.get("/api/v1/returnees", query_string={"q": "P-1"}, headers=headers).json
    assert [item["id"] for item in found["items"]] == [returnee_id]


def test_an_admin_names_the_officer_and_nothing_imported_is_422(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    headers = bearer(make_user(db_session, "admin"))
    assert _upload(client, headers, people_csv([person(1)])).status_code == 422
    ok = _upload(client, headers, people_csv([person(1)]), officer=officer.email, source="fair")
    assert ok.status_code == 201 and ok.json["created"] == 1
    empty = _upload(client, headers, b"", officer=officer.email)
    assert empty.status_code == 422 and empty.json["status"] == "failed"


def test_other_officers_cannot_read_the_report_and_managers_cannot_import(
    client: FlaskClient, db_session: Session, officer: User, bearer: Bearer
) -> None:
    report = _upload(client, bearer(officer), people_csv([person(1)])).json
    other = bearer(make_user(db_session, provinces=["02"]))
    assert client.get(f"{URL}/{report['id']}", headers=other).status_code == 404
    manager = bearer(make_user(db_session, "manager"))
    assert _upload(client, manager, people_csv([person(2)])).status_code == 403
