"""Demo placements with follow-ups and outcomes, so the managers' dashboard has a story to tell."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from reintegrate.models import FollowUp, Listing, Outcome, Placement, Returnee
from reintegrate.models.returnee import ReturneeStatus
from reintegrate.reference import SECTORS
from reintegrate.services import facts
from reintegrate.timeutil import add_months

FOLLOW_UP_MONTHS = (1, 3, 6, 12)
OVERDUE_AFTER_DAYS = 14
DESTINATIONS = {"TH": 0.72, "MY": 0.1, "KR": 0.08, "JP": 0.05, "SA": 0.05}
INCENTIVE_SECTORS = ("agriculture", "fishing", "services")
JOB_SECTORS = ("construction", "garment", "manufacturing", "hospitality", "services")


def load_demo_placements(
    session: Session,
    *,
    rng: random.Random,
    returnees: Sequence[Returnee],
    listings: Sequence[Listing],
    today: date,
    count: int = 300,
) -> list[Placement]:
    """Add `count` placements started over the last two years, each with its follow-ups.

    Follow-ups already due are mostly completed, some missed, and the last few weeks' still
    due or overdue; about one placement in seven ends in re-migration, which ends it and
    cancels the follow-ups after. The same `rng` state gives the same rows.
    """
    if not returnees or not listings:
        return []
    made: list[Placement] = []
    latest: dict[int, tuple[date, str]] = {}
    ordered_listings = sorted(listings, key=lambda listing: listing.id)
    jobs = [listing for listing in ordered_listings if listing.kind == "job"] or ordered_listings
    offered = [item for item in ordered_listings if item.kind == "incentive" and item.programme]
    programmes = sorted({item.programme for item in offered})[:3]
    incentives = [item for item in offered if item.programme in programmes]
    ordered_returnees = sorted(returnees, key=lambda returnee: returnee.id)
    for index in range(count):
        returnee = ordered_returnees[index % len(ordered_returnees)]
        listing = rng.choice(incentives if incentives and rng.random() < 0.3 else jobs)
        start = max(today - timedelta(days=rng.randint(3, 730)), returnee.return_date)
        placement = _placement(rng, returnee, listing, start)
        session.add(placement)
        session.flush()
        _follow_ups(session, rng, placement, listing, today)
        made.append(placement)
        previous = latest.get(returnee.id)
        if previous is None or previous[0] <= start:
            latest[returnee.id] = (start, placement.status)
    by_id = {returnee.id: returnee for returnee in ordered_returnees}
    for returnee_id, (_start, status) in latest.items():
        by_id[returnee_id].status = (
            ReturneeStatus.REMIGRATED.value if status == "ended" else ReturneeStatus.PLACED.value
        )
    session.flush()
    facts.backfill(session)
    return made


def _placement(rng: random.Random, returnee: Returnee, listing: Listing, start: date) -> Placement:
    if listing.kind == "incentive":
        programme = listing.programme or listing.title
        sector = _sector(listing.sector) or rng.choice(INCENTIVE_SECTORS)
    else:
        programme = listing.employer_name or listing.title
        sector = _sector(listing.sector) or returnee.sector_abroad or rng.choice(JOB_SECTORS)
    return Placement(
        returnee_id=returnee.id,
        listing_id=listing.id,
        kind=listing.kind,
        start_date=start,
        status="active",
        province=returnee.home_province,
        sex=returnee.sex,
        sector=sector[:100],
        programme=programme[:200],
    )


def _follow_ups(
    session: Session, rng: random.Random, placement: Placement, listing: Listing, today: date
) -> None:
    months = tuple(listing.follow_up_months or FOLLOW_UP_MONTHS)
    incentive = placement.kind == "incentive"
    # Each person has their own risk, so some groups fare visibly better than others.
    leave_risk = rng.uniform(0.02, 0.07) * (1.4 if placement.province in {"01", "02", "22"} else 1)
    lose_risk = rng.uniform(0.03, 0.12)
    working = True
    ended = False
    for sequence, month in enumerate(months, start=1):
        due = add_months(placement.start_date, month)
        follow_up = FollowUp(
            placement_id=placement.id, sequence=sequence, months_after=month, due_date=due
        )
        session.add(follow_up)
        if ended:
            follow_up.status = "cancelled"
            continue
        age = (today - due).days
        if age < 0:
            follow_up.status = "scheduled"
            continue
        recent = age <= 45
        roll = rng.random()
        if recent and roll < 0.45:
            follow_up.status = "due" if age <= OVERDUE_AFTER_DAYS else "overdue"
            continue
        if roll < 0.08 + (0.05 if recent else 0):
            follow_up.status = "missed"
            follow_up.unreachable_attempts = 2
            session.flush()
            for attempt in range(2):
                session.add(
                    Outcome(
                        follow_up_id=follow_up.id,
                        contacted_on=min(due + timedelta(days=3 + 7 * attempt), today),
                        status="unreachable",
                    )
                )
            continue
        late = rng.random() < 0.15
        delay = rng.randint(15, 40) if late else rng.randint(0, 10)
        contacted = min(due + timedelta(days=delay), today)
        follow_up.status = "completed"
        follow_up.completed_on = contacted
        session.flush()
        status, working = _next_status(rng, working, incentive, leave_risk, lose_risk)
        outcome = Outcome(follow_up_id=follow_up.id, contacted_on=contacted, status=status)
        if status == "remigrated":
            country = rng.choices(list(DESTINATIONS), weights=list(DESTINATIONS.values()))[0]
            outcome.remigration_country = country
            outcome.remigration_channel = rng.choices(
                ("irregular", "regular", "unknown"),
                weights=(0.55, 0.33, 0.12) if country == "TH" else (0.15, 0.75, 0.1),
            )[0]
            placement.status = "ended"
            placement.ended_on = contacted
            placement.end_reason = "remigrated"
            ended = True
        elif status != "unemployed":
            low, high = (80, 320) if status == "self_employed" else (180, 420)
            outcome.monthly_income_usd = Decimal(rng.randint(low, high))
            outcome.intends_to_remigrate = rng.random() < 0.12
        else:
            outcome.intends_to_remigrate = rng.random() < 0.4
        session.add(outcome)


def _sector(text: str | None) -> str | None:
    """A feed's sector as our code where there is one ("Domestic work" -> domestic_work)."""
    if not text:
        return None
    code = text.strip().casefold().replace(" ", "_")
    return code if code in SECTORS else text.strip()


def _next_status(
    rng: random.Random, working: bool, incentive: bool, leave_risk: float, lose_risk: float
) -> tuple[str, bool]:
    """One step of a simple story: in work, out of work, or gone abroad again."""
    roll = rng.random()
    if roll < (leave_risk if working else leave_risk * 2.5):
        return "remigrated", False
    if working and roll < leave_risk + lose_risk:
        return "unemployed", False
    if not working and roll < 0.5:
        return "unemployed", False
    if incentive:
        return ("self_employed" if rng.random() < 0.85 else "employed_other"), True
    return ("employed_same" if rng.random() < 0.75 else "employed_other"), True
