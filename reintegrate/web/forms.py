"""Turning posted HTML forms into the payloads our marshmallow schemas validate."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

_TEXT_FIELDS = (
    "given_name",
    "family_name",
    "name_km",
    "sex",
    "date_of_birth",
    "phone",
    "home_province",
    "district",
    "return_date",
    "destination_country",
    "sector_abroad",
    "notes",
    "status",
)
_WHOLE = re.compile(r"[-+]?\d{1,9}")
"""A whole number as typed, negative included, so the schema says what is wrong with it."""
_LIST_FIELDS = ("languages", "preferred_provinces", "interests")
_FLAGS = ("trafficking_survivor", "willing_to_relocate")
CONSENT_PURPOSES = ("referral", "share_with_employers", "research")


def returnee_payload(form: MultiDict[str, str], *, with_status: bool) -> dict[str, Any]:
    """Blank fields are left out (so "required" reads as required), lists and ticks made typed.

    The date of birth is the date field, or, when that is empty, the year typed beside it."""
    data: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        if name == "status" and not with_status:
            continue
        value = form.get(name, "")
        if value.strip():
            data[name] = value
        elif name in {"name_km", "phone", "district", "sector_abroad", "notes"}:
            data[name] = None
    year = form.get("date_of_birth_year", "").strip()
    if year and "date_of_birth" not in data:
        data["date_of_birth"] = year  # only the year is known: the schema marks it approximate
    data["skills"] = [line for line in form.get("skills", "").splitlines() if line.strip()]
    for name in _LIST_FIELDS:
        data[name] = [v for v in form.getlist(name) if v]
    for name in _FLAGS:
        data[name] = form.get(name) == "yes"
    data["consent"] = {p: form.get(f"consent_{p}") == "yes" for p in CONSENT_PURPOSES}
    return data


def flatten_errors(errors: Mapping[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """{"consent": {"referral": [..]}} -> {"consent_referral": [..]}; list items folded in."""
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            nested = flatten_errors(value, f"{name}_")
            for nested_key, messages in nested.items():
                target = name if nested_key.split("_", 1)[0].isdigit() else nested_key
                flat.setdefault(target, []).extend(messages)
        else:
            flat.setdefault(name, []).extend(str(message) for message in value)
    return flat


def form_values(form: MultiDict[str, str], lists: tuple[str, ...] = _LIST_FIELDS) -> dict[str, Any]:
    """Posted values as the form template expects them: lists for multi-selects."""
    values: dict[str, Any] = {key: form.get(key, "") for key in form}
    for name in lists:
        values[name] = form.getlist(name)
    return values


_LISTING_TEXT = (
    "title",
    "employer",
    "programme",
    "province",
    "district",
    "description",
    "positions",
    "wage_min_usd",
    "wage_max_usd",
    "employment_type",
    "valid_through",
    "url",
    "sector",
    "benefit",
)
_LISTING_OPTIONAL = {
    "employer",
    "district",
    "description",
    "wage_min_usd",
    "wage_max_usd",
    "employment_type",
    "url",
    "sector",
    "positions",
}
_ELIGIBILITY_NUMBERS = ("returned_within_months", "min_age", "max_age")


def whole_or_text(text: str) -> int | str:
    """A typed whole number as an int (negative too, so a range says what is wrong), else the
    text itself for the schema to refuse."""
    text = text.strip()
    return int(text) if _WHOLE.fullmatch(text) else text


def listing_payload(form: MultiDict[str, str], kind: str) -> dict[str, Any]:
    """A listing form as the listing schema expects it; numbers stay text for it to judge."""
    data: dict[str, Any] = {"kind": kind}
    for name in _LISTING_TEXT:
        value = form.get(name, "").strip()
        if value:
            data[name] = int(value) if name == "positions" and _WHOLE.fullmatch(value) else value
        elif name in _LISTING_OPTIONAL:
            data[name] = None
    data["skills"] = [line for line in form.get("skills", "").splitlines() if line.strip()]
    data["languages"] = [v for v in form.getlist("languages") if v]
    if kind == "job" and form.get("hazardous") in ("yes", "no"):
        data["hazardous"] = form["hazardous"] == "yes"
    if kind == "incentive":
        data["provinces"] = [v for v in form.getlist("provinces") if v]
        eligibility: dict[str, Any] = {
            "survivors_priority": form.get("survivors_priority") == "yes"
        }
        for name in _ELIGIBILITY_NUMBERS:
            value = form.get(name, "").strip()
            eligibility[name] = int(value) if _WHOLE.fullmatch(value) else (value or None)
        eligibility["sex"] = form.get("eligible_sex") or None
        data["eligibility"] = eligibility
        for name in (
            "province",
            "employer",
            "positions",
            "wage_min_usd",
            "wage_max_usd",
            "employment_type",
        ):
            data.pop(name, None)
    return data


def listing_values(record: Any) -> dict[str, Any]:
    """A listing's current values in the shape its form posts."""
    values: dict[str, Any] = {
        name: ("" if getattr(record, name, None) is None else str(getattr(record, name)))
        for name in _LISTING_TEXT
        if name != "province"
    }
    values["kind"] = record.kind
    values["province"] = record.provinces[0] if record.kind == "job" and record.provinces else ""
    values["provinces"] = list(record.provinces)
    values["skills"] = "\n".join(record.skills)
    values["languages"] = list(record.languages)
    eligibility = record.eligibility
    if eligibility is not None:
        for name in _ELIGIBILITY_NUMBERS:
            value = getattr(eligibility, name)
            values[name] = "" if value is None else str(value)
        values["eligible_sex"] = eligibility.sex or ""
        values["survivors_priority"] = "yes" if eligibility.survivors_priority else ""
    return values
