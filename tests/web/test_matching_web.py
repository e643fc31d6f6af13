"""Officer and admin pages for matches, candidates and unmapped skills."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from jobs_import import ListingRecord
from reintegrate.services import listings, matching
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_returnee, make_user
from tests.conftest import csrf_token, log_in


def _setup(db_session: Session):  # type: ignore[no-untyped-def]
    officer = make_user(db_session, provinces=["02"])
    record = ListingRecord(
        row=0,
        kind="job",
        external_id=None,
        title="Bricklayer wanted",
        employer="Angkor Build",
        provinces=("02",),
        skills=("bricklaying",),
        positions=3,
        valid_through=local_today() + timedelta(days=9),
    )
    listing = listings.create_listing(db_session, Actor.of(officer), record)
    returnee = make_returnee(db_session, officer, skills=("ជាងឥដ្ឋ",))
    db_session.commit()
    return officer, listing, returnee


def test_matches_page_shows_score_bars_and_reasons_in_both_languages(
    client: FlaskClient, db_session: Session
) -> None:
    officer, listing, returnee = _setup(db_session)
    log_in(client, officer.email, PASSWORD)
    page = client.get(f"/returnees/{returnee.id}/matches").get_data(as_text=True)
    assert "Bricklayer wanted" in page and "<meter" in page
    assert (
        "has 1 of 1 required skills: Bricklaying" in page and "same province (Battambang)" in page
    )
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/returnees")})
    khmer = client.get(f"/returnees/{returnee.id}/matches").get_data(as_text=True)
    assert "ខេត្តដដែល (បាត់ដំបង)" in khmer


def test_candidates_page_lists_the_returnee(client: FlaskClient, db_session: Session) -> None:
    officer, listing, returnee = _setup(db_session)
    log_in(client, officer.email, PASSWORD)
    page = client.get(f"/listings/{listing.id}/candidates").get_data(as_text=True)
    assert returnee.case_number in page


def test_candidates_asked_for_while_a_worker_still_builds_its_index_answer_come_back_soon(
    client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer, listing, _returnee = _setup(db_session)
    # A worker whose start-up build has not finished.
    monkeypatch.setattr(matching._Background, "sessions", lambda: db_session)
    monkeypatch.setattr(matching, "_candidates", matching._Candidates())
    monkeypatch.setattr(matching, "_listings", matching._Listings())
    monkeypatch.setattr(matching, "WARM_UP_WAIT", 0.01)
    log_in(client, officer.email, PASSWORD)
    page = client.get(f"/listings/{listing.id}/candidates")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "still being prepared" in page.get_data(as_text=True)
    answer = client.get(f"/api/v1/listings/{listing.id}/candidates")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/returnees")})
    khmer = client.get(f"/listings/{listing.id}/candidates").get_data(as_text=True)
    assert "បញ្ជីបេក្ខជនកំពុងរៀបចំនៅឡើយ" in khmer


def test_employers_never_see_candidates(client: FlaskClient, db_session: Session) -> None:
    _, listing, _ = _setup(db_session)
    employer = make_user(db_session, "employer", employer="Angkor Build")
    log_in(client, employer.email, PASSWORD)
    assert client.get(f"/listings/{listing.id}/candidates").status_code == 403


def test_admin_maps_a_phrase_from_the_page(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session)
    returnee = make_returnee(db_session, officer, skills=("moto fixing",))
    admin = make_user(db_session, "admin")
    log_in(client, admin.email, PASSWORD)
    page = client.get("/skills/unmapped").get_data(as_text=True)
    assert "moto fixing" in page
    token = csrf_token(client, "/skills/unmapped")
    response = client.post(
        "/skills/unmapped",
        data={"phrase": "moto fixing", "answer": "skill:motorbike_repair", "csrf_token": token},
    )
    assert response.status_code == 302
    db_session.refresh(returnee)
    assert returnee.skills[0].code == "motorbike_repair"
    assert (
        client.post(
            "/skills/unmapped", data={"phrase": "x", "answer": "skill:nope", "csrf_token": token}
        ).status_code
        == 422
    )
