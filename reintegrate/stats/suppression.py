"""Small-cell suppression for outcome tables and per-group retention curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from .cellkey import perturb
from .survival import KMPoint

__all__ = [
    "Cell",
    "Reason",
    "SuppressedRow",
    "SuppressedTable",
    "marked_value",
    "suppress_curves",
    "suppress_table",
    "truncate_curve",
    "visible_value",
]

DEFAULT_THRESHOLD = 5


class Reason(StrEnum):
    """Why a cell is hidden."""

    PRIMARY = "primary"
    """The cell counts 1 to threshold-1 people."""
    SMALL_BASE = "small_base"
    """The row's base (e.g. `placed`) is below the threshold, so the whole row is hidden."""
    SECONDARY = "secondary"
    """Hidden so that another hidden cell cannot be recovered by subtraction."""


@dataclass(frozen=True)
class Cell:
    """One count: `value` is the true count and never leaves the server; `shown` is the
    count as published (perturbed by the cell-key method when the table was given record
    keys). Render it with `visible_value` or `marked_value`, never `value`."""

    value: int
    suppressed: bool = False
    reason: Reason | None = None
    published: int | None = None

    @property
    def shown(self) -> int:
        """The published count (the true one only in tables built without record keys)."""
        return self.value if self.published is None else self.published


@dataclass(frozen=True)
class SuppressedRow:
    """One group's counts (or the total row), column by column."""

    group: str
    cells: Mapping[str, Cell]

    @property
    def suppressed_columns(self) -> tuple[str, ...]:
        return tuple(name for name, cell in self.cells.items() if cell.suppressed)

    @property
    def any_suppressed(self) -> bool:
        return any(cell.suppressed for cell in self.cells.values())

    def visible(self) -> dict[str, int | None]:
        """Column -> count, None where suppressed: what the API may emit."""
        return {name: visible_value(cell) for name, cell in self.cells.items()}


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts by group, plus its total row, after suppression."""

    columns: tuple[str, ...]
    base_column: str
    threshold: int
    rows: tuple[SuppressedRow, ...]
    total: SuppressedRow

    def row(self, group: str) -> SuppressedRow:
        for row in self.rows:
            if row.group == group:
                return row
        raise KeyError(group)

    def cell(self, group: str, column: str) -> Cell:
        return self.row(group).cells[column]


def visible_value(cell: Cell) -> int | None:
    """The count to publish, or None (JSON null) when the cell is suppressed."""
    return None if cell.suppressed else cell.shown


def marked_value(cell: Cell, marker: str = "*") -> str:
    """The count as text for CSV or HTML, or `marker` when the cell is suppressed."""
    return marker if cell.suppressed else str(cell.shown)


def suppress_table(
    rows: Mapping[str, Mapping[str, int]],
    *,
    columns: Sequence[str],
    base_column: str,
    threshold: int = DEFAULT_THRESHOLD,
    total: Mapping[str, int] | None = None,
    row_sums: Mapping[str, Sequence[str]] | None = None,
    keys: Mapping[str, Mapping[str, int]] | None = None,
    total_keys: Mapping[str, int] | None = None,
) -> SuppressedTable:
    """Hide small counts, and enough other counts that they cannot be worked back out.

    Rules, applied until nothing changes:

    1. Primary: a count of 1 to `threshold`-1 people is hidden, in group rows and in the
       total row. Zero is shown: it identifies nobody, the curious learn it anyway when
       a column's visible cells already add up to its total, and hiding every zero
       would blank most tables for small provinces.
    2. Small base: if a row's `base_column` (placed) is 1 to `threshold`-1, every cell
       of the row is hidden, zeros included, since its outcome columns are subsets of
       that small group.
    3. Secondary, by column: the total row is the sum of the group rows (unless `total`
       is given), so a column where exactly one of the group cells and total is hidden
       gives it away by subtraction. We then also hide the smallest non-zero visible
       group cell of that column (ties by row order), or, if there is none, its total.
       If the lone hidden cell is the total, we hide the smallest non-zero group cell.
    4. Secondary, by row: `row_sums` maps a column to the columns it is the sum of in
       every row (e.g. {"contacted": ["employed", "unemployed", "remigrated"]}); each
       such relation is treated like a column with its total, in every row.

    This protects against exact recovery by addition and subtraction inside one table.
    Against differencing two tables (other periods, other groupings, a curve), give
    `keys`: per group and column, the sum of the cell's records' keys (and `total_keys`
    for a `total` given apart; otherwise the groups' sums). Every cell shown is then
    perturbed by the cell-key method (reintegrate.stats.cellkey), never below
    `threshold`; suppression is decided on the true counts.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    cols = tuple(columns)
    if base_column not in cols:
        raise ValueError(f"base_column {base_column!r} must be one of the columns")
    if len(set(cols)) != len(cols):
        raise ValueError("columns must be distinct")
    relations = {name: tuple(parts) for name, parts in (row_sums or {}).items()}
    for name, parts in relations.items():
        if name not in cols or any(part not in cols for part in parts):
            raise ValueError(f"row sum {name!r} refers to an unknown column")

    groups = tuple(rows)
    values: dict[tuple[str | None, str], int] = {}
    for group in groups:
        for column in cols:
            values[group, column] = _count(rows[group], column, group)
    for column in cols:
        if total is None:
            values[None, column] = sum(values[group, column] for group in groups)
        else:
            values[None, column] = _count(total, column, "total")

    reasons: dict[tuple[str | None, str], Reason] = {}
    row_keys: tuple[str | None, ...] = (*groups, None)
    for row in row_keys:
        base = values[row, base_column]
        if 0 < base < threshold:
            for column in cols:
                reasons[row, column] = Reason.SMALL_BASE
    for key, value in values.items():
        if 0 < value < threshold and key not in reasons:
            reasons[key] = Reason.PRIMARY

    lines: list[tuple[tuple[str | None, str], tuple[tuple[str | None, str], ...]]] = [
        ((None, column), tuple((group, column) for group in groups)) for column in cols
    ]
    for row in row_keys:
        for name, parts in relations.items():
            lines.append(((row, name), tuple((row, part) for part in parts)))

    changed = True
    while changed:
        changed = False
        for line_total, parts in lines:
            hidden = [key for key in (*parts, line_total) if key in reasons]
            if len(hidden) != 1:
                continue
            candidates = [key for key in parts if key not in reasons and values[key] > 0]
            if candidates:
                pick = min(candidates, key=lambda key: values[key])
            elif hidden[0] != line_total:
                pick = line_total
            else:
                continue
            reasons[pick] = Reason.SECONDARY
            changed = True

    key_sums: dict[tuple[str | None, str], int] = {}
    if keys is not None:
        for column in cols:
            for group in groups:
                key_sums[group, column] = int(keys[group][column])
            key_sums[None, column] = (
                sum(key_sums[group, column] for group in groups)
                if total_keys is None
                else int(total_keys[column])
            )

    def published(key: tuple[str | None, str]) -> int | None:
        if keys is None or key in reasons:
            return None
        return perturb(values[key], key_sums[key], floor=threshold)

    def build(row: str | None, label: str) -> SuppressedRow:
        cells = {
            column: Cell(
                values[row, column],
                (row, column) in reasons,
                reasons.get((row, column)),
                published((row, column)),
            )
            for column in cols
        }
        return SuppressedRow(label, MappingProxyType(cells))

    return SuppressedTable(
        columns=cols,
        base_column=base_column,
        threshold=threshold,
        rows=tuple(build(group, group) for group in groups),
        total=build(None, "total"),
    )


def truncate_curve(
    curve: Sequence[KMPoint], *, threshold: int = DEFAULT_THRESHOLD
) -> tuple[KMPoint, ...]:
    """Cut a curve at its first point with fewer than `threshold` people at risk.

    Past that point each step would be the story of a handful of people. A group whose
    curve starts with fewer than `threshold` people gives an empty curve: not drawn.
    """
    kept: list[KMPoint] = []
    for point in curve:
        if point.at_risk < threshold:
            break
        kept.append(point)
    return tuple(kept)


def suppress_curves(
    curves: Mapping[str, Sequence[KMPoint]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    common_cutoff: bool = True,
) -> dict[str, tuple[KMPoint, ...]]:
    """Per-group curves fit to publish; a dropped group maps to an empty tuple.

    At-risk and event counts add up across groups to the overall curve, so hiding one
    group alone would not hide it: a group under `threshold` people is dropped, and if
    exactly one is, the next smallest group is dropped too (secondary). Likewise, with
    `common_cutoff` every remaining curve is cut at the earliest time any of them is cut
    (`truncate_curve`), so no group's tail can be recovered as the overall curve minus
    the others. Turn it off only when no overall curve or table is published with them.
    """
    sizes = {group: (curve[0].at_risk if curve else 0) for group, curve in curves.items()}
    dropped = {group for group, size in sizes.items() if size < threshold}
    small_nonempty = [g for g in dropped if sizes[g] > 0]
    kept = [group for group in curves if group not in dropped]
    if len(small_nonempty) == 1 and kept:
        dropped.add(min(kept, key=lambda group: (sizes[group], kept.index(group))))

    result: dict[str, tuple[KMPoint, ...]] = {}
    cutoff: float | None = None
    for group, curve in curves.items():
        if group in dropped:
            result[group] = ()
            continue
        result[group] = truncate_curve(curve, threshold=threshold)
        if len(result[group]) < len(curve):
            cut_at = curve[len(result[group])].time
            cutoff = cut_at if cutoff is None else min(cutoff, cut_at)
    if common_cutoff and cutoff is not None:
        result = {
            group: tuple(point for point in curve if point.time < cutoff)
            for group, curve in result.items()
        }
    return result


def _count(row: Mapping[str, int], column: str, group: str) -> int:
    """A count as int; accepts any whole number, e.g. the Decimal PostgreSQL's SUM returns."""
    try:
        value = row[column]
    except KeyError:
        raise ValueError(f"row {group!r} has no {column!r} count") from None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        number = -1
    if isinstance(value, bool) or number != value or number < 0:
        raise ValueError(
            f"row {group!r} column {column!r}: counts are whole numbers >= 0, got {value!r}"
        )
    return number
