"""Admins' answers for skill phrases the vocabulary did not know: a skill, none, or a new one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from reintegrate.db import Base, utcnow


class SkillLine:
    """A skill line as written (`raw_text`, in its place in the list) and as the vocabulary
    read it: the columns a returnee's skills and a listing's wanted skills share."""

    position: Mapped[int]
    raw_text: Mapped[str] = mapped_column(String(200))
    phrase_key: Mapped[str | None] = mapped_column(String(200), index=True)
    code: Mapped[str | None] = mapped_column(String(64), index=True)
    confidence: Mapped[float | None]
    vocabulary_version: Mapped[str | None] = mapped_column(String(32))


class SkillMapping(Base):
    """ "moto repair" means `motorbike_repair`: applies to existing and future records."""

    __tablename__ = "skill_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase_key: Mapped[str] = mapped_column(String(200), unique=True)
    example: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SkillPhraseDecision(Base):
    """ "karaoke" is not a skill; "pond digging" needs a new skill: the phrase leaves the
    admins' to-do list, and a proposal waits for whoever maintains skills.csv."""

    __tablename__ = "skill_phrase_decisions"
    __table_args__ = (CheckConstraint("decision IN ('not_a_skill', 'proposed')", name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase_key: Mapped[str] = mapped_column(String(200), unique=True)
    example: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(16))
    proposed_name: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
