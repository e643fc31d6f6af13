"""Turning posted HTML forms into the payloads our marshmallow schemas validate, and the one
way a form page submits them (`submit`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask import request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from reintegrate.db import db
from reintegrate.errors import Conflict, InvalidInput

T = TypeVar("T")

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


@dataclass(frozen=True)
class Submitted(Generic[T]):
    """What a form's one service call gave: its result, or every error by its field."""

    result: T | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def submit(
    schema: Schema,
    payload: Mapping[str, Any],
    call: Callable[[Session, Any], T],
    *,
    conflict_on: str | None = None,
) -> Submitted[T]:
    """Validate the payload, then call one service with it in one transaction.

    Every form page goes through here so each names every error by its field the same way:
    the schema's (flattened), the service's `InvalidInput`, and a `Conflict` on the field
    `conflict_on` when the page shows it there. Other domain errors are the view's to show.
    """
    try:
        loaded = schema.load(payload)
        with db.transaction() as session:
            return Submitted(call(session, loaded))
    except ValidationError as exc:
        return Submitted(errors=flatten_errors(exc.messages_dict))
    except InvalidInput as exc:
        return Submitted(errors=exc.errors)
    except Conflict as exc:
        if conflict_on is None:
            raise
        return Submitted(errors={conflict_on: [_(exc.message)]})


def query_args(schema: Schema) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A list page's filters from its query string: the filled-in ones the schema knows,
    loaded; after a bad one, the schema's defaults and every error by its field, so the page
    still shows and names what was wrong."""
    raw = {k: v for k, v in request.args.items() if v and k in schema.fields}
    try:
        return schema.load(raw), {}
    except ValidationError as exc:
        return schema.load({}), flatten_errors(exc.messages_dict)


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
