"""Correcting an outcome on the page: prefilled form, reason required, old values kept visible."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import FollowUp, Placement, User
from reintegrate.services import followups
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.timeutil import local_today
from tests.builders import PASSWORD, make_placement, make_user
from tests.conftest import csrf_token, log_in


def _today() -> date:
    return local_today()


def _remigrated_by_mistake(db_session: Session) -> tuple[User, Placement, int]:
    officer = make_user(db_session, provinces=["02"])
    employer = make_user(db_session, "employer", employer="Angkor Steel")
    placement = make_placement(
        db_session,
        officer,
        employer,
        _today() - timedelta(days=35),
        return_date=_today() - timedelta(days=300),
    )
    first = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placement.id).order_by(FollowUp.sequence)
    ).first()
    assert first is not None
    outcome = followups.record_outcome(
        db_session,
        Actor.of(officer),
        first.id,
        OutcomeInput(contacted_on=_today(), status="remigrated", remigration_country="TH"),
    )
    db_session.commit()
    return officer, placement, outcome.id


def test_officer_corrects_a_remigration_on_the_page_and_sees_the_old_value_in_the_history(
    client: FlaskClient, db_session: Session
) -> None:
    officer, placement, outcome_id = _remigrated_by_mistake(db_session)
    log_in(client, officer.email, PASSWORD)
    before = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert f"/outcomes/{outcome_id}/amend" in before and "Cancelled" in before
    form = client.get(f"/outcomes/{outcome_id}/amend").get_data(as_text=True)
    assert '<option value="remigrated" selected>' in form and "Reason for the correction" in form
    token = csrf_token(client, f"/outcomes/{outcome_id}/amend")
    missing_reason = client.post(
        f"/outcomes/{outcome_id}/amend",
        data={"contacted_on": _today().isoformat(), "status": "employed_same", "csrf_token": token},
    )
    assert missing_reason.status_code == 422
    page = missing_reason.get_data(as_text=True)
    assert 'id="reason-error"' in page and '<option value="employed_same" selected>' in page
    saved = client.post(
        f"/outcomes/{outcome_id}/amend",
        data={
            "contacted_on": _today().isoformat(),
            "status": "employed_same",
            "reason": "Recorded on the wrong person",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 302
    after = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Outcome corrected." in after
    assert "Recorded on the wrong person" in after
    assert "<del>Re-migrated</del> → Still in the same job" in after
    assert "<del>Thailand</del> → —" in after
    assert "Cancelled" not in after and "Scheduled" in after


def test_the_correction_page_reads_in_khmer(client: FlaskClient, db_session: Session) -> None:
    officer, placement, outcome_id = _remigrated_by_mistake(db_session)
    log_in(client, officer.email, PASSWORD)
    client.post("/language", data={"lang": "km", "csrf_token": csrf_token(client, "/work")})
    token = csrf_token(client, f"/outcomes/{outcome_id}/amend")
    form = client.get(f"/outcomes/{outcome_id}/amend").get_data(as_text=True)
    assert "មូលហេតុនៃការកែតម្រូវ" in form
    client.post(
        f"/outcomes/{outcome_id}/amend",
        data={
            "contacted_on": _today().isoformat(),
            "status": "unemployed",
            "reason": "វាយខុស",
            "csrf_token": token,
        },
    )
    page = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "វាយខុស" in page and "បានកែតម្រូវ" in page


def test_an_outcome_outside_the_officers_provinces_is_404(
    client: FlaskClient, db_session: Session
) -> None:
    _officer, _placement, outcome_id = _remigrated_by_mistake(db_session)
    stranger = make_user(db_session, provinces=["17"])
    log_in(client, stranger.email, PASSWORD)
    assert client.get(f"/outcomes/{outcome_id}/amend").status_code == 404
    assert client.get("/outcomes/999999/amend").status_code == 404


def test_a_manager_learns_nothing_about_which_outcomes_exist(
    client: FlaskClient, db_session: Session
) -> None:
    """The role is checked before the record is looked up: an existing and a missing outcome
    answer the same to someone who may correct none."""
    _officer, _placement, outcome_id = _remigrated_by_mistake(db_session)
    log_in(client, make_user(db_session, "manager").email, PASSWORD)
    existing = client.get(f"/outcomes/{outcome_id}/amend").status_code
    missing = client.get("/outcomes/999999/amend").status_code
    assert existing == missing == 403
