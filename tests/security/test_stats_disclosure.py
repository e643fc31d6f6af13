"""The statistics attacks of issue 14, replayed: differencing windows, tables and curves.

Each test plays the attacker with the published figures only, over many draws of the
placements' secret record keys (as the database draws them), and checks the attacker
cannot get a hidden count back: the guess is wrong too often to be trusted, and nothing
in the output tells a right guess from a wrong one. On the code before the fix every one
of these guesses was exact.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from reintegrate.models import Placement
from reintegrate.services import outcomes, users
from reintegrate.services.access import Actor
from reintegrate.services.outcomes import Event, GroupBy, Period
from reintegrate.stats.cellkey import KEY_RANGE
from reintegrate.stats.suppression import visible_value
from tests.builders import make_user
from tests.outcome_builders import Owners, add_placement, in_work, make_owners

DRAWS = 30
UNLIMITED = 1_000_000
JAN_FEB = Period(date(2025, 1, 1), date(2025, 2, 28))
JAN_MAR = Period(date(2025, 1, 1), date(2025, 3, 31))
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


@pytest.fixture
def owners(db_session: Session) -> Owners:
    return make_owners(db_session)


@pytest.fixture
def manager(db_session: Session) -> Actor:
    return Actor.of(make_user(db_session, "manager"))


def _placed(session: Session, owners: Owners, province: str, start: date, n: int) -> list[int]:
    return [
        add_placement(
            session, owners, start=start, province=province, contacts=in_work(1, 3, 6, 12)
        ).id
        for _ in range(n)
    ]


def _draw_keys(session: Session, ids: Sequence[int], rng: random.Random) -> None:
    """New secret keys for every placement, as if the database had drawn others."""
    for placement_id in ids:
        session.execute(
            update(Placement)
            .where(Placement.id == placement_id)
            .values(record_key=rng.randrange(KEY_RANGE))
        )
    session.flush()


def _hit_rate(
    session: Session, ids: Sequence[int], guess: Callable[[], int | None], truth: int
) -> tuple[float, set[int | None]]:
    """How often the attacker's guess is exact, and which guesses came out, over DRAWS."""
    rng = random.Random(14)
    guesses = []
    for _ in range(DRAWS):
        _draw_keys(session, ids, rng)
        guesses.append(guess())
    return sum(g == truth for g in guesses) / DRAWS, set(guesses)


def _placed_in(session: Session, actor: Actor, period: Period, province: str) -> int | None:
    table = outcomes.outcomes_table(
        session, actor, period, GroupBy.PROVINCE, queries_per_hour=UNLIMITED
    ).table
    return visible_value(table.cell(province, "placed"))


def test_windows_a_day_apart_are_refused(client: FlaskClient, db_session: Session) -> None:
    user = make_user(db_session, "manager")
    token = users.create_token(db_session, Actor.system("test"), user.email)
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for query in (
        "from=2025-03-01&to=2025-03-14",
        "from=2025-03-02&to=2025-03-31",
        "from=2025-01-01&to=2025-03-15",
    ):
        for path in ("/api/v1/stats/outcomes", "/api/v1/stats/retention"):
            assert client.get(f"{path}?{query}", headers=headers).status_code == 422


def test_adjacent_months_do_not_give_back_a_hidden_month(
    db_session: Session, owners: Owners, manager: Actor
) -> None:
    """March alone in province 17 is 3 people (hidden); Jan–Mar minus Jan–Feb is a guess."""
    ids = _placed(db_session, owners, "17", date(2025, 1, 15), 20)
    ids += _placed(db_session, owners, "17", date(2025, 3, 10), 3)
    ids += _placed(db_session, owners, "02", date(2025, 2, 3), 12)
    assert _placed_in(db_session, manager, MARCH, "17") is None

    def guess() -> int | None:
        later = _placed_in(db_session, manager, JAN_MAR, "17")
        earlier = _placed_in(db_session, manager, JAN_FEB, "17")
        assert later is not None and earlier is not None
        return later - earlier

    rate, guesses = _hit_rate(db_session, ids, guess, truth=3)
    assert rate < 0.6
    assert len(guesses) >= 4


def test_prefix_and_suffix_windows_do_not_give_back_each_month(
    db_session: Session, owners: Owners, manager: Actor
) -> None:
    """Jan..m and m..Jun for every m: each month's count as a difference of two releases."""
    months = [date(2025, m, 5) for m in range(1, 7)]
    sizes = [6, 2, 7, 1, 5, 3]
    ids: list[int] = []
    for start, n in zip(months, sizes, strict=True):
        ids += _placed(db_session, owners, "17", start, n)
    ends = [date(2025, m, 28 if m == 2 else 30 if m in (4, 6) else 31) for m in range(1, 7)]

    def prefix(m: int) -> int:
        value = _placed_in(db_session, manager, Period(months[0].replace(day=1), ends[m]), "17")
        assert value is not None
        return value

    def guesses() -> list[int]:
        """Each month from the prefix windows, then cross-checked with the suffix ones."""
        found = [prefix(0)]
        for m in range(1, 6):
            found.append(prefix(m) - prefix(m - 1))
        return found

    rng = random.Random(3)
    exact = 0
    for _ in range(DRAWS // 3):
        _draw_keys(db_session, ids, rng)
        exact += guesses() == sizes
        suffix = [
            _placed_in(db_session, manager, Period(months[m].replace(day=1), ends[5]), "17")
            for m in range(6)
        ]
        assert suffix[0] == prefix(5)  # the same six months: the same people, the same noise
    assert exact <= 1


def test_a_table_minus_a_curve_gives_back_nothing_hidden(
    db_session: Session, owners: Owners, manager: Actor
) -> None:
    """A province hidden in the table has no curve; the curve's day-0 at-risk is not an
    exact count, and the overall curve minus the groups shown is only a guess."""
    ids = _placed(db_session, owners, "01", date(2025, 1, 10), 3)
    ids += _placed(db_session, owners, "02", date(2025, 1, 10), 9)
    ids += _placed(db_session, owners, "17", date(2025, 1, 10), 14)

    def release() -> tuple[outcomes.OutcomesTable, outcomes.RetentionCurves]:
        table = outcomes.outcomes_table(
            db_session, manager, JAN_MAR, GroupBy.PROVINCE, queries_per_hour=UNLIMITED
        )
        curves = outcomes.retention(
            db_session,
            manager,
            JAN_MAR,
            Event.REMIGRATION,
            GroupBy.PROVINCE,
            queries_per_hour=UNLIMITED,
        )
        return table, curves

    table, curves = release()
    assert table.table.cell("01", "contacted").suppressed
    assert curves.groups["01"] == ()

    def guess_hidden() -> int | None:
        table, curves = release()
        shown = [curve[0].at_risk for curve in curves.groups.values() if curve]
        table_total = visible_value(table.table.total.cells["contacted"])
        assert table_total == curves.overall[0].at_risk  # same people, same protected count
        return curves.overall[0].at_risk - sum(shown)

    rate, guesses = _hit_rate(db_session, ids, guess_hidden, truth=3)
    assert rate < 0.6
    assert len(guesses) >= 3


def test_group_totals_minus_the_groups_shown_give_back_nothing_hidden(
    db_session: Session, owners: Owners, manager: Actor
) -> None:
    ids = _placed(db_session, owners, "01", date(2025, 1, 10), 2)
    ids += _placed(db_session, owners, "02", date(2025, 1, 10), 8)
    ids += _placed(db_session, owners, "17", date(2025, 1, 10), 11)
    ids += _placed(db_session, owners, "12", date(2025, 1, 10), 15)

    def guess() -> int | None:
        table = outcomes.outcomes_table(
            db_session, manager, JAN_MAR, GroupBy.PROVINCE, queries_per_hour=UNLIMITED
        ).table
        assert table.cell("01", "placed").suppressed
        total = visible_value(table.total.cells["placed"])
        shown = [visible_value(row.cells["placed"]) for row in table.rows]
        assert total is not None
        return total - sum(v for v in shown if v is not None)

    rate, guesses = _hit_rate(db_session, ids, guess, truth=2 + 8)
    assert rate < 0.6
    assert len(guesses) >= 4


def test_asking_again_gives_the_same_figures_so_averaging_gains_nothing(
    db_session: Session, owners: Owners, manager: Actor
) -> None:
    ids = _placed(db_session, owners, "17", date(2025, 1, 10), 23)
    _draw_keys(db_session, ids, random.Random(5))
    answers = {_placed_in(db_session, manager, JAN_MAR, "17") for _ in range(10)}
    assert len(answers) == 1
