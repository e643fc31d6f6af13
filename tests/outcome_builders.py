"""Builders for outcome statistics: placements with follow-ups and outcomes written directly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from reintegrate.models import FollowUp, Outcome, Placement
from reintegrate.services import facts
from tests.builders import make_listing, make_returnee, make_user

START = date(2025, 1, 1)
TODAY = date(2026, 6, 1)


@dataclass(frozen=True)
class Contact:
    """A follow-up at `months` (after the start), as the officer left it.

    `day` is when the contact happened, in days after the start date (default months * 30);
    `outcome` None writes no outcome; `unreachable` first adds that many failed attempts.
    """

    months: int
    status: str = "completed"
    outcome: str | None = "employed_same"
    day: int | None = None
    channel: str | None = None
    country: str | None = None
    unreachable: int = 0
    due_day: int | None = None


@dataclass(frozen=True)
class Owners:
    """A returnee and a listing to hang placements on (statistics never read them)."""

    returnee_id: int
    listing_id: int


def make_owners(session: Session) -> Owners:
    officer = make_user(session, provinces=["02"])
    returnee = make_returnee(session, officer)
    listing = make_listing(session, officer)
    return Owners(returnee.id, listing.id)


def add_placement(
    session: Session,
    owners: Owners,
    *,
    start: date = START,
    province: str = "02",
    sex: str = "female",
    sector: str | None = "construction",
    kind: str = "job",
    programme: str = "Mekong Steel Works",
    contacts: Sequence[Contact] = (),
    key: int = 0,
) -> Placement:
    """A placement with its follow-ups and outcomes, facts refreshed.

    `key` is its record key for the cell-key method: with every key 0 every cell key is 0,
    which the perturbation table maps to no noise, so counting tests read true counts;
    disclosure tests give keys of their own.
    """
    placement = Placement(
        returnee_id=owners.returnee_id,
        listing_id=owners.listing_id,
        kind=kind,
        start_date=start,
        province=province,
        sex=sex,
        sector=sector,
        programme=programme,
        record_key=key,
    )
    session.add(placement)
    session.flush()
    for sequence, contact in enumerate(contacts, start=1):
        day = contact.day if contact.day is not None else contact.months * 30
        due = start + timedelta(days=contact.due_day if contact.due_day is not None else day)
        done = contact.status == "completed"
        follow_up = FollowUp(
            placement_id=placement.id,
            sequence=sequence,
            months_after=contact.months,
            due_date=due,
            status=contact.status,
            completed_on=start + timedelta(days=day) if done else None,
            unreachable_attempts=contact.unreachable,
        )
        session.add(follow_up)
        session.flush()
        for attempt in range(contact.unreachable):
            session.add(
                Outcome(
                    follow_up_id=follow_up.id,
                    contacted_on=start + timedelta(days=day - contact.unreachable + attempt),
                    status="unreachable",
                )
            )
        if contact.outcome is not None:
            session.add(
                Outcome(
                    follow_up_id=follow_up.id,
                    contacted_on=start + timedelta(days=day),
                    status=contact.outcome,
                    remigration_channel=contact.channel,
                    remigration_country=contact.country,
                )
            )
        session.flush()
    session.refresh(placement)
    facts.refresh(placement)
    session.flush()
    return placement


def in_work(*months: int) -> list[Contact]:
    """Completed follow-ups at these months, each finding the person in the same job."""
    return [Contact(m) for m in months]
