"""Writing audit rows: the fact of an action, never the personal data it touched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.orm import Session

from reintegrate.db import utcnow
from reintegrate.models import AuditEntry, User
from reintegrate.pagination import paginate
from reintegrate.services.access import Actor
from reintegrate.services.policy import authorize
from reintegrate.timeutil import LOCAL_ZONE

HOUR = timedelta(hours=1)


def wait_before_more(
    session: Session, actor: Actor, limit: int, *entries: ColumnElement[bool]
) -> timedelta | None:
    """How long until the actor may do again what the matching audit entries record, or None
    if fewer than `limit` were made in the last hour.

    The audit trail is the count, so a limit survives restarts and holds across web workers;
    on PostgreSQL the user's row is locked first, so parallel requests are counted one after
    another rather than all slipping past the same count.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(User.id).where(User.id == actor.user_id).with_for_update())
    times = session.scalars(
        select(AuditEntry.at)
        .where(AuditEntry.user_id == actor.user_id, AuditEntry.at >= utcnow() - HOUR, *entries)
        .order_by(AuditEntry.at.desc())
        .limit(max(limit, 1))
    ).all()
    if len(times) < limit:
        return None
    return (min(times) if times else utcnow()) + HOUR - utcnow()


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


def record_shown(
    session: Session,
    actor: Actor,
    entity_type: str,
    entity_ids: Iterable[int],
    *,
    detail: dict[str, Any],
) -> None:
    """One "view" row per record a list showed, so "who has seen this person?" is answered
    by the trail whether they opened the record or only saw its line in a list."""
    rows = [
        {
            "user_id": actor.user_id,
            "actor": actor.email,
            "action": "view",
            "entity_type": entity_type,
            "entity_id": entity_id,
            "detail": detail,
            "ip": actor.ip,
        }
        for entity_id in sorted(set(entity_ids))
    ]
    if rows:
        session.execute(insert(AuditEntry), rows)


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    since: date | None = None
    until: date | None = None


def search(
    session: Session, actor: Actor, filters: AuditFilters, *, page: int = 1, page_size: int = 50
) -> tuple[list[AuditEntry], int]:
    """The audit trail, newest first, for administrators only."""
    authorize(actor, "audit.read")
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor.contains(filters.actor.strip().lower()))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.entity_type:
        query = query.where(AuditEntry.entity_type == filters.entity_type)
    if filters.entity_id is not None:
        query = query.where(AuditEntry.entity_id == filters.entity_id)
    if filters.since:
        query = query.where(AuditEntry.at >= datetime.combine(filters.since, time.min, LOCAL_ZONE))
    if filters.until:
        query = query.where(
            AuditEntry.at
            < datetime.combine(filters.until + timedelta(days=1), time.min, LOCAL_ZONE)
        )

    result = paginate(
        session, query, AuditEntry.at.desc(), AuditEntry.id.desc(), page=page, page_size=page_size
    )
    return list(result.items), result.total
