"""Query arguments of the statistics: periods of whole months and groupings, for the
manager's dashboard and /api/v1/stats alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from reintegrate.models.statistics import Event, GroupBy, Period
from reintegrate.stats.periods import month_end, parse_end, parse_start
from reintegrate.timeutil import local_today

_UNKNOWN = _l("Unknown value.")
_BAD_PERIOD = _l("The start of the period must not be after its end.")
_BAD_START = _l(
    "Give a month (2025-01), a quarter (2025-Q1), a year (2025) or the first day of a month."
)
_BAD_END = _l(
    "Give a month (2025-12), a quarter (2025-Q4), a year (2025) or the last day of a month."
)


class PeriodBound(fields.Field):
    """`from` or `to` of a period of whole calendar months (reintegrate.stats.periods)."""

    def __init__(self, *, end: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.end = end

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        try:
            return (parse_end if self.end else parse_start)(str(value))
        except ValueError:
            raise ValidationError(str(_BAD_END if self.end else _BAD_START)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value.isoformat() if value is not None else None


class PeriodArgs(Schema):
    start = PeriodBound(
        end=False,
        data_key="from",
        metadata={
            "description": "First month of placement start dates: YYYY-MM, YYYY-Qn, YYYY or "
            "the first day of a month (default: 23 months before the current month).",
            "type": "string",
        },
    )
    end = PeriodBound(
        end=True,
        data_key="to",
        metadata={
            "description": "Last month of placement start dates: YYYY-MM, YYYY-Qn, YYYY or "
            "the last day of a month (default: the current month).",
            "type": "string",
        },
    )

    @validates_schema
    def _check_period(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(str(_BAD_PERIOD), "from")


class OutcomesArgs(PeriodArgs):
    group_by = fields.String(
        load_default=GroupBy.PROVINCE.value,
        validate=validate.OneOf([g.value for g in GroupBy], error=_UNKNOWN),
    )


class RetentionArgs(PeriodArgs):
    event = fields.String(
        load_default=Event.REMIGRATION.value,
        validate=validate.OneOf([e.value for e in Event], error=_UNKNOWN),
    )
    group_by = fields.String(
        validate=validate.OneOf([g.value for g in GroupBy], error=_UNKNOWN),
        metadata={"description": "Also give one curve per group (none: the overall curve only)."},
    )


def period_of(args: dict[str, Any], today: date | None = None) -> Period:
    """The requested period; a missing end is this month, a missing start 24 months before."""
    end = args.get("end") or month_end(today or local_today())
    start = args.get("start") or Period.last_months(end).start
    return Period(start, end)
