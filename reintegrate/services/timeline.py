"""A returnee's whole story on one timeline: registration, referrals, placements, follow-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reintegrate.models import Placement, Referral, SafeMigrationBriefing
from reintegrate.services import notes, registry
from reintegrate.services.access import Actor
from reintegrate.timeutil import to_local


@dataclass(frozen=True)
class Event:
    """One thing that happened; `kind` says what, `params` carry what the page shows."""

    on: date
    order: float
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


def _day(moment: datetime) -> date:
    return to_local(moment).date()


def timeline(session: Session, actor: Actor, returnee_id: int) -> list[Event]:
    """Everything recorded about a returnee's path, newest first (scope checked, not re-audited)."""
    returnee = registry.get(session, actor, returnee_id, audited=False)
    events = [
        Event(returnee.return_date, 0, "returned", {"country": returnee.destination_country}),
        Event(_day(returnee.created_at), 1, "registered", {"case_number": returnee.case_number}),
    ]
    for referral in session.scalars(
        select(Referral).where(Referral.returnee_id == returnee.id)
    ).unique():
        for index, event in enumerate(referral.events):
            events.append(
                Event(
                    _day(event.at),
                    2 + index / 100,
                    f"referral_{event.status}",
                    {
                        "listing": referral.listing.title,
                        "listing_id": referral.listing_id,
                        "referral_id": referral.id,
                    },
                )
            )
    for placement in session.scalars(
        select(Placement).where(Placement.returnee_id == returnee.id)
    ).unique():
        events.append(
            Event(
                placement.start_date,
                3,
                f"placement_{placement.kind}",
                {"listing": placement.listing.title, "placement_id": placement.id},
            )
        )
        for follow_up in placement.follow_ups:
            for outcome in follow_up.outcomes:
                events.append(
                    Event(
                        outcome.contacted_on,
                        4,
                        "outcome",
                        {
                            "status": outcome.status,
                            "months": follow_up.months_after,
                            "follow_up_id": follow_up.id,
                            "country": outcome.remigration_country,
                            "channel": outcome.remigration_channel,
                        },
                    )
                )
            if follow_up.status != "completed":
                events.append(
                    Event(
                        follow_up.due_date,
                        5,
                        f"follow_up_{follow_up.status}",
                        {"months": follow_up.months_after, "follow_up_id": follow_up.id},
                    )
                )
        if placement.ended_on:
            events.append(
                Event(placement.ended_on, 6, "placement_ended", {"reason": placement.end_reason})
            )
    for briefing in session.scalars(
        select(SafeMigrationBriefing).where(SafeMigrationBriefing.returnee_id == returnee.id)
    ):
        events.append(Event(briefing.informed_on, 7, "safe_migration_informed"))
    for note in notes.case_notes_of(session, returnee):
        events.append(
            Event(
                note.on,
                7,
                "note",
                {"text": note.text, "author": note.author, "months": note.months},
            )
        )
    return sorted(events, key=lambda e: (e.on, e.order), reverse=True)
