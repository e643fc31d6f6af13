"""Time in the users' zone: stored in UTC, shown and reasoned about in Asia/Phnom_Penh."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Phnom_Penh")


def local_today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_ZONE)


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
