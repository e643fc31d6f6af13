"""Referrals, placements, follow-ups, their outcomes, and the officers' reminders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    select,
    update,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reintegrate.db import Base, utcnow
from reintegrate.models.listing import Listing, ListingKind
from reintegrate.models.returnee import Returnee
from reintegrate.models.values import one_of
from reintegrate.stats.cellkey import new_record_key


class ReferralStatus(StrEnum):
    REFERRED = "referred"
    INTERVIEW = "interview"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class FollowUpStatus(StrEnum):
    SCHEDULED = "scheduled"
    DUE = "due"
    OVERDUE = "overdue"
    COMPLETED = "completed"
    MISSED = "missed"
    CANCELLED = "cancelled"


OPEN_FOLLOW_UP_STATUSES = (FollowUpStatus.SCHEDULED, FollowUpStatus.DUE, FollowUpStatus.OVERDUE)


class OutcomeStatus(StrEnum):
    EMPLOYED_SAME = "employed_same"
    EMPLOYED_OTHER = "employed_other"
    SELF_EMPLOYED = "self_employed"
    UNEMPLOYED = "unemployed"
    REMIGRATED = "remigrated"
    UNREACHABLE = "unreachable"


IN_WORK = frozenset(
    s.value
    for s in (
        OutcomeStatus.EMPLOYED_SAME,
        OutcomeStatus.EMPLOYED_OTHER,
        OutcomeStatus.SELF_EMPLOYED,
    )
)
"""Outcome classes: the one definition the placement facts, the statistics and the at-risk list
read. In work: employed or self-employed. At home: in the country, in work or not. Out of work:
not working here, unemployed or gone abroad again. Unreachable is none of them."""
AT_HOME = IN_WORK | {OutcomeStatus.UNEMPLOYED.value}
OUT_OF_WORK = frozenset({OutcomeStatus.UNEMPLOYED.value, OutcomeStatus.REMIGRATED.value})


class PlacementStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class RemigrationChannel(StrEnum):
    REGULAR = "regular"
    IRREGULAR = "irregular"
    UNKNOWN = "unknown"


class Referral(Base):
    """An officer's referral of a returnee to a job, answered by the employer."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("returnee_id", "listing_id", name="uq_referrals_returnee_listing"),
        one_of("status", ReferralStatus, name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    returnee_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ReferralStatus.REFERRED.value)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    returnee: Mapped[Returnee] = relationship(lazy="joined")
    listing: Mapped[Listing] = relationship(lazy="joined")
    events: Mapped[list[ReferralEvent]] = relationship(
        cascade="all, delete-orphan", order_by="ReferralEvent.id", lazy="selectin"
    )
    placement: Mapped[Placement | None] = relationship(
        viewonly=True, uselist=False, lazy="selectin"
    )


class ReferralEvent(Base):
    """Each status a referral passed through, for the returnee's timeline."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))


def _returnee_consents_to_research(context: DefaultExecutionContext) -> bool:
    """A new placement starts with its person's research consent, whoever inserts it."""
    returnee_id = context.get_current_parameters()["returnee_id"]
    consents = context.connection.scalar(
        select(Returnee.consent_research).where(Returnee.id == returnee_id)
    )
    return bool(consents)


class Placement(Base):
    """A hire or an enrolment: the start of what follow-ups measure.

    Province, sector and programme are copied at placement time so statistics describe the
    placement as it was, whatever later happens to the listing or the record.
    """

    __tablename__ = "placements"
    __table_args__ = (
        one_of("kind", ListingKind, name="kind"),
        one_of("status", PlacementStatus, name="status"),
        Index("ix_placements_start_date", "start_date"),
        # Statistics read the placements of consenting people in a period.
        Index("ix_placements_consent_start_date", "consent_research", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    returnee_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(8), default="active")
    ended_on: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(2), index=True)
    sex: Mapped[str] = mapped_column(String(8))
    sector: Mapped[str | None] = mapped_column(String(100))
    programme: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the follow-ups have shown so far, kept current by the follow-up service so
    # statistics over hundreds of thousands of placements are one scan of this table.
    contacted: Mapped[bool] = mapped_column(default=False)
    contacted_3m: Mapped[bool] = mapped_column(default=False)
    contacted_6m: Mapped[bool] = mapped_column(default=False)
    contacted_12m: Mapped[bool] = mapped_column(default=False)
    retained_3m: Mapped[bool] = mapped_column(default=False)
    retained_6m: Mapped[bool] = mapped_column(default=False)
    retained_12m: Mapped[bool] = mapped_column(default=False)
    remigrated: Mapped[bool] = mapped_column(default=False)
    lost_to_follow_up: Mapped[bool] = mapped_column(default=False)
    first_remigrated: Mapped[date | None]
    first_out_of_work: Mapped[date | None]
    last_at_home: Mapped[date | None]
    last_in_work: Mapped[date | None]
    facts_updated_at: Mapped[datetime | None]
    # A permanent random key for the cell-key method (reintegrate.stats.cellkey): never
    # shown, it fixes the noise on every statistic this placement is counted in.
    record_key: Mapped[int] = mapped_column(default=new_record_key)
    # The person's research consent, copied here so statistics need not join every returnee;
    # _follow_research_consent keeps it current when the consent changes.
    consent_research: Mapped[bool] = mapped_column(
        default=_returnee_consents_to_research, server_default=false()
    )

    returnee: Mapped[Returnee] = relationship(lazy="joined")
    listing: Mapped[Listing] = relationship(lazy="joined")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="placement", order_by="FollowUp.sequence", lazy="selectin"
    )


class FollowUp(Base):
    """A scheduled contact after a placement; the schedule is rows, not scheduler jobs."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("placement_id", "sequence", name="uq_follow_ups_placement_sequence"),
        one_of("status", FollowUpStatus, name="status"),
        Index("ix_follow_ups_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int]
    months_after: Mapped[int]
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=FollowUpStatus.SCHEDULED.value)
    completed_on: Mapped[date | None]
    unreachable_attempts: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    placement: Mapped[Placement] = relationship(back_populates="follow_ups", lazy="joined")
    outcomes: Mapped[list[Outcome]] = relationship(
        order_by="Outcome.id", lazy="selectin", back_populates="follow_up"
    )


WORK_LIST_SORTS = {
    "due": (FollowUp.due_date, FollowUp.id),
    "-due": (FollowUp.due_date.desc(), FollowUp.id.desc()),
    "name": (Returnee.family_name, Returnee.given_name, FollowUp.due_date, FollowUp.id),
    "province": (Returnee.home_province, FollowUp.due_date, FollowUp.id),
}
"""How the officer's work list can be ordered; "due" (oldest due first) is the default.
Here, below the follow-up service and the work list's query schema, so both read one list."""


class Outcome(Base):
    """What an officer learnt at one contact attempt (several when the person was unreachable)."""

    __tablename__ = "outcomes"
    __table_args__ = (
        one_of("status", OutcomeStatus, name="status"),
        one_of("remigration_channel", RemigrationChannel, name="channel", nullable=True),
        Index("ix_outcomes_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True
    )
    contacted_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))
    monthly_income_usd: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    remigration_country: Mapped[str | None] = mapped_column(String(2))
    remigration_channel: Mapped[str | None] = mapped_column(String(16))
    intends_to_remigrate: Mapped[bool | None]
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    follow_up: Mapped[FollowUp] = relationship(back_populates="outcomes")
    amendments: Mapped[list[OutcomeAmendment]] = relationship(
        order_by="OutcomeAmendment.id", lazy="selectin", cascade="all, delete-orphan"
    )


class OutcomeAmendment(Base):
    """A correction of a saved outcome: why, by whom, and the values it replaced."""

    __tablename__ = "outcome_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("outcomes.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    old_values: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_values: Mapped[dict[str, Any]] = mapped_column(JSON)
    amended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    amended_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """An officer's inbox entry (e-mailed where SMTP is set up); one per user, subject, kind."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "kind", "follow_up_id", name="uq_notifications_user_kind_follow_up"
        ),
        # The inbox, newest first, and the unread count read this index, never the whole table.
        Index("ix_notifications_user_read_created", "user_id", "read_at", "created_at", "id"),
        Index("ix_notifications_user_created", "user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]


class SchedulerRun(Base):
    """When each periodic job last finished, so the scheduler's work can be seen and checked."""

    __tablename__ = "scheduler_runs"

    job_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_finished_at: Mapped[datetime]
    last_result: Mapped[str | None] = mapped_column(String(200))


@event.listens_for(Returnee, "after_update")
def _follow_research_consent(_mapper: object, connection: Connection, returnee: Returnee) -> None:
    """A change of research consent, whichever door made it, moves the person's placements."""
    if inspect(returnee).attrs.consent_research.history.has_changes():
        connection.execute(
            update(Placement.__table__)
            .where(Placement.__table__.c.returnee_id == returnee.id)
            .values(consent_research=returnee.consent_research)
        )
