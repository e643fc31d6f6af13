"""Statistics periods are whole calendar months, quarters or years, and durations whole months.

A window of any two days lets two queries one day apart isolate the people placed on that
day; whole months make every window a union of the same coarse blocks.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date

__all__ = [
    "DAYS_PER_MONTH",
    "is_month_end",
    "is_month_start",
    "month_end",
    "month_start",
    "parse_end",
    "parse_start",
    "whole_months",
]

DAYS_PER_MONTH = 365.25 / 12
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_YEAR = re.compile(r"\d{4}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_start(day: date) -> bool:
    return day.day == 1


def is_month_end(day: date) -> bool:
    return day == month_end(day)


def _span(text: str) -> tuple[date, date]:
    """First and last day of the month, quarter or year `text` names (or of a day's month).

    Raises ValueError when `text` is none of YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY.
    """
    text = text.strip()
    if _DAY.fullmatch(text):
        day = date.fromisoformat(text)
        return day, day
    if match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        return first, month_end(date(year, 3 * quarter, 1))
    if match := _MONTH.fullmatch(text):
        first = date(int(match[1]), int(match[2]), 1)
        return first, month_end(first)
    if _YEAR.fullmatch(text):
        return date(int(text), 1, 1), date(int(text), 12, 31)
    raise ValueError(text)


def parse_start(text: str) -> date:
    """The first day of the period `text` starts with; a full date must be a month's first day."""
    first, last = _span(text)
    if first == last and not is_month_start(first):
        raise ValueError(text)
    return first


def parse_end(text: str) -> date:
    """The last day of the period `text` ends with; a full date must be a month's last day."""
    first, last = _span(text)
    if first == last and not is_month_end(last):
        raise ValueError(text)
    return last


def whole_months(days: float) -> int:
    """Completed months in a duration of `days` (an average month: 365.25 / 12 days)."""
    return max(0, math.floor(days / DAYS_PER_MONTH + 1e-9))
