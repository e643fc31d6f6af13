"""The programme managers' outcomes page, its charts and its CSV downloads."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from marshmallow import ValidationError

from reintegrate.auth import current_actor
from reintegrate.config import stats_min_cell, stats_queries_per_hour
from reintegrate.db import db
from reintegrate.errors import InvalidInput
from reintegrate.presenters import stats_labels
from reintegrate.schemas.stats import OutcomesArgs, period_of
from reintegrate.services import outcomes, safe_migration
from reintegrate.services.outcomes import Dashboard, ExportTable, GroupBy, Period, RetentionCurves
from reintegrate.stats.cellkey import MAX_NOISE
from reintegrate.stats.periods import DAYS_PER_MONTH
from reintegrate.stats.suppression import (
    Cell,
    SuppressedRow,
    SuppressedTable,
    marked_value,
    visible_value,
)
from reintegrate.stats.survival import survival_at
from reintegrate.stats.svg_charts import BarSeries, Series, bar_chart, step_chart
from reintegrate.web.forms import flatten_errors

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

MARKER = "*"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RATES = {
    "retained_3m": "contacted_3m",
    "retained_6m": "contacted_6m",
    "retained_12m": "contacted_12m",
}
YEAR_MONTHS = 12


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: tuple[str, ...]
    suppressed: tuple[bool, ...]
    shares: tuple[str | None, ...] = ()
    """Per cell, a percentage to show beside it on the page (never in the CSV)."""


@dataclass(frozen=True)
class TableView:
    """A suppressed table as the page and the CSV show it: labels and marked counts."""

    name: str
    group_heading: str
    headings: tuple[str, ...]
    rows: tuple[TableRow, ...]
    total: TableRow


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    note: str | None = None


def _args() -> tuple[Period, GroupBy, dict[str, list[str]], dict[str, str]]:
    """The period and grouping asked for; on bad input, the defaults and the field errors."""
    raw = {k: v for k, v in request.args.items() if v and k in ("from", "to", "group_by")}
    errors: dict[str, list[str]] = {}
    try:
        args = OutcomesArgs().load(raw)
        period = period_of(args)
    except ValidationError as exc:
        errors = flatten_errors(exc.messages_dict)
    except InvalidInput as exc:
        errors = dict(exc.errors)
    if errors:
        args = OutcomesArgs().load({})
        period = period_of(args)
    group_by = GroupBy(args["group_by"])
    chosen = {
        "from": period.start.strftime("%Y-%m"),
        "to": period.end.strftime("%Y-%m"),
        "group_by": group_by,
    }
    return period, group_by, errors, chosen


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    period, group_by, errors, chosen = _args()
    with db.transaction() as session:
        data = outcomes.dashboard(
            session,
            current_actor(),
            period,
            group_by,
            threshold=stats_min_cell(),
            queries_per_hour=stats_queries_per_hour(),
        )
        safer = safe_migration.dashboard_counts(
            session, current_actor(), threshold=stats_min_cell()
        )
    return render_template(
        "dashboard/index.html",
        data=data,
        chosen=chosen,
        errors=errors,
        group_by_options=[(g.value, str(stats_labels.GROUP_BY[g.value])) for g in GroupBy],
        headlines=_headlines(data),
        tables=_tables(data),
        charts=_charts(data),
        notes=_counts_notes(data),
        group_name=str(stats_labels.GROUP_BY[data.group_by.value]).lower(),
        marker=MARKER,
        safer=safer,
        max_noise=MAX_NOISE,
    ), 422 if errors else 200


@bp.get("/export/<name>.csv")
@login_required
def export(name: str) -> Response:
    try:
        table = ExportTable(name)
    except ValueError:
        abort(404)
    period, group_by, errors, _chosen = _args()
    if errors:
        abort(422)
    with db.transaction() as session:
        result = outcomes.export(
            session,
            current_actor(),
            table,
            period,
            group_by,
            threshold=stats_min_cell(),
            queries_per_hour=stats_queries_per_hour(),
        )
    view = _VIEWS[table](result, group_by)
    filename = f"{table.value}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    if table is ExportTable.OUTCOMES:
        filename = (
            f"outcomes-by-{group_by.value}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
        )
    return Response(
        to_csv(view),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def spreadsheet_safe(value: str) -> str:
    """Keep a cell from being read as a formula (CSV injection): prefix a single quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(view: TableView) -> str:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Khmer text correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(v) for v in (view.group_heading, *view.headings)])
    for row in (*view.rows, view.total):
        writer.writerow([spreadsheet_safe(v) for v in (row.label, *row.cells)])
    return out.getvalue()


def _view(
    name: str,
    table: SuppressedTable,
    group_heading: str,
    headings: Mapping[str, Any],
    label: Callable[[str], str],
) -> TableView:
    def row(r: SuppressedRow, text: str) -> TableRow:
        cells = [r.cells[c] for c in table.columns]
        return TableRow(
            text,
            tuple(marked_value(c, MARKER) for c in cells),
            tuple(c.suppressed for c in cells),
            tuple(
                _share(r.cells[c], r.cells[RATES[c]]) if c in RATES else None for c in table.columns
            ),
        )

    return TableView(
        name=name,
        group_heading=group_heading,
        headings=tuple(str(headings[c]) for c in table.columns),
        rows=tuple(row(r, label(r.group)) for r in table.rows),
        total=row(table.total, _("Total")),
    )


def _outcomes_view(table: SuppressedTable, group_by: GroupBy) -> TableView:
    return _view(
        "outcomes",
        table,
        str(stats_labels.GROUP_BY[group_by.value]),
        stats_labels.OUTCOME_COLUMNS,
        lambda key: stats_labels.group_label(group_by, key),
    )


def _channels_view(table: SuppressedTable, _group_by: GroupBy) -> TableView:
    return _view(
        "channels",
        table,
        _("Channel"),
        stats_labels.OUTCOME_COLUMNS,
        stats_labels.channel_label,
    )


def _countries_view(table: SuppressedTable, _group_by: GroupBy) -> TableView:
    return _view(
        "countries",
        table,
        _("Destination country"),
        stats_labels.OUTCOME_COLUMNS,
        stats_labels.country_label,
    )


def _coverage_view(table: SuppressedTable, _group_by: GroupBy) -> TableView:
    return _view(
        "coverage",
        table,
        str(stats_labels.GROUP_BY["province"]),
        stats_labels.COVERAGE_COLUMNS,
        lambda key: stats_labels.group_label(GroupBy.PROVINCE, key),
    )


_VIEWS: dict[ExportTable, Callable[[SuppressedTable, GroupBy], TableView]] = {
    ExportTable.OUTCOMES: _outcomes_view,
    ExportTable.CHANNELS: _channels_view,
    ExportTable.COUNTRIES: _countries_view,
    ExportTable.COVERAGE: _coverage_view,
}


PAGE_RATES = {
    "retained_3m": "contacted_3m",
    "retained_6m": "contacted_6m",
    "retained_12m": "contacted_12m",
    "remigrated": "placed",
}
"""On the page, these counts are shown as "part of whole", the whole named in the heading."""
PAGE_COLUMNS = (
    "placed",
    "contacted",
    "retained_3m",
    "retained_6m",
    "retained_12m",
    "remigrated",
    "lost_to_follow_up",
)


def _outcomes_page_view(table: SuppressedTable, group_by: GroupBy) -> TableView:
    """The outcomes table as the page shows it: seven columns, so the 12-month figures are
    in view on a laptop, each rate as "8 of 12" with its percentage (the CSV keeps every
    count in a column of its own)."""

    def row(r: SuppressedRow, text: str) -> TableRow:
        cells, hidden, shares = [], [], []
        for column in PAGE_COLUMNS:
            cell = r.cells[column]
            if column in PAGE_RATES:
                whole = r.cells[PAGE_RATES[column]]
                cells.append(_rate_text(cell, whole))
                hidden.append(cell.suppressed)
                shares.append(_share(cell, whole))
            else:
                cells.append(marked_value(cell, MARKER))
                hidden.append(cell.suppressed)
                shares.append(None)
        return TableRow(text, tuple(cells), tuple(hidden), tuple(shares))

    return TableView(
        name="outcomes",
        group_heading=str(stats_labels.GROUP_BY[group_by.value]),
        headings=tuple(str(stats_labels.PAGE_OUTCOME_COLUMNS[c]) for c in PAGE_COLUMNS),
        rows=tuple(row(r, stats_labels.group_label(group_by, r.group)) for r in table.rows),
        total=row(table.total, _("Total")),
    )


def _rate_text(part: Cell, whole: Cell) -> str:
    """ "8 of 12": a rate always shows the count it is a share of."""
    return _("%(part)s of %(whole)s", part=_count(part), whole=_count(whole))


def _tables(data: Dashboard) -> dict[str, TableView]:
    return {
        "outcomes": _outcomes_page_view(data.outcomes.table, data.group_by),
        "channels": _channels_view(data.remigration.by_channel, data.group_by),
        "countries": _countries_view(data.remigration.by_country, data.group_by),
        "coverage": _coverage_view(data.coverage, data.group_by),
    }


def _share(part: Cell, whole: Cell) -> str | None:
    """A percentage of the published (protected) counts, only when both are published and
    the base is not empty; capped at 100%, which noise on both counts could pass."""
    if part.suppressed or whole.suppressed or whole.shown == 0:
        return None
    return format_percent(min(part.shown / whole.shown, 1.0), "#,##0%")


def _count(cell: Cell) -> str:
    return MARKER if cell.suppressed else format_decimal(cell.shown)


def _headlines(data: Dashboard) -> list[Headline]:
    total = data.outcomes.table.total.cells
    hidden = _("hidden: too few people")
    in_work_6m = _share(total["retained_6m"], total["contacted_6m"])
    remigrated = _share(total["remigrated"], total["placed"])
    home_1y = survival_at(data.remigration_curves.overall, YEAR_MONTHS)
    work_1y = survival_at(data.work_curves.overall, YEAR_MONTHS)
    not_enough = _("not enough follow-up yet")
    followed = data.remigration_curves.overall[0].at_risk if data.remigration_curves.overall else 0
    km_note = _(
        "Kaplan–Meier estimate over the %(n)s placements contacted at least once",
        n=format_decimal(followed),
    )
    work_followed = data.work_curves.overall[0].at_risk if data.work_curves.overall else 0
    work_note = _(
        "Kaplan–Meier estimate over the %(n)s placements contacted at least once",
        n=format_decimal(work_followed),
    )
    return [
        Headline(_("Placed"), _count(total["placed"])),
        Headline(
            _("Contacted"),
            _count(total["contacted"]),
            _(
                "%(part)s of %(whole)s placed",
                part=_count(total["contacted"]),
                whole=_count(total["placed"]),
            ),
        ),
        Headline(
            _("In work at 6 months"),
            in_work_6m or MARKER,
            _(
                "%(part)s of %(whole)s contacted at 6 months",
                part=_count(total["retained_6m"]),
                whole=_count(total["contacted_6m"]),
            )
            if in_work_6m
            else hidden,
        ),
        Headline(
            _("Re-migrated"),
            _count(total["remigrated"]),
            _(
                "%(part)s of %(whole)s placements (%(share)s)",
                part=_count(total["remigrated"]),
                whole=_count(total["placed"]),
                share=remigrated,
            )
            if remigrated
            else None,
        ),
        Headline(
            _("Still at home after a year"),
            format_percent(home_1y, "#,##0%") if home_1y is not None else "–",
            km_note if home_1y is not None else not_enough,
        ),
        Headline(
            _("Still in work after a year"),
            format_percent(work_1y, "#,##0%") if work_1y is not None else "–",
            work_note if work_1y is not None else not_enough,
        ),
        Headline(
            _("Lost to follow-up"),
            _count(total["lost_to_follow_up"]),
            _("of %(whole)s placed", whole=_count(total["placed"])),
        ),
    ]


def _left_out(data: Dashboard) -> str:
    """How many placements of the period are left out for lack of consent, as a phrase."""
    cell = data.outcomes.left_out
    if cell.suppressed:
        return _("fewer than %(k)d", k=data.threshold)
    return format_decimal(cell.shown)


def _counts_notes(data: Dashboard) -> dict[str, str]:
    """Under every figure: how many placements it counts, and how many it leaves out."""
    placed = _count(data.outcomes.table.total.cells["placed"])
    left_out = _left_out(data)
    followed = data.remigration_curves.overall[0].at_risk if data.remigration_curves.overall else 0
    remigrated = data.remigration.by_channel.total.cells["remigrated"]
    due = data.coverage.total.cells["due"]
    consent = _(
        "%(n)s more placements of this period are left out: the person did not agree to "
        "their data being used for research.",
        n=left_out,
    )
    return {
        "outcomes": _("Counts %(n)s placements that started in this period.", n=placed)
        + " "
        + consent,
        "curves": _(
            "Counts the %(n)s of the %(placed)s placements contacted at least once.",
            n=format_decimal(followed),
            placed=placed,
        )
        + " "
        + consent,
        "remigration": _(
            "Counts the %(n)s re-migrated placements among the %(placed)s of this period.",
            n=_count(remigrated),
            placed=placed,
        )
        + " "
        + consent,
        "coverage": _(
            "Counts %(n)s follow-ups due so far for the %(placed)s placements of this period.",
            n=_count(due),
            placed=placed,
        )
        + " "
        + consent,
    }


CHART_WIDTH = 720
SMALL_WIDTH = 360


def _curve_title(curves: RetentionCurves) -> str:
    return _("Still at home") if curves.event.value == "remigration" else _("Still in work")


def _curve_chart(curves: RetentionCurves, *, chart_id: str, title: str) -> Markup:
    """The overall curve, full width (720 px): labels stay legible on a laptop and in print."""
    series = [Series.from_curve(_("All placements"), curves.overall)] if curves.overall else []
    svg = step_chart(
        series,
        title=title,
        x_label=_("Months since the placement started"),
        y_label=_curve_title(curves),
        no_data_text=_("Too few people followed up to draw this curve."),
        chart_id=chart_id,
        description=_("The shaded band is the 95 per cent confidence interval."),
        width=CHART_WIDTH,
        height=340,
    )
    return Markup(svg)  # noqa: S704  # svg_charts XML-escapes every text it draws  # nosec B704


def _small_multiples(curves: RetentionCurves, *, chart_id: str) -> list[Markup]:
    """One small chart per group, on the same axes, so bands never hide each other."""
    if curves.group_by is None:
        raise ValueError("small multiples need curves grouped by something")
    drawn = {key: curve for key, curve in curves.groups.items() if curve}
    if not drawn:
        return []
    longest = max(curve[-1].time for curve in drawn.values())
    span = max(3, math.ceil(longest / 3) * 3) * DAYS_PER_MONTH
    charts = []
    for index, (key, curve) in enumerate(drawn.items()):
        label = stats_labels.group_label(curves.group_by, key)
        svg = step_chart(
            [Series.from_curve(label, curve)],
            title=_("%(group)s: %(n)s followed", group=label, n=format_decimal(curve[0].at_risk)),
            x_label=_("Months since the placement started"),
            y_label=_curve_title(curves),
            no_data_text=_("Too few people followed up to draw this curve."),
            chart_id=f"{chart_id}-{index}",
            description=_("The shaded band is the 95 per cent confidence interval."),
            width=SMALL_WIDTH,
            height=260,
            x_max_days=span,
        )
        charts.append(Markup(svg))  # noqa: S704  # svg_charts escapes all text  # nosec B704
    return charts


def _group_bars(data: Dashboard) -> Markup:
    """In work at 6 months against those contacted at 6 months (not everyone placed), and
    each bar says "8 of 12"."""
    table = data.outcomes.table
    contacted = [row.cells["contacted_6m"] for row in table.rows]
    retained = [row.cells["retained_6m"] for row in table.rows]
    svg = bar_chart(
        [stats_labels.group_label(data.group_by, row.group) for row in table.rows],
        [
            BarSeries(
                str(stats_labels.OUTCOME_COLUMNS["contacted_6m"]),
                tuple(visible_value(cell) for cell in contacted),
            ),
            BarSeries(
                str(stats_labels.OUTCOME_COLUMNS["retained_6m"]),
                tuple(visible_value(cell) for cell in retained),
                tuple(
                    _rate_text(part, whole) + (f" ({share})" if share else "")
                    for part, whole in zip(retained, contacted, strict=True)
                    for share in [_share(part, whole)]
                ),
            ),
        ],
        title=_("In work at 6 months, of those contacted at 6 months"),
        x_label=_("Placements"),
        no_data_text=_("No placements in this period."),
        suppressed_label=MARKER,
        chart_id="outcomes-bars",
        width=CHART_WIDTH,
    )
    return Markup(svg)  # noqa: S704  # svg_charts XML-escapes every text it draws  # nosec B704


def _charts(data: Dashboard) -> dict[str, Any]:
    return {
        "bars": _group_bars(data),
        "home": _curve_chart(
            data.remigration_curves,
            chart_id="home-overall",
            title=_("Staying at home (not re-migrated)"),
        ),
        "home_groups": _small_multiples(data.remigration_curves, chart_id="home-groups"),
        "work": _curve_chart(data.work_curves, chart_id="work-overall", title=_("Staying in work")),
        "work_groups": _small_multiples(data.work_curves, chart_id="work-groups"),
    }
