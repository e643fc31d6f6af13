"""A placement's facts: kept current as outcomes are recorded, equal to the set-based definition."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import Placement
from reintegrate.services import facts
from tests.outcome_builders import START, Contact, Owners, add_placement, make_owners

FACT_COLUMNS = (
    "contacted",
    "contacted_3m",
    "contacted_6m",
    "contacted_12m",
    "retained_3m",
    "retained_6m",
    "retained_12m",
    "remigrated",
    "lost_to_follow_up",
    "first_remigrated",
    "first_out_of_work",
    "last_at_home",
    "last_in_work",
)
STATUSES = ("employed_same", "employed_other", "self_employed", "unemployed", "remigrated")


@pytest.fixture
def owners(db_session: Session) -> Owners:
    return make_owners(db_session)


def _snapshot(session: Session) -> dict[int, tuple[object, ...]]:
    return {
        p.id: tuple(getattr(p, name) for name in FACT_COLUMNS)
        for p in session.scalars(select(Placement).order_by(Placement.id))
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_facts_equal_the_set_based_backfill(
    db_session: Session, owners: Owners, seed: int
) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        contacts = []
        for months in (1, 3, 6, 12)[: rng.randint(0, 4)]:
            status = rng.choice(
                ["completed", "completed", "completed", "missed", "due", "cancelled"]
            )
            outcome = rng.choice(STATUSES) if status == "completed" else None
            contacts.append(
                Contact(
                    months,
                    status=status,
                    outcome=outcome,
                    unreachable=rng.choice([0, 0, 1, 3]),
                    day=months * 30 + rng.randint(-5, 20),
                    channel="irregular" if outcome == "remigrated" else None,
                    country="TH" if outcome == "remigrated" else None,
                )
            )
        add_placement(
            db_session, owners, start=START + timedelta(days=rng.randint(0, 300)), contacts=contacts
        )
    incremental = _snapshot(db_session)
    assert any(row[FACT_COLUMNS.index("remigrated")] for row in incremental.values())
    assert any(row[FACT_COLUMNS.index("lost_to_follow_up")] for row in incremental.values())
    facts.backfill(db_session)
    db_session.expire_all()
    assert _snapshot(db_session) == incremental


def test_facts_follow_the_definitions(db_session: Session, owners: Owners) -> None:
    placement = add_placement(
        db_session,
        owners,
        contacts=[
            Contact(1),
            Contact(3, outcome="unemployed"),
            Contact(6, status="missed", outcome=None),
            Contact(12, outcome="remigrated", channel="regular", country="KR"),
        ],
    )
    assert (
        placement.contacted,
        placement.contacted_3m,
        placement.contacted_6m,
        placement.contacted_12m,
    ) == (True, True, False, True)
    assert (
        placement.retained_3m,
        placement.retained_12m,
        placement.remigrated,
        placement.lost_to_follow_up,
    ) == (False, False, True, True)
    assert placement.first_out_of_work == START + timedelta(days=90)
    assert placement.first_remigrated == START + timedelta(days=360)
    assert placement.last_in_work == START + timedelta(days=30)
    assert placement.last_at_home == START + timedelta(days=90)


def test_a_stale_placement_is_refreshed_by_the_next_sweep(
    db_session: Session, owners: Owners
) -> None:
    from reintegrate.services import followups

    placement = add_placement(db_session, owners, contacts=[Contact(3)])
    placement.facts_updated_at = None
    placement.contacted = False
    db_session.flush()
    followups.sweep(db_session, START + timedelta(days=400))
    assert placement.contacted is True and placement.facts_updated_at is not None


def test_the_sweep_refreshes_only_stale_placements_and_a_second_sweep_changes_nothing(
    db_session: Session, owners: Owners
) -> None:
    """The set-based refresh touches placements never refreshed, leaves the others, and a
    sweep run twice leaves the same facts as once."""
    from reintegrate.services import followups

    stale = [add_placement(db_session, owners, contacts=[Contact(m)]) for m in (1, 3, 6)]
    fresh = add_placement(db_session, owners, contacts=[Contact(3)])
    for placement in stale:
        placement.facts_updated_at = None
        placement.contacted = placement.contacted_3m = False
    fresh.contacted = False  # not stale: the sweep must leave it alone
    db_session.flush()
    followups.sweep(db_session, START + timedelta(days=400))
    assert all(p.facts_updated_at is not None and p.contacted for p in stale)
    assert [p.contacted_3m for p in stale] == [False, True, False]
    assert fresh.contacted is False

    def snapshot() -> list[tuple[object, ...]]:
        return [
            (p.id, p.contacted, p.contacted_3m, p.lost_to_follow_up, p.first_out_of_work)
            for p in db_session.scalars(select(Placement).order_by(Placement.id))
        ]

    once = snapshot()
    followups.sweep(db_session, START + timedelta(days=400))
    assert snapshot() == once


def test_research_consent_on_the_placement_follows_the_person(
    db_session: Session, owners: Owners
) -> None:
    from reintegrate.models import Returnee

    placement = add_placement(db_session, owners, contacts=[Contact(3)])
    person = db_session.get(Returnee, owners.returnee_id)
    assert person is not None
    assert placement.consent_research is person.consent_research
    person.consent_research = not person.consent_research
    db_session.flush()
    db_session.expire(placement)
    assert placement.consent_research is person.consent_research
