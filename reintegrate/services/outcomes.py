"""Programme outcomes for managers: retention tables, re-migration, follow-up coverage, curves."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from reintegrate.config import DEFAULT_STATS_QUERIES_PER_HOUR
from reintegrate.errors import TooManyQueries
from reintegrate.models import AuditEntry, FollowUp, Outcome, Placement
from reintegrate.models.placement import (
    OPEN_FOLLOW_UP_STATUSES,
    FollowUpStatus,
    OutcomeStatus,
    RemigrationChannel,
)
from reintegrate.models.statistics import DEFAULT_PERIOD_MONTHS, Event, GroupBy, Period
from reintegrate.services import audit
from reintegrate.services.access import Actor
from reintegrate.services.facts import decisive
from reintegrate.services.policy import authorize
from reintegrate.stats.cellkey import perturb
from reintegrate.stats.periods import whole_months
from reintegrate.stats.suppression import (
    DEFAULT_THRESHOLD,
    Cell,
    SuppressedTable,
    suppress_curves,
    suppress_table,
    truncate_curve,
)
from reintegrate.stats.survival import KMPoint, kaplan_meier_from_counts, kaplan_meier_from_risk
from reintegrate.timeutil import local_today

__all__ = [
    "COVERAGE_COLUMNS",
    "DEFAULT_PERIOD_MONTHS",
    "LATE_AFTER_DAYS",
    "OUTCOME_COLUMNS",
    "Dashboard",
    "Event",
    "ExportTable",
    "GroupBy",
    "OutcomesTable",
    "Period",
    "Remigration",
    "RetentionCurves",
    "coverage",
    "dashboard",
    "export",
    "outcomes_table",
    "remigration",
    "retention",
]

STATISTICS = "statistics"
"""The audit trail's record type for statistics queries and downloads."""
LATE_AFTER_DAYS = 14
"""A follow-up done more than this many days after its due date is late (the overdue mark)."""
FOLLOW_UP_MONTHS = (3, 6, 12)
OUTCOME_COLUMNS = (
    "placed",
    "contacted",
    "contacted_3m",
    "retained_3m",
    "contacted_6m",
    "retained_6m",
    "contacted_12m",
    "retained_12m",
    "remigrated",
    "lost_to_follow_up",
)
COVERAGE_COLUMNS = ("due", "on_time", "late", "missed", "overdue", "open")
REMIGRATION_COLUMNS = ("remigrated",)
LOCAL_JOBS = ""
"""The programme group of every job placement, and the sector group of placements without one."""

_COMPLETED = FollowUpStatus.COMPLETED.value


class ExportTable(StrEnum):
    OUTCOMES = "outcomes"
    CHANNELS = "channels"
    COUNTRIES = "countries"
    COVERAGE = "coverage"


@dataclass(frozen=True)
class OutcomesTable:
    """Counts of placements by group (see OUTCOME_COLUMNS), suppressed for publication, and
    how many placements of the period are left out for lack of consent to research use."""

    period: Period
    group_by: GroupBy
    table: SuppressedTable
    left_out: Cell


@dataclass(frozen=True)
class RetentionCurves:
    """Kaplan–Meier curves cut for publication; `groups` maps every group with data to its
    curve, empty when the group is too small (or hidden so a small one cannot be inferred)."""

    period: Period
    event: Event
    group_by: GroupBy | None
    overall: tuple[KMPoint, ...]
    groups: Mapping[str, tuple[KMPoint, ...]]
    left_out: Cell


@dataclass(frozen=True)
class Remigration:
    """Re-migrated placements by channel and by destination country, suppressed."""

    period: Period
    by_channel: SuppressedTable
    by_country: SuppressedTable


@dataclass(frozen=True)
class Dashboard:
    """Everything the manager's page shows, computed in one call."""

    period: Period
    group_by: GroupBy
    threshold: int
    outcomes: OutcomesTable
    remigration: Remigration
    coverage: SuppressedTable
    remigration_curves: RetentionCurves
    work_curves: RetentionCurves


def outcomes_table(
    session: Session,
    actor: Actor,
    period: Period,
    group_by: GroupBy,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    queries_per_hour: int = DEFAULT_STATS_QUERIES_PER_HOUR,
) -> OutcomesTable:
    """Placed, contacted, retained at 3/6/12 months, re-migrated and lost, per group."""
    authorize(actor, "statistics.read")
    _count_query(
        session, actor, "view", queries_per_hour, _detail("outcomes", period, group_by=group_by)
    )
    return _outcomes_table(session, period, group_by, threshold)


def retention(
    session: Session,
    actor: Actor,
    period: Period,
    event: Event,
    group_by: GroupBy | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    queries_per_hour: int = DEFAULT_STATS_QUERIES_PER_HOUR,
) -> RetentionCurves:
    """Overall and per-group Kaplan–Meier curves of time to re-migration or out of work."""
    authorize(actor, "statistics.read")
    detail = _detail("retention", period, group_by=group_by, event=event)
    _count_query(session, actor, "view", queries_per_hour, detail)
    return _retention(session, period, event, group_by, threshold)


def remigration(
    session: Session,
    actor: Actor,
    period: Period,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    queries_per_hour: int = DEFAULT_STATS_QUERIES_PER_HOUR,
) -> Remigration:
    authorize(actor, "statistics.read")
    _count_query(session, actor, "view", queries_per_hour, _detail("remigration", period))
    return _remigration(session, period, threshold)


def coverage(
    session: Session,
    actor: Actor,
    period: Period,
    *,
    today: date | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    queries_per_hour: int = DEFAULT_STATS_QUERIES_PER_HOUR,
) -> SuppressedTable:
    """Follow-ups due by province: done on time, late, missed, open and overdue, or open."""
    authorize(actor, "statistics.read")
    _count_query(session, actor, "view", queries_per_hour, _detail("coverage", period))
    return _coverage(session, period, today or local_today(), threshold)


def dashboard(
    session: Session,
    actor: Actor,
    period: Period,
    group_by: GroupBy,
    *,
    today: date | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    queries_per_hour: int = DEFAULT_STATS_QUERIES_PER_HOUR,
) -> Dashboard:
    """Every figure of the managers' page: one query for the audit trail and the limit."""
    authorize(actor, "statistics.read")
    detail = _detail("dashboard", period, group_by=group_by)
    _count_query(session, actor, "view", queries_per_hour, detail)
    return Dashboard(
        period=period,
        group_by=group_by,
        threshold=threshold,
        outcomes=_outcomes_table(session, period, group_by, threshold),
        remigration=_remigration(session, period, threshold),
        coverage=_coverage(session, period, today or local_today(), threshold),
        remigration_curves=_retention(session, period, Event.REMIGRATION, group_by, threshold),
        work_curves=_retention(session, period, Event.OUT_OF_WORK, group_by, threshold),
    )


def export(
    session: Session,
    actor: Actor,
    table: ExportTable,
    period: Period,
    group_by: GroupBy,
    *,
    today: date | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    queries_per_hour: int = DEFAULT_STATS_QUERIES_PER_HOUR,
) -> SuppressedTable:
    """One table for a CSV download; the export is audited (which table, which period)."""
    authorize(actor, "statistics.read")
    grouped = group_by if table is ExportTable.OUTCOMES else None
    _count_query(
        session, actor, "export", queries_per_hour, _detail(table.value, period, group_by=grouped)
    )
    if table is ExportTable.OUTCOMES:
        return _outcomes_table(session, period, group_by, threshold).table
    if table is ExportTable.COVERAGE:
        return _coverage(session, period, today or local_today(), threshold)
    breakdown = _remigration(session, period, threshold)
    return breakdown.by_channel if table is ExportTable.CHANNELS else breakdown.by_country


def _detail(
    figures: str,
    period: Period,
    *,
    group_by: GroupBy | None = None,
    event: Event | None = None,
) -> dict[str, Any]:
    """What the audit trail keeps of a statistics query: which figures, which period."""
    detail: dict[str, Any] = {
        "table": figures,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "group_by": group_by.value if group_by else None,
    }
    if event is not None:
        detail["event"] = event.value
    return detail


def _count_query(
    session: Session, actor: Actor, action: str, limit: int, detail: dict[str, Any]
) -> None:
    """Audit one statistics query, or refuse it when the user made `limit` in the last hour
    (counted from the audit trail, see `audit.wait_before_more`)."""
    wait = audit.wait_before_more(session, actor, limit, AuditEntry.entity_type == STATISTICS)
    if wait is not None:
        raise TooManyQueries(max(1, math.ceil(wait.total_seconds())))
    audit.record(session, actor, action, STATISTICS, None, detail=detail)
    session.flush()


def _outcomes_table(
    session: Session, period: Period, group_by: GroupBy, threshold: int
) -> OutcomesTable:
    facts = _placement_facts(session, period, group_by)
    counts = [func.count(), *(func.sum(facts.c[name]) for name in OUTCOME_COLUMNS[1:])]
    keys = [
        func.sum(facts.c.record_key),
        *(func.sum(facts.c[name] * facts.c.record_key) for name in OUTCOME_COLUMNS[1:]),
    ]
    query = select(facts.c.grp, *counts, *keys).group_by(facts.c.grp)
    rows: dict[str, dict[str, int]] = {}
    key_sums: dict[str, dict[str, int]] = {}
    width = len(OUTCOME_COLUMNS)
    for row in session.execute(query):
        values = [int(v or 0) for v in row[1:]]
        rows[row[0]] = dict(zip(OUTCOME_COLUMNS, values[:width], strict=True))
        key_sums[row[0]] = dict(zip(OUTCOME_COLUMNS, values[width:], strict=True))
    table = suppress_table(
        _ordered(rows, group_by),
        columns=OUTCOME_COLUMNS,
        base_column="placed",
        threshold=threshold,
        keys=key_sums,
    )
    return OutcomesTable(period, group_by, table, _left_out(session, period, threshold))


@dataclass
class _LifeTable:
    """Per whole month: people who had the event, or were last seen without it, then;
    with the sums of their record keys, so every count can be perturbed as a cell."""

    events: Counter[int]
    censored: Counter[int]
    event_keys: Counter[int]
    censored_keys: Counter[int]

    @classmethod
    def empty(cls) -> _LifeTable:
        return cls(Counter(), Counter(), Counter(), Counter())

    def add(self, other: _LifeTable) -> None:
        for mine, theirs in zip(self.counters(), other.counters(), strict=True):
            mine.update(theirs)

    def counters(self) -> tuple[Counter[int], ...]:
        return (self.events, self.censored, self.event_keys, self.censored_keys)

    def true_curve(self) -> tuple[KMPoint, ...]:
        months = set(self.events) | set(self.censored)
        return kaplan_meier_from_counts(
            (month, self.events[month], self.censored[month]) for month in months
        )

    def published(self, times: list[float], threshold: int) -> tuple[KMPoint, ...]:
        """The curve at `times` from perturbed at-risk and event counts: each count is a
        cell (the people at risk at t; those with the event at t) with its own cell key."""
        rows: list[tuple[float, int, int]] = []
        for time in times:
            later = [m for m in set(self.events) | set(self.censored) if m >= time]
            at_risk = sum(self.events[m] + self.censored[m] for m in later)
            risk_keys = sum(self.event_keys[m] + self.censored_keys[m] for m in later)
            month = int(time)
            rows.append(
                (
                    time,
                    perturb(at_risk, risk_keys, floor=threshold),
                    perturb(self.events[month], self.event_keys[month]),
                )
            )
        return kaplan_meier_from_risk(rows)


def _retention(
    session: Session, period: Period, event: Event, group_by: GroupBy | None, threshold: int
) -> RetentionCurves:
    """Durations are grouped in SQL, so only (group, days, event, count, keys) rows come back;
    curves count them in whole months.

    Where and whether a curve is drawn is decided on the true counts (a group whose
    "contacted" cell of the outcomes table is hidden has no curve either, so a curve
    cannot give back what the table hides); what is drawn is the perturbed counts.
    """
    facts = _placement_facts(session, period, group_by or GroupBy.PROVINCE)
    if event is Event.REMIGRATION:
        first_event, last_seen = facts.c.first_remigrated, facts.c.last_at_home
    else:
        first_event, last_seen = facts.c.first_out_of_work, facts.c.last_in_work
    ended = case((first_event.is_not(None), first_event), else_=last_seen)
    per_placement = (
        select(
            facts.c.grp,
            _days_between(session, ended, facts.c.start_date).label("days"),
            case((first_event.is_not(None), 1), else_=0).label("event"),
            facts.c.record_key,
        )
        .where(ended.is_not(None))
        .subquery()
    )
    query = select(
        per_placement.c.grp,
        per_placement.c.days,
        per_placement.c.event,
        func.count(),
        func.sum(per_placement.c.record_key),
    ).group_by(per_placement.c.grp, per_placement.c.days, per_placement.c.event)
    tables: dict[str, _LifeTable] = defaultdict(_LifeTable.empty)
    for group, days, is_event, n, keys in session.execute(query):
        month = whole_months(max(int(days), 0))
        table = tables[group]
        if is_event:
            table.events[month] += n
            table.event_keys[month] += int(keys)
        else:
            table.censored[month] += n
            table.censored_keys[month] += int(keys)
    everyone = _LifeTable.empty()
    for table in tables.values():
        everyone.add(table)
    overall_cut = truncate_curve(everyone.true_curve(), threshold=threshold)
    overall = everyone.published([p.time for p in overall_cut], threshold)
    groups: dict[str, tuple[KMPoint, ...]] = {}
    if group_by is not None:
        hidden = {
            row.group
            for row in _outcomes_table(session, period, group_by, threshold).table.rows
            if row.cells["contacted"].suppressed
        }
        curves = {
            group: () if group in hidden else tables[group].true_curve()
            for group in _ordered(tables, group_by)
        }
        cut = suppress_curves(curves, threshold=threshold)
        groups = {
            group: tables[group].published([p.time for p in curve], threshold) if curve else ()
            for group, curve in cut.items()
        }
    left_out = _left_out(session, period, threshold)
    return RetentionCurves(period, event, group_by, overall, MappingProxyType(groups), left_out)


def _remigration(session: Session, period: Period, threshold: int) -> Remigration:
    """One pass over the (few) re-migration outcomes; the first one per placement counts."""
    fu, o, p = FollowUp.__table__, Outcome.__table__, Placement.__table__
    query = (
        select(
            fu.c.placement_id,
            o.c.contacted_on,
            o.c.id,
            o.c.remigration_channel,
            o.c.remigration_country,
            p.c.record_key,
        )
        .select_from(p.join(fu, fu.c.placement_id == p.c.id).join(o, decisive(o, fu)))
        .where(
            p.c.start_date.between(period.start, period.end),
            o.c.status == OutcomeStatus.REMIGRATED.value,
            _research_consented(p),
        )
    )
    first: dict[int, tuple[date, int, str, str, int]] = {}
    for placement_id, contacted_on, outcome_id, channel, country, key in session.execute(query):
        candidate = (contacted_on, outcome_id, channel or "", country or "", key)
        if placement_id not in first or candidate < first[placement_id]:
            first[placement_id] = candidate
    channels = Counter(item[2] for item in first.values())
    countries = Counter(item[3] for item in first.values())
    channel_keys: Counter[str] = Counter()
    country_keys: Counter[str] = Counter()
    for item in first.values():
        channel_keys[item[2]] += item[4]
        country_keys[item[3]] += item[4]

    def table(
        counter: Counter[str], key_sums: Counter[str], order: tuple[str, ...]
    ) -> SuppressedTable:
        # Alphabetical, never by size: a ranking would narrow down the hidden counts.
        keys = [k for k in order if k in counter] + sorted(k for k in counter if k not in order)
        return suppress_table(
            {key: {"remigrated": counter[key]} for key in keys},
            columns=REMIGRATION_COLUMNS,
            base_column="remigrated",
            threshold=threshold,
            keys={key: {"remigrated": key_sums[key]} for key in keys},
        )

    return Remigration(
        period,
        by_channel=table(
            channels, channel_keys, (*sorted(channel.value for channel in RemigrationChannel), "")
        ),
        by_country=table(countries, country_keys, ()),
    )


def _coverage(session: Session, period: Period, today: date, threshold: int) -> SuppressedTable:
    fu, p = FollowUp.__table__, Placement.__table__
    completed = fu.c.status == _COMPLETED
    done_within = _days_between(session, fu.c.completed_on, fu.c.due_date) <= LATE_AFTER_DAYS
    is_open = fu.c.status.in_([s.value for s in OPEN_FOLLOW_UP_STATUSES])
    past_grace = _days_between(session, _literal_date(today), fu.c.due_date) > LATE_AFTER_DAYS
    conditions = {
        "on_time": and_(completed, done_within),
        "late": and_(completed, ~func.coalesce(done_within, False)),
        "missed": fu.c.status == FollowUpStatus.MISSED.value,
        "overdue": and_(is_open, past_grace),
        "open": and_(is_open, ~past_grace),
    }
    query = (
        select(
            p.c.province,
            func.count(),
            *[func.sum(case((cond, 1), else_=0)) for cond in conditions.values()],
            func.sum(p.c.record_key),
            *[func.sum(case((cond, p.c.record_key), else_=0)) for cond in conditions.values()],
        )
        .select_from(fu.join(p, fu.c.placement_id == p.c.id))
        .where(
            p.c.start_date.between(period.start, period.end),
            _research_consented(p),
            fu.c.due_date <= today,
            fu.c.status != FollowUpStatus.CANCELLED.value,
        )
        .group_by(p.c.province)
        .order_by(p.c.province)
    )
    rows: dict[str, dict[str, int]] = {}
    key_sums: dict[str, dict[str, int]] = {}
    width = len(COVERAGE_COLUMNS)
    for row in session.execute(query):
        values = [int(v or 0) for v in row[1:]]
        rows[row[0]] = dict(zip(COVERAGE_COLUMNS, values[:width], strict=True))
        key_sums[row[0]] = dict(zip(COVERAGE_COLUMNS, values[width:], strict=True))
    return suppress_table(
        rows,
        columns=COVERAGE_COLUMNS,
        base_column="due",
        threshold=threshold,
        row_sums={"due": COVERAGE_COLUMNS[1:]},
        keys=key_sums,
    )


def _left_out(session: Session, period: Period, threshold: int) -> Cell:
    """How many placements of the period the statistics leave out for lack of consent to
    research use: a count like any other, so protected like any other."""
    p = Placement.__table__
    count, keys = session.execute(
        select(func.count(), func.coalesce(func.sum(p.c.record_key), 0)).where(
            p.c.start_date.between(period.start, period.end), ~_research_consented(p)
        )
    ).one()
    table = suppress_table(
        {"": {"left_out": int(count)}},
        columns=("left_out",),
        base_column="left_out",
        threshold=threshold,
        keys={"": {"left_out": int(keys)}},
    )
    return table.total.cells["left_out"]


def _placement_facts(session: Session, period: Period, group_by: GroupBy) -> Subquery:
    """One row per placement in the period: its group, flags and the dates curves need.

    The flags and dates are kept on the placement by the follow-up service (see
    reintegrate.services.facts, where "a follow-up's outcome" is defined), so this is one
    scan of the placements table, not a join over every follow-up and outcome.
    """
    p = Placement.__table__

    def flag(column: ColumnElement[bool]) -> ColumnElement[int]:
        return cast(column, Integer).label(column.name)

    columns = [
        p.c.id,
        p.c.record_key,
        _group_key(group_by).label("grp"),
        p.c.start_date,
        flag(p.c.contacted),
    ]
    for months in FOLLOW_UP_MONTHS:
        columns += [flag(p.c[f"contacted_{months}m"]), flag(p.c[f"retained_{months}m"])]
    columns += [
        flag(p.c.remigrated),
        flag(p.c.lost_to_follow_up),
        p.c.first_remigrated,
        p.c.first_out_of_work,
        p.c.last_at_home,
        p.c.last_in_work,
    ]
    return (
        select(*columns)
        .where(p.c.start_date.between(period.start, period.end), _research_consented(p))
        .subquery("placement_facts")
    )


def _research_consented(p: Any) -> ColumnElement[bool]:
    """Only placements of people who agreed to their data being used for research count
    (the consent is copied onto the placement, so no query joins every returnee)."""
    return p.c.consent_research.is_(True)


def _group_key(group_by: GroupBy) -> ColumnElement[str]:
    p = Placement.__table__
    if group_by is GroupBy.PROVINCE:
        return p.c.province
    if group_by is GroupBy.SEX:
        return p.c.sex
    if group_by is GroupBy.SECTOR:
        return func.coalesce(p.c.sector, LOCAL_JOBS)
    return case((p.c.kind == "job", literal_column("''")), else_=p.c.programme)


def _ordered(rows: Mapping[str, object], group_by: GroupBy) -> dict[str, object]:
    """Groups in a stable reading order: codes sorted, "local jobs"/"not recorded" first."""
    order = {"female": 0, "male": 1, "other": 2} if group_by is GroupBy.SEX else {}
    keys = sorted(rows, key=lambda key: (key != LOCAL_JOBS, order.get(key, 9), key))
    return {key: rows[key] for key in keys}


def _days_between(
    session: Session, later: ColumnElement[date], earlier: ColumnElement[date]
) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(later - earlier, Integer)


def _literal_date(value: date) -> ColumnElement[date]:
    """A date constant typed as a date (PostgreSQL needs `date - date`, not `unknown - date`)."""
    return literal(value, Date)
