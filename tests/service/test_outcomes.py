"""Outcome statistics: the design's definitions on small hand-made data, suppression, access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reintegrate.errors import Forbidden, InvalidInput, TooManyQueries
from reintegrate.models import AuditEntry
from reintegrate.services import facts, outcomes
from reintegrate.services.access import Actor
from reintegrate.services.outcomes import Event, ExportTable, GroupBy, Period
from reintegrate.stats.periods import whole_months
from reintegrate.stats.survival import KMPoint, kaplan_meier
from tests.builders import make_user
from tests.outcome_builders import (
    START,
    TODAY,
    Contact,
    Owners,
    add_placement,
    in_work,
    make_owners,
)

PERIOD = Period(date(2024, 7, 1), date(2026, 6, 30))
MANAGER = Actor(user_id=None, email="manager@example.org", role="manager")


@pytest.fixture
def owners(db_session: Session) -> Owners:
    return make_owners(db_session)


def _in_months(days: list[tuple[int, bool]]) -> tuple[KMPoint, ...]:
    """The curve of durations given in days, counted (as published) in whole months."""
    return kaplan_meier([(whole_months(d), event) for d, event in days])


def _curve_points(curve):  # type: ignore[no-untyped-def]
    return [(p.time, p.survival, p.at_risk, p.events) for p in curve]


def test_durations_events_and_censoring_match_kaplan_meier(
    db_session: Session, owners: Owners
) -> None:
    # Re-migrated at day 95 (seen in work at 30 first).
    add_placement(
        db_session,
        owners,
        contacts=[Contact(1), Contact(3, outcome="remigrated", day=95, country="TH")],
    )
    # Out of work at 92, back in work at 183: censored for re-migration at 183.
    add_placement(
        db_session,
        owners,
        contacts=[
            Contact(1, day=31),
            Contact(3, outcome="unemployed", day=92),
            Contact(6, day=183),
        ],
    )
    # In work throughout: censored at the last contact (day 370) for both curves.
    add_placement(db_session, owners, contacts=in_work(1, 3, 6, 12))
    # Never contacted: no duration at all (not a 0-day censoring).
    add_placement(db_session, owners, contacts=[Contact(1, status="missed", outcome=None)])
    # A follow-up still open after a completed one: censored at the completed contact.
    add_placement(
        db_session, owners, contacts=[Contact(1, day=33), Contact(3, status="due", outcome=None)]
    )

    remigration = outcomes.retention(
        db_session, MANAGER, PERIOD, Event.REMIGRATION, GroupBy.SEX, threshold=1
    )
    expected = _in_months([(95, True), (183, False), (360, False), (33, False)])
    assert _curve_points(remigration.overall) == _curve_points(expected)
    assert remigration.overall == expected
    assert remigration.groups["female"] == expected

    out_of_work = outcomes.retention(
        db_session, MANAGER, PERIOD, Event.OUT_OF_WORK, None, threshold=1
    )
    assert out_of_work.overall == _in_months([(95, True), (92, True), (360, False), (33, False)])
    assert out_of_work.groups == {}


def test_retained_contacted_remigrated_and_lost(db_session: Session, owners: Owners) -> None:
    add_placement(db_session, owners, contacts=in_work(1, 3, 6, 12))
    add_placement(
        db_session,
        owners,
        contacts=[
            Contact(1),
            Contact(3, outcome="self_employed"),
            Contact(6, outcome="unemployed"),
            Contact(12, outcome="employed_other"),
        ],
    )
    add_placement(
        db_session,
        owners,
        contacts=[
            Contact(1),
            Contact(3, outcome="remigrated", channel="irregular", country="TH"),
            Contact(6, status="cancelled", outcome=None),
        ],
    )
    # Missed at 3 months (after two failed attempts), reached at 6: lost to follow-up.
    add_placement(
        db_session,
        owners,
        contacts=[
            Contact(1),
            Contact(3, status="missed", outcome=None, unreachable=2),
            Contact(6),
        ],
    )
    # Unreachable twice, then reached: completed, not lost; the attempts are not outcomes.
    add_placement(db_session, owners, contacts=[Contact(1, unreachable=2), Contact(3)])
    add_placement(db_session, owners)

    table = outcomes.outcomes_table(
        db_session, MANAGER, PERIOD, GroupBy.PROVINCE, threshold=1
    ).table
    assert table.total.visible() == {
        "placed": 6,
        "contacted": 5,
        "contacted_3m": 4,
        "retained_3m": 3,
        "contacted_6m": 3,
        "retained_6m": 2,
        "contacted_12m": 2,
        "retained_12m": 2,
        "remigrated": 1,
        "lost_to_follow_up": 1,
    }
    assert [row.group for row in table.rows] == ["02"]


def test_a_later_outcome_on_the_same_follow_up_corrects_an_earlier_one(
    db_session: Session, owners: Owners
) -> None:
    placement = add_placement(db_session, owners, contacts=[Contact(3, outcome="unemployed")])
    from reintegrate.models import Outcome

    follow_up = placement.follow_ups[0]
    db_session.add(
        Outcome(
            follow_up_id=follow_up.id,
            contacted_on=follow_up.completed_on,
            status="employed_other",
        )
    )
    db_session.flush()
    facts.backfill(db_session)
    table = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.SEX, threshold=1).table
    assert table.total.cells["retained_3m"].value == 1
    curve = outcomes.retention(db_session, MANAGER, PERIOD, Event.OUT_OF_WORK, threshold=1)
    assert [p.events for p in curve.overall] == [0, 0]


def test_remigration_by_channel_and_country_counts_each_placement_once(
    db_session: Session, owners: Owners
) -> None:
    for channel, country in [
        ("irregular", "TH"),
        ("irregular", "TH"),
        ("regular", "KR"),
        ("unknown", "TH"),
        (None, None),
    ]:
        add_placement(
            db_session,
            owners,
            contacts=[Contact(1, outcome="remigrated", channel=channel, country=country)],
        )
    # Re-migrated twice (came back, left again): counted once, by the first departure.
    add_placement(
        db_session,
        owners,
        contacts=[
            Contact(1, outcome="remigrated", channel="regular", country="MY"),
            Contact(3, outcome="remigrated", channel="irregular", country="TH"),
        ],
    )
    result = outcomes.remigration(db_session, MANAGER, PERIOD, threshold=1)
    channels = {row.group: row.cells["remigrated"].value for row in result.by_channel.rows}
    countries = {row.group: row.cells["remigrated"].value for row in result.by_country.rows}
    assert channels == {"irregular": 2, "regular": 2, "unknown": 1, "": 1}
    assert countries == {"": 1, "KR": 1, "MY": 1, "TH": 3}
    assert [row.group for row in result.by_country.rows] == ["", "KR", "MY", "TH"]
    assert result.by_channel.total.cells["remigrated"].value == 6


def test_follow_up_coverage_on_time_late_missed_overdue_open(
    db_session: Session, owners: Owners
) -> None:
    today = START + timedelta(days=400)
    add_placement(
        db_session,
        owners,
        contacts=[
            Contact(1, day=30 + 14, due_day=30),  # on time: exactly 14 days after due
            Contact(3, day=90 + 15, due_day=90),  # late
            Contact(6, status="missed", outcome=None, due_day=180),
            Contact(12, status="overdue", outcome=None, due_day=400 - 15),
        ],
    )
    add_placement(
        db_session,
        owners,
        province="17",
        contacts=[
            Contact(1, day=20, due_day=30),  # early is on time
            Contact(3, status="due", outcome=None, due_day=400 - 14),  # still in its grace
            Contact(6, status="cancelled", outcome=None, due_day=200),  # not counted
            Contact(12, status="scheduled", outcome=None, due_day=401),  # not yet due
        ],
    )
    table = outcomes.coverage(db_session, MANAGER, PERIOD, today=today, threshold=1)
    assert table.row("02").visible() == {
        "due": 4,
        "on_time": 1,
        "late": 1,
        "missed": 1,
        "overdue": 1,
        "open": 0,
    }
    assert table.row("17").visible() == {
        "due": 2,
        "on_time": 1,
        "late": 0,
        "missed": 0,
        "overdue": 0,
        "open": 1,
    }


def test_groups_by_programme_sector_and_sex(db_session: Session, owners: Owners) -> None:
    add_placement(db_session, owners, programme="Employer A", sector=None, sex="male")
    add_placement(db_session, owners, programme="Employer B")
    add_placement(
        db_session, owners, kind="incentive", programme="Border Livelihoods", sector="agriculture"
    )
    by_programme = outcomes.outcomes_table(
        db_session, MANAGER, PERIOD, GroupBy.PROGRAMME, threshold=1
    ).table
    assert [(r.group, r.cells["placed"].value) for r in by_programme.rows] == [
        ("", 2),
        ("Border Livelihoods", 1),
    ]
    by_sector = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.SECTOR, threshold=1)
    assert [r.group for r in by_sector.table.rows] == ["", "agriculture", "construction"]
    by_sex = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.SEX, threshold=1)
    assert [r.group for r in by_sex.table.rows] == ["female", "male"]


def test_only_placements_started_in_the_period_count(db_session: Session, owners: Owners) -> None:
    add_placement(db_session, owners, start=date(2024, 6, 30))
    add_placement(db_session, owners, start=date(2024, 7, 1))
    add_placement(db_session, owners, start=date(2026, 6, 30))
    add_placement(db_session, owners, start=date(2026, 7, 1))
    table = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.SEX, threshold=1)
    assert table.table.total.cells["placed"].value == 2


def test_a_group_of_three_is_hidden_with_a_second_group_so_totals_do_not_give_it_away(
    db_session: Session, owners: Owners
) -> None:
    for province, n in (("01", 3), ("02", 6), ("17", 8)):
        for _ in range(n):
            add_placement(db_session, owners, province=province, contacts=in_work(1, 3))
    table = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.PROVINCE).table
    assert all(cell.suppressed for cell in table.row("01").cells.values())
    assert table.cell("02", "placed").suppressed
    assert table.row("17").visible()["placed"] == 8
    assert table.total.visible()["placed"] == 17

    curves = outcomes.retention(db_session, MANAGER, PERIOD, Event.REMIGRATION, GroupBy.PROVINCE)
    assert curves.groups["01"] == ()
    assert curves.groups["02"] == ()
    assert curves.groups["17"]
    assert all(point.at_risk >= 5 for point in curves.overall)


def test_the_threshold_is_configurable(db_session: Session, owners: Owners) -> None:
    for _ in range(7):
        add_placement(db_session, owners, contacts=in_work(1))
    strict = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.SEX, threshold=10)
    assert strict.table.total.cells["placed"].suppressed
    default = outcomes.outcomes_table(db_session, MANAGER, PERIOD, GroupBy.SEX)
    assert default.table.total.visible()["placed"] == 7


@pytest.mark.parametrize("role", ["officer", "employer", "admin", "system"])
def test_only_managers_see_statistics(db_session: Session, role: str) -> None:
    actor = Actor(user_id=None, email=f"{role}@example.org", role=role, provinces=frozenset({"02"}))
    calls = [
        lambda: outcomes.outcomes_table(db_session, actor, PERIOD, GroupBy.PROVINCE),
        lambda: outcomes.retention(db_session, actor, PERIOD, Event.REMIGRATION),
        lambda: outcomes.remigration(db_session, actor, PERIOD),
        lambda: outcomes.coverage(db_session, actor, PERIOD),
        lambda: outcomes.dashboard(db_session, actor, PERIOD, GroupBy.SEX),
        lambda: outcomes.export(db_session, actor, ExportTable.OUTCOMES, PERIOD, GroupBy.SEX),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call()


def test_every_export_is_audited_without_personal_data(db_session: Session, owners: Owners) -> None:
    manager = make_user(db_session, "manager")
    actor = Actor.of(manager, "203.0.113.9")
    add_placement(db_session, owners, contacts=in_work(1))
    outcomes.export(db_session, actor, ExportTable.COUNTRIES, PERIOD, GroupBy.SEX)
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None
    assert (entry.user_id, entry.entity_type, entry.entity_id, entry.ip) == (
        manager.id,
        "statistics",
        None,
        "203.0.113.9",
    )
    assert entry.detail == {
        "table": "countries",
        "from": "2024-07-01",
        "to": "2026-06-30",
        "group_by": None,
    }


def test_every_statistics_query_is_audited_with_its_figures_and_period(
    db_session: Session, owners: Owners
) -> None:
    manager = make_user(db_session, "manager")
    actor = Actor.of(manager, "203.0.113.9")
    add_placement(db_session, owners, contacts=in_work(1))
    outcomes.outcomes_table(db_session, actor, PERIOD, GroupBy.PROVINCE)
    outcomes.retention(db_session, actor, PERIOD, Event.OUT_OF_WORK, GroupBy.SEX)
    outcomes.dashboard(db_session, actor, PERIOD, GroupBy.PROGRAMME)
    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.user_id == manager.id).order_by(AuditEntry.id)
    ).all()
    period = {"from": "2024-07-01", "to": "2026-06-30"}
    assert {(e.action, e.entity_type, e.ip) for e in entries} == {
        ("view", "statistics", "203.0.113.9")
    }
    assert [e.detail for e in entries] == [
        {"table": "outcomes", **period, "group_by": "province"},
        {"table": "retention", **period, "group_by": "sex", "event": "out_of_work"},
        {"table": "dashboard", **period, "group_by": "programme"},
    ]


def test_statistics_queries_are_limited_per_user_and_hour(
    db_session: Session, owners: Owners
) -> None:
    first, second = (Actor.of(make_user(db_session, "manager")) for _ in range(2))
    for _ in range(3):
        outcomes.outcomes_table(db_session, first, PERIOD, GroupBy.SEX, queries_per_hour=4)
    outcomes.export(
        db_session, first, ExportTable.OUTCOMES, PERIOD, GroupBy.SEX, queries_per_hour=4
    )
    with pytest.raises(TooManyQueries) as caught:
        outcomes.retention(db_session, first, PERIOD, Event.REMIGRATION, queries_per_hour=4)
    assert 0 < caught.value.retry_after_seconds <= 3600
    with pytest.raises(TooManyQueries):
        outcomes.dashboard(db_session, first, PERIOD, GroupBy.SEX, queries_per_hour=4)
    outcomes.outcomes_table(db_session, second, PERIOD, GroupBy.SEX, queries_per_hour=4)
    db_session.execute(
        update(AuditEntry)
        .where(AuditEntry.user_id == first.user_id)
        .values(at=datetime.now(UTC) - timedelta(minutes=61))
    )
    outcomes.outcomes_table(db_session, first, PERIOD, GroupBy.SEX, queries_per_hour=4)


def test_period_bounds() -> None:
    with pytest.raises(InvalidInput) as caught:
        Period(date(2026, 2, 1), date(2026, 1, 31))
    assert "from" in caught.value.errors
    assert Period.last_months(date(2026, 2, 14)) == Period(date(2024, 3, 1), date(2026, 2, 28))
    assert Period.last_months(date(2024, 2, 29), 12) == Period(date(2023, 3, 1), date(2024, 2, 29))


@pytest.mark.parametrize(
    ("start", "end", "fields"),
    [
        (date(2026, 1, 2), date(2026, 1, 31), {"from"}),
        (date(2026, 1, 1), date(2026, 1, 30), {"to"}),
        (date(2026, 1, 15), date(2026, 2, 14), {"from", "to"}),
    ],
)
def test_periods_are_whole_months(start: date, end: date, fields: set[str]) -> None:
    """Windows a day apart would single out the people placed on that day."""
    with pytest.raises(InvalidInput) as caught:
        Period(start, end)
    assert set(caught.value.errors) == fields


def test_demo_placements_are_consistent_and_repeatable(db_session: Session) -> None:
    import random

    from reintegrate.demo_outcomes import load_demo_placements
    from reintegrate.models import Listing, Placement, Returnee
    from tests.builders import make_listing, make_returnee

    officer = make_user(db_session, provinces=["02", "17"])
    returnees = [
        make_returnee(db_session, officer, home_province=p, phone=None) for p in ("02", "17")
    ]
    listings = [make_listing(db_session, officer)]

    def load(seed: int) -> list[tuple[object, ...]]:
        made = load_demo_placements(
            db_session,
            rng=random.Random(seed),
            returnees=returnees,
            listings=listings,
            today=TODAY,
            count=40,
        )
        return [
            (p.start_date, p.status, tuple((f.status, f.completed_on) for f in p.follow_ups))
            for p in made
        ]

    first = load(3)
    assert first == load(3)
    placements = db_session.scalars(select(Placement)).all()
    assert len(placements) == 80
    for placement in placements:
        db_session.refresh(placement)
        statuses = [f.status for f in placement.follow_ups]
        assert placement.start_date <= TODAY
        for follow_up in placement.follow_ups:
            if follow_up.due_date > TODAY:
                assert follow_up.status in {"scheduled", "cancelled"}
            if follow_up.status == "completed":
                assert follow_up.completed_on is not None
                assert follow_up.completed_on <= TODAY
                assert follow_up.outcomes
        if placement.status == "ended":
            assert placement.end_reason == "remigrated"
            gone = next(
                i
                for i, f in enumerate(placement.follow_ups)
                if any(o.status == "remigrated" for o in f.outcomes)
            )
            assert all(s == "cancelled" for s in statuses[gone + 1 :])
    assert {r.status for r in db_session.scalars(select(Returnee))} <= {"placed", "remigrated"}
    assert db_session.scalars(select(Listing)).all()
