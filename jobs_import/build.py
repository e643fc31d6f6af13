"""Turns one listing's raw values, from any feed format, into a ListingRecord or a RowIssue."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from jobs_import import values
from jobs_import.dates import parse_date
from jobs_import.places import resolve_location
from jobs_import.records import N_, Eligibility, ListingRecord, RowIssue, reason
from jobs_import.salary import Salary, monthly_range, parse_salary, to_decimal
from matching.text import normalise

ProvinceResolver = Callable[[str], str | None]

#: Longest accepted value per field, in characters. Longer values reject the row: they are
#: nearly always a paste error, and would break pages and exports downstream.
MAX_CHARS: dict[str, int] = {
    "external_id": 200,
    "title": 200,
    "employer": 200,
    "programme": 200,
    "location": 200,
    "provinces": 2000,
    "district": 100,
    "description": 10_000,
    "skills": 10_000,
    "skill": 200,
    "salary": 200,
    "wage_min_usd": 50,
    "wage_max_usd": 50,
    "employment_type": 100,
    "languages": 500,
    "valid_through": 100,
    "url": 2000,
    "sector": 200,
    "benefit": 2000,
    "positions": 20,
    "returned_within_months": 20,
    "min_age": 20,
    "max_age": 20,
    "sex": 20,
    "survivors_priority": 20,
}
MAX_AGE = 120
_NATIONWIDE = {
    "all",
    "all provinces",
    "nationwide",
    "national",
    "whole country",
    "any",
    "cambodia",
    "ទូទាំងប្រទេស",
    "គ្រប់ខេត្ត",
}
_PROVINCE_SPLIT = re.compile(r"[;,|/\n]+")
_MISSING = object()


class Rejected(Exception):
    """Raised inside the builder to reject the row; carries the field and the reason."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def build_record(
    row: int,
    kind: str,
    raw: Mapping[str, Any],
    resolve_province: ProvinceResolver,
    labels: Mapping[str, str] | None = None,
) -> ListingRecord | RowIssue:
    """Validate and normalise one listing; ``labels`` names the source column of each field."""
    builder = _Builder(row, raw, labels or {})
    try:
        if kind == "job":
            return builder.job(resolve_province)
        return builder.incentive(resolve_province)
    except Rejected as error:
        return RowIssue(row, error.field, builder.explain(error.field, error.message))


class _Builder:
    def __init__(self, row: int, raw: Mapping[str, Any], labels: Mapping[str, str]):
        self.row = row
        self.raw = raw
        self.labels = labels
        self.warnings: list[RowIssue] = []

    def explain(self, field: str | None, message: str) -> str:
        label = self.labels.get(field or "")
        if label and label.strip().casefold() != (field or "").casefold():
            return N_('{message} (column "{label}")', message=message, label=label)
        return message

    def warn(self, field: str, message: str) -> None:
        self.warnings.append(RowIssue(self.row, field, self.explain(field, message)))

    def text(
        self, field: str, value: Any = _MISSING, *, limit_field: str | None = None
    ) -> str | None:
        value = self.raw.get(field) if value is _MISSING else value
        if value is None or isinstance(value, bool):
            if isinstance(value, bool):
                raise Rejected(
                    field, N_("{field} must be text, not {value}", field=field, value=value)
                )
            return None
        if isinstance(value, int | float | Decimal):
            value = str(value)
        if not isinstance(value, str):
            raise Rejected(field, N_("{field} must be text", field=field))
        if "\x00" in value:
            raise Rejected(
                field,
                N_("{field} contains a NUL byte (binary data in a text field)", field=field),
            )
        limit = MAX_CHARS.get(limit_field or field, 10_000)
        if len(value) > limit:
            raise Rejected(
                field,
                N_(
                    "{field} is {length:,} characters long; the limit is {limit:,}",
                    field=field,
                    length=len(value),
                    limit=limit,
                ),
            )
        return unicodedata.normalize("NFC", value.strip()) or None

    def common(self) -> dict[str, Any]:
        title = self.text("title")
        if not title:
            raise Rejected("title", N_("title is empty"))
        return {
            "row": self.row,
            "external_id": self.text("external_id"),
            "title": title,
            "description": self.text("description"),
            "skills": self.skills(),
            "valid_through": self.day("valid_through"),
            "url": self.url(),
            "sector": self.text("sector"),
        }

    def job(self, resolve_province: ProvinceResolver) -> ListingRecord:
        base = self.common()
        province = self.location(resolve_province)
        wage_min, wage_max = self.wages()
        record = ListingRecord(
            kind="job",
            employer=self.text("employer"),
            provinces=(province,),
            district=self.text("district"),
            positions=self.number("positions", minimum=1),
            wage_min_usd=wage_min,
            wage_max_usd=wage_max,
            employment_type=self.employment_type(),
            languages=self.languages(),
            **base,
        )
        return _with_warnings(record, self.warnings)

    def incentive(self, resolve_province: ProvinceResolver) -> ListingRecord:
        base = self.common()
        record = ListingRecord(
            kind="incentive",
            programme=self.text("programme"),
            provinces=self.provinces(resolve_province),
            benefit=self.text("benefit"),
            languages=self.languages(),
            eligibility=self.eligibility(),
            **base,
        )
        return _with_warnings(record, self.warnings)

    def location(self, resolve_province: ProvinceResolver) -> str:
        value = self.raw.get("location")
        candidates = value if isinstance(value, list | tuple) else [value]
        texts = [t for c in candidates if (t := self.text("location", c))]
        if not texts:
            raise Rejected("location", N_("location is empty; a job needs a province"))
        codes = [c for t in texts if (c := resolve_location([t], resolve_province))]
        if not codes:
            shown = ", ".join(f'"{t}"' for t in texts)
            raise Rejected("location", N_("unknown province: {shown}", shown=shown))
        if len(set(codes)) > 1:
            self.warn(
                "location",
                N_("the location names several provinces; used {province}", province=codes[0]),
            )
        return codes[0]

    def provinces(self, resolve_province: ProvinceResolver) -> tuple[str, ...]:
        value = self.raw.get("provinces")
        if isinstance(value, list | tuple):
            parts = [t for item in value if (t := self.text("provinces", item))]
        else:
            text = self.text("provinces") or ""
            parts = [p.strip() for p in _PROVINCE_SPLIT.split(text) if p.strip()]
        if not parts:
            if not isinstance(value, list | tuple):
                self.warn("provinces", N_("no provinces given; treated as nationwide"))
            return ()
        if len(parts) == 1 and normalise(parts[0]) in _NATIONWIDE:
            return ()
        codes, unknown = set(), []
        for part in parts:
            code = resolve_location([part], resolve_province)
            if code:
                codes.add(code)
            else:
                unknown.append(f'"{part}"')
        if unknown:
            raise Rejected("provinces", N_("unknown province: {shown}", shown=", ".join(unknown)))
        return tuple(sorted(codes))

    def skills(self) -> tuple[str, ...]:
        value = self.raw.get("skills")
        if isinstance(value, list | tuple):
            items = [self.text("skills", item, limit_field="skill") or "" for item in value]
            found = values.phrases(items)
        else:
            found = values.phrases(self.text("skills") or "")
        for phrase in found:
            if len(phrase) > MAX_CHARS["skill"]:
                raise Rejected(
                    "skills",
                    N_(
                        "a skill is {length:,} characters long; the limit is {limit}",
                        length=len(phrase),
                        limit=MAX_CHARS["skill"],
                    ),
                )
        return found

    def languages(self) -> tuple[str, ...]:
        value = self.raw.get("languages")
        if isinstance(value, list | tuple):
            value = [self.text("languages", item) or "" for item in value]
        else:
            value = self.text("languages") or ""
        codes, unknown = values.languages(value)
        if unknown:
            self.warn(
                "languages", N_("unknown language: {shown}; left out", shown=", ".join(unknown))
            )
        return codes

    def employment_type(self) -> str | None:
        value = self.raw.get("employment_type")
        options = value if isinstance(value, list | tuple) else [value]
        texts = [t for option in options if (t := self.text("employment_type", option))]
        for text in texts:
            found = values.employment_type(text)
            if found:
                return found
        if texts:
            self.warn(
                "employment_type",
                N_('unknown employment type "{shown}"; left empty', shown=texts[0]),
            )
        return None

    def day(self, field: str) -> date | None:
        try:
            return parse_date(self.text(field))
        except ValueError as error:
            raise Rejected(field, reason(error)) from None

    def number(self, field: str, *, minimum: int, maximum: int | None = None) -> int | None:
        value = self.raw.get(field)
        if isinstance(value, str):
            value = self.text(field)
        try:
            number = values.whole_number(value, minimum=minimum)
        except ValueError as error:
            raise Rejected(field, reason(error)) from None
        if number is not None and maximum is not None and number > maximum:
            raise Rejected(
                field,
                N_("{number} is above the maximum of {maximum}", number=number, maximum=maximum),
            )
        return number

    def url(self) -> str | None:
        url = self.text("url")
        if url and url.casefold().startswith("www."):
            url = "https://" + url
        if url and not re.match(r"https?://[^\s/]+", url, re.IGNORECASE):
            self.warn(
                "url",
                N_('"{shown}" is not a web address (http or https); left empty', shown=url[:80]),
            )
            return None
        return url

    def wages(self) -> tuple[Decimal | None, Decimal | None]:
        salary = self.raw.get("wage")
        try:
            if not isinstance(salary, Salary):
                salary = parse_salary(self.text("salary")) if "salary" in self.raw else Salary()
        except ValueError as error:
            raise Rejected("salary", reason(error)) from None
        if salary.note:
            self.warn("salary", salary.note)
        low = self.amount("wage_min_usd", salary.min_usd)
        high = self.amount("wage_max_usd", salary.max_usd)
        for field, low_high in (("wage_min_usd", (low, None)), ("wage_max_usd", (None, high))):
            self.plausible(field, *low_high)
        checked = self.plausible("wage_min_usd", low, high)
        return checked.min_usd, checked.max_usd

    def plausible(self, field: str, low: Decimal | None, high: Decimal | None) -> Salary:
        try:
            return monthly_range(low, high)
        except ValueError as error:
            given = self.raw.get(field) not in (None, "")
            raise Rejected(field if given else "salary", reason(error)) from None

    def amount(self, field: str, fallback: Decimal | None) -> Decimal | None:
        value = self.raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            return fallback
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise Rejected(field, N_("{field} must be a number", field=field))
        amount = value if isinstance(value, Decimal) else to_decimal(str(value).lstrip("$"))
        if amount is None:
            raise Rejected(field, N_('"{shown}" is not a number', shown=value))
        return Decimal(str(amount)) if isinstance(amount, float) else amount

    def eligibility(self) -> Eligibility:
        rule = Eligibility(
            returned_within_months=self.number("returned_within_months", minimum=1, maximum=600),
            min_age=self.number("min_age", minimum=0, maximum=MAX_AGE),
            max_age=self.number("max_age", minimum=0, maximum=MAX_AGE),
            sex=self.sex(),
            survivors_priority=self.yes_no("survivors_priority"),
        )
        if rule.min_age is not None and rule.max_age is not None and rule.min_age > rule.max_age:
            raise Rejected(
                "min_age",
                N_("min_age {low} is above max_age {high}", low=rule.min_age, high=rule.max_age),
            )
        return rule

    def sex(self) -> str | None:
        try:
            return values.sex(self.text("sex") or "")
        except ValueError as error:
            raise Rejected("sex", reason(error)) from None

    def yes_no(self, field: str) -> bool:
        value = self.raw.get(field)
        try:
            return values.yes_no(self.text(field) if isinstance(value, str) else value)
        except ValueError as error:
            raise Rejected(field, reason(error)) from None


def _with_warnings(record: ListingRecord, warnings: list[RowIssue]) -> ListingRecord:
    return replace(record, warnings=tuple(warnings)) if warnings else record
