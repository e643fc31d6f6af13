"""Admin-made mappings from skill phrases the vocabulary did not know to canonical skills."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from reintegrate.db import Base, utcnow


class SkillMapping(Base):
    """ "moto repair" means `motorbike_repair`: applies to existing and future records."""

    __tablename__ = "skill_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase_key: Mapped[str] = mapped_column(String(200), unique=True)
    example: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
