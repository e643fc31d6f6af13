"""Dates as written in feeds (ISO, day-first, month names, Excel serials) to ``date``."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta

from jobs_import.records import N_

_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "មករា": 1,
    "កុម្ភៈ": 2,
    "កុម្ភះ": 2,
    "មីនា": 3,
    "មេសា": 4,
    "ឧសភា": 5,
    "មិថុនា": 6,
    "កក្កដា": 7,
    "សីហា": 8,
    "កញ្ញា": 9,
    "តុលា": 10,
    "វិច្ឆិកា": 11,
    "ធ្នូ": 12,
}
_NUMERIC = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")
_WORD = re.compile(r"[^\s\d,./\-]+")
_EXCEL_EPOCH = date(1899, 12, 30)


@functools.lru_cache(maxsize=1024)
def parse_date(text: str | None) -> date | None:
    """Parse a date; None for blank text. Raises ValueError naming the text otherwise.

    Numeric dates are read day first (Cambodian usage: 05/06/2026 is 5 June) unless only the
    month-first reading is possible (12/31/2026). A datetime keeps the date as written in its
    own time zone. A bare number of 5 digits is an Excel serial day, as spreadsheets export.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    value = raw.translate(_KHMER_DIGITS)
    try:
        return _parse(value)
    except ValueError:
        raise ValueError(
            N_('"{shown}" is not a date (write it as 2026-12-31 or 31/12/2026)', shown=raw)
        ) from None


def _parse(value: str) -> date:
    try:
        return datetime.fromisoformat(value if "T" in value else value.replace(" ", "T", 1)).date()
    except ValueError:
        pass
    if re.fullmatch(r"\d{5}(\.0+)?", value):
        serial = int(value.split(".")[0])
        if 20000 <= serial <= 80000:
            return _EXCEL_EPOCH + timedelta(days=serial)
    numeric = _NUMERIC.fullmatch(value.split("T")[0].split(" ")[0])
    if numeric:
        return _numeric(*numeric.groups())
    return _with_month_name(value)


def _numeric(first: str, second: str, third: str) -> date:
    if len(first) == 4:
        return date(int(first), int(second), int(third))
    if len(third) not in (2, 4):
        raise ValueError(third)
    year = int(third) + (2000 if len(third) == 2 else 0)
    a, b = int(first), int(second)
    if b > 12 and a <= 12:
        return date(year, a, b)
    return date(year, b, a)


def _with_month_name(value: str) -> date:
    months = [m for w in _WORD.findall(value.casefold()) if (m := _month(w))]
    numbers = [int(n) for n in re.findall(r"\d+", value)]
    if len(months) != 1 or len(numbers) != 2:
        raise ValueError(value)
    years = [n for n in numbers if n > 31]
    if len(years) != 1:
        raise ValueError(value)
    day = next(n for n in numbers if n != years[0] or numbers.count(n) > 1)
    return date(years[0], months[0], day)


def _month(word: str) -> int | None:
    if word in _MONTHS:
        return _MONTHS[word]
    if len(word) >= 3 and word[:3] in _MONTHS and _full_name(word):
        return _MONTHS[word[:3]]
    return None


def _full_name(word: str) -> bool:
    names = (
        "january february march april may june july august september october november december"
    ).split()
    return any(name.startswith(word) for name in names)
