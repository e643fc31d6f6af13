"""Turning posted HTML forms into the payloads our marshmallow schemas validate."""

from __future__ import annotations

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
_LIST_FIELDS = ("languages", "preferred_provinces", "interests")
_FLAGS = ("trafficking_survivor", "willing_to_relocate")
CONSENT_PURPOSES = ("referral", "share_with_employers", "research")


def returnee_payload(form: MultiDict[str, str], *, with_status: bool) -> dict[str, Any]:
    """Blank fields are left out (so "required" reads as required), lists and ticks made typed."""
    data: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        if name == "status" and not with_status:
            continue
        value = form.get(name, "")
        if value.strip():
            data[name] = value
        elif name in {"name_km", "phone", "district", "sector_abroad", "notes"}:
            data[name] = None
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


def form_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """Posted values as the form template expects them: lists for multi-selects."""
    values: dict[str, Any] = {key: form.get(key, "") for key in form}
    for name in _LIST_FIELDS:
        values[name] = form.getlist(name)
    return values
