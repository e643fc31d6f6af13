"""Follow-ups: the idempotent sweep, recording outcomes, and flags for people at risk."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reintegrate.config import settings_value
from reintegrate.db import UTCDateTime, utcnow
from reintegrate.errors import N_, Conflict, InvalidInput, NotFound
from reintegrate.models import (
    FollowUp,
    Notification,
    Outcome,
    OutcomeAmendment,
    Placement,
    Returnee,
    User,
    UserProvince,
)
from reintegrate.models.placement import (
    OPEN_FOLLOW_UP_STATUSES,
    WORK_LIST_SORTS,
    FollowUpStatus,
    OutcomeStatus,
    PlacementStatus,
    RemigrationChannel,
)
from reintegrate.models.returnee import AT_RISK, ReturneeStatus
from reintegrate.models.user import Role
from reintegrate.services import audit, facts, notifications
from reintegrate.services.access import Actor, in_scope
from reintegrate.services.policy import authorize
from reintegrate.timeutil import local_today

UNREACHABLE_LIMIT = 3
INCOME_FALL = Decimal("0.8")
OPEN = tuple(s.value for s in OPEN_FOLLOW_UP_STATUSES)
RECORDABLE = (*OPEN, FollowUpStatus.MISSED.value)
"""A missed follow-up still takes a late outcome: better late data than lost data."""
_SETTLED = (FollowUpStatus.COMPLETED.value, FollowUpStatus.CANCELLED.value)
"""Follow-ups that need nothing more: their reminders are cleared."""


@dataclass(frozen=True)
class OutcomeInput:
    """A validated contact with a placed person, as it crosses into this service."""

    contacted_on: date
    status: str
    monthly_income_usd: Decimal | None = None
    remigration_country: str | None = None
    remigration_channel: str | None = None
    intends_to_remigrate: bool | None = None
    notes: str | None = None


@dataclass(frozen=True)
class SweepResult:
    due: int = 0
    overdue: int = 0
    missed: int = 0
    reminders: int = 0
    detail: dict[str, int] = field(default_factory=dict)


def _limits() -> tuple[int, int]:
    return (
        int(settings_value("FOLLOW_UP_OVERDUE_DAYS", 14)),  # type: ignore[call-overload]
        int(settings_value("FOLLOW_UP_MISSED_DAYS", 60)),  # type: ignore[call-overload]
    )


def sweep(session: Session, today: date) -> SweepResult:
    """Move open follow-ups to the state their due date gives them today, and remind officers.

    Every step is a set-based UPDATE or INSERT ... WHERE NOT EXISTS that only moves rows
    forward, so running it twice, or once after a month of downtime, leaves the same rows as
    running it every day; and it is one transaction, so a crash leaves nothing half done.
    """
    overdue_days, missed_days = _limits()
    missed = session.execute(
        update(FollowUp)
        .where(FollowUp.status.in_(OPEN), FollowUp.due_date <= today - timedelta(days=missed_days))
        .values(status=FollowUpStatus.MISSED.value, updated_at=utcnow())
    ).rowcount
    overdue = session.execute(
        update(FollowUp)
        .where(
            FollowUp.status.in_((FollowUpStatus.SCHEDULED.value, FollowUpStatus.DUE.value)),
            FollowUp.due_date <= today - timedelta(days=overdue_days),
        )
        .values(status=FollowUpStatus.OVERDUE.value, updated_at=utcnow())
    ).rowcount
    due = session.execute(
        update(FollowUp)
        .where(FollowUp.status == FollowUpStatus.SCHEDULED.value, FollowUp.due_date <= today)
        .values(status=FollowUpStatus.DUE.value, updated_at=utcnow())
    ).rowcount
    reminders = _remind(session, "due", today) + _remind(
        session, "overdue", today - timedelta(days=overdue_days)
    )
    _mark_lost(session)
    return SweepResult(due=due or 0, overdue=overdue or 0, missed=missed or 0, reminders=reminders)


def _mark_lost(session: Session) -> None:
    """A placement with a missed follow-up is lost to follow-up (a fact statistics read)."""
    session.execute(
        update(Placement)
        .where(
            Placement.lost_to_follow_up.is_(False),
            exists().where(
                FollowUp.placement_id == Placement.id,
                FollowUp.status == FollowUpStatus.MISSED.value,
            ),
        )
        .values(lost_to_follow_up=True)
    )
    facts.refresh_stale(session)


def _remind(session: Session, stage: str, due_on_or_before: date) -> int:
    """One inbox entry per officer in scope and follow-up that has reached `stage`; never twice.

    Defined by dates, not by the status of the moment, so a sweep after downtime leaves the
    same reminders (a "due" one too for a follow-up already overdue) as daily sweeps would.
    "Never twice" is the unique (user, kind, follow-up) index answering ON CONFLICT DO
    NOTHING, one index probe per row: an anti-join planned while the table was nearly empty
    rescanned it once per inserted row, which took over ten minutes after a bulk intake.
    """
    kind = f"follow_up_{stage}"
    reached = (FollowUpStatus.DUE.value, FollowUpStatus.OVERDUE.value, FollowUpStatus.MISSED.value)
    candidates = (
        select(
            UserProvince.user_id, literal(kind), FollowUp.id, literal(utcnow(), type_=UTCDateTime())
        )
        .select_from(FollowUp)
        .join(Placement, Placement.id == FollowUp.placement_id)
        .join(Returnee, Returnee.id == Placement.returnee_id)
        .join(UserProvince, UserProvince.province_code == Returnee.home_province)
        .join(
            User,
            and_(
                User.id == UserProvince.user_id,
                User.active.is_(True),
                User.role == Role.OFFICER.value,
            ),
        )
        .where(FollowUp.status.in_(reached), FollowUp.due_date <= due_on_or_before)
    )
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Notification.__table__
    inserted = session.execute(
        dialect.insert(table)
        .from_select(["user_id", "kind", "follow_up_id", "created_at"], candidates)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "follow_up_id"])
        .returning(table.c.id)
    )
    return len(inserted.all())


def _follow_up_in_scope(session: Session, actor: Actor, follow_up_id: int) -> FollowUp:
    authorize(actor, "follow_ups.work")
    follow_up = (
        session.scalars(
            select(FollowUp).where(
                FollowUp.id == follow_up_id,
                FollowUp.placement_id.in_(
                    select(Placement.id)
                    .join(Returnee, Returnee.id == Placement.returnee_id)
                    .where(in_scope(actor, Returnee.home_province))
                ),
            )
        )
        .unique()
        .one_or_none()
    )
    if follow_up is None:  # out of scope looks, and costs, the same as missing
        raise NotFound("follow-up not found")
    return follow_up


def get_follow_up(session: Session, actor: Actor, follow_up_id: int) -> FollowUp:
    follow_up = _follow_up_in_scope(session, actor, follow_up_id)
    audit.record(session, actor, "view", "follow_up", follow_up.id)
    return follow_up


def record_outcome(
    session: Session, actor: Actor, follow_up_id: int, data: OutcomeInput
) -> Outcome:
    """Record one contact; completes the follow-up unless the person could not be reached."""
    follow_up = _follow_up_in_scope(session, actor, follow_up_id)
    placement = follow_up.placement
    if follow_up.status not in RECORDABLE:
        raise Conflict(N_("This follow-up is closed; nothing more can be recorded on it."))
    _check_contact_date(placement, data.contacted_on)
    returnee = placement.returnee
    risks = _risk_reasons(session, returnee, data)
    outcome = Outcome(
        contacted_on=data.contacted_on,
        status=data.status,
        monthly_income_usd=data.monthly_income_usd,
        remigration_country=data.remigration_country,
        remigration_channel=(data.remigration_channel or RemigrationChannel.UNKNOWN.value)
        if data.status == OutcomeStatus.REMIGRATED
        else None,
        intends_to_remigrate=data.intends_to_remigrate,
        notes=data.notes,
        recorded_by_id=actor.user_id,
    )
    follow_up.outcomes.append(outcome)
    if data.status == OutcomeStatus.UNREACHABLE:
        follow_up.unreachable_attempts += 1
        if follow_up.unreachable_attempts >= UNREACHABLE_LIMIT:
            follow_up.status = FollowUpStatus.MISSED.value
            returnee.unreachable = True
    else:
        follow_up.status = FollowUpStatus.COMPLETED.value
        follow_up.completed_on = data.contacted_on
        returnee.unreachable = False
        returnee.at_risk_reasons = risks
    if data.status == OutcomeStatus.REMIGRATED:
        _end_placement(placement, follow_up, data.contacted_on)
        returnee.status = ReturneeStatus.REMIGRATED.value
    facts.refresh(placement)
    session.flush()
    notifications.clear_for_follow_ups(
        session, (f.id for f in placement.follow_ups if f.status in _SETTLED)
    )
    audit.record(
        session,
        actor,
        "create",
        "outcome",
        outcome.id,
        detail={"follow_up_id": follow_up.id, "status": data.status},
    )
    return outcome


def _check_contact_date(placement: Placement, contacted_on: date) -> None:
    if contacted_on < placement.start_date:
        raise InvalidInput({"contacted_on": [N_("Must not be before the placement started.")]})
    if contacted_on > local_today():
        raise InvalidInput({"contacted_on": [N_("Must not be in the future.")]})


def _stored(data: OutcomeInput) -> dict[str, Any]:
    """An outcome's values as saved (JSON-safe): what an amendment compares and keeps."""
    values = asdict(data)
    if values["status"] == OutcomeStatus.REMIGRATED:
        values["remigration_channel"] = (
            values["remigration_channel"] or RemigrationChannel.UNKNOWN.value
        )
    else:
        values["remigration_channel"] = None
    return {
        key: value.isoformat()
        if isinstance(value, date)
        else str(value)
        if isinstance(value, Decimal)
        else value
        for key, value in values.items()
    }


def _input_of(outcome: Outcome) -> OutcomeInput:
    return OutcomeInput(
        contacted_on=outcome.contacted_on,
        status=outcome.status,
        monthly_income_usd=outcome.monthly_income_usd,
        remigration_country=outcome.remigration_country,
        remigration_channel=outcome.remigration_channel,
        intends_to_remigrate=outcome.intends_to_remigrate,
        notes=outcome.notes,
    )


def _outcome_in_scope(session: Session, actor: Actor, outcome_id: int) -> Outcome:
    """The role first, then one query with the scope in it: an outcome elsewhere answers, and
    costs, exactly like a missing one."""
    authorize(actor, "follow_ups.work")
    outcome = session.scalars(
        select(Outcome).where(
            Outcome.id == outcome_id,
            Outcome.follow_up_id.in_(
                select(FollowUp.id)
                .join(Placement, Placement.id == FollowUp.placement_id)
                .join(Returnee, Returnee.id == Placement.returnee_id)
                .where(in_scope(actor, Returnee.home_province))
            ),
        )
    ).one_or_none()
    if outcome is None:
        raise NotFound("outcome not found")
    return outcome


def get_outcome(session: Session, actor: Actor, outcome_id: int) -> Outcome:
    """An outcome in the officer's provinces (404 like a missing one otherwise), audited."""
    outcome = _outcome_in_scope(session, actor, outcome_id)
    audit.record(session, actor, "view", "outcome", outcome.id)
    return outcome


def outcome_form_values(outcome: Outcome) -> dict[str, str]:
    """An outcome's values as the outcome form shows them, to start a correction from."""
    values = _stored(_input_of(outcome))
    shown = {k: "" if v is None else str(v) for k, v in values.items()}
    shown["intends_to_remigrate"] = "yes" if outcome.intends_to_remigrate else ""
    return shown


def amend_outcome(
    session: Session, actor: Actor, outcome_id: int, data: OutcomeInput, reason: str
) -> Outcome:
    """Correct a saved outcome; the old values stay in its history and consequences follow.

    A re-migration recorded by mistake and corrected reopens the placement and the follow-ups
    it cancelled; at-risk flags and the placement's statistics facts are recomputed.
    """
    outcome = _outcome_in_scope(session, actor, outcome_id)
    follow_up = outcome.follow_up
    placement = follow_up.placement
    _check_contact_date(placement, data.contacted_on)
    unreachable = OutcomeStatus.UNREACHABLE.value
    if (outcome.status == unreachable) != (data.status == unreachable):
        raise InvalidInput(
            {"status": [N_("An unsuccessful attempt cannot become a contact, nor the reverse.")]}
        )
    old, new = _stored(_input_of(outcome)), _stored(data)
    changed = sorted(key for key in new if new[key] != old[key])
    if not changed:
        raise InvalidInput({"status": [N_("Nothing was changed.")]})
    outcome.contacted_on = data.contacted_on
    outcome.status = data.status
    outcome.monthly_income_usd = data.monthly_income_usd
    outcome.remigration_country = data.remigration_country
    outcome.remigration_channel = new["remigration_channel"]
    outcome.intends_to_remigrate = data.intends_to_remigrate
    outcome.notes = data.notes
    outcome.amendments.append(
        OutcomeAmendment(
            reason=reason,
            old_values={k: old[k] for k in changed},
            new_values={k: new[k] for k in changed},
            amended_by_id=actor.user_id,
        )
    )
    session.flush()
    _follow_consequences(session, placement, follow_up, outcome)
    audit.record(
        session,
        actor,
        "update",
        "outcome",
        outcome.id,
        fields=changed,
        detail={"follow_up_id": follow_up.id, "from": old["status"], "status": new["status"]},
    )
    return outcome


def _follow_consequences(
    session: Session, placement: Placement, follow_up: FollowUp, outcome: Outcome
) -> None:
    """Bring the follow-up, placement, returnee and facts in line with the outcomes as they are."""
    decided = facts.decisive_outcome(follow_up.outcomes)
    if decided is not None:
        follow_up.completed_on = decided.contacted_on
    returnee = placement.returnee
    remigrations = sorted(
        (o.contacted_on, f.sequence, f)
        for f in placement.follow_ups
        if (o := facts.decisive_outcome(f.outcomes)) is not None
        and o.status == OutcomeStatus.REMIGRATED
    )
    if remigrations:
        on, _sequence, reached = remigrations[0]
        _end_placement(placement, reached, on)
        returnee.status = ReturneeStatus.REMIGRATED.value
    elif placement.end_reason == "remigrated":
        _reopen_placement(placement)
        if returnee.status == ReturneeStatus.REMIGRATED:
            returnee.status = ReturneeStatus.PLACED.value
    latest = _last_outcomes(session, [returnee.id]).get(returnee.id)
    if (
        latest is not None
        and latest.id == outcome.id
        and outcome.status != OutcomeStatus.UNREACHABLE
    ):
        returnee.at_risk_reasons = _risk_reasons(
            session, returnee, _input_of(outcome), excluding=outcome.id
        )
    facts.refresh(placement)
    session.flush()


def _reopen_placement(placement: Placement) -> None:
    """Undo a re-migration's end: the placement runs again and its cancelled follow-ups return."""
    placement.status, placement.ended_on, placement.end_reason = (
        PlacementStatus.ACTIVE.value,
        None,
        None,
    )
    overdue_days, _missed_days = _limits()
    today = local_today()
    for follow_up in placement.follow_ups:
        if follow_up.status != FollowUpStatus.CANCELLED:
            continue
        if follow_up.due_date > today:
            follow_up.status = FollowUpStatus.SCHEDULED.value
        elif follow_up.due_date <= today - timedelta(days=overdue_days):
            follow_up.status = FollowUpStatus.OVERDUE.value
        else:
            follow_up.status = FollowUpStatus.DUE.value


def _end_placement(placement: Placement, reached: FollowUp, on: date) -> None:
    """Re-migration ends the placement and cancels the follow-ups still ahead."""
    placement.status, placement.ended_on = PlacementStatus.ENDED.value, on
    placement.end_reason = OutcomeStatus.REMIGRATED.value
    for follow_up in placement.follow_ups:
        if follow_up.sequence > reached.sequence and follow_up.status in RECORDABLE:
            follow_up.status = FollowUpStatus.CANCELLED.value


def _risk_reasons(
    session: Session, returnee: Returnee, data: OutcomeInput, *, excluding: int | None = None
) -> list[str]:
    """Why a person may be about to leave again: out of work, intent to go, or income falling."""
    if data.status == OutcomeStatus.REMIGRATED:
        return []
    reasons = []
    if data.status == OutcomeStatus.UNEMPLOYED:
        reasons.append("unemployed")
    if data.intends_to_remigrate:
        reasons.append("intends_to_remigrate")
    if data.monthly_income_usd is not None:
        previous = session.scalar(
            select(Outcome.monthly_income_usd)
            .join(FollowUp, FollowUp.id == Outcome.follow_up_id)
            .join(Placement, Placement.id == FollowUp.placement_id)
            .where(
                Placement.returnee_id == returnee.id,
                Outcome.monthly_income_usd.is_not(None),
                Outcome.id != (excluding or 0),
            )
            .order_by(Outcome.contacted_on.desc(), Outcome.id.desc())
            .limit(1)
        )
        if previous and data.monthly_income_usd < previous * INCOME_FALL:
            reasons.append("income_fell")
    return reasons


@dataclass(frozen=True)
class FollowUpRow:
    """A line of the officer's follow-up list: what to do, whom to call, what we last heard."""

    follow_up: FollowUp
    returnee: Returnee
    last_outcome: Outcome | None


def list_follow_ups(
    session: Session,
    actor: Actor,
    *,
    statuses: tuple[str, ...] = ("due", "overdue"),
    province: str | None = None,
    due_before: date | None = None,
    sort: str = "due",
    limit: int = 200,
) -> list[FollowUpRow]:
    """Follow-ups in the officer's provinces with these statuses, due before a date if given."""
    authorize(actor, "follow_ups.work")
    if sort not in WORK_LIST_SORTS:
        raise InvalidInput({"sort": [N_("Unknown value.")]})
    provinces = sorted(actor.provinces & {province}) if province else sorted(actor.provinces)
    query = (
        select(FollowUp)
        .join(Placement, Placement.id == FollowUp.placement_id)
        .join(Returnee, Returnee.id == Placement.returnee_id)
        .where(Returnee.home_province.in_(provinces), FollowUp.status.in_(statuses))
    )
    if due_before is not None:
        query = query.where(FollowUp.due_date < due_before)
    follow_ups = session.scalars(query.order_by(*WORK_LIST_SORTS[sort]).limit(limit)).unique().all()
    shown = [f.placement.returnee_id for f in follow_ups]
    audit.record_shown(session, actor, "returnee", shown, detail={"what": "follow-ups"})
    last = _last_outcomes(session, shown)
    return [
        FollowUpRow(f, f.placement.returnee, last.get(f.placement.returnee_id)) for f in follow_ups
    ]


def _last_outcomes(session: Session, returnee_ids: list[int]) -> dict[int, Outcome]:
    if not returnee_ids:
        return {}
    latest = (
        select(Placement.returnee_id, func.max(Outcome.id).label("outcome_id"))
        .join(FollowUp, FollowUp.placement_id == Placement.id)
        .join(Outcome, Outcome.follow_up_id == FollowUp.id)
        .where(Placement.returnee_id.in_(set(returnee_ids)))
        .group_by(Placement.returnee_id)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.returnee_id, Outcome).join(Outcome, Outcome.id == latest.c.outcome_id)
    )
    return {returnee_id: outcome for returnee_id, outcome in rows}


def at_risk(session: Session, actor: Actor, limit: int = 100) -> list[Returnee]:
    """Returnees in scope flagged at risk of re-migration or unreachable, latest change first.

    The flags are filtered in SQL through a partial index of the flagged few, so the cost
    follows how many are flagged, not how many are placed.
    """
    authorize(actor, "follow_ups.work")
    risky = list(
        session.scalars(
            select(Returnee)
            .where(
                Returnee.home_province.in_(sorted(actor.provinces)),
                AT_RISK,
                Returnee.merged_into_id.is_(None),
            )
            .order_by(Returnee.updated_at.desc())
            .limit(limit)
        )
    )
    audit.record_shown(
        session, actor, "returnee", (r.id for r in risky), detail={"what": "at risk"}
    )
    return risky
