"""Import report messages in the reader's language, from the parser's templates and values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from reintegrate.presenters.reasons import vocabulary_locale
from reintegrate.reference import province_name

PROVINCE_PARAMS = frozenset({"province"})
"""Values that are province codes: shown by name ("Phnom Penh", "ភ្នំពេញ"), never as "12"."""


def _value(name: str, value: Any) -> Any:
    if isinstance(value, Mapping) and "template" in value:
        return render(value)
    if name in PROVINCE_PARAMS and isinstance(value, str):
        return province_name(value, vocabulary_locale())
    return value


def render(message: Mapping[str, Any]) -> str:
    """A stored template and its values, translated; nested messages translated too."""
    params = {k: _value(k, v) for k, v in (message.get("params") or {}).items()}
    try:
        return gettext(message["template"]).format(**params)
    except (KeyError, IndexError, ValueError):
        return gettext(message["template"])


def run_message(run: Any) -> str:
    """Why a whole import failed, in the reader's language when its template was kept."""
    if run.message_detail:
        return render(run.message_detail)
    return str(run.message or "")


def issue_message(issue: Mapping[str, Any]) -> str:
    """A row issue of an import report: translated when stored with its template, else as
    stored (reports written before templates were kept)."""
    if issue.get("template"):
        return render(issue)
    return str(issue.get("message", ""))
