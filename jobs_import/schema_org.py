"""schema.org ``JobPosting`` objects (JSON-LD) to the raw values the record builder reads."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from jobs_import.html_page import strip_tags
from jobs_import.salary import Salary, monthly_range, to_decimal

#: schema.org ``unitText`` of a salary -> period used by ``salary.PER_MONTH``.
UNITS = {"HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year"}


def is_job_posting(item: Any) -> bool:
    """True for an object typed JobPosting (also "schema:JobPosting" or a type list)."""
    if not isinstance(item, dict):
        return False
    types = item.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(
        isinstance(t, str) and t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting"
        for t in types
    )


def is_json_ld(data: Any) -> bool:
    """True if the document looks like JSON-LD rather than our API's plain listing objects."""
    items = data if isinstance(data, list) else [data]
    return any(
        isinstance(i, dict) and ("@type" in i or "@graph" in i or "@context" in i) for i in items
    )


def job_postings(data: Any) -> Iterator[dict[str, Any]]:
    """Every JobPosting in document order: alone, in arrays, ``@graph`` or ItemList items.

    Other typed objects (Organization, WebPage, BreadcrumbList...) are skipped.
    """
    if isinstance(data, list):
        for item in data:
            yield from job_postings(item)
    elif isinstance(data, dict):
        if is_job_posting(data):
            yield data
            return
        for key in ("@graph", "itemListElement", "item"):
            if key in data:
                yield from job_postings(data[key])


def posting_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """Raw builder values for one JobPosting."""
    raw: dict[str, Any] = {
        "external_id": _identifier(posting.get("identifier")) or _text(posting.get("@id")),
        "title": _text(posting.get("title")) or _text(posting.get("name")),
        "employer": _name(posting.get("hiringOrganization")),
        "location": _locations(posting.get("jobLocation")),
        "employment_type": _as_list(posting.get("employmentType")),
        "skills": _skills(posting.get("skills")),
        "valid_through": _text(posting.get("validThrough")),
        "sector": _name(posting.get("occupationalCategory")) or _name(posting.get("industry")),
        "url": _text(posting.get("url")),
        "positions": posting.get("totalJobOpenings"),
    }
    description = posting.get("description")
    raw["description"] = strip_tags(description) if isinstance(description, str) else description
    salary = posting.get("baseSalary")
    if salary not in (None, ""):
        raw["wage"] = base_salary(salary, posting.get("salaryCurrency"))
    return raw


def base_salary(amount: Any, default_currency: Any = None) -> Salary:
    """A MonetaryAmount (or bare number) to monthly USD; ValueError if implausible."""
    if isinstance(amount, list):
        amount = amount[0] if amount else None
    currency = default_currency if isinstance(default_currency, str) else "USD"
    value: Any = amount
    if isinstance(amount, dict):
        currency = amount.get("currency") or currency
        value = amount.get("value")
    unit = "MONTH"
    low = high = None
    if isinstance(value, dict):
        unit = str(value.get("unitText") or "MONTH").upper()
        low = _number(value.get("minValue"))
        high = _number(value.get("maxValue"))
        single = _number(value.get("value"))
        if low is None and high is None:
            low = high = single
    else:
        low = high = _number(value)
    if unit not in UNITS:
        return Salary(note=f'salary unit "{unit}" is not HOUR, DAY, WEEK, MONTH or YEAR')
    if low is None and high is None:
        return Salary(note="baseSalary has no amount; left empty")
    return monthly_range(low, high, currency=str(currency), period=UNITS[unit])


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        return to_decimal(value.replace("$", "").strip())
    return None


def _text(value: Any) -> Any:
    """Strings stay strings (trimmed); other types pass through for the builder to reject."""
    if isinstance(value, list) and value:
        return _text(value[0])
    return value.strip() if isinstance(value, str) else value


def _name(value: Any) -> Any:
    if isinstance(value, list):
        return _name(value[0]) if value else None
    if isinstance(value, dict):
        return _text(value.get("name")) or _text(value.get("codeValue"))
    return _text(value)


def _identifier(value: Any) -> str | None:
    if isinstance(value, list):
        return _identifier(value[0]) if value else None
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, int | str) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _skills(value: Any) -> Any:
    if isinstance(value, list):
        return [_name(item) or "" for item in value]
    return _name(value)


def _locations(value: Any) -> list[str]:
    """Candidate place texts: each location's region, then locality, then its name."""
    found: list[str] = []
    for place in _as_list(value):
        if isinstance(place, str):
            found.append(place)
            continue
        if not isinstance(place, dict):
            continue
        address = place.get("address")
        for address_item in _as_list(address):
            if isinstance(address_item, str):
                found.append(address_item)
            elif isinstance(address_item, dict):
                for key in ("addressRegion", "addressLocality", "streetAddress"):
                    if isinstance(address_item.get(key), str):
                        found.append(address_item[key])
        if isinstance(place.get("name"), str):
            found.append(place["name"])
    return found
