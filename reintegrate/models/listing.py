"""Listings: job openings and incentive programmes, posted by employers or imported from feeds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reintegrate.db import Base, utcnow
from reintegrate.models.employer import Employer
from reintegrate.models.skill import SkillLine
from reintegrate.models.values import one_of


class ListingKind(StrEnum):
    JOB = "job"
    INCENTIVE = "incentive"


class ListingStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


POSTED_SOURCE = "posted"
"""The source of listings created in the app rather than imported."""


class Listing(Base):
    __tablename__ = "listings"
    __table_args__ = (
        one_of("kind", ListingKind, name="kind"),
        one_of("status", ListingStatus, name="status"),
        UniqueConstraint("source", "identity_key", name="uq_listings_source_identity"),
        Index("ix_listings_status_kind", "status", "kind"),
        Index("ix_listings_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    programme: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(100))
    nationwide: Mapped[bool] = mapped_column(default=False)
    positions: Mapped[int | None]
    wage_min_usd: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    wage_max_usd: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    employment_type: Mapped[str | None] = mapped_column(String(32))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_through: Mapped[date | None] = mapped_column(index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    sector: Mapped[str | None] = mapped_column(String(100))
    benefit: Mapped[str | None] = mapped_column(Text)
    returned_within_months: Mapped[int | None]
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    eligible_sex: Mapped[str | None] = mapped_column(String(8))
    survivors_priority: Mapped[bool] = mapped_column(default=False)
    hazardous: Mapped[bool] = mapped_column(default=False, server_default=false())
    hazardous_reason: Mapped[str | None] = mapped_column(String(200))
    """Why: ``set:<role>`` when a person decided, else the hazardous-work list entry matched."""
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    follow_up_months: Mapped[list[int] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), default=ListingStatus.OPEN.value)
    closed_reason: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(100), default=POSTED_SOURCE)
    identity_key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    dedupe_key: Mapped[str | None] = mapped_column(String(300), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), index=True)
    last_import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    employer: Mapped[Employer | None] = relationship(lazy="joined")
    province_links: Mapped[list[ListingProvince]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    skills: Mapped[list[ListingSkill]] = relationship(
        cascade="all, delete-orphan", order_by="ListingSkill.position", lazy="selectin"
    )

    @property
    def provinces(self) -> list[str]:
        return sorted(link.province_code for link in self.province_links)

    @property
    def province(self) -> str | None:
        """A job's one province (None for a nationwide programme)."""
        provinces = self.provinces
        return provinces[0] if len(provinces) == 1 else None

    @property
    def skill_texts(self) -> list[str]:
        return [skill.raw_text for skill in self.skills]

    @property
    def employer_name(self) -> str | None:
        return self.employer.name if self.employer else None

    @property
    def eligibility(self) -> dict[str, Any]:
        return {
            "returned_within_months": self.returned_within_months,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "sex": self.eligible_sex,
            "survivors_priority": self.survivors_priority,
        }


class ListingProvince(Base):
    """Where a listing is: a job's province, or each province an incentive is open to."""

    __tablename__ = "listing_provinces"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class ListingSkill(SkillLine, Base):
    """One wanted skill or activity as written by the employer or the feed."""

    __tablename__ = "listing_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )


class ImportRun(Base):
    """One import of one feed: counts, rejected rows and how it ended; kept as its report."""

    __tablename__ = "import_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'succeeded', 'partial', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(300))
    full: Mapped[bool] = mapped_column(default=False)
    strict: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="running")
    message: Mapped[str | None] = mapped_column(Text)
    message_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The message's template and values, so the report page says it in the reader's language."""
    rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    linked: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    flagged: Mapped[int] = mapped_column(default=0)
    flag_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_by: Mapped[str] = mapped_column(String(254))
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    """For a returnee list: the officer who registers the people (and may read the report)."""
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
