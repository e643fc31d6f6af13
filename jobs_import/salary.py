"""Salary text and schema.org amounts to a monthly USD range."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from jobs_import.records import N_

#: Riel per US dollar used for every conversion. The National Bank of Cambodia's official
#: rate has stayed close to 4,100 for years; listings only need the order of magnitude.
KHR_PER_USD = Decimal(4100)

#: A monthly wage above this is taken as a typo (or riel written as dollars), not a salary.
MAX_MONTHLY_USD = Decimal(20000)

#: Multipliers to a monthly amount. Cambodian law caps the working week at 48 hours, worked
#: as six 8-hour days: 26 working days, 208 hours a month; 52 weeks / 12 months.
PER_MONTH: dict[str, Decimal] = {
    "hour": Decimal(208),
    "day": Decimal(26),
    "week": Decimal(52) / Decimal(12),
    "month": Decimal(1),
    "year": Decimal(1) / Decimal(12),
}

_CENT = Decimal("0.01")
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_NUMBER = re.compile(r"\d[\d,.]*")
_NEGATIVE = re.compile(r"^[^\d]*?[-−–]\s*(?:\$|usd|us\$|៛|khr)?\s*\d")
_NO_SALARY = re.compile(
    r"negotiable|nego\b|competitive|attractive|discuss|tbd|tba|depend|ចរចា|ព្រមព្រៀង"
)
_USD = re.compile(r"\$|\busd\b|\bus\s*dollars?\b|\bdollars?\b|ដុល្លារ|usd")
_KHR = re.compile(r"៛|\briels?\b|\bkhr\b|រៀល|khr")
_OTHER_CURRENCY = re.compile(r"\bthb\b|\bbaht\b|฿|\bvnd\b|\bdong\b|€|\beur\b|£|\bgbp\b|¥|\byen\b")
_PERIODS = (
    ("hour", re.compile(r"/\s*(?:h|hr|hour)\b|\bper\s+hour|\ban?\s+hour\b|\bhourly\b|ម៉ោង")),
    ("day", re.compile(r"/\s*(?:d|day)\b|\bper\s+day|\ba\s+day\b|\bdaily\b|ថ្ងៃ")),
    ("week", re.compile(r"/\s*(?:wk|week)\b|\bper\s+week|\ba\s+week\b|\bweekly\b|សប្តាហ៍")),
    ("year", re.compile(r"/\s*(?:yr|year|annum)\b|\bper\s+(?:year|annum)|\bannual(?:ly)?\b|ឆ្នាំ")),
)
_UP_TO = re.compile(r"\bup\s*to\b|\bmax(?:imum)?\b|\bless than\b|\bunder\b")
_FROM = re.compile(r"\bfrom\b|\bmin(?:imum)?\b|\bat least\b|\bstarting\b|\+\s*$|\d\s*\+")
_MILLION = re.compile(r"^\s*(?:million|mil|m)\b")
_THOUSAND = re.compile(r"^\s*k\b")


@dataclass(frozen=True)
class Salary:
    """A monthly USD range; ``note`` explains an empty result (becomes a row warning)."""

    min_usd: Decimal | None = None
    max_usd: Decimal | None = None
    note: str | None = None


@functools.lru_cache(maxsize=1024)
def parse_salary(text: str | None) -> Salary:
    """Read salary text such as "$250-$300", "USD 300/month" or "1,000,000 riel".

    Raises ValueError (the row is rejected) for negative, implausible or inverted ranges;
    returns an empty Salary with a note for "Negotiable", blank or unreadable text.
    """
    raw = (text or "").strip()
    if not raw:
        return Salary(note=N_("no salary given"))
    lowered = raw.translate(_KHMER_DIGITS).casefold()
    if not any(c.isdigit() for c in lowered):
        if _NO_SALARY.search(lowered):
            return Salary(note=N_('salary "{shown}" is negotiable; left empty', shown=raw))
        return Salary(note=N_('salary "{shown}" has no amount; left empty', shown=raw))
    if _OTHER_CURRENCY.search(lowered):
        return Salary(
            note=N_('salary "{shown}" is not in US dollars or riel; left empty', shown=raw)
        )
    is_usd, is_khr = bool(_USD.search(lowered)), bool(_KHR.search(lowered))
    if is_usd and is_khr:
        return Salary(note=N_('salary "{shown}" mixes dollars and riel; left empty', shown=raw))
    if _NEGATIVE.search(lowered):
        raise ValueError(N_('salary "{shown}" is negative', shown=raw))
    amounts = _amounts(lowered)
    if amounts is None or not 1 <= len(amounts) <= 2:
        return Salary(note=N_('salary "{shown}" could not be read; left empty', shown=raw))
    period = next((name for name, pattern in _PERIODS if pattern.search(lowered)), "month")
    currency = "KHR" if is_khr else "USD"
    low, high = amounts[0], amounts[-1]
    if len(amounts) == 1 and _UP_TO.search(lowered):
        low = None
    elif len(amounts) == 1 and _FROM.search(lowered):
        high = None
    return monthly_range(low, high, currency=currency, period=period, shown=raw)


def monthly_range(
    low: Decimal | None,
    high: Decimal | None,
    *,
    currency: str = "USD",
    period: str = "month",
    shown: str | None = None,
) -> Salary:
    """Convert an amount range to monthly USD and check it is plausible (ValueError if not)."""
    shown = shown or " - ".join(str(v) for v in (low, high) if v is not None)
    currency = currency.strip().upper()
    if currency in ("RIEL", "៛"):
        currency = "KHR"
    if currency not in ("USD", "KHR"):
        return Salary(
            note=N_("salary currency {currency} is not USD or KHR; left empty", currency=currency)
        )
    factor = PER_MONTH[period] / (KHR_PER_USD if currency == "KHR" else 1)
    values = [None if v is None else _monthly(v, factor, shown) for v in (low, high)]
    for value in values:
        if value is None:
            continue
        if value < 0:
            raise ValueError(N_('salary "{shown}" is negative', shown=shown))
        if value > MAX_MONTHLY_USD:
            amount = f"{value:,}" if value.adjusted() < 15 else f"{value:.2E}"
            if currency == "USD":
                raise ValueError(
                    N_(
                        'salary "{shown}" is {amount} USD a month, over the plausible maximum '
                        "of {maximum:,}; if this is riel, write riel or KHR",
                        shown=shown,
                        amount=amount,
                        maximum=MAX_MONTHLY_USD,
                    )
                )
            raise ValueError(
                N_(
                    'salary "{shown}" is {amount} USD a month, over the plausible maximum '
                    "of {maximum:,}",
                    shown=shown,
                    amount=amount,
                    maximum=MAX_MONTHLY_USD,
                )
            )
    low_usd, high_usd = values
    if low_usd is not None and high_usd is not None and low_usd > high_usd:
        raise ValueError(N_('salary "{shown}": the minimum is above the maximum', shown=shown))
    return Salary(low_usd, high_usd)


def _monthly(amount: Decimal, factor: Decimal, shown: str) -> Decimal:
    """``amount`` times ``factor`` in cents. Amounts far beyond any wage (1e30, 1e999999 from
    a JSON feed) stay unrounded: rounding them to cents would overflow the decimal context."""
    if not amount.is_finite():
        raise ValueError(N_('salary "{shown}" is not a number', shown=shown))
    if amount.adjusted() > 15:
        return amount
    return (amount * factor).quantize(_CENT)


def _amounts(text: str) -> list[Decimal] | None:
    amounts = []
    for match in _NUMBER.finditer(text):
        value = to_decimal(match.group().rstrip(".,"))
        if value is None:
            return None
        rest = text[match.end() :]
        if _MILLION.match(rest):
            value *= 1_000_000
        elif _THOUSAND.match(rest):
            value *= 1000
        amounts.append(value)
    return amounts


def to_decimal(token: str) -> Decimal | None:
    """A number written with thousands separators ("1,000,000", "1.000.000", "2,5")."""
    token = token.strip().translate(_KHMER_DIGITS)
    if "," in token and "." in token:
        thousands = "," if token.rfind(",") < token.rfind(".") else "."
        token = token.replace(thousands, "")
        token = token.replace(",", ".")
    elif token.count(",") > 1 or re.fullmatch(r"\d{1,3}(,\d{3})+", token):
        token = token.replace(",", "")
    elif token.count(".") > 1:
        token = token.replace(".", "")
    else:
        token = token.replace(",", ".")
    try:
        value = Decimal(token)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
