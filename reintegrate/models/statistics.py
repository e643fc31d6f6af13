"""What a statistics query may ask for: groupings, events and periods of whole months.

These are values, not tables: the statistics service computes with them and the query
schemas offer them, so they sit below both and each list is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from reintegrate.errors import N_, InvalidInput
from reintegrate.stats.periods import is_month_end, is_month_start, month_end, month_start
from reintegrate.timeutil import add_months

DEFAULT_PERIOD_MONTHS = 24


class GroupBy(StrEnum):
    PROVINCE = "province"
    PROGRAMME = "programme"
    SECTOR = "sector"
    SEX = "sex"


class Event(StrEnum):
    REMIGRATION = "remigration"
    OUT_OF_WORK = "out_of_work"


@dataclass(frozen=True)
class Period:
    """Placements whose start date falls in [start, end], both days included.

    Always whole calendar months (see reintegrate.stats.periods): windows that differ by
    a day or a week would single out the people placed in between.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        if not is_month_start(self.start):
            errors["from"] = [N_("The period must start on the first day of a month.")]
        if not is_month_end(self.end):
            errors["to"] = [N_("The period must end on the last day of a month.")]
        if not errors and self.start > self.end:
            errors["from"] = [N_("The start of the period must not be after its end.")]
        if errors:
            raise InvalidInput(errors)

    @classmethod
    def last_months(cls, today: date, months: int = DEFAULT_PERIOD_MONTHS) -> Period:
        """The `months` calendar months up to and including today's."""
        return cls(month_start(add_months(today, 1 - months)), month_end(today))
