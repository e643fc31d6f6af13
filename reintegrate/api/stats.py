"""/api/v1/stats: outcome tables and retention curves for programme managers, suppressed."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from reintegrate.api import ApiBlueprint
from reintegrate.auth import current_actor
from reintegrate.config import stats_min_cell, stats_queries_per_hour
from reintegrate.db import db
from reintegrate.presenters.stats_labels import group_label
from reintegrate.schemas.stats import OutcomesArgs, RetentionArgs, period_of
from reintegrate.services import outcomes
from reintegrate.services.outcomes import Event, GroupBy
from reintegrate.stats.cellkey import MAX_NOISE
from reintegrate.stats.suppression import SuppressedRow, visible_value

blp = ApiBlueprint(
    "stats_api",
    __name__,
    url_prefix="/api/v1/stats",
    description=(
        "Aggregate outcomes for programme managers. Counts are placements; any count under "
        "the minimum cell size (STATS_MIN_CELL, default 5) is null and listed in `suppressed`, "
        "with further cells hidden so it cannot be worked out from the totals. Every count "
        "shown (table cells, curves' at-risk and event counts) is perturbed by the cell-key "
        "method: it differs from the true count by at most `max_noise`, the same every time. "
        "Periods are whole calendar months."
    ),
)
_TOO_MANY = (
    "More statistics queries this hour than STATS_QUERIES_PER_HOUR (default 60) allows; "
    "Retry-After gives the seconds to wait."
)


class OutcomeRowOut(Schema):
    group = fields.String(
        allow_none=True,
        metadata={
            "description": "Province code, sex, sector or programme; null: local jobs "
            "(programme) or not recorded (sector); absent in the total row."
        },
    )
    label = fields.String()
    placed = fields.Integer(allow_none=True)
    contacted = fields.Integer(allow_none=True)
    contacted_3m = fields.Integer(allow_none=True)
    retained_3m = fields.Integer(allow_none=True)
    contacted_6m = fields.Integer(allow_none=True)
    retained_6m = fields.Integer(allow_none=True)
    contacted_12m = fields.Integer(allow_none=True)
    retained_12m = fields.Integer(allow_none=True)
    remigrated = fields.Integer(allow_none=True)
    lost_to_follow_up = fields.Integer(allow_none=True)
    suppressed = fields.List(fields.String(), metadata={"description": "Columns shown as null."})


class _ReleaseOut(Schema):
    """What every statistics answer says about its period and its protection."""

    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    min_cell = fields.Integer()
    max_noise = fields.Integer(
        metadata={"description": "Largest difference between a count shown and the true one."}
    )
    left_out_no_consent = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Placements of the period left out because the person did not "
            "agree to research use (protected like every count; null when under min_cell)."
        },
    )


class OutcomesOut(_ReleaseOut):
    group_by = fields.String()
    rows = fields.List(fields.Nested(OutcomeRowOut))
    total = fields.Nested(OutcomeRowOut)


class PointOut(Schema):
    time_months = fields.Integer(
        attribute="time", metadata={"description": "Whole months since the placement started."}
    )
    survival = fields.Float()
    at_risk = fields.Integer()
    events = fields.Integer()
    ci_lower = fields.Float()
    ci_upper = fields.Float()


class CurveOut(Schema):
    group = fields.String(allow_none=True)
    label = fields.String()
    suppressed = fields.Boolean(
        metadata={"description": "True when the group is too small to draw (points empty)."}
    )
    points = fields.List(fields.Nested(PointOut))


class RetentionOut(_ReleaseOut):
    event = fields.String()
    group_by = fields.String(allow_none=True)
    overall = fields.List(fields.Nested(PointOut))
    groups = fields.List(fields.Nested(CurveOut))


def _row(row: SuppressedRow, group_by: GroupBy, *, total: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {**row.visible(), "suppressed": list(row.suppressed_columns)}
    if total:
        body["label"] = "total"
    else:
        body["group"] = row.group or None
        body["label"] = group_label(group_by, row.group)
    return body


@blp.route("/outcomes")
class Outcomes(MethodView):
    @blp.arguments(OutcomesArgs, location="query")
    @blp.response(200, OutcomesOut)
    @blp.alt_response(429, description=_TOO_MANY)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Placed, contacted, in work at 3/6/12 months, re-migrated, lost; per group and total."""
        group_by = GroupBy(args["group_by"])
        with db.transaction() as session:
            result = outcomes.outcomes_table(
                session,
                current_actor(),
                period_of(args),
                group_by,
                threshold=stats_min_cell(),
                queries_per_hour=stats_queries_per_hour(),
            )
        return {
            "start": result.period.start,
            "end": result.period.end,
            "group_by": group_by.value,
            "min_cell": result.table.threshold,
            "max_noise": MAX_NOISE,
            "left_out_no_consent": visible_value(result.left_out),
            "rows": [_row(row, group_by) for row in result.table.rows],
            "total": _row(result.table.total, group_by, total=True),
        }


@blp.route("/retention")
class Retention(MethodView):
    @blp.arguments(RetentionArgs, location="query")
    @blp.response(200, RetentionOut)
    @blp.alt_response(429, description=_TOO_MANY)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Kaplan–Meier curves of staying (home, or in work), cut where fewer than the minimum
        cell size remain at risk; small groups have no points."""
        group_by = GroupBy(args["group_by"]) if args.get("group_by") else None
        threshold = stats_min_cell()
        with db.transaction() as session:
            result = outcomes.retention(
                session,
                current_actor(),
                period_of(args),
                Event(args["event"]),
                group_by,
                threshold=threshold,
                queries_per_hour=stats_queries_per_hour(),
            )
        groups = []
        if group_by is not None:
            groups = [
                {
                    "group": key or None,
                    "label": group_label(group_by, key),
                    "suppressed": not curve,
                    "points": list(curve),
                }
                for key, curve in result.groups.items()
            ]
        return {
            "start": result.period.start,
            "end": result.period.end,
            "event": result.event.value,
            "group_by": group_by.value if group_by else None,
            "min_cell": threshold,
            "max_noise": MAX_NOISE,
            "left_out_no_consent": visible_value(result.left_out),
            "overall": list(result.overall),
            "groups": groups,
        }
