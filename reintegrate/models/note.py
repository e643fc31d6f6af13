"""Dated notes an officer writes on a case, kept apart from the registration form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reintegrate.db import Base, utcnow
from reintegrate.models.user import User


class CaseNote(Base):
    """One note on a returnee's case: who wrote it, when, and what it says."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_returnee_written", "returnee_id", "written_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    returnee_id: Mapped[int] = mapped_column(ForeignKey("returnees.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(lazy="joined")
