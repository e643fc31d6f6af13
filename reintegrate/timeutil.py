"""Time in the users' zone: stored in UTC, shown and reasoned about in Asia/Phnom_Penh."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Phnom_Penh")


def local_today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_ZONE)
