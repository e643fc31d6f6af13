"""Placements: a hire or an enrolment, and the follow-up rows it schedules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.config import settings_value
from reintegrate.errors import N_, Conflict, InvalidInput, NotFound
from reintegrate.models import FollowUp, Listing, Placement, Referral, Returnee
from reintegrate.models.listing import ListingKind, ListingStatus
from reintegrate.models.placement import FollowUpStatus, PlacementStatus
from reintegrate.models.returnee import ReturneeStatus
from reintegrate.services import audit, facts, matching, notifications, registry, screening
from reintegrate.services.access import Actor, in_scope
from reintegrate.services.policy import authorize
from reintegrate.timeutil import add_months, local_today

DEFAULT_MONTHS = (1, 3, 6, 12)
MAX_START_AHEAD_DAYS = 180
LOCAL_JOBS = "Local jobs"


def follow_up_state(due: date, today: date, overdue_days: int, missed_days: int) -> str:
    """Where an open follow-up stands on a given day: a pure function of dates, so any sweep,
    on time or after a week of downtime, reaches the same state."""
    if today < due:
        return FollowUpStatus.SCHEDULED.value
    if today < due + timedelta(days=overdue_days):
        return FollowUpStatus.DUE.value
    if today < due + timedelta(days=missed_days):
        return FollowUpStatus.OVERDUE.value
    return FollowUpStatus.MISSED.value


def schedule_months(listing: Listing) -> Sequence[int]:
    configured = settings_value("FOLLOW_UP_MONTHS", DEFAULT_MONTHS)
    return tuple(listing.follow_up_months or configured)  # type: ignore[arg-type]


def check_start_date(start: date | None, earliest: date, *, say_why: bool = True) -> date:
    """A start date on or after the return home and within six months from today.

    `say_why=False` for employers: the return date is not theirs to learn, so a date before
    it is only "not possible".
    """
    if start is None:
        raise InvalidInput({"start_date": [N_("Missing data for required field.")]})
    if start < earliest:
        message = (
            N_("Must not be before the person returned home.")
            if say_why
            else N_("This date is not possible.")
        )
        raise InvalidInput({"start_date": [message]})
    if start > local_today() + timedelta(days=MAX_START_AHEAD_DAYS):
        raise InvalidInput({"start_date": [N_("Must be within the next six months.")]})
    return start


def create_placement(
    session: Session,
    actor: Actor,
    returnee: Returnee,
    listing: Listing,
    start_date: date,
    referral: Referral | None = None,
) -> Placement:
    """The placement, its follow-ups and the returnee's new status, in the caller's transaction."""
    today = local_today()
    overdue = int(settings_value("FOLLOW_UP_OVERDUE_DAYS", 14))  # type: ignore[call-overload]
    missed = int(settings_value("FOLLOW_UP_MISSED_DAYS", 60))  # type: ignore[call-overload]
    placement = Placement(
        returnee_id=returnee.id,
        listing_id=listing.id,
        referral_id=referral.id if referral else None,
        kind=listing.kind,
        start_date=start_date,
        province=returnee.home_province,
        sex=returnee.sex,
        sector=listing.sector,
        programme=listing.programme
        if listing.kind == ListingKind.INCENTIVE and listing.programme
        else LOCAL_JOBS,
        created_by_id=actor.user_id,
    )
    session.add(placement)
    session.flush()
    for sequence, months in enumerate(schedule_months(listing), start=1):
        due = add_months(start_date, months)
        session.add(
            FollowUp(
                placement_id=placement.id,
                sequence=sequence,
                months_after=months,
                due_date=due,
                status=follow_up_state(due, today, overdue, missed),
            )
        )
    returnee.status = ReturneeStatus.PLACED.value
    session.flush()
    session.refresh(placement)
    facts.refresh(placement)
    audit.record(
        session, actor, "create", "placement", placement.id, detail={"returnee_id": returnee.id}
    )
    return placement


def joinable(
    session: Session,
    actor: Actor,
    returnee_id: int,
    listing_id: int,
    *,
    kind: str,
    wrong_kind: str,
    closed: str,
) -> tuple[Returnee, Listing]:
    """The returnee and listing of a referral or an enrolment, once both may go ahead.

    The officer's scope, a listing of the right kind that is still open, the person's consent
    to referral, a case still active and, for a survivor of trafficking, a listing without
    flags: what referring to a job and enrolling in a programme both require.
    """
    authorize(actor, "placements.make")
    returnee = registry.get(session, actor, returnee_id, audited=False)
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("listing not found")
    if listing.kind != kind:
        raise Conflict(wrong_kind)
    if listing.status != ListingStatus.OPEN or (
        listing.valid_through and listing.valid_through < local_today()
    ):
        raise Conflict(closed)
    if not returnee.consent_referral:
        raise Conflict(N_("The person has not agreed to be referred."))
    if returnee.status in (ReturneeStatus.REMIGRATED, ReturneeStatus.CLOSED):
        raise Conflict(N_("The case is closed or the person has migrated again."))
    screening.require_safe_for(returnee, listing)
    return returnee, listing


def enrol(
    session: Session, actor: Actor, returnee_id: int, listing_id: int, start_date: date | None
) -> Placement:
    """Record that a returnee joined an incentive programme (no employer answers for these)."""
    returnee, listing = joinable(
        session,
        actor,
        returnee_id,
        listing_id,
        kind=ListingKind.INCENTIVE,
        wrong_kind=N_("Jobs are filled through a referral and the employer's answer."),
        closed=N_("This programme is closed."),
    )
    already = session.scalar(
        select(Placement.id).where(
            Placement.returnee_id == returnee.id, Placement.listing_id == listing.id
        )
    )
    if already is not None:
        raise Conflict(N_("Already enrolled in this programme."))
    if not matching.is_eligible(session, returnee, listing):
        raise Conflict(N_("The person is not eligible for this programme."))
    start = check_start_date(start_date, returnee.return_date)
    return create_placement(session, actor, returnee, listing, start)


def get_placement(session: Session, actor: Actor, placement_id: int) -> Placement:
    """A placement of a returnee in the officer's provinces (404 otherwise)."""
    authorize(actor, "placements.read")
    placement = session.scalar(
        select(Placement)
        .join(Returnee, Returnee.id == Placement.returnee_id)
        .where(Placement.id == placement_id, in_scope(actor, Returnee.home_province))
    )
    if placement is None:  # out of scope looks, and costs, the same as missing
        raise NotFound("placement not found")
    audit.record(session, actor, "view", "placement", placement.id)
    return placement


OPEN_SCHEDULE = (
    FollowUpStatus.SCHEDULED.value,
    FollowUpStatus.DUE.value,
    FollowUpStatus.OVERDUE.value,
)
CLASH_DAYS = 31
"""Two schedules clash when the person's other active placement has open follow-ups due within
this many days of this one's: the officer would call the same person twice in a few days."""


def clashing_schedules(session: Session, placement: Placement) -> list[Placement]:
    """The person's other active placements whose open follow-ups fall close to this one's.

    A person enrolled in a programme and hired in the same weeks gets two schedules a week
    apart; the officer is warned and may keep one (see keep_one_schedule).
    """
    mine = [f.due_date for f in placement.follow_ups if f.status in OPEN_SCHEDULE]
    if not mine or placement.status != PlacementStatus.ACTIVE:
        return []
    others = session.scalars(
        select(Placement)
        .where(
            Placement.returnee_id == placement.returnee_id,
            Placement.id != placement.id,
            Placement.status == PlacementStatus.ACTIVE.value,
        )
        .order_by(Placement.start_date, Placement.id)
    ).unique()
    window = timedelta(days=CLASH_DAYS)
    return [
        other
        for other in others
        if any(
            abs(f.due_date - due) <= window
            for f in other.follow_ups
            if f.status in OPEN_SCHEDULE
            for due in mine
        )
    ]


def keep_one_schedule(session: Session, actor: Actor, keep_id: int, drop_id: int) -> Placement:
    """Cancel the open follow-ups of `drop_id` so the person is called on `keep_id`'s schedule.

    Both placements stay; only the calls still ahead of the dropped one are cancelled.
    """
    authorize(actor, "follow_ups.work")
    kept = get_placement(session, actor, keep_id)
    dropped = get_placement(session, actor, drop_id)
    if kept.returnee_id != dropped.returnee_id or dropped not in clashing_schedules(session, kept):
        raise Conflict(N_("These two placements do not have clashing follow-ups."))
    cancelled = []
    for follow_up in dropped.follow_ups:
        if follow_up.status in OPEN_SCHEDULE:
            follow_up.status = FollowUpStatus.CANCELLED.value
            cancelled.append(follow_up.id)
    notifications.clear_for_follow_ups(session, cancelled)
    facts.refresh(dropped)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "placement",
        dropped.id,
        detail={"schedule_kept": kept.id, "follow_ups_cancelled": len(cancelled)},
    )
    return kept
