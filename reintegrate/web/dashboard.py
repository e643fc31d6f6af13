"""The programme managers' outcomes page, its charts and its CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from marshmallow import ValidationError

from reintegrate.api.stats import OutcomesArgs, min_cell, period_of, queries_per_hour
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.errors import InvalidInput
from reintegrate.services import outcomes
from reintegrate.services.outcomes import Dashboard, ExportTable, GroupBy, Period, RetentionCurves
from reintegrate.stats.cellkey import MAX_NOISE
from reintegrate.stats.suppression import (
    Cell,
    SuppressedRow,
    SuppressedTable,
    marked_value,
    visible_value,
)
from reintegrate.stats.survival import survival_at
from reintegrate.stats.svg_charts import BarSeries, Series, bar_chart, step_chart
from reintegrate.web import stats_labels
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
            threshold=min_cell(),
            queries_per_hour=queries_per_hour(),
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
        marker=MARKER,
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
            threshold=min_cell(),
            queries_per_hour=queries_per_hour(),
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


def _tables(data: Dashboard) -> dict[str, TableView]:
    return {
        "outcomes": _outcomes_view(data.outcomes.table, data.group_by),
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
    return [
        Headline(_("Placed"), _count(total["placed"])),
        Headline(_("Contacted"), _count(total["contacted"])),
        Headline(
            _("In work at 6 months"),
            in_work_6m or MARKER,
            _("of those contacted at 6 months") if in_work_6m else hidden,
        ),
        Headline(
            _("Re-migrated"),
            _count(total["remigrated"]),
            _("%(share)s of placements", share=remigrated) if remigrated else None,
        ),
        Headline(
            _("Still at home after a year"),
            format_percent(home_1y, "#,##0%") if home_1y is not None else "–",
            _("Kaplan–Meier estimate") if home_1y is not None else not_enough,
        ),
        Headline(
            _("Still in work after a year"),
            format_percent(work_1y, "#,##0%") if work_1y is not None else "–",
            _("Kaplan–Meier estimate") if work_1y is not None else not_enough,
        ),
        Headline(_("Lost to follow-up"), _count(total["lost_to_follow_up"])),
    ]


def _curve_chart(curves: RetentionCurves, *, grouped: bool, chart_id: str, title: str) -> Markup:
    if grouped:
        if curves.group_by is None:
            raise ValueError("a grouped chart needs curves grouped by something")
        series = [
            Series.from_curve(stats_labels.group_label(curves.group_by, key), curve)
            for key, curve in curves.groups.items()
            if curve
        ]
    else:
        series = [Series.from_curve(_("All placements"), curves.overall)] if curves.overall else []
    y_label = _("Still at home") if curves.event.value == "remigration" else _("Still in work")
    svg = step_chart(
        series,
        title=title,
        x_label=_("Months since the placement started"),
        y_label=y_label,
        no_data_text=_("Too few people followed up to draw this curve."),
        chart_id=chart_id,
        description=_("Shaded bands are the 95 per cent confidence intervals."),
    )
    return Markup(svg)  # noqa: S704  # svg_charts XML-escapes every text it draws  # nosec B704


def _group_bars(data: Dashboard) -> Markup:
    table = data.outcomes.table
    columns = ("placed", "retained_6m")
    svg = bar_chart(
        [stats_labels.group_label(data.group_by, row.group) for row in table.rows],
        [
            BarSeries(
                str(stats_labels.OUTCOME_COLUMNS[c]),
                tuple(visible_value(r.cells[c]) for r in table.rows),
            )
            for c in columns
        ],
        title=_("Placed and in work at 6 months"),
        x_label=_("Placements"),
        no_data_text=_("No placements in this period."),
        suppressed_label=MARKER,
        chart_id="outcomes-bars",
    )
    return Markup(svg)  # noqa: S704  # svg_charts XML-escapes every text it draws  # nosec B704


def _charts(data: Dashboard) -> dict[str, Markup]:
    group = str(stats_labels.GROUP_BY[data.group_by.value]).lower()
    return {
        "bars": _group_bars(data),
        "home": _curve_chart(
            data.remigration_curves,
            grouped=False,
            chart_id="home-overall",
            title=_("Staying at home (not re-migrated)"),
        ),
        "home_groups": _curve_chart(
            data.remigration_curves,
            grouped=True,
            chart_id="home-groups",
            title=_("Staying at home, by %(group)s", group=group),
        ),
        "work": _curve_chart(
            data.work_curves, grouped=False, chart_id="work-overall", title=_("Staying in work")
        ),
        "work_groups": _curve_chart(
            data.work_curves,
            grouped=True,
            chart_id="work-groups",
            title=_("Staying in work, by %(group)s", group=group),
        ),
    }
