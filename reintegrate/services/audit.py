"""Writing audit rows: the fact of an action, never the personal data it touched."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from reintegrate.models import AuditEntry
from reintegrate.services.access import Actor


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    fields: Iterable[str] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the caller's transaction (so it commits or rolls back with it)."""
    session.add(
        AuditEntry(
            user_id=actor.user_id,
            actor=actor.email,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            fields=sorted(fields) if fields is not None else None,
            detail=detail,
            ip=actor.ip,
        )
    )
