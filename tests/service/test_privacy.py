"""Data rights: a copy for the person, erasure decided by two people, retention flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reintegrate.db import utcnow
from reintegrate.errors import Conflict, Forbidden, InvalidInput
from reintegrate.models import (
    AuditEntry,
    CaseNote,
    ErasureRequest,
    FollowUp,
    NameKey,
    OutcomeAmendment,
    Returnee,
    ReturneeSkill,
)
from reintegrate.services import followups, notes, privacy, registry
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.timeutil import local_today
from tests.builders import make_placement, make_returnee, make_user


def test_export_holds_the_persons_data_and_is_audited(db_session: Session) -> None:
    officer = make_user(db_session)
    returnee = make_returnee(db_session, officer)
    data = privacy.export_returnee(db_session, Actor.of(officer), returnee.id)
    assert data["given_name"] == "Sokha" and data["phone"] == "012 345 678" and data["skills"]
    assert (
        db_session.scalar(select(AuditEntry.action).where(AuditEntry.action == "export"))
        == "export"
    )


def test_erasure_needs_an_officer_request_and_a_manager_approval(db_session: Session) -> None:
    officer, manager = make_user(db_session), make_user(db_session, "manager")
    returnee = make_returnee(db_session, officer, notes="Met at Poipet crossing")
    with pytest.raises(Forbidden):
        privacy.request_erasure(db_session, Actor.of(manager), returnee.id, "person_asked")
    request = privacy.request_erasure(db_session, Actor.of(officer), returnee.id, "person_asked")
    with pytest.raises(Forbidden):
        privacy.decide_erasure(db_session, Actor.of(officer), request.id, True)
    assert returnee.given_name == "Sokha"
    privacy.decide_erasure(db_session, Actor.of(manager), request.id, True)
    db_session.flush()
    db_session.expire_all()
    erased = db_session.get(Returnee, returnee.id)
    assert (erased.given_name, erased.family_name, erased.phone, erased.name_km, erased.notes) == (
        "[erased]",
        "[erased]",
        None,
        None,
        None,
    )
    assert (
        erased.date_of_birth.month == 1
        and erased.date_of_birth.day == 1
        and erased.erased_at is not None
    )
    assert (
        db_session.scalar(select(ReturneeSkill).where(ReturneeSkill.returnee_id == returnee.id))
        is None
    )
    assert erased.case_number == returnee.case_number
    erase_rows = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    assert len(erase_rows) == 1 and "Sokha" not in str(erase_rows[0].detail)
    with pytest.raises(Conflict):
        privacy.decide_erasure(db_session, Actor.of(manager), request.id, True)


def test_an_erased_name_leaves_the_name_dictionary_unless_someone_else_holds_it(
    db_session: Session,
) -> None:
    """Search starts from the dictionary of names: an erased person's name must not stay in it,
    but a name someone else still bears must."""
    officer, manager = make_user(db_session), make_user(db_session, "manager")
    rare = make_returnee(
        db_session, officer, given_name="Pheaktra", family_name="Vathanak", name_km="វឌ្ឍនៈ ភក្ត្រា"
    )
    shared = make_returnee(db_session, officer, phone=None, date_of_birth=date(1975, 5, 5))
    make_returnee(db_session, officer, phone=None, date_of_birth=date(1960, 6, 6))
    rare_key, rare_km = rare.name_key, rare.name_key_km
    shared_key, shared_km = shared.name_key, shared.name_key_km
    for person in (rare, shared):
        request = privacy.request_erasure(db_session, Actor.of(officer), person.id, "person_asked")
        privacy.decide_erasure(db_session, Actor.of(manager), request.id, True)
    db_session.flush()
    keys = set(db_session.scalars(select(NameKey.key)))
    assert rare_key not in keys and rare_km not in keys
    assert shared_key in keys and shared_km in keys


def test_a_rejected_request_erases_nothing(db_session: Session) -> None:
    officer, manager = make_user(db_session), make_user(db_session, "manager")
    returnee = make_returnee(db_session, officer)
    request = privacy.request_erasure(
        db_session, Actor.of(officer), returnee.id, "consent_withdrawn"
    )
    privacy.decide_erasure(db_session, Actor.of(manager), request.id, False)
    assert returnee.given_name == "Sokha" and request.status == "rejected"


@pytest.mark.parametrize("reason", ["", "   ", "Sokha Chhay asked by phone", "PERSON_ASKED"])
def test_an_erasure_reason_is_one_of_the_listed_ones_never_free_text(
    db_session: Session, reason: str
) -> None:
    """Managers read the reason: a sentence typed by an officer could carry a name."""
    officer = make_user(db_session)
    returnee = make_returnee(db_session, officer)
    with pytest.raises(InvalidInput) as refused:
        privacy.request_erasure(db_session, Actor.of(officer), returnee.id, reason)
    assert list(refused.value.errors) == ["reason"]
    assert db_session.scalar(select(ErasureRequest.id)) is None


def test_erasure_requests_come_once(db_session: Session) -> None:
    officer = make_user(db_session)
    returnee = make_returnee(db_session, officer)
    privacy.request_erasure(db_session, Actor.of(officer), returnee.id, "person_asked")
    with pytest.raises(Conflict):
        privacy.request_erasure(db_session, Actor.of(officer), returnee.id, "duplicate")


def test_managers_see_no_name_in_the_requests(db_session: Session) -> None:
    officer, manager = make_user(db_session), make_user(db_session, "manager")
    returnee = make_returnee(db_session, officer)
    privacy.request_erasure(db_session, Actor.of(officer), returnee.id, "duplicate")
    (pending,) = privacy.pending_erasures(db_session, Actor.of(manager))
    assert pending.province == "02" and not hasattr(pending, "given_name")


def test_records_untouched_past_the_retention_period_are_flagged(db_session: Session) -> None:
    officer = make_user(db_session)
    old = make_returnee(db_session, officer)
    fresh = make_returnee(db_session, officer, given_name="Dara", phone=None)
    db_session.execute(
        update(Returnee)
        .where(Returnee.id == old.id)
        .values(updated_at=utcnow() - timedelta(days=6 * 365))
    )
    flagged = [r.id for r in privacy.past_retention(db_session, Actor.of(officer))]
    assert flagged == [old.id] and fresh.id not in flagged
    assert registry.get(db_session, Actor.of(officer), old.id)


def test_erasure_removes_the_reasons_and_notes_of_corrected_outcomes(db_session: Session) -> None:
    officer, manager = make_user(db_session), make_user(db_session, "manager")
    employer = make_user(db_session, "employer")
    today = local_today()
    placement = make_placement(
        db_session, officer, employer, today - timedelta(days=35), return_date=date(2025, 1, 1)
    )
    first = db_session.scalars(
        select(FollowUp).where(FollowUp.placement_id == placement.id).order_by(FollowUp.sequence)
    ).first()
    actor = Actor.of(officer)
    outcome = followups.record_outcome(
        db_session, actor, first.id, OutcomeInput(contacted_on=today, status="unemployed")
    )
    followups.amend_outcome(
        db_session,
        actor,
        outcome.id,
        OutcomeInput(contacted_on=today, status="unemployed", notes="Sokha's uncle answered"),
        "Sokha called back",
    )
    request = privacy.request_erasure(db_session, actor, placement.returnee_id, "person_asked")
    privacy.decide_erasure(db_session, Actor.of(manager), request.id, True)
    db_session.flush()
    db_session.expire_all()
    amendment = db_session.scalars(select(OutcomeAmendment)).one()
    assert amendment.reason == "[erased]"
    assert "Sokha" not in str(amendment.old_values) + str(amendment.new_values)


def test_erasure_removes_the_case_notes(db_session: Session) -> None:
    officer, manager = make_user(db_session), make_user(db_session, "manager")
    returnee = make_returnee(db_session, officer)
    notes.add_note(db_session, Actor.of(officer), returnee.id, "Sokha lives with her aunt")
    request = privacy.request_erasure(db_session, Actor.of(officer), returnee.id, "person_asked")
    privacy.decide_erasure(db_session, Actor.of(manager), request.id, True)
    db_session.flush()
    assert db_session.scalars(select(CaseNote)).all() == []
