"""What a placement's follow-ups have shown so far, kept on the placement for fast statistics."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from reintegrate.db import utcnow
from reintegrate.models import FollowUp, Placement
from reintegrate.models.placement import (
    AT_HOME,
    IN_WORK,
    OUT_OF_WORK,
    FollowUpStatus,
    Outcome,
    OutcomeStatus,
)


def decisive_outcome(outcomes: Iterable[Outcome]) -> Outcome | None:
    """A follow-up's outcome: its latest that is not "unreachable" (a later one corrects)."""
    reached = [o for o in outcomes if o.status != OutcomeStatus.UNREACHABLE]
    return max(reached, key=lambda o: o.id) if reached else None


def refresh(placement: Placement) -> None:
    """Recompute the facts from the placement's follow-ups (a handful of rows)."""
    decided: list[tuple[int, Outcome]] = []
    completed: set[int] = set()
    lost = False
    for follow_up in placement.follow_ups:
        lost = lost or follow_up.status == FollowUpStatus.MISSED
        if follow_up.status == FollowUpStatus.COMPLETED:
            completed.add(follow_up.months_after)
            outcome = decisive_outcome(follow_up.outcomes)
            if outcome is not None:
                decided.append((follow_up.months_after, outcome))

    def contacted_at(months: int) -> bool:
        return months in completed

    def in_work_at(months: int) -> bool:
        return any(m == months and o.status in IN_WORK for m, o in decided)

    def first(statuses: frozenset[str]) -> date | None:
        return min((o.contacted_on for _, o in decided if o.status in statuses), default=None)

    def last(statuses: frozenset[str]) -> date | None:
        return max((o.contacted_on for _, o in decided if o.status in statuses), default=None)

    placement.contacted = bool(completed)
    placement.contacted_3m, placement.contacted_6m, placement.contacted_12m = (
        contacted_at(m) for m in (3, 6, 12)
    )
    placement.retained_3m, placement.retained_6m, placement.retained_12m = (
        in_work_at(m) for m in (3, 6, 12)
    )
    placement.remigrated = any(o.status == OutcomeStatus.REMIGRATED for _, o in decided)
    placement.lost_to_follow_up = lost
    placement.first_remigrated = first(frozenset({OutcomeStatus.REMIGRATED.value}))
    placement.first_out_of_work = first(OUT_OF_WORK)
    placement.last_at_home = last(AT_HOME)
    placement.last_in_work = last(IN_WORK)
    placement.facts_updated_at = utcnow()


def decisive(o: Any, fu: Any) -> ColumnElement[bool]:
    """SQL join condition: `o` is the follow-up `fu`'s decisive outcome (as decisive_outcome)."""
    later = Outcome.__table__.alias("later_outcome")
    return and_(
        o.c.follow_up_id == fu.c.id,
        o.c.status != OutcomeStatus.UNREACHABLE.value,
        ~exists().where(
            later.c.follow_up_id == o.c.follow_up_id,
            later.c.status != OutcomeStatus.UNREACHABLE.value,
            later.c.id > o.c.id,
        ),
    )


def backfill(session: Session, which: ColumnElement[bool] | None = None) -> int:
    """Compute placements' facts in one set-based UPDATE: all of them, or those `which` names.

    The same definitions as ``refresh``, written as one aggregate over follow-ups and
    outcomes; a test checks the two agree on random data.
    """
    fu, o, p = FollowUp.__table__, Outcome.__table__, Placement.__table__
    completed = fu.c.status == FollowUpStatus.COMPLETED.value
    source = p.outerjoin(fu, fu.c.placement_id == p.c.id).outerjoin(
        o, and_(completed, decisive(o, fu))
    )
    in_work = o.c.status.in_(sorted(IN_WORK))

    def flag(condition: ColumnElement[bool], name: str) -> Any:
        return func.max(case((condition, 1), else_=0)).label(name)

    def when(condition: ColumnElement[bool]) -> Any:
        return case((condition, o.c.contacted_on))

    columns = [
        p.c.id.label("placement_id"),
        flag(completed, "contacted"),
    ]
    for months in (3, 6, 12):
        at = fu.c.months_after == months
        columns += [
            flag(and_(completed, at), f"contacted_{months}m"),
            flag(and_(at, in_work), f"retained_{months}m"),
        ]
    columns += [
        flag(o.c.status == OutcomeStatus.REMIGRATED.value, "remigrated"),
        flag(fu.c.status == FollowUpStatus.MISSED.value, "lost_to_follow_up"),
        func.min(when(o.c.status == OutcomeStatus.REMIGRATED.value)).label("first_remigrated"),
        func.min(when(o.c.status.in_(sorted(OUT_OF_WORK)))).label("first_out_of_work"),
        func.max(when(o.c.status.in_(sorted(AT_HOME)))).label("last_at_home"),
        func.max(when(in_work)).label("last_in_work"),
    ]
    chosen = select(*columns).select_from(source)
    if which is not None:
        chosen = chosen.where(which)
    facts = chosen.group_by(p.c.id).subquery("facts")
    flags = (
        "contacted",
        "contacted_3m",
        "contacted_6m",
        "contacted_12m",
        "retained_3m",
        "retained_6m",
        "retained_12m",
        "remigrated",
        "lost_to_follow_up",
    )
    values: dict[str, Any] = {name: facts.c[name] == 1 for name in flags}
    values.update(
        {
            name: facts.c[name]
            for name in ("first_remigrated", "first_out_of_work", "last_at_home", "last_in_work")
        }
    )
    values["facts_updated_at"] = utcnow()
    result = session.execute(update(p).where(p.c.id == facts.c.placement_id).values(**values))
    for loaded in [o for o in session.identity_map.values() if isinstance(o, Placement)]:
        session.expire(loaded, list(values))  # the UPDATE went around them
    return result.rowcount or 0


def refresh_stale(session: Session, placement_ids: Iterable[int] | None = None) -> int:
    """Refresh placements never refreshed (after the migration or a bulk load) or named.

    One set-based UPDATE however many there are: after 300,000 placements arrive at once
    the sweep does not load them, with their follow-ups and outcomes, into Python.
    """
    p = Placement.__table__
    ids = sorted(set(placement_ids or ()))
    stale = p.c.facts_updated_at.is_(None)
    return backfill(session, or_(stale, p.c.id.in_(ids)) if ids else stale)
