"""Referrals and placements through the services: consent, states, scope, follow-up schedule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs_import import Eligibility, ListingRecord
from reintegrate.errors import Conflict, Forbidden, InvalidInput, NotFound
from reintegrate.models import FollowUp, Listing, Placement, Referral, User
from reintegrate.services import listings, matching, placements, referrals
from reintegrate.services.access import Actor
from reintegrate.services.placements import add_months, follow_up_state
from reintegrate.timeutil import local_today
from tests.builders import make_returnee, make_user


def _listing(session: Session, actor: Actor, **overrides: Any) -> Listing:
    values: dict[str, Any] = {
        "row": 0,
        "kind": "job",
        "external_id": None,
        "title": "Welder",
        "employer": "Angkor Steel",
        "provinces": ("02",),
        "skills": ("welding",),
        "positions": 5,
        "valid_through": local_today() + timedelta(days=30),
    }
    values.update(overrides)
    listing = listings.create_listing(session, actor, ListingRecord(**values))
    session.commit()
    return listing


@pytest.fixture
def officer(db_session: Session) -> User:
    return make_user(db_session, provinces=["02"])


@pytest.fixture
def employer(db_session: Session) -> User:
    return make_user(db_session, "employer", employer="Angkor Steel")


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_hire_creates_the_placement_and_its_follow_ups(
    db_session: Session, officer: User, employer: User
) -> None:
    officer_actor, employer_actor = Actor.of(officer), Actor.of(employer)
    returnee = make_returnee(db_session, officer)
    listing = _listing(db_session, officer_actor)
    referral = referrals.refer(db_session, officer_actor, returnee.id, listing.id)
    assert (referral.status, returnee.status) == ("referred", "referred")
    referrals.change_status(db_session, employer_actor, referral.id, "interview")
    start = local_today() - timedelta(days=10)
    referrals.change_status(db_session, employer_actor, referral.id, "hired", start_date=start)
    placement = db_session.scalars(select(Placement)).one()
    assert (
        placement.referral_id == referral.id
        and placement.province == "02"
        and placement.programme == "Local jobs"
    )
    assert [(f.sequence, f.months_after, f.due_date) for f in placement.follow_ups] == [
        (i + 1, m, add_months(start, m)) for i, m in enumerate((1, 3, 6, 12))
    ]
    assert returnee.status == "placed"
    assert [e.status for e in referral.events] == ["referred", "interview", "hired"]


def test_follow_up_months_can_be_set_per_programme(db_session: Session, officer: User) -> None:
    actor = Actor.of(officer)
    returnee = make_returnee(db_session, officer, return_date=local_today() - timedelta(days=30))
    programme = _listing(
        db_session,
        actor,
        kind="incentive",
        title="Chickens",
        employer=None,
        programme="MRD pilot",
        benefit="$300",
        eligibility=Eligibility(),
        positions=None,
        skills=("chicken raising",),
    )
    programme.follow_up_months = [2, 4]
    db_session.commit()
    placement = placements.enrol(db_session, actor, returnee.id, programme.id, local_today())
    assert [f.months_after for f in placement.follow_ups] == [2, 4]
    assert placement.kind == "incentive" and placement.programme == "MRD pilot"


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("no_consent", Conflict),
        ("closed", Conflict),
        ("twice", Conflict),
        ("incentive", Conflict),
        ("out_of_scope", NotFound),
        ("unknown_listing", NotFound),
    ],
)
def test_referral_refusals_write_nothing(
    db_session: Session, officer: User, setup: str, error: type
) -> None:
    actor = Actor.of(officer)
    returnee = make_returnee(db_session, officer)
    listing = _listing(db_session, actor)
    if setup == "no_consent":
        returnee.consent_referral = False
    elif setup == "closed":
        listings.update_listing(db_session, actor, listing.id, {"status": "closed"})
    elif setup == "twice":
        referrals.refer(db_session, actor, returnee.id, listing.id)
    elif setup == "incentive":
        listing = _listing(
            db_session,
            actor,
            kind="incentive",
            employer=None,
            programme="P",
            benefit="b",
            eligibility=Eligibility(),
            positions=None,
        )
    elif setup == "out_of_scope":
        returnee = make_returnee(
            db_session,
            make_user(db_session, provinces=["17"]),
            home_province="17",
            given_name="Other",
            phone=None,
        )
    db_session.commit()
    before = _count(db_session, Referral)
    with pytest.raises(error):
        referrals.refer(
            db_session, actor, returnee.id, 999_999 if setup == "unknown_listing" else listing.id
        )
    db_session.rollback()
    assert _count(db_session, Referral) == before


def test_referral_states_only_move_forward(
    db_session: Session, officer: User, employer: User
) -> None:
    officer_actor, employer_actor = Actor.of(officer), Actor.of(employer)
    returnee = make_returnee(db_session, officer)
    referral = referrals.refer(
        db_session, officer_actor, returnee.id, _listing(db_session, officer_actor).id
    )
    referrals.change_status(db_session, employer_actor, referral.id, "rejected")
    assert returnee.status == "seeking"
    with pytest.raises(Conflict):
        referrals.change_status(
            db_session, employer_actor, referral.id, "hired", start_date=local_today()
        )
    with pytest.raises(Conflict):
        referrals.change_status(db_session, officer_actor, referral.id, "withdrawn")
    assert _count(db_session, Placement) == 0


def test_who_may_do_what_with_a_referral(
    db_session: Session, officer: User, employer: User
) -> None:
    officer_actor = Actor.of(officer)
    returnee = make_returnee(db_session, officer)
    referral = referrals.refer(
        db_session, officer_actor, returnee.id, _listing(db_session, officer_actor).id
    )
    with pytest.raises(Forbidden):
        referrals.change_status(db_session, Actor.of(employer), referral.id, "withdrawn")
    other_employer = Actor.of(make_user(db_session, "employer", employer="Other Co"))
    with pytest.raises(NotFound):
        referrals.change_status(db_session, other_employer, referral.id, "interview")
    with pytest.raises(NotFound):
        referrals.get_referral(
            db_session, Actor.of(make_user(db_session, provinces=["17"])), referral.id
        )
    with pytest.raises(Forbidden):
        referrals.get_referral(db_session, Actor.of(make_user(db_session, "manager")), referral.id)
    referrals.change_status(db_session, officer_actor, referral.id, "withdrawn")
    assert referral.status == "withdrawn"


def test_hire_needs_a_plausible_start_date(
    db_session: Session, officer: User, employer: User
) -> None:
    officer_actor = Actor.of(officer)
    returnee = make_returnee(db_session, officer, return_date=date(2026, 3, 1))
    referral = referrals.refer(
        db_session, officer_actor, returnee.id, _listing(db_session, officer_actor).id
    )
    for start in (None, date(2026, 2, 1), local_today() + timedelta(days=400)):
        with pytest.raises(InvalidInput) as caught:
            referrals.change_status(
                db_session, Actor.of(employer), referral.id, "hired", start_date=start
            )
        assert "start_date" in caught.value.errors
    assert referral.status == "referred" and _count(db_session, Placement) == 0


def test_the_last_hire_closes_a_filled_listing(
    db_session: Session, officer: User, employer: User
) -> None:
    officer_actor = Actor.of(officer)
    listing = _listing(db_session, officer_actor, positions=1)
    returnee = make_returnee(db_session, officer)
    referral = referrals.refer(db_session, officer_actor, returnee.id, listing.id)
    referrals.change_status(
        db_session, Actor.of(employer), referral.id, "hired", start_date=local_today()
    )
    assert (listing.status, listing.closed_reason) == ("closed", "filled")


def test_employers_see_only_what_was_consented(
    db_session: Session, officer: User, employer: User
) -> None:
    officer_actor = Actor.of(officer)
    listing = _listing(db_session, officer_actor)
    sharing = make_returnee(db_session, officer, trafficking_survivor=True)
    private = make_returnee(
        db_session, officer, given_name="Dara", phone="011 999 888", date_of_birth=date(1988, 1, 1)
    )
    private.consent_share_with_employers = False
    for person in (sharing, private):
        referrals.refer(db_session, officer_actor, person.id, listing.id)
    page = referrals.list_referrals(db_session, Actor.of(employer), referrals.ReferralFilters())
    views = {view.name: view for view in page.items}
    assert all(isinstance(view, referrals.EmployerView) for view in views.values())
    assert set(views) == {"Sokha Chhay", None}
    shared = views["Sokha Chhay"]
    assert shared.phone == "012 345 678" and shared.skills
    hidden = views[None]
    assert hidden.phone is None and hidden.age is None and hidden.skills
    for view in views.values():
        assert not hasattr(view, "trafficking_survivor") and not hasattr(view, "case_number")
        assert not hasattr(view, "destination_country")


def test_matches_leave_out_listings_already_referred(db_session: Session, officer: User) -> None:
    actor = Actor.of(officer)
    welder = make_returnee(db_session, officer, skills=("welding",))
    listing = _listing(db_session, actor)
    assert listing.id in {
        m.listing.id for m in matching.matches_for_returnee(db_session, actor, welder.id)
    }
    referrals.refer(db_session, actor, welder.id, listing.id)
    assert listing.id not in {
        m.listing.id for m in matching.matches_for_returnee(db_session, actor, welder.id)
    }


def test_enrolment_requires_eligibility_and_consent(db_session: Session, officer: User) -> None:
    actor = Actor.of(officer)
    programme = _listing(
        db_session,
        actor,
        kind="incentive",
        employer=None,
        programme="Women's shops",
        benefit="$200",
        eligibility=Eligibility(sex="female", returned_within_months=6),
        positions=None,
    )
    man = make_returnee(db_session, officer, sex="male")
    with pytest.raises(Conflict):
        placements.enrol(db_session, actor, man.id, programme.id, local_today())
    long_ago = make_returnee(
        db_session,
        officer,
        return_date=local_today() - timedelta(days=400),
        given_name="A",
        phone=None,
    )
    with pytest.raises(Conflict):
        placements.enrol(db_session, actor, long_ago.id, programme.id, local_today())
    woman = make_returnee(
        db_session,
        officer,
        return_date=local_today() - timedelta(days=40),
        given_name="B",
        phone=None,
        date_of_birth=date(1999, 9, 9),
    )
    woman.consent_referral = False
    with pytest.raises(Conflict):
        placements.enrol(db_session, actor, woman.id, programme.id, local_today())
    woman.consent_referral = True
    placement = placements.enrol(db_session, actor, woman.id, programme.id, local_today())
    with pytest.raises(Conflict):
        placements.enrol(db_session, actor, woman.id, programme.id, local_today())
    assert _count(db_session, Placement) == 1 and len(placement.follow_ups) == 4


def test_follow_up_state_is_a_function_of_dates() -> None:
    due = date(2026, 5, 10)
    assert [
        follow_up_state(due, day, 14, 60)
        for day in (
            date(2026, 5, 9),
            date(2026, 5, 10),
            date(2026, 5, 23),
            date(2026, 5, 24),
            date(2026, 7, 8),
            date(2026, 7, 9),
        )
    ] == ["scheduled", "due", "due", "overdue", "overdue", "missed"]
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 15), 3) == date(2028, 3, 15)


def test_a_back_dated_placement_starts_with_states_for_today(
    db_session: Session, officer: User
) -> None:
    actor = Actor.of(officer)
    returnee = make_returnee(db_session, officer, return_date=local_today() - timedelta(days=400))
    referral = referrals.refer(db_session, actor, returnee.id, _listing(db_session, actor).id)
    referrals.change_status(
        db_session, actor, referral.id, "hired", start_date=local_today() - timedelta(days=100)
    )
    statuses = [f.status for f in db_session.scalars(select(FollowUp).order_by(FollowUp.sequence))]
    assert statuses == ["missed", "due", "scheduled", "scheduled"]
