"""Safer ways to leave: options admins keep, and when an officer told a person about them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reintegrate.db import Base, utcnow

OPTION_KINDS = ("recruitment_agency", "resource_centre", "hotline")
"""Licensed recruitment agencies, Migrant Worker Resource Centres, help lines."""


class SafeMigrationOption(Base):
    """A place or service that helps people migrate legally and safely."""

    __tablename__ = "safe_migration_options"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('recruitment_agency', 'resource_centre', 'hotline')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(2))
    contact: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[str | None] = mapped_column(Text)
    example: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SafeMigrationBriefing(Base):
    """An officer told the person about safer ways to leave, on this day."""

    __tablename__ = "safe_migration_briefings"

    id: Mapped[int] = mapped_column(primary_key=True)
    returnee_id: Mapped[int] = mapped_column(
        ForeignKey("returnees.id", ondelete="CASCADE"), index=True
    )
    informed_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
