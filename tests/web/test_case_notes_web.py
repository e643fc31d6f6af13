"""Case notes: written on the case page, on its timeline with date and author, searchable by
the officers of its province, and never shown to employers or managers."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, CaseNote, FollowUp
from reintegrate.services import followups, notes
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_placement, make_returnee, make_user
from tests.conftest import csrf_token, log_in


def test_officer_writes_a_note_and_sees_it_on_the_timeline_with_author_and_date(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"], email="sreymom@example.org")
    returnee = make_returnee(db_session, officer)
    log_in(client, officer.email, PASSWORD)
    url = f"/returnees/{returnee.id}"
    token = csrf_token(client, url)
    saved = client.post(
        f"{url}/notes", data={"body": "Wants a job near Battambang market", "csrf_token": token}
    )
    assert saved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Note saved." in page
    assert "Wants a job near Battambang market" in page and "by sreymom@example.org" in page
    assert local_today().strftime("%Y") in page
    empty = client.post(f"{url}/notes", data={"body": "   ", "csrf_token": token})
    assert empty.status_code == 422 and "Write the note first." in empty.get_data(as_text=True)
    assert db_session.scalars(select(CaseNote)).all()[0].body == (
        "Wants a job near Battambang market"
    )


def test_a_note_typed_on_an_outcome_appears_on_the_case_timeline(
    client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    today = local_today()
    placement = make_placement(
        db_session,
        officer,
        employer,
        today - timedelta(days=35),
        return_date=today - timedelta(days=300),
    )
    first = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placement.id).order_by(FollowUp.sequence)
    ).first()
    assert first is not None
    followups.record_outcome(
        db_session,
        Actor.of(officer),
        first.id,
        OutcomeInput(contacted_on=today, status="employed_same", notes="Promoted to shift lead"),
    )
    db_session.commit()
    log_in(client, officer.email, PASSWORD)
    page = client.get(f"/returnees/{placement.returnee_id}").get_data(as_text=True)
    assert "Promoted to shift lead" in page
    found = client.get("/returnees/notes", query_string={"q": "shift lead"}).get_data(as_text=True)
    assert "Promoted to shift lead" in found and placement.returnee.case_number in found


def test_notes_are_searchable_only_by_officers_of_the_province(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    officer = make_user(db_session, provinces=["02"])
    mine = make_returnee(db_session, officer, given_name="Sophea")
    other_officer = make_user(db_session, provinces=["17"])
    theirs = make_returnee(db_session, other_officer, home_province="17", given_name="Bopha")
    notes.add_note(db_session, Actor.of(officer), mine.id, "Needs a motorbike licence")
    notes.add_note(db_session, Actor.of(other_officer), theirs.id, "Needs a motorbike repair")
    db_session.commit()
    log_in(client, officer.email, PASSWORD)
    page = client.get("/returnees/notes", query_string={"q": "MOTORBIKE"}).get_data(as_text=True)
    assert "Needs a motorbike licence" in page and mine.case_number in page
    assert "repair" not in page and theirs.case_number not in page
    shown = db_session.scalars(
        select(AuditEntry.entity_id).where(AuditEntry.detail["what"].as_string() == "notes search")
    ).all()
    assert shown == [mine.id]
    assert client.get(f"/returnees/{theirs.id}").status_code == 404
    for role in ("manager", "employer"):
        outsider = make_user(db_session, role)
        browser = app.test_client()
        log_in(browser, outsider.email, PASSWORD)
        assert browser.get("/returnees/notes", query_string={"q": "motorbike"}).status_code == 403
        assert browser.get(f"/returnees/{mine.id}").status_code == 403


def test_the_notes_search_reads_in_khmer(client: FlaskClient, db_session: Session) -> None:
    officer = make_user(db_session, provinces=["02"])
    log_in(client, officer.email, PASSWORD)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/returnees")})
    page = client.get("/returnees/notes", query_string={"q": "x"}).get_data(as_text=True)
    assert "ស្វែងរកកំណត់ចំណាំ" in page and "សូមវាយយ៉ាងហោចណាស់ពីរតួអក្សរ" in page
