"""Employers: the organisations that post openings and answer referrals."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reintegrate.db import Base, utcnow

if TYPE_CHECKING:
    from reintegrate.models.user import User


class Employer(Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified: Mapped[bool] = mapped_column(default=False)
    registration_number: Mapped[str | None] = mapped_column(String(100))
    verification_note: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(300))
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True)
    )
    verified_at: Mapped[datetime | None]

    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id], lazy="joined")

    @property
    def verified_by_email(self) -> str | None:
        return self.verified_by.email if self.verified_by else None
