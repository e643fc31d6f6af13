"""Listing and import pages: employers post, edit and close; officers browse; admins import."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reintegrate.models import ImportRun, Listing
from tests.builders import in_days, job_board_csv, make_listing, make_user
from tests.conftest import AuthActions, csrf_token

DATA = Path(__file__).resolve().parents[1] / "data"


def _count(session: Session, model: type[Any] = Listing) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Rice Mill Operator",
        "province": "02",
        "district": "Sangkae",
        "skills": "rice milling\r\nforklift driving\r\n",
        "positions": "4",
        "wage_min_usd": "220",
        "wage_max_usd": "260",
        "employment_type": "full_time",
        "languages": ["km", "th"],
        "valid_through": in_days(30).isoformat(),
        "description": "Run the husker; night shifts.",
    }
    data.update(overrides)
    return data


def _post(client: FlaskClient, path: str, data: dict[str, Any], form_page: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token})


def test_employer_posts_an_opening_through_the_form(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    employer = auth.as_new("employer", employer="Battambang Rice Mill")
    response = _post(client, "/listings/new", _form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rice Mill Operator" in page and "Battambang Rice Mill" in page
    assert "rice milling" in page and "Sangkae" in page
    listing = db_session.scalars(select(Listing)).one()
    assert listing.employer_id == employer.employer_id
    assert (listing.positions, listing.wage_min_usd, listing.wage_max_usd) == (4, 220, 260)
    assert listing.languages == ["km", "th"] and listing.provinces == ["02"]
    assert listing.skill_texts == ["rice milling", "forklift driving"]
    assert listing.valid_through == in_days(30)


def test_form_errors_are_shown_and_nothing_is_saved(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new("employer")
    bad = _form(title="", province="99", wage_min_usd="-3", valid_through=in_days(-1).isoformat())
    response = _post(client, "/listings/new", bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page and 'value="Sangkae"' in page
    assert _count(db_session) == 0


def test_employer_cannot_post_an_incentive_through_the_form(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new("employer")
    page = client.get("/listings/new?kind=incentive").get_data(as_text=True)
    assert 'name="benefit"' not in page
    response = _post(
        client,
        "/listings/new?kind=incentive",
        {
            "kind": "incentive",
            "title": "Grant",
            "programme": "P",
            "benefit": "B",
            "valid_through": in_days(9).isoformat(),
        },
    )
    assert response.status_code == 422  # read as a job: province missing
    assert _count(db_session) == 0


def test_employer_edits_and_closes_its_listing(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    employer = auth.as_new("employer")
    listing = make_listing(db_session, employer)
    edit = f"/listings/{listing.id}/edit"
    form_page = client.get(edit).get_data(as_text=True)
    assert 'value="Welder"' in form_page
    response = _post(client, edit, _form(title="Senior Welder", province="02"))
    assert response.status_code == 302
    closed = _post(
        client, f"/listings/{listing.id}/status", {"status": "closed"}, f"/listings/{listing.id}"
    )
    assert closed.status_code == 302
    db_session.expire_all()
    assert (listing.title, listing.status) == ("Senior Welder", "closed")
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "Reopen" in page


def test_employer_sees_only_its_own_listings(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    employer = auth.as_new("employer", employer="Angkor Garments")
    make_listing(db_session, employer, title="Sewing Line Leader")
    other = make_user(db_session, "employer", employer="Bayon Builders")
    make_listing(db_session, other, title="Brick Carrier")
    page = client.get("/listings?status=all").get_data(as_text=True)
    assert "Sewing Line Leader" in page and "Brick Carrier" not in page


@pytest.mark.parametrize("action", ["read", "edit", "close"])
def test_another_employers_listing_is_404(
    auth: AuthActions, client: FlaskClient, db_session: Session, action: str
) -> None:
    auth.as_new("employer", employer="Angkor Garments")
    other = make_user(db_session, "employer", employer="Bayon Builders")
    theirs = make_listing(db_session, other)
    if action == "read":
        response = client.get(f"/listings/{theirs.id}")
    elif action == "edit":
        response = _post(client, f"/listings/{theirs.id}/edit", _form(), "/listings/new")
    else:
        response = _post(
            client, f"/listings/{theirs.id}/status", {"status": "closed"}, "/listings/new"
        )
    assert response.status_code == 404
    db_session.expire_all()
    assert (theirs.title, theirs.status) == ("Welder", "open")


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_browse_by_kind_province_and_skill(
    auth: AuthActions, client: FlaskClient, db_session: Session, role: str
) -> None:
    poster = make_user(db_session)
    welder = make_listing(db_session, poster, title="Welder")
    make_listing(db_session, poster, title="Cook", provinces=("07",), skills=("cooking",))
    closed = make_listing(db_session, poster, title="Night Watchman")
    closed.status = "closed"
    copy = make_listing(db_session, poster, title="Linked Copy")
    copy.duplicate_of_id = welder.id
    db_session.commit()
    auth.as_new(role)

    def titles(query: str) -> str:
        response = client.get(f"/listings{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    everything = titles("")
    assert "Welder" in everything and "Cook" in everything
    assert "Night Watchman" not in everything and "Linked Copy" not in everything
    kampot = titles("?province=07&kind=job")
    assert "Cook" in kampot and "Welder" not in kampot
    by_skill = titles("?skill=weld")
    assert "Welder" in by_skill and "Cook" not in by_skill
    assert "Night Watchman" in titles("?status=closed")


def test_managers_get_403_on_listing_pages(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    listing = make_listing(db_session, make_user(db_session))
    auth.as_new("manager")
    assert client.get("/listings").status_code == 403
    assert client.get(f"/listings/{listing.id}").status_code == 403


def test_listing_pages_need_a_login(client: FlaskClient) -> None:
    assert client.get("/listings").status_code == 302


# --- imports --------------------------------------------------------------------------------


def _upload(client: FlaskClient, data: bytes, filename: str, **form: Any):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/imports")
    fields = {
        "source": "cambodiajobs",
        "kind": "job",
        **form,
        "csrf_token": token,
        "file": (io.BytesIO(data), filename),
    }
    return client.post("/imports", data=fields, content_type="multipart/form-data")


def test_admin_uploads_a_feed_and_reads_the_report_of_rejected_rows(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new("admin")
    response = _upload(client, (DATA / "bad_rows.csv").read_bytes(), "bad_rows.csv")
    assert response.status_code == 302
    run = db_session.scalars(select(ImportRun)).one()
    assert response.headers["Location"].endswith(f"/imports/{run.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "bad_rows.csv" in page and "Rejected rows" in page
    assert "<td>3</td><td>Location</td><td>unknown province: &#34;Bangkok&#34;</td>" in page
    assert "<td>16</td><td></td>" in page
    assert _count(db_session) == 6
    index = client.get("/imports").get_data(as_text=True)
    assert f"/imports/{run.id}" in index and "cambodiajobs" in index


@pytest.mark.parametrize(
    ("filename", "kind"),
    [("jobposting.jsonld.html", "job"), ("incentives.csv", "incentive")],
)
def test_admin_uploads_other_formats(
    auth: AuthActions, client: FlaskClient, db_session: Session, filename: str, kind: str
) -> None:
    auth.as_new("admin")
    response = _upload(client, (DATA / filename).read_bytes(), filename, kind=kind)
    assert response.status_code == 302
    assert db_session.scalars(select(ImportRun)).one().status == "succeeded"


def test_an_unreadable_upload_reports_failure_and_imports_nothing(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new("admin")
    response = _upload(client, b"\x89PNG\r\n\x1a\n" + bytes(300), "photo.csv")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PNG image" in page
    assert _count(db_session) == 0


def test_import_form_errors_are_shown_by_the_field(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new("admin")
    token = csrf_token(client, "/imports")
    response = client.post(
        "/imports",
        data={"source": "", "kind": "job", "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choose a file to import." in response.get_data(as_text=True)
    posted = _upload(client, job_board_csv(1), "a.csv", source="posted")
    assert posted.status_code == 422
    assert _count(db_session, ImportRun) == 0


def test_an_officers_upload_is_a_returnee_list_never_a_feed(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    auth.as_new("officer")
    response = client.post(
        "/imports",
        data={
            "source": "x",
            "kind": "job",
            "csrf_token": csrf_token(client, "/imports"),
            "file": (io.BytesIO(job_board_csv(1)), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db_session.scalar(select(ImportRun.kind)) == "returnees"
    assert _count(db_session) == 0


@pytest.mark.parametrize("role", ["employer", "manager"])
def test_non_admins_get_403_on_import_pages(
    auth: AuthActions, client: FlaskClient, db_session: Session, role: str
) -> None:
    auth.as_new(role)
    assert client.get("/imports").status_code == 403
    token = csrf_token(client, "/listings/new")
    response = client.post(
        "/imports",
        data={"source": "x", "csrf_token": token, "file": (io.BytesIO(job_board_csv(1)), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert _count(db_session) == 0


@pytest.mark.parametrize("limit", ["MAX_CONTENT_LENGTH", "IMPORT_MAX_BYTES"])
def test_an_upload_over_the_size_limit_is_413(
    auth: AuthActions,
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
) -> None:
    auth.as_new("admin")
    token = csrf_token(client, "/imports")
    monkeypatch.setitem(app.config, limit, 4096)
    response = client.post(
        "/imports",
        data={
            "source": "cambodiajobs",
            "csrf_token": token,
            "file": (io.BytesIO(job_board_csv(100)), "big.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert _count(db_session) == 0 and _count(db_session, ImportRun) == 0


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_staff_see_no_edit_button_and_cannot_edit_an_employers_listing(
    auth: AuthActions, client: FlaskClient, db_session: Session, role: str
) -> None:
    employer = make_user(db_session, "employer", employer="Angkor Garments")
    listing = make_listing(db_session, employer, title="Sewer")
    auth.as_new(role)
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert f"/listings/{listing.id}/edit" not in page and "Close this listing" in page
    assert client.get(f"/listings/{listing.id}/edit").status_code == 403
    form = _form(title="Rewritten", employer="Bayon Builders")
    response = _post(client, f"/listings/{listing.id}/edit", form, "/listings/new")
    assert response.status_code == 403
    db_session.expire_all()
    assert (listing.title, listing.employer_name) == ("Sewer", "Angkor Garments")


def test_staff_edit_their_own_job_but_not_its_employer(
    auth: AuthActions, client: FlaskClient, db_session: Session
) -> None:
    officer = auth.as_new("officer")
    listing = make_listing(db_session, officer, title="Welder")
    edit = f"/listings/{listing.id}/edit"
    assert "readonly" in client.get(edit).get_data(as_text=True)
    moved = _post(client, edit, _form(title="Welder", employer="Bayon Builders"))
    assert moved.status_code == 422
    kept = _post(client, edit, _form(title="Senior Welder", employer="Mekong Steel Works"))
    assert kept.status_code == 302
    db_session.expire_all()
    assert (listing.title, listing.employer_name) == ("Senior Welder", "Mekong Steel Works")
