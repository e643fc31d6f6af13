"""Referrals: officers refer consenting returnees to jobs, employers answer, a hire is placed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reintegrate.db import utcnow
from reintegrate.errors import N_, Conflict, Forbidden, InvalidInput, NotFound, RuleBroken
from reintegrate.models import Listing, Referral, ReferralEvent, Returnee, User
from reintegrate.models.listing import ListingKind, ListingStatus
from reintegrate.models.placement import ReferralStatus
from reintegrate.models.returnee import ReturneeStatus
from reintegrate.pagination import Page, paginate
from reintegrate.services import audit, safeguarding, screening
from reintegrate.services.access import Actor, in_scope
from reintegrate.services.placements import check_start_date, create_placement, joinable
from reintegrate.services.policy import authorize, can
from reintegrate.timeutil import local_today, to_local

ACTIVE = (ReferralStatus.REFERRED.value, ReferralStatus.INTERVIEW.value)
TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.REFERRED: frozenset({"interview", "hired", "rejected", "withdrawn"}),
    ReferralStatus.INTERVIEW: frozenset({"hired", "rejected", "withdrawn"}),
}
EMPLOYER_MAY = frozenset({"interview", "hired", "rejected"})


@dataclass(frozen=True)
class ReferralFilters:
    status: str | None = None
    listing_id: int | None = None
    returnee_id: int | None = None


def _event(referral: Referral, status: str, actor: Actor) -> None:
    referral.events.append(ReferralEvent(status=status, actor=actor.email))


def refer(
    session: Session, actor: Actor, returnee_id: int, listing_id: int, note: str | None = None
) -> Referral:
    """Refer a returnee to an open job; needs the returnee's consent to referral, and an age
    the law allows for this work (safeguarding)."""
    returnee, listing = joinable(
        session,
        actor,
        returnee_id,
        listing_id,
        kind=ListingKind.JOB,
        wrong_kind=N_("Incentive programmes are joined by enrolment, not referral."),
        closed=N_("This listing is closed."),
    )
    safeguarding.check_job(
        returnee.date_of_birth,
        listing.kind,
        listing.hazardous,
        local_today(),
        approximate=returnee.date_of_birth_approximate,
    )
    existing = session.scalar(
        select(Referral.id).where(
            Referral.returnee_id == returnee.id, Referral.listing_id == listing.id
        )
    )
    if existing is not None:
        raise Conflict(N_("This person was already referred to this listing."))
    referral = Referral(
        returnee_id=returnee.id, listing_id=listing.id, referred_by_id=actor.user_id, note=note
    )
    _event(referral, ReferralStatus.REFERRED, actor)
    session.add(referral)
    if returnee.status == ReturneeStatus.SEEKING:
        returnee.status = ReturneeStatus.REFERRED.value
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "referral",
        referral.id,
        detail={"returnee_id": returnee.id, "listing_id": listing.id},
    )
    return referral


def get_referral(session: Session, actor: Actor, referral_id: int) -> Referral:
    """Officers: referrals of returnees in their provinces; employers: those to their listings."""
    authorize(actor, "referrals.read")
    query = select(Referral).where(Referral.id == referral_id)
    if can(actor, "referrals.read_own"):
        query = query.where(
            Referral.listing_id.in_(
                select(Listing.id).where(Listing.employer_id == actor.employer_id)
            )
        )
    else:
        query = query.where(
            Referral.returnee_id.in_(
                select(Returnee.id).where(in_scope(actor, Returnee.home_province))
            )
        )
    referral = session.scalars(query).unique().one_or_none()
    hidden_child = (
        referral is not None
        and can(actor, "referrals.read_own")
        and safeguarding.is_child(
            referral.returnee.date_of_birth,
            local_today(),
            referral.returnee.date_of_birth_approximate,
        )
    )
    if referral is None or hidden_child:  # out of scope looks, and costs, the same as missing
        raise NotFound("referral not found")
    return referral


SURVIVOR_RULES = "survivor_"
OFFICER_REVIEW = "officer_review"


def _require_safe_hire(actor: Actor, returnee: Returnee, listing: Listing, start: date) -> None:
    """The safeguarding rules, checked again at the hire (a listing may have been flagged, or
    the person too young on the start date, since the referral).

    Where the rule protects survivors of trafficking, an employer is told only that the hire
    needs the officer (`officer_review`): the survivor rule's own code would tell them who is
    a survivor, which they must never learn (and could probe by editing their own listing).
    Age rules keep their codes; officers always get the real one.
    """
    safeguarding.check_job(
        returnee.date_of_birth,
        listing.kind,
        listing.hazardous,
        local_today(),
        start,
        approximate=returnee.date_of_birth_approximate,
    )
    try:
        screening.require_safe_for(returnee, listing)
    except RuleBroken as refused:
        if refused.rule.startswith(SURVIVOR_RULES) and not can(
            actor, "referrals.see_refusal_reasons"
        ):
            raise RuleBroken(
                OFFICER_REVIEW,
                N_("This hire cannot go ahead. The officer who referred the person will explain."),
            ) from None
        raise


def change_status(
    session: Session,
    actor: Actor,
    referral_id: int,
    status: str,
    *,
    start_date: date | None = None,
    note: str | None = None,
) -> Referral:
    """Move a referral along referred -> interview -> hired | rejected, or withdraw it."""
    referral = get_referral(session, actor, referral_id)
    if status not in EMPLOYER_MAY and not can(actor, "referrals.withdraw"):
        raise Forbidden(N_("Only the officer can withdraw a referral."))
    if status not in TRANSITIONS.get(referral.status, frozenset()):
        raise Conflict(N_("This step does not follow from the referral's current status."))
    returnee = referral.returnee
    if status == ReferralStatus.HIRED:
        start = check_start_date(
            start_date, returnee.return_date, say_why=can(actor, "referrals.see_refusal_reasons")
        )
        _require_safe_hire(actor, returnee, referral.listing, start)
        create_placement(session, actor, returnee, referral.listing, start, referral)
        _close_if_filled(session, referral.listing)
    elif start_date is not None:
        raise InvalidInput({"start_date": [N_("Only a hire has a start date.")]})
    referral.status = status
    if note:
        referral.note = note
    _event(referral, status, actor)
    if status in (ReferralStatus.REJECTED, ReferralStatus.WITHDRAWN):
        _settle_status(session, returnee, referral.id)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "referral",
        referral.id,
        fields=["status"],
        detail={"status": status},
    )
    return referral


def _settle_status(session: Session, returnee: Returnee, ended_referral_id: int) -> None:
    """Back to 'seeking' when the last open referral of a not-placed returnee ends."""
    if returnee.status != ReturneeStatus.REFERRED:
        return
    others = session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(
            Referral.returnee_id == returnee.id,
            Referral.id != ended_referral_id,
            Referral.status.in_(ACTIVE),
        )
    )
    if not others:
        returnee.status = ReturneeStatus.SEEKING.value


def _close_if_filled(session: Session, listing: Listing) -> None:
    if not listing.positions:
        return
    hired = (
        session.scalar(
            select(func.count())
            .select_from(Referral)
            .where(Referral.listing_id == listing.id, Referral.status == ReferralStatus.HIRED)
        )
        or 0
    )
    if hired + 1 >= listing.positions:
        listing.status, listing.closed_reason, listing.closed_at = (
            ListingStatus.CLOSED.value,
            "filled",
            utcnow(),
        )


def _visible(actor: Actor, filters: ReferralFilters) -> Select[Any]:
    query = select(Referral).join(Referral.returnee).join(Referral.listing)
    if can(actor, "referrals.read_own"):
        query = query.where(
            Listing.employer_id == actor.employer_id,
            safeguarding.not_a_child(
                Returnee.date_of_birth, Returnee.date_of_birth_approximate, local_today()
            ),
        )
    else:
        query = query.where(Returnee.home_province.in_(sorted(actor.provinces)))
    if filters.status:
        query = query.where(Referral.status == filters.status)
    if filters.listing_id:
        query = query.where(Referral.listing_id == filters.listing_id)
    if filters.returnee_id:
        query = query.where(Referral.returnee_id == filters.returnee_id)
    return query


def list_referrals(
    session: Session, actor: Actor, filters: ReferralFilters, *, page: int = 1, page_size: int = 25
) -> Page[Referral] | Page[EmployerView]:
    """Referrals the actor may see, newest referral first; the people shown are audited as seen.

    Ordered by when the referral was made, so a row stays in place after each answer. An
    employer gets EmployerViews (what each person agreed to share), never the records.
    """
    authorize(actor, "referrals.read")
    query = _visible(actor, filters)
    result = paginate(
        session,
        query,
        Referral.created_at.desc(),
        Referral.id.desc(),
        page=page,
        page_size=page_size,
    )
    audit.record_shown(
        session,
        actor,
        "returnee",
        (r.returnee_id for r in result.items),
        detail={"what": "referrals"},
    )
    if shared_fields_only(actor):
        return Page(
            [employer_view(r) for r in result.items], result.total, result.page, result.page_size
        )
    return result


def shared_fields_only(actor: Actor) -> bool:
    """Whether this actor sees referrals only as EmployerViews (the edges pick their format)."""
    return can(actor, "referrals.shared_fields_only")


def shaped(actor: Actor, referral: Referral) -> Referral | EmployerView:
    """A referral as this actor may see it."""
    return employer_view(referral) if shared_fields_only(actor) else referral


@dataclass(frozen=True)
class EmployerView:
    """A referral as the employer may see it: only what the returnee agreed to share.

    Never survivor status, history abroad, case number or notes. Without consent to share
    with employers, only the skills and languages, so the officer arranges contact.
    """

    id: int
    listing_id: int
    listing_title: str
    status: str
    referred_on: date
    shared: bool
    name: str | None
    phone: str | None
    sex: str | None
    age: int | None
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    start_date: date | None = None


def employer_view(referral: Referral) -> EmployerView:
    returnee = referral.returnee
    shared = returnee.consent_share_with_employers
    age = safeguarding.age(
        returnee.date_of_birth, local_today(), returnee.date_of_birth_approximate
    )
    return EmployerView(
        id=referral.id,
        listing_id=referral.listing_id,
        listing_title=referral.listing.title,
        status=referral.status,
        referred_on=to_local(referral.created_at).date(),
        shared=shared,
        name=returnee.full_name if shared else None,
        phone=returnee.phone if shared else None,
        sex=returnee.sex if shared else None,
        age=age if shared else None,
        skills=tuple(returnee.skill_texts),
        languages=tuple(returnee.languages),
        start_date=referral.placement.start_date if referral.placement else None,
    )


@dataclass(frozen=True)
class ReferralLetter:
    """What the person carries to the employer: the job, where, whom to call, the date.

    Nothing of the person's history (migration, survivor status, case notes) is on it.
    """

    person: str
    person_km: str | None
    job: str
    employer: str | None
    district: str | None
    provinces: tuple[str, ...]
    officer: str
    officer_email: str
    referred_on: date
    printed_on: date


def referral_letter(session: Session, actor: Actor, referral_id: int) -> ReferralLetter:
    """The letter for a referral of a returnee in the officer's provinces (audited)."""
    authorize(actor, "referrals.letter")
    referral = get_referral(session, actor, referral_id)
    officer = session.get(User, actor.user_id)
    if officer is None:
        raise NotFound("user not found")
    listing = referral.listing
    audit.record(
        session, actor, "view", "referral", referral.id, detail={"what": "referral letter"}
    )
    return ReferralLetter(
        person=referral.returnee.full_name,
        person_km=referral.returnee.name_km,
        job=listing.title,
        employer=listing.employer.name if listing.employer else None,
        district=listing.district,
        provinces=tuple(sorted(listing.provinces)),
        officer=officer.full_name or officer.email,
        officer_email=officer.email,
        referred_on=to_local(referral.created_at).date(),
        printed_on=local_today(),
    )
