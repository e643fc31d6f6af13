"""Small-cell suppression: primary, small-base rows, secondary, and curve truncation."""

from __future__ import annotations

import random

import pytest

from reintegrate.stats.suppression import (
    Cell,
    Reason,
    SuppressedTable,
    marked_value,
    suppress_curves,
    suppress_table,
    truncate_curve,
    visible_value,
)
from reintegrate.stats.survival import kaplan_meier

COLUMNS = ("placed", "contacted", "retained_3m", "retained_6m", "retained_12m", "remigrated")


def _row(*values: int) -> dict[str, int]:
    return dict(zip(COLUMNS, values, strict=True))


def _table(rows: dict[str, dict[str, int]], **kwargs: object) -> SuppressedTable:
    return suppress_table(rows, columns=COLUMNS, base_column="placed", **kwargs)  # type: ignore[arg-type]


def _hidden(table: SuppressedTable) -> set[tuple[str, str]]:
    return {
        (row.group, column)
        for row in (*table.rows, table.total)
        for column, cell in row.cells.items()
        if cell.suppressed
    }


def test_nothing_small_nothing_hidden() -> None:
    table = _table({"01": _row(40, 38, 30, 25, 20, 6), "02": _row(50, 45, 40, 35, 30, 0)})
    assert _hidden(table) == set()
    assert table.total.visible() == _row(90, 83, 70, 60, 50, 6)


def test_small_cell_is_primary_and_its_column_gets_a_second_cell() -> None:
    table = _table(
        {
            "01": _row(40, 38, 30, 25, 20, 3),
            "02": _row(50, 45, 40, 35, 30, 9),
            "03": _row(60, 55, 50, 45, 40, 12),
        }
    )
    assert table.cell("01", "remigrated") == Cell(3, True, Reason.PRIMARY)
    assert table.cell("02", "remigrated") == Cell(9, True, Reason.SECONDARY)
    assert not table.cell("03", "remigrated").suppressed
    assert not table.total.cells["remigrated"].suppressed
    assert _hidden(table) == {("01", "remigrated"), ("02", "remigrated")}


def test_hidden_value_cannot_be_recovered_from_the_total() -> None:
    rows = {
        "01": _row(40, 38, 30, 25, 20, 3),
        "02": _row(50, 45, 40, 35, 30, 9),
        "03": _row(60, 55, 50, 45, 40, 12),
    }
    table = _table(rows)
    total = visible_value(table.total.cells["remigrated"])
    assert total is not None
    visible = [visible_value(row.cells["remigrated"]) for row in table.rows]
    known = sum(v for v in visible if v is not None)
    unknown = [row.group for row, v in zip(table.rows, visible, strict=True) if v is None]
    # What an attacker learns is only the sum of two hidden cells: 3 could be 1..4.
    assert len(unknown) == 2
    assert total - known == 12
    splits = {(a, 12 - a) for a in range(1, 5)}
    assert len(splits) > 1


def test_lone_small_cell_with_only_zero_neighbours_hides_the_total() -> None:
    rows = {"M": _row(40, 38, 30, 25, 20, 2), "F": _row(50, 45, 40, 35, 30, 0)}
    # the total also counts people whose sex was not recorded
    table = _table(rows, total=_row(97, 90, 76, 65, 54, 9))
    assert table.cell("M", "remigrated").reason is Reason.PRIMARY
    assert not table.cell("F", "remigrated").suppressed
    assert table.total.cells["remigrated"] == Cell(9, True, Reason.SECONDARY)


def test_when_the_sum_itself_is_small_the_total_is_primary() -> None:
    table = _table({"01": _row(40, 38, 30, 25, 20, 2), "02": _row(50, 45, 40, 35, 30, 0)})
    assert table.total.cells["remigrated"] == Cell(2, True, Reason.PRIMARY)
    assert not table.cell("02", "remigrated").suppressed


def test_small_base_hides_the_whole_row_including_zeros() -> None:
    table = _table(
        {
            "01": _row(3, 3, 2, 0, 0, 0),
            "02": _row(50, 45, 40, 35, 30, 9),
            "03": _row(60, 55, 50, 45, 40, 12),
        }
    )
    row = table.row("01")
    assert all(cell.reason is Reason.SMALL_BASE for cell in row.cells.values())
    assert row.suppressed_columns == COLUMNS
    for column in COLUMNS:
        hidden_in_column = [r.group for r in table.rows if r.cells[column].suppressed]
        assert len(hidden_in_column) >= 2 or table.total.cells[column].suppressed
    # the zero retained_12m of "01" must not be readable as total minus the others
    assert table.cell("02", "retained_12m").reason is Reason.SECONDARY


def test_zero_is_shown() -> None:
    table = _table({"01": _row(40, 38, 30, 25, 20, 0), "02": _row(50, 45, 40, 35, 30, 0)})
    assert table.cell("01", "remigrated") == Cell(0)
    assert visible_value(table.cell("01", "remigrated")) == 0


def test_a_group_with_nobody_placed_is_not_suppressed() -> None:
    table = _table({"01": _row(0, 0, 0, 0, 0, 0), "02": _row(50, 45, 40, 35, 30, 9)})
    assert _hidden(table) == set()


def test_threshold_is_configurable() -> None:
    rows = {"01": _row(40, 38, 30, 25, 20, 7), "02": _row(50, 45, 40, 35, 30, 9)}
    assert _hidden(_table(rows)) == set()
    strict = _table(rows, threshold=10)
    assert {("01", "remigrated"), ("02", "remigrated")} <= _hidden(strict)
    assert strict.threshold == 10
    assert _hidden(_table({"01": _row(1, 1, 1, 1, 1, 1)}, threshold=1)) == set()


def test_small_total_is_hidden() -> None:
    table = _table({"01": _row(3, 2, 2, 1, 1, 0), "02": _row(0, 0, 0, 0, 0, 0)})
    assert all(cell.suppressed for cell in table.total.cells.values())


def test_given_total_row_is_used_and_protected() -> None:
    rows = {"M": _row(40, 38, 30, 25, 20, 2), "F": _row(50, 45, 40, 35, 30, 9)}
    # people of unrecorded sex are in the total but in no row
    total = _row(95, 88, 75, 64, 53, 13)
    table = _table(rows, total=total)
    assert table.total.cells["placed"] == Cell(95)
    assert table.cell("F", "remigrated").reason is Reason.SECONDARY


def test_row_sums_protect_a_cell_inside_its_row() -> None:
    columns = ("placed", "employed", "unemployed", "remigrated")
    rows = {
        "01": {"placed": 40, "employed": 30, "unemployed": 7, "remigrated": 3},
        "02": {"placed": 50, "employed": 30, "unemployed": 10, "remigrated": 10},
        "03": {"placed": 60, "employed": 40, "unemployed": 10, "remigrated": 10},
    }
    table = suppress_table(
        rows,
        columns=columns,
        base_column="placed",
        row_sums={"placed": ("employed", "unemployed", "remigrated")},
    )
    hidden_01 = set(table.row("01").suppressed_columns)
    assert "remigrated" in hidden_01
    assert len(hidden_01) >= 2


def test_marked_value_for_csv() -> None:
    assert marked_value(Cell(3, True, Reason.PRIMARY)) == "*"
    assert marked_value(Cell(3, True, Reason.PRIMARY), marker="<5") == "<5"
    assert marked_value(Cell(12)) == "12"
    assert visible_value(Cell(3, True, Reason.SECONDARY)) is None


def test_counts_from_postgres_sum_are_accepted() -> None:
    from decimal import Decimal

    table = _table({"01": {c: Decimal(10) for c in COLUMNS}})
    assert table.cell("01", "placed").value == 10


@pytest.mark.parametrize("bad", [-1, 2.5, "3", None, True])
def test_rejects_non_counts(bad: object) -> None:
    with pytest.raises(ValueError):
        _table({"01": {**_row(10, 10, 10, 10, 10, 10), "remigrated": bad}})  # type: ignore[dict-item]


def test_rejects_unknown_base_column() -> None:
    with pytest.raises(ValueError):
        suppress_table({}, columns=("a",), base_column="b")


def _random_rows(rng: random.Random) -> dict[str, dict[str, int]]:
    rows = {}
    for index in range(rng.randint(1, 12)):
        placed = rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 45))
        contacted = rng.randint(0, placed)
        values = [placed, contacted] + [rng.randint(0, contacted) for _ in range(3)]
        values.append(rng.randint(0, placed - contacted) if placed > contacted else 0)
        rows[f"{index:02d}"] = _row(*values)
    return rows


@pytest.mark.parametrize("seed", range(40))
def test_properties_on_random_tables(seed: int) -> None:
    rng = random.Random(seed)
    rows = _random_rows(rng)
    threshold = rng.choice((3, 5, 10))
    table = _table(rows, threshold=threshold)
    for row in (*table.rows, table.total):
        for cell in row.cells.values():
            if not cell.suppressed:
                assert cell.value == 0 or cell.value >= threshold
        base = row.cells["placed"].value
        if 0 < base < threshold:
            assert all(cell.suppressed for cell in row.cells.values())
    for column in COLUMNS:
        hidden = [row for row in table.rows if row.cells[column].suppressed]
        total_hidden = table.total.cells[column].suppressed
        assert len(hidden) != 1 or total_hidden
        if total_hidden and not hidden:
            assert all(row.cells[column].value == 0 for row in table.rows)


@pytest.mark.parametrize("seed", range(40))
def test_row_and_column_sums_on_random_tables(seed: int) -> None:
    """With placed = employed + unemployed + remigrated published, no row or column of the
    table has a single hidden cell that the rest of its row or column gives away."""
    rng = random.Random(1000 + seed)
    parts = ("employed", "unemployed", "remigrated")
    columns = ("placed", *parts)
    rows = {}
    for index in range(rng.randint(2, 10)):
        counts = [rng.choice((0, 1, 2, 4, 6, 9, 15, 30)) for _ in parts]
        rows[f"g{index}"] = {"placed": sum(counts), **dict(zip(parts, counts, strict=True))}
    table = suppress_table(rows, columns=columns, base_column="placed", row_sums={"placed": parts})
    for row in (*table.rows, table.total):
        hidden = row.suppressed_columns
        if len(hidden) == 1:
            assert hidden == ("placed",)
            assert all(row.cells[p].value == 0 for p in parts)
        for cell in row.cells.values():
            assert cell.suppressed or cell.value == 0 or cell.value >= 5
    for column in columns:
        hidden_groups = [row for row in table.rows if row.cells[column].suppressed]
        assert len(hidden_groups) != 1 or table.total.cells[column].suppressed


def _curve(n: int, seed: int = 0) -> tuple:
    rng = random.Random(seed)
    return kaplan_meier([(rng.randint(1, 365), rng.random() < 0.4) for _ in range(n)])


def test_truncate_curve_stops_before_fewer_than_k_at_risk() -> None:
    curve = _curve(30)
    cut = truncate_curve(curve)
    assert cut == curve[: len(cut)]
    assert all(point.at_risk >= 5 for point in cut)
    assert curve[len(cut)].at_risk < 5
    assert truncate_curve(_curve(4)) == ()
    assert truncate_curve((), threshold=5) == ()


def test_small_group_is_not_drawn_and_takes_another_with_it() -> None:
    curves = {"01": _curve(3, 1), "02": _curve(40, 2), "03": _curve(60, 3), "04": _curve(9, 4)}
    shown = suppress_curves(curves)
    assert shown["01"] == ()
    assert shown["04"] == ()
    assert shown["02"] and shown["03"]


def test_two_small_groups_protect_each_other() -> None:
    curves = {"01": _curve(3, 1), "02": _curve(2, 2), "03": _curve(60, 3)}
    shown = suppress_curves(curves)
    assert shown["01"] == shown["02"] == ()
    assert shown["03"]


def test_common_cutoff_cuts_every_group_at_the_first_cut() -> None:
    curves = {"01": _curve(12, 1), "02": _curve(80, 2)}
    own = {group: truncate_curve(curve) for group, curve in curves.items()}
    cutoff = curves["01"][len(own["01"])].time
    shown = suppress_curves(curves)
    assert shown["01"] == own["01"]
    assert all(point.time < cutoff for point in shown["02"])
    assert len(shown["02"]) < len(own["02"])
    loose = suppress_curves(curves, common_cutoff=False)
    assert loose["02"] == own["02"]
