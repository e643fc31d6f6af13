"""A person's rights over their data: a copy on request, erasure (two people decide), retention."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reintegrate.config import settings_value
from reintegrate.db import utcnow
from reintegrate.errors import N_, Conflict, InvalidInput, NotFound
from reintegrate.models import (
    CaseNote,
    ErasureRequest,
    FollowUp,
    Outcome,
    OutcomeAmendment,
    Placement,
    Referral,
    Returnee,
    ReturneeSkill,
)
from reintegrate.models.returnee import ReturneeStatus
from reintegrate.services import audit, name_lookup, registry
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize
from reintegrate.timeutil import LOCAL_ZONE, local_today

ERASED = "[erased]"

ERASURE_REASONS = {
    "person_asked": N_("The person asked for their data to be erased"),
    "consent_withdrawn": N_("The person withdrew their consent"),
    "duplicate": N_("Duplicate of another record"),
    "recorded_in_error": N_("Registered in error"),
    "retention_passed": N_("Kept longer than the retention period"),
}
"""Why an officer may ask for an erasure. A fixed list, not free text: managers read the
reason, and a sentence typed by an officer could carry the name the erasure removes."""


def export_returnee(session: Session, actor: Actor, returnee_id: int) -> dict[str, Any]:
    """Everything held about one person, for them to take away; the export is audited."""
    returnee = registry.get(session, actor, returnee_id, audited=False)
    referrals = (
        session.scalars(select(Referral).where(Referral.returnee_id == returnee.id)).unique().all()
    )
    placements = (
        session.scalars(select(Placement).where(Placement.returnee_id == returnee.id))
        .unique()
        .all()
    )
    audit.record(session, actor, "export", "returnee", returnee.id)
    return {
        "case_number": returnee.case_number,
        "given_name": returnee.given_name,
        "family_name": returnee.family_name,
        "name_km": returnee.name_km,
        "sex": returnee.sex,
        "date_of_birth": returnee.date_of_birth.isoformat(),
        "date_of_birth_approximate": returnee.date_of_birth_approximate,
        "phone": returnee.phone,
        "home_province": returnee.home_province,
        "district": returnee.district,
        "return_date": returnee.return_date.isoformat(),
        "destination_country": returnee.destination_country,
        "sector_abroad": returnee.sector_abroad,
        "skills": returnee.skill_texts,
        "languages": returnee.languages,
        "trafficking_survivor": returnee.trafficking_survivor,
        "willing_to_relocate": returnee.willing_to_relocate,
        "preferred_provinces": returnee.preferred_provinces,
        "interests": returnee.interests,
        "consent": returnee.consent,
        "notes": returnee.notes,
        "registered_at": returnee.created_at.isoformat(),
        "referrals": [
            {
                "listing": r.listing.title,
                "status": r.status,
                "referred_at": r.created_at.isoformat(),
            }
            for r in referrals
        ],
        "placements": [
            {
                "listing": p.listing.title,
                "start_date": p.start_date.isoformat(),
                "ended_on": p.ended_on.isoformat() if p.ended_on else None,
                "follow_ups": [
                    {
                        "months_after": f.months_after,
                        "due_date": f.due_date.isoformat(),
                        "status": f.status,
                        "outcomes": [
                            {
                                "contacted_on": o.contacted_on.isoformat(),
                                "status": o.status,
                                "monthly_income_usd": float(o.monthly_income_usd)
                                if o.monthly_income_usd is not None
                                else None,
                                "remigration_country": o.remigration_country,
                                "notes": o.notes,
                            }
                            for o in f.outcomes
                        ],
                    }
                    for f in p.follow_ups
                ],
            }
            for p in placements
        ],
    }


def request_erasure(
    session: Session, actor: Actor, returnee_id: int, reason: str
) -> ErasureRequest:
    """An officer asks for a person's data to be erased; nothing happens until a manager agrees."""
    returnee = registry.get(session, actor, returnee_id, audited=False)
    if reason not in ERASURE_REASONS:
        raise InvalidInput({"reason": [N_("Choose one of the listed reasons.")]})
    if returnee.erased_at is not None:
        raise Conflict(N_("This record is already erased."))
    pending = session.scalar(
        select(ErasureRequest.id).where(
            ErasureRequest.returnee_id == returnee.id, ErasureRequest.status == "pending"
        )
    )
    if pending is not None:
        raise Conflict(N_("An erasure request is already waiting for a manager."))
    request = ErasureRequest(
        returnee_id=returnee.id,
        province=returnee.home_province,
        reason=reason,
        requested_by_id=actor.user_id,
    )
    session.add(request)
    session.flush()
    audit.record(
        session, actor, "create", "erasure_request", request.id, detail={"returnee_id": returnee.id}
    )
    return request


def pending_erasures(session: Session, actor: Actor) -> list[ErasureRequest]:
    """Requests waiting for a manager: province and reason only, no name or case number."""
    authorize(actor, "erasures.decide")
    return list(
        session.scalars(
            select(ErasureRequest)
            .where(ErasureRequest.status == "pending")
            .order_by(ErasureRequest.id)
        )
    )


def decide_erasure(
    session: Session, actor: Actor, request_id: int, approve: bool
) -> ErasureRequest:
    """A manager approves (the data is erased now) or rejects an officer's request."""
    authorize(actor, "erasures.decide")
    request = session.get(ErasureRequest, request_id)
    if request is None:
        raise NotFound("erasure request not found")
    if request.status != "pending":
        raise Conflict(N_("This request was already decided."))
    request.status = "approved" if approve else "rejected"
    request.decided_by_id, request.decided_at = actor.user_id, utcnow()
    if approve:
        _erase(session, session.get_one(Returnee, request.returnee_id))
    audit.record(
        session,
        actor,
        "erase" if approve else "update",
        "returnee",
        request.returnee_id,
        detail={"erasure_request_id": request.id, "approved": approve},
    )
    return request


def _erase(session: Session, returnee: Returnee) -> None:
    """Remove what identifies the person; keep the anonymous facts programme statistics count.

    Placements keep province, sex, sector and programme, and outcomes keep their status and
    dates, so the figures managers report do not change; names, contacts, free text, skills
    and the exact birth date go. The audit trail keeps that it happened, and by whom.
    """
    former_keys = name_lookup.keys_of(returnee)
    returnee.given_name = returnee.family_name = ERASED
    returnee.name_km = returnee.phone = returnee.phone_key = returnee.district = returnee.notes = (
        None
    )
    returnee.date_of_birth = date(returnee.date_of_birth.year, 1, 1)
    returnee.date_of_birth_approximate = True
    returnee.languages, returnee.preferred_provinces, returnee.interests = [], [], []
    returnee.trafficking_survivor = False
    returnee.consent_referral = returnee.consent_share_with_employers = False
    returnee.linked_to_id = None
    returnee.status = ReturneeStatus.CLOSED.value
    returnee.erased_at = utcnow()
    session.flush()
    name_lookup.forget_unheld(session, former_keys)
    session.execute(
        ReturneeSkill.__table__.delete().where(ReturneeSkill.returnee_id == returnee.id)
    )
    session.execute(update(Referral).where(Referral.returnee_id == returnee.id).values(note=None))
    session.execute(CaseNote.__table__.delete().where(CaseNote.returnee_id == returnee.id))
    placement_ids = (
        select(Placement.id).where(Placement.returnee_id == returnee.id).scalar_subquery()
    )
    follow_up_ids = (
        select(FollowUp.id).where(FollowUp.placement_id.in_(placement_ids)).scalar_subquery()
    )
    session.execute(
        update(Outcome).where(Outcome.follow_up_id.in_(follow_up_ids)).values(notes=None)
    )
    outcome_ids = select(Outcome.id).where(Outcome.follow_up_id.in_(follow_up_ids))
    for amendment in session.scalars(
        select(OutcomeAmendment).where(OutcomeAmendment.outcome_id.in_(outcome_ids))
    ):
        amendment.reason = ERASED
        amendment.old_values = {k: v for k, v in amendment.old_values.items() if k != "notes"}
        amendment.new_values = {k: v for k, v in amendment.new_values.items() if k != "notes"}
    session.expire(returnee, ["skills"])


def past_retention(session: Session, actor: Actor, limit: int = 100) -> list[Returnee]:
    """Records in the officer's provinces untouched for longer than the retention period."""
    authorize(actor, "retention.review")
    years = int(settings_value("RETENTION_YEARS", 5))  # type: ignore[call-overload]
    cutoff = local_today() - timedelta(days=365 * years)
    stale = list(
        session.scalars(
            select(Returnee)
            .where(
                Returnee.home_province.in_(sorted(actor.provinces)),
                Returnee.erased_at.is_(None),
                Returnee.updated_at < datetime.combine(cutoff, time.min, LOCAL_ZONE),
            )
            .order_by(Returnee.updated_at)
            .limit(limit)
        )
    )
    audit.record_shown(
        session, actor, "returnee", (r.id for r in stale), detail={"what": "past retention"}
    )
    return stale
