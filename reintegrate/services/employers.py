"""Employers as admins see them: who checked that an employer is who it says it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.db import utcnow
from reintegrate.errors import N_, InvalidInput, NotFound, RuleBroken
from reintegrate.models import Employer, User
from reintegrate.services import audit, screening
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize

SELF_VERIFICATION = "employer_self_verification"


def list_employers(session: Session, actor: Actor) -> list[Employer]:
    """Every employer, unverified first so the ones waiting for a check are on top."""
    authorize(actor, "employers.manage")
    return list(session.scalars(select(Employer).order_by(Employer.verified, Employer.name)))


def update_employer(
    session: Session, actor: Actor, employer_id: int, changes: Mapping[str, Any]
) -> Employer:
    """Verify (or un-verify) an employer, keeping its registration number and who checked.

    An account belonging to the employer is refused by name before the role check, so the
    answer says why rather than only "forbidden".
    """
    if actor.employer_id is not None and actor.employer_id == employer_id:
        raise RuleBroken(
            SELF_VERIFICATION, N_("An employer's own account cannot verify that employer.")
        )
    authorize(actor, "employers.manage")
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("employer not found")
    if "registration_number" in changes:
        employer.registration_number = changes["registration_number"] or None
    if "note" in changes:
        employer.verification_note = changes["note"] or None
    if "contact" in changes:
        employer.contact = changes["contact"] or None
    reverified = "verified" in changes and changes["verified"] != employer.verified
    if reverified:
        employer.verified = changes["verified"]
        verifier = session.get(User, actor.user_id) if actor.user_id is not None else None
        employer.verified_by = verifier if employer.verified else None
        employer.verified_at = utcnow() if employer.verified else None
    if employer.verified and not employer.registration_number:
        raise InvalidInput(
            {
                "registration_number": [
                    N_("An employer is verified against its registration number; enter it.")
                ]
            }
        )
    session.flush()
    if reverified:
        screening.rescreen(session, actor, employer_id=employer.id)
    audit.record(session, actor, "update", "employer", employer.id, fields=sorted(changes))
    return employer
