"""Server-rendered pages: blueprints, template helpers and filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, get_locale, gettext
from flask_login import current_user

from reintegrate import reference
from reintegrate.auth import current_actor
from reintegrate.i18n import LANGUAGES
from reintegrate.presenters import labels, navigation
from reintegrate.services import policy, safeguarding, screening
from reintegrate.services.access import Actor
from reintegrate.timeutil import local_today, to_local


def _locale() -> str:
    return str(get_locale() or "en")


def _page_url(number: int) -> str:
    """The current page's URL with its filters kept and another page number."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": number}
    return url_for(request.endpoint or "main.home", **args)


def _actor_or_none() -> Actor | None:
    return current_actor() if current_user.is_authenticated else None


def _template_helpers() -> dict[str, Any]:
    return {
        "LANGUAGES": LANGUAGES,
        "page_url": _page_url,
        "current_locale": _locale,
        "province_name": lambda code: reference.province_name(code, _locale()),
        "province_codes": reference.province_codes,
        "country_name": lambda code: reference.country_name(code, _locale()),
        "language_name": lambda code: reference.language_name(code, _locale()),
        "labels": labels,
        "can": lambda action: policy.can(_actor_or_none(), action),
        "menu": lambda: navigation.menu_for(_actor_or_none()),
        "hazardous_reason": labels.hazardous_reason,
        "age_today": lambda born, approximate=False: safeguarding.age(
            born, local_today(), approximate
        ),
        "is_child": lambda born, approximate=False: safeguarding.is_child(
            born, local_today(), approximate
        ),
        "birth_date": _birth_date,
        "flag_reasons": lambda flags: [screening.describe(f, gettext) for f in flags or ()],
        "shows_flags": lambda: screening.shows_flags(current_actor()),
        "options": labels.options,
        "province_options": lambda codes: [
            (c, reference.province_name(c, _locale())) for c in codes
        ],
        "country_options": lambda codes: reference.country_choices(codes, _locale()),
        "language_options": lambda codes: [
            (c, reference.language_name(c, _locale())) for c in codes
        ],
    }


def _date(value: date | None) -> str:
    return format_date(value, "medium") if value else ""


def _birth_date(person: Any) -> str:
    """A date of birth as pages show it: when only the year is known, the year with a mark
    ("c. 1985"), never the 1 January it is stored as."""
    if person.date_of_birth_approximate:
        return gettext("c. %(year)s", year=format_date(person.date_of_birth, "y"))
    return _date(person.date_of_birth)


def _datetime(value: datetime | None) -> str:
    return format_datetime(to_local(value), "medium") if value else ""


def init_web(app: Flask) -> None:
    from reintegrate.web import (
        account,
        admin,
        auth,
        dashboard,
        listings,
        main,
        matching,
        placements,
        privacy,
        returnees,
    )

    for blueprint in (
        account.bp,
        admin.bp,
        auth.bp,
        main.bp,
        returnees.bp,
        listings.bp,
        matching.bp,
        placements.bp,
        privacy.bp,
        dashboard.bp,
    ):
        app.register_blueprint(blueprint)
    app.context_processor(_template_helpers)
    app.add_template_filter(_date, "date")
    app.add_template_filter(_datetime, "datetime")
