"""The follow-up sweep and outcome recording through the services: idempotence, flags, refusals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jobs_import import ListingRecord
from reintegrate.errors import Conflict, Forbidden, InvalidInput, NotFound
from reintegrate.models import FollowUp, Notification, Outcome, Placement, Returnee, User
from reintegrate.services import followups, listings, referrals
from reintegrate.services.access import Actor
from reintegrate.services.followups import OutcomeInput
from reintegrate.timeutil import local_today
from tests.builders import make_returnee, make_user

TODAY = local_today()


def _placement(
    session: Session, officer: User, *, started: date, returnee: Returnee | None = None
) -> Placement:
    actor = Actor.of(officer)
    record = ListingRecord(
        row=0,
        kind="job",
        external_id=None,
        title="Sewer",
        employer="Golden Thread",
        provinces=("02",),
        skills=("sewing",),
        positions=50,
        valid_through=TODAY + timedelta(days=60),
    )
    listing = listings.create_listing(session, actor, record)
    returnee = returnee or make_returnee(session, officer, return_date=started - timedelta(days=30))
    referral = referrals.refer(session, actor, returnee.id, listing.id)
    referrals.change_status(session, actor, referral.id, "hired", start_date=started)
    session.commit()
    return session.scalars(select(Placement).where(Placement.referral_id == referral.id)).one()


def _as_if_created_long_ago(session: Session) -> None:
    """Placements are created with today's states; start from all scheduled to replay time."""
    session.execute(update(FollowUp).values(status="scheduled"))


def _state(session: Session) -> tuple[list[tuple[int, str]], list[tuple[int, str, int | None]]]:
    statuses = [(f.id, f.status) for f in session.scalars(select(FollowUp).order_by(FollowUp.id))]
    notes = sorted(
        tuple(row)
        for row in session.execute(
            select(Notification.user_id, Notification.kind, Notification.follow_up_id)
        )
    )
    return statuses, notes


@pytest.fixture
def officer(db_session: Session) -> User:
    return make_user(db_session, provinces=["02"])


def test_sweeping_twice_or_after_downtime_gives_the_same_rows(
    db_session: Session, officer: User
) -> None:
    make_user(db_session, provinces=["02", "01"])
    _placement(db_session, officer, started=TODAY - timedelta(days=200))
    _placement(db_session, officer, started=TODAY - timedelta(days=45))
    _as_if_created_long_ago(db_session)
    start = TODAY - timedelta(days=30)
    for offset in range(31):
        followups.sweep(db_session, start + timedelta(days=offset))
    daily = _state(db_session)
    assert followups.sweep(db_session, TODAY).reminders == 0
    assert _state(db_session) == daily
    db_session.rollback()


def test_one_late_sweep_equals_daily_sweeps(
    app, engine, db_session: Session, officer: User
) -> None:  # type: ignore[no-untyped-def]
    _placement(db_session, officer, started=TODAY - timedelta(days=200))
    _placement(db_session, officer, started=TODAY - timedelta(days=45))
    _as_if_created_long_ago(db_session)
    db_session.flush()
    savepoint = db_session.begin_nested()
    for offset in range(31):
        followups.sweep(db_session, TODAY - timedelta(days=30 - offset))
    daily_statuses, daily_notes = _state(db_session)
    savepoint.rollback()
    followups.sweep(db_session, TODAY)
    late_statuses, late_notes = _state(db_session)
    assert {status for _, status in daily_statuses} >= {"missed", "overdue", "scheduled"}
    assert {kind for _, kind, _ in daily_notes} == {"follow_up_due", "follow_up_overdue"}
    assert late_statuses == daily_statuses
    assert late_notes == daily_notes


def test_reminders_go_once_to_each_officer_in_scope(db_session: Session, officer: User) -> None:
    colleague = make_user(db_session, provinces=["02", "17"])
    elsewhere = make_user(db_session, provinces=["17"])
    placement = _placement(db_session, officer, started=TODAY - timedelta(days=40))
    result = followups.sweep(db_session, TODAY)
    first = placement.follow_ups[0]
    recipients = set(
        db_session.scalars(
            select(Notification.user_id).where(Notification.follow_up_id == first.id)
        )
    )
    assert recipients == {officer.id, colleague.id} and elsewhere.id not in recipients
    assert result.reminders >= 2
    assert followups.sweep(db_session, TODAY).reminders == 0


def test_recording_an_outcome_completes_the_follow_up(db_session: Session, officer: User) -> None:
    placement = _placement(db_session, officer, started=TODAY - timedelta(days=40))
    first = placement.follow_ups[0]
    outcome = followups.record_outcome(
        db_session,
        Actor.of(officer),
        first.id,
        OutcomeInput(contacted_on=TODAY, status="employed_same", monthly_income_usd=Decimal(280)),
    )
    assert (first.status, first.completed_on, outcome.status) == (
        "completed",
        TODAY,
        "employed_same",
    )
    with pytest.raises(Conflict):
        followups.record_outcome(
            db_session,
            Actor.of(officer),
            first.id,
            OutcomeInput(contacted_on=TODAY, status="unemployed"),
        )


def test_remigration_ends_the_placement_and_cancels_later_follow_ups(
    db_session: Session, officer: User
) -> None:
    placement = _placement(db_session, officer, started=TODAY - timedelta(days=40))
    followups.record_outcome(
        db_session,
        Actor.of(officer),
        placement.follow_ups[0].id,
        OutcomeInput(
            contacted_on=TODAY,
            status="remigrated",
            remigration_country="TH",
            remigration_channel="irregular",
        ),
    )
    assert (placement.status, placement.ended_on, placement.end_reason) == (
        "ended",
        TODAY,
        "remigrated",
    )
    assert [f.status for f in placement.follow_ups] == [
        "completed",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    assert placement.returnee.status == "remigrated"
    with pytest.raises(Conflict):
        followups.record_outcome(
            db_session,
            Actor.of(officer),
            placement.follow_ups[1].id,
            OutcomeInput(contacted_on=TODAY, status="employed_same"),
        )


def test_three_unreachable_attempts_mark_missed_and_flag_the_case(
    db_session: Session, officer: User
) -> None:
    placement = _placement(db_session, officer, started=TODAY - timedelta(days=40))
    first = placement.follow_ups[0]
    for attempt in range(3):
        followups.record_outcome(
            db_session,
            Actor.of(officer),
            first.id,
            OutcomeInput(contacted_on=TODAY - timedelta(days=2 - attempt), status="unreachable"),
        )
        assert first.status == ("missed" if attempt == 2 else "due")
    assert placement.returnee.unreachable is True
    assert len(first.outcomes) == 3
    late = followups.record_outcome(
        db_session,
        Actor.of(officer),
        first.id,
        OutcomeInput(contacted_on=TODAY, status="employed_other"),
    )
    assert (
        first.status == "completed"
        and late.status == "employed_other"
        and placement.returnee.unreachable is False
    )


def test_worsening_situations_flag_the_person_at_risk_with_reasons(
    db_session: Session, officer: User
) -> None:
    placement = _placement(db_session, officer, started=TODAY - timedelta(days=100))
    actor = Actor.of(officer)
    first, second = placement.follow_ups[0], placement.follow_ups[1]
    followups.record_outcome(
        db_session,
        actor,
        first.id,
        OutcomeInput(
            contacted_on=TODAY - timedelta(days=5),
            status="employed_same",
            monthly_income_usd=Decimal(300),
        ),
    )
    assert placement.returnee.at_risk_reasons == []
    followups.record_outcome(
        db_session,
        actor,
        second.id,
        OutcomeInput(
            contacted_on=TODAY,
            status="employed_other",
            monthly_income_usd=Decimal(150),
            intends_to_remigrate=True,
        ),
    )
    assert placement.returnee.at_risk_reasons == ["intends_to_remigrate", "income_fell"]
    assert placement.returnee in followups.at_risk(db_session, actor)


def test_unemployment_is_a_risk_and_a_later_good_contact_clears_it(
    db_session: Session, officer: User
) -> None:
    placement = _placement(db_session, officer, started=TODAY - timedelta(days=100))
    actor = Actor.of(officer)
    followups.record_outcome(
        db_session,
        actor,
        placement.follow_ups[0].id,
        OutcomeInput(contacted_on=TODAY - timedelta(days=3), status="unemployed"),
    )
    assert placement.returnee.at_risk_reasons == ["unemployed"]
    followups.record_outcome(
        db_session,
        actor,
        placement.follow_ups[1].id,
        OutcomeInput(contacted_on=TODAY, status="self_employed", monthly_income_usd=Decimal(200)),
    )
    assert placement.returnee.at_risk_reasons == []


@pytest.mark.parametrize(
    ("contacted_on_offset", "field"),
    [(-500, "contacted_on"), (3, "contacted_on")],
)
def test_outcome_dates_before_the_start_or_in_the_future_are_refused(
    db_session: Session, officer: User, contacted_on_offset: int, field: str
) -> None:
    placement = _placement(db_session, officer, started=TODAY - timedelta(days=40))
    with pytest.raises(InvalidInput) as caught:
        followups.record_outcome(
            db_session,
            Actor.of(officer),
            placement.follow_ups[0].id,
            OutcomeInput(
                contacted_on=TODAY + timedelta(days=contacted_on_offset), status="employed_same"
            ),
        )
    assert field in caught.value.errors
    assert db_session.scalar(select(func.count()).select_from(Outcome)) == 0


def test_outcomes_are_refused_outside_scope_and_to_other_roles(
    db_session: Session, officer: User
) -> None:
    placement = _placement(db_session, officer, started=TODAY - timedelta(days=40))
    follow_up_id = placement.follow_ups[0].id
    data = OutcomeInput(contacted_on=TODAY, status="employed_same")
    with pytest.raises(NotFound):
        followups.record_outcome(
            db_session, Actor.of(make_user(db_session, provinces=["17"])), follow_up_id, data
        )
    for role in ("employer", "manager"):
        with pytest.raises(Forbidden):
            followups.record_outcome(
                db_session, Actor.of(make_user(db_session, role)), follow_up_id, data
            )


def test_the_work_list_shows_due_follow_ups_oldest_first_with_the_last_outcome(
    db_session: Session, officer: User
) -> None:
    older = _placement(db_session, officer, started=TODAY - timedelta(days=110))
    newer = _placement(
        db_session,
        officer,
        started=TODAY - timedelta(days=35),
        returnee=make_returnee(
            db_session,
            officer,
            given_name="Dara",
            phone="097 111 222",
            date_of_birth=date(1985, 3, 3),
        ),
    )
    followups.record_outcome(
        db_session,
        Actor.of(officer),
        older.follow_ups[0].id,
        OutcomeInput(contacted_on=TODAY - timedelta(days=60), status="employed_same"),
    )
    followups.sweep(db_session, TODAY)
    rows = followups.list_follow_ups(db_session, Actor.of(officer))
    assert [row.follow_up.id for row in rows] == [older.follow_ups[1].id, newer.follow_ups[0].id]
    assert rows[0].last_outcome is not None and rows[0].last_outcome.status == "employed_same"
    assert rows[1].returnee.phone == "097 111 222" and rows[1].last_outcome is None


def test_at_risk_in_sql_names_the_people_the_python_filter_named(
    db_session: Session, officer: User
) -> None:
    """The set-based query returns who loading every placed person and filtering did."""
    elsewhere = make_user(db_session, provinces=["17"])
    flags: list[tuple[str, str, list[str], bool]] = [
        ("02", "placed", [], False),
        ("02", "placed", ["unemployed"], False),
        ("02", "placed", [], True),
        ("02", "placed", ["income_fell", "intends_to_remigrate"], True),
        ("02", "seeking", ["unemployed"], True),
        ("02", "remigrated", ["unemployed"], False),
        ("17", "placed", ["unemployed"], True),
    ]
    for province, status, reasons, unreachable in flags:
        person = make_returnee(
            db_session, officer if province == "02" else elsewhere, home_province=province
        )
        person.status, person.at_risk_reasons, person.unreachable = status, reasons, unreachable
    db_session.flush()
    actor = Actor.of(officer)
    placed = db_session.scalars(
        select(Returnee)
        .where(Returnee.home_province.in_(sorted(actor.provinces)), Returnee.status == "placed")
        .order_by(Returnee.updated_at.desc())
    )
    expected = [r for r in placed if r.at_risk_reasons or r.unreachable]
    found = followups.at_risk(db_session, actor)
    assert len(found) == 3
    assert {r.id for r in found} == {r.id for r in expected}
    assert len(followups.at_risk(db_session, actor, limit=2)) == 2
