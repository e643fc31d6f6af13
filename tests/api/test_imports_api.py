"""/api/v1/imports: admins upload feeds and read the kept reports; everyone else is refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import ImportRun, Listing, User
from tests.builders import job_board_csv, job_board_row, make_user

URL = "/api/v1/imports"
DATA = Path(__file__).resolve().parents[1] / "data"
Bearer = Callable[[User], dict[str, str]]


def _count(session: Session, model: type[Any] = Listing) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def admin(db_session: Session) -> User:
    return make_user(db_session, "admin")


def _upload(
    client: FlaskClient, headers: dict[str, str], data: bytes, filename: str, **form: Any
) -> Any:
    fields = {"source": "cambodiajobs", **form, "file": (io.BytesIO(data), filename)}
    return client.post(URL, data=fields, headers=headers, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("filename", "kind", "rows"),
    [
        ("jobs_board.csv", "job", 31),
        ("jobs_board_cp1252.csv", "job", 3),
        ("jobs_api.json", "job", 10),
        ("jobposting.jsonld.html", "job", 4),
        ("incentives.csv", "incentive", 8),
        ("incentives.json", "incentive", 3),
    ],
)
def test_admin_imports_every_format_and_gets_the_report(
    client: FlaskClient,
    db_session: Session,
    admin: User,
    bearer: Bearer,
    filename: str,
    kind: str,
    rows: int,
) -> None:
    response = _upload(client, bearer(admin), (DATA / filename).read_bytes(), filename, kind=kind)
    assert response.status_code == 201, response.json
    report = response.json
    assert (report["status"], report["rows"], report["created"]) == ("succeeded", rows, rows)
    assert (report["source"], report["kind"], report["filename"]) == (
        "cambodiajobs",
        kind,
        filename,
    )
    assert report["started_by"] == admin.email
    assert _count(db_session) == rows


def test_partial_import_is_201_with_each_rejected_row(
    client: FlaskClient, db_session: Session, admin: User, bearer: Bearer
) -> None:
    response = _upload(client, bearer(admin), (DATA / "bad_rows.csv").read_bytes(), "bad.csv")
    assert response.status_code == 201
    report = response.json
    assert (report["status"], report["rejected"], report["created"]) == ("partial", 14, 6)
    assert {"row": 3, "field": "location", "message": 'unknown province: "Bangkok"'} in (
        report["errors"]
    )


@pytest.mark.parametrize(
    ("data", "filename", "form"),
    [
        (b"", "empty.csv", {}),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "photo.csv", {}),
        (
            job_board_csv([job_board_row(1), job_board_row(2, location="Atlantis")]),
            "s.csv",
            {"strict": "true"},
        ),
        (job_board_csv([job_board_row(1, location="Atlantis")]), "allbad.csv", {}),
    ],
    ids=["empty", "png", "strict", "every row bad"],
)
def test_nothing_imported_is_422_with_the_report(
    client: FlaskClient,
    db_session: Session,
    admin: User,
    bearer: Bearer,
    data: bytes,
    filename: str,
    form: dict[str, str],
) -> None:
    response = _upload(client, bearer(admin), data, filename, **form)
    assert response.status_code == 422
    assert response.json["status"] == "failed" and response.json["message"]
    assert _count(db_session) == 0
    assert _count(db_session, ImportRun) == 1


@pytest.mark.parametrize(
    ("form", "field"),
    [({"source": "posted"}, "source"), ({"kind": "house"}, "kind"), ({"source": ""}, "source")],
)
def test_bad_form_fields_are_422_naming_the_field(
    client: FlaskClient,
    db_session: Session,
    admin: User,
    bearer: Bearer,
    form: dict[str, str],
    field: str,
) -> None:
    response = _upload(client, bearer(admin), job_board_csv(1), "a.csv", **form)
    assert response.status_code == 422
    assert field in str(response.json["errors"])
    assert _count(db_session, ImportRun) == 0


def test_missing_file_is_422(client: FlaskClient, admin: User, bearer: Bearer) -> None:
    response = client.post(
        URL, data={"source": "x"}, headers=bearer(admin), content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "file" in str(response.json["errors"])


@pytest.mark.parametrize("role", ["officer", "employer", "manager"])
def test_non_admins_are_403(
    client: FlaskClient, db_session: Session, bearer: Bearer, role: str
) -> None:
    headers = bearer(make_user(db_session, role))
    assert _upload(client, headers, job_board_csv(2), "a.csv").status_code == 403
    assert client.get(URL, headers=headers).status_code == 403
    assert _count(db_session) == 0 and _count(db_session, ImportRun) == 0


def test_without_a_token_imports_are_401(client: FlaskClient, db_session: Session) -> None:
    assert _upload(client, {}, job_board_csv(2), "a.csv").status_code == 401
    assert client.get(URL).status_code == 401
    assert _count(db_session) == 0


def test_reports_are_kept_and_listed_newest_first(
    client: FlaskClient, admin: User, bearer: Bearer
) -> None:
    headers = bearer(admin)
    first = _upload(client, headers, job_board_csv(2), "a.csv").json
    second = _upload(client, headers, job_board_csv(2), "a.csv").json
    assert (second["created"], second["unchanged"]) == (0, 2)
    listed = client.get(URL, headers=headers)
    assert listed.status_code == 200
    assert [run["id"] for run in listed.json[:2]] == [second["id"], first["id"]]
    one = client.get(f"{URL}/{first['id']}", headers=headers)
    assert one.status_code == 200 and one.json["created"] == 2
    assert client.get(f"{URL}/999999", headers=headers).status_code == 404


def test_an_upload_over_the_request_limit_is_413(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    admin: User,
    bearer: Bearer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = _upload(client, bearer(admin), job_board_csv(100), "big.csv")
    assert response.status_code == 413
    assert response.is_json
    assert _count(db_session) == 0 and _count(db_session, ImportRun) == 0


def test_a_file_over_the_import_limit_is_413_even_under_the_request_limit(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    admin: User,
    bearer: Bearer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2048)
    response = _upload(client, bearer(admin), job_board_csv(100), "big.csv")
    assert response.status_code == 413
    assert _count(db_session) == 0 and _count(db_session, ImportRun) == 0


HEADER = b"id,title,company,location,salary,closing_date\n"
BAD_FILES: list[tuple[str, bytes, str]] = [
    ("header only", HEADER, "h.csv"),
    ("wrong delimiter", b"id|title|company|location\n1|Cook|X|Kampot\n", "p.csv"),
    ("unbalanced quotes", HEADER + b'1,"Cook,X,Kampot,$200,2026-12-31\n', "q.csv"),
    ("nul bytes", b"\x00" * 2000, "n.csv"),
    ("broken json", b"[{", "b.json"),
    ("xml", b'<?xml version="1.0"?><rss/>', "f.xml"),
    ("huge field", job_board_csv([job_board_row(1, description="d" * 130_000)]), "big.csv"),
]


@pytest.mark.parametrize(("case", "data", "filename"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_are_a_clear_refusal_never_a_500(
    client: FlaskClient,
    db_session: Session,
    admin: User,
    bearer: Bearer,
    case: str,
    data: bytes,
    filename: str,
) -> None:
    response = _upload(client, bearer(admin), data, filename)
    assert response.status_code == 422, case
    report = response.json
    assert report["status"] == "failed"
    assert report["message"] or report["errors"]
    assert _count(db_session) == 0
