"""Hazardous listings through /api/v1: the default from the list of hazardous work for children,
who may set it, why officers are told it is hazardous, imported feeds, and children and
teenagers kept out of such work."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import Listing, User
from reintegrate.timeutil import add_months, local_today
from tests.builders import (
    job_board_csv,
    job_board_row,
    listing_json,
    make_returnee,
    make_user,
)

Bearer = Callable[[User], dict[str, str]]
URL = "/api/v1/listings"


def _born(years: int) -> date:
    return add_months(local_today(), -12 * years) - timedelta(days=1)


@pytest.fixture
def employer(db_session: Session) -> User:
    return make_user(db_session, "employer", employer="Angkor Bricks")


@pytest.fixture
def admin(db_session: Session) -> User:
    return make_user(db_session, "admin")


def test_a_new_listing_gets_its_default_and_officers_see_why(
    client: FlaskClient, db_session: Session, employer: User, officer: User, bearer: Bearer
) -> None:
    kiln = client.post(
        URL,
        json=listing_json(title="Brick kiln worker", skills=["loading bricks"]),
        headers=bearer(employer),
    )
    assert kiln.status_code == 201, kiln.json
    assert kiln.json["hazardous"] is True
    assert "brick kiln" in kiln.json["hazardous_reason"]
    assert "Prakas No. 106" in kiln.json["hazardous_reason"]

    by_occupation = client.post(
        URL,
        json=listing_json(title="Deckhand", skills=["deep sea fishing"], description="Boat crew"),
        headers=bearer(employer),
    )
    assert by_occupation.json["hazardous"] is True
    assert "ISCO-08 6223" in by_occupation.json["hazardous_reason"]

    sewing = client.post(URL, json=listing_json(), headers=bearer(employer))
    assert (sewing.json["hazardous"], sewing.json["hazardous_reason"]) == (False, None)

    seen = client.get(f"{URL}/{kiln.json['id']}", headers=bearer(officer))
    assert seen.json["hazardous"] is True and "brick kiln" in seen.json["hazardous_reason"]
    officer.locale = "km"
    db_session.commit()
    in_khmer = client.get(f"{URL}/{kiln.json['id']}", headers=bearer(officer))
    assert "ឡដុតឥដ្ឋ" in in_khmer.json["hazardous_reason"]


def test_employers_and_admins_set_it_officers_may_not(
    client: FlaskClient,
    db_session: Session,
    employer: User,
    admin: User,
    officer: User,
    bearer: Bearer,
) -> None:
    marked = client.post(
        URL, json=listing_json(title="Roofer", hazardous=True), headers=bearer(employer)
    )
    assert marked.status_code == 201, marked.json
    assert marked.json["hazardous"] is True
    assert marked.json["hazardous_reason"] == "Set by the employer"
    edited = client.patch(
        f"{URL}/{marked.json['id']}", json={"description": "Metal roofs"}, headers=bearer(employer)
    )
    assert edited.json["hazardous"] is True, "an employer's decision stands across edits"

    refused = client.post(
        URL,
        json=listing_json(employer="Angkor Bricks", hazardous=True),
        headers=bearer(officer),
    )
    assert refused.status_code == 422
    assert "hazardous" in refused.json["errors"]["json"]

    kiln = client.post(URL, json=listing_json(title="Brick kiln worker"), headers=bearer(employer))
    kiln_url = f"{URL}/{kiln.json['id']}"
    cleared = client.patch(kiln_url, json={"hazardous": False}, headers=bearer(employer))
    assert cleared.status_code == 422
    assert "only an administrator" in cleared.json["errors"]["json"]["hazardous"][0]
    db_session.expire_all()
    assert db_session.get(Listing, kiln.json["id"]).hazardous is True
    by_admin = client.patch(kiln_url, json={"hazardous": False}, headers=bearer(admin))
    assert by_admin.status_code == 200, by_admin.json
    assert by_admin.json["hazardous"] is False
    assert by_admin.json["hazardous_reason"] == "Marked not hazardous by an administrator"


def test_an_imported_feed_gets_the_default_and_an_admin_may_change_it(
    client: FlaskClient, db_session: Session, admin: User, officer: User, bearer: Bearer
) -> None:
    feed = job_board_csv(
        [
            job_board_row(1, title="Karaoke waitress", company="Golden Night KTV"),
            job_board_row(2, title="Construction Worker", description="Scaffolding at 20 m"),
            job_board_row(3, title="Sewing Machine Operator", description="Garment factory"),
        ]
    )
    upload = client.post(
        "/api/v1/imports",
        data={"source": "jobboard", "file": (io.BytesIO(feed), "jobs.csv")},
        headers=bearer(admin),
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    rows = {
        listing.title: listing
        for listing in db_session.scalars(select(Listing).where(Listing.source == "jobboard"))
    }
    assert rows["Karaoke waitress"].hazardous is True
    assert rows["Karaoke waitress"].hazardous_reason == "keyword:karaoke"
    assert rows["Construction Worker"].hazardous is True
    assert rows["Sewing Machine Operator"].hazardous is False

    sewing_url = f"{URL}/{rows['Sewing Machine Operator'].id}"
    set_by_admin = client.patch(sewing_url, json={"hazardous": True}, headers=bearer(admin))
    assert set_by_admin.status_code == 200, set_by_admin.json
    again = client.post(
        "/api/v1/imports",
        data={"source": "jobboard", "file": (io.BytesIO(feed), "jobs.csv")},
        headers=bearer(admin),
        content_type="multipart/form-data",
    )
    assert again.status_code == 201
    db_session.expire_all()
    assert db_session.get(Listing, rows["Sewing Machine Operator"].id).hazardous is True


def test_a_hazardous_listing_has_no_candidate_under_18(
    client: FlaskClient, db_session: Session, employer: User, officer: User, bearer: Bearer
) -> None:
    kiln = client.post(
        URL,
        json=listing_json(title="Brick kiln worker", province="02", skills=["bricklaying"]),
        headers=bearer(employer),
    ).json
    for years in (9, 16, 25):
        make_returnee(
            db_session, officer, date_of_birth=_born(years), skills=("bricklaying",), phone=None
        )
    found = client.get(f"{URL}/{kiln['id']}/candidates", headers=bearer(officer)).json["items"]
    ages = [
        client.get(f"/api/v1/returnees/{item['returnee']['id']}", headers=bearer(officer)).json[
            "age"
        ]
        for item in found
    ]
    assert ages == [25]


def test_an_employer_cannot_undo_an_administrators_decision(
    client: FlaskClient, db_session: Session, employer: User, admin: User, bearer: Bearer
) -> None:
    """An admin marks a job the list does not name as hazardous: the employer may not clear
    it (that would open it to 15-17-year-olds), nor touch another employer's listing."""
    posted = client.post(URL, json=listing_json(title="Night porter"), headers=bearer(employer))
    assert posted.json["hazardous"] is False
    url = f"{URL}/{posted.json['id']}"
    marked = client.patch(url, json={"hazardous": True}, headers=bearer(admin))
    assert marked.status_code == 200 and marked.json["hazardous"] is True
    undone = client.patch(url, json={"hazardous": False}, headers=bearer(employer))
    assert undone.status_code == 422
    assert "administrator" in undone.json["errors"]["json"]["hazardous"][0]
    same = client.patch(url, json={"hazardous": True, "positions": 3}, headers=bearer(employer))
    assert same.status_code == 200, same.json
    other = make_user(db_session, "employer", employer="Mekong Security")
    foreign = client.patch(url, json={"hazardous": False}, headers=bearer(other))
    assert foreign.status_code in (403, 404)
    db_session.expire_all()
    assert db_session.get(Listing, posted.json["id"]).hazardous is True
