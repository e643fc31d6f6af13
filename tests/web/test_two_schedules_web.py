"""A person hired and enrolled in a programme in the same weeks gets two follow-up schedules a
week apart: the officer is warned at the second placement and may keep one schedule."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry, FollowUp, Placement
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_incentive, make_placement, make_user
from tests.conftest import csrf_token, log_in


def _today() -> date:
    return local_today()


def _statuses(db_session: Session, placement_id: int) -> list[str]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(FollowUp.status)
            .where(FollowUp.placement_id == placement_id)
            .order_by(FollowUp.sequence)
        )
    )


def _hired_then_enrolled(client: FlaskClient, db_session: Session) -> tuple[Placement, int]:
    officer = make_user(db_session, provinces=["02"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    job = make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=3),
        return_date=_today() - timedelta(days=60),
    )
    grant = make_incentive(db_session, officer)
    log_in(client, officer.email, PASSWORD)
    url = f"/returnees/{job.returnee_id}"
    response = client.post(
        f"{url}/enrolments",
        data={
            "listing_id": str(grant.id),
            "start_date": (_today() + timedelta(days=4)).isoformat(),
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    enrolment = db_session.scalars(select(Placement).where(Placement.listing_id == grant.id)).one()
    assert response.headers["Location"].endswith(f"/placements/{enrolment.id}")
    return job, enrolment.id


def test_the_second_placement_warns_of_two_schedules_and_the_officer_keeps_one(
    client: FlaskClient, db_session: Session
) -> None:
    job, enrolment_id = _hired_then_enrolled(client, db_session)
    page = client.get(f"/placements/{enrolment_id}").get_data(as_text=True)
    assert "already has follow-ups on another placement in the same weeks" in page
    assert "also has follow-ups for Welder" in page and "Keep this schedule only" in page
    kept = client.post(
        f"/placements/{enrolment_id}/keep-schedule",
        data={"drop": str(job.id), "csrf_token": csrf_token(client, f"/placements/{enrolment_id}")},
    )
    assert kept.status_code == 302
    after = client.get(kept.headers["Location"]).get_data(as_text=True)
    assert "One schedule kept" in after and "Keep this schedule only" not in after
    assert _statuses(db_session, job.id) == ["cancelled"] * 4
    assert _statuses(db_session, enrolment_id) == ["scheduled"] * 4
    assert db_session.get(Placement, job.id).status == "active"
    audit = db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "placement", AuditEntry.action == "update"
        )
    ).one()
    assert audit.entity_id == job.id and audit.detail["schedule_kept"] == enrolment_id
    again = client.post(
        f"/placements/{enrolment_id}/keep-schedule",
        data={"drop": str(job.id), "csrf_token": csrf_token(client, f"/placements/{enrolment_id}")},
    )
    assert "do not have clashing follow-ups" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )


def test_the_warning_reads_in_khmer(client: FlaskClient, db_session: Session) -> None:
    _job, enrolment_id = _hired_then_enrolled(client, db_session)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/work")})
    page = client.get(f"/placements/{enrolment_id}").get_data(as_text=True)
    assert "រក្សាទុកតែកាលវិភាគនេះ" in page


def test_an_officer_outside_the_province_cannot_drop_a_schedule(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    job, enrolment_id = _hired_then_enrolled(client, db_session)
    stranger = make_user(db_session, provinces=["17"])
    browser = app.test_client()
    log_in(browser, stranger.email, PASSWORD)
    response = browser.post(
        f"/placements/{enrolment_id}/keep-schedule",
        data={"drop": str(job.id), "csrf_token": csrf_token(browser, "/work")},
    )
    assert response.status_code == 404
    assert _statuses(db_session, job.id) == ["scheduled"] * 4
