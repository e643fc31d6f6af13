"""Officer pages: the returnee list with search, registration with duplicate check, edit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from reintegrate.api.schemas import ReturneeListArgs
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.errors import InvalidInput
from reintegrate.models.returnee import ReturneeStatus
from reintegrate.models.user import Role
from reintegrate.reference import abroad_country_codes
from reintegrate.schemas.returnees import ReturneeCreateSchema, ReturneeUpdateSchema
from reintegrate.services import privacy, referrals, registry, timeline
from reintegrate.services.access import require_role
from reintegrate.web.forms import flatten_errors, form_values, returnee_payload

bp = Blueprint("returnees", __name__, url_prefix="/returnees")

FORM_CHOICES = {
    "statuses": [s.value for s in ReturneeStatus],
    "common_languages": ("km", "en", "th", "ko", "ja", "ms", "zh", "vi", "ar"),
    "countries": abroad_country_codes(),
}


def _form(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **FORM_CHOICES, **context), status


def _filters() -> tuple[registry.ReturneeFilters, dict[str, list[str]]]:
    args = request.args
    errors: dict[str, list[str]] = {}
    try:
        loaded = ReturneeListArgs().load(
            {k: v for k, v in args.items() if v and k in ReturneeListArgs().fields}
        )
    except ValidationError as exc:
        errors = flatten_errors(exc.messages_dict)
        loaded = {}
    loaded.pop("page", None)
    loaded.pop("page_size", None)
    return registry.ReturneeFilters(**loaded), errors


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    filters, errors = _filters()
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() else 1
    with db.transaction() as session:
        actor = current_actor()
        result = registry.search(session, actor, filters, page=page_number)
    return _form(
        "returnees/list.html",
        200 if not errors else 422,
        page=result,
        filters=filters,
        errors=errors,
        scope=sorted(actor.provinces),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int]:
    actor = current_actor()
    require_role(actor, Role.OFFICER)
    if request.method == "GET":
        return _form("returnees/form.html", values={}, errors={}, scope=sorted(actor.provinces))
    form = request.form
    try:
        data = ReturneeCreateSchema().load(returnee_payload(form, with_status=False))
    except ValidationError as exc:
        return _form(
            "returnees/form.html",
            422,
            values=form_values(form),
            errors=flatten_errors(exc.messages_dict),
            scope=sorted(actor.provinces),
        )
    decision = form.get("decision", "")
    try:
        with db.transaction() as session:
            if not decision:
                duplicates = registry.possible_duplicates(session, actor, data)
                if duplicates:
                    return _form(
                        "returnees/form.html",
                        values=form_values(form),
                        errors={},
                        duplicates=duplicates,
                        scope=sorted(actor.provinces),
                    )
            linked = (
                int(decision[5:])
                if decision.startswith("link:") and decision[5:].isdigit()
                else None
            )
            registration = registry.register(session, actor, data, linked_to_id=linked)
    except InvalidInput as exc:
        return _form(
            "returnees/form.html",
            422,
            values=form_values(form),
            errors=exc.errors,
            scope=sorted(actor.provinces),
        )
    flash(_("Registered %(case)s.", case=registration.returnee.case_number), "success")
    return redirect(url_for("returnees.detail", returnee_id=registration.returnee.id))


@bp.get("/<int:returnee_id>")
@login_required
def detail(returnee_id: int) -> tuple[str, int]:
    actor = current_actor()
    with db.transaction() as session:
        returnee = registry.get(session, actor, returnee_id)
        story = timeline.timeline(session, actor, returnee_id)
        referral_page = referrals.list_referrals(
            session, actor, referrals.ReferralFilters(returnee_id=returnee_id), page_size=100
        )
    return _form(
        "returnees/detail.html",
        returnee=returnee,
        story=story,
        referrals=referral_page.items,
        erasure_reasons=privacy.ERASURE_REASONS,
    )


@bp.route("/<int:returnee_id>/edit", methods=["GET", "POST"])
@login_required
def edit(returnee_id: int) -> Response | tuple[str, int]:
    actor = current_actor()
    if request.method == "GET":
        with db.transaction() as session:
            returnee = registry.get(session, actor, returnee_id)
        return _form(
            "returnees/form.html",
            returnee=returnee,
            values=_values_of(returnee),
            errors={},
            scope=sorted(actor.provinces),
        )
    form = request.form
    try:
        changes = ReturneeUpdateSchema().load(returnee_payload(form, with_status=True))
        with db.transaction() as session:
            returnee = registry.update_returnee(session, actor, returnee_id, changes)
    except ValidationError as exc:
        errors = flatten_errors(exc.messages_dict)
    except InvalidInput as exc:
        errors = exc.errors
    else:
        flash(_("Saved."), "success")
        return redirect(url_for("returnees.detail", returnee_id=returnee.id))
    with db.transaction() as session:
        returnee = registry.get(session, actor, returnee_id, audited=False)
    return _form(
        "returnees/form.html",
        422,
        returnee=returnee,
        values=form_values(form),
        errors=errors,
        scope=sorted(actor.provinces),
    )


def _values_of(returnee: Any) -> dict[str, Any]:
    """The form's initial values: what the record holds, in the shape the form posts."""
    values: dict[str, Any] = {
        name: getattr(returnee, name) or ""
        for name in (
            "given_name",
            "family_name",
            "name_km",
            "sex",
            "phone",
            "home_province",
            "district",
            "destination_country",
            "sector_abroad",
            "notes",
            "status",
        )
    }
    values["date_of_birth"] = returnee.date_of_birth.isoformat()
    values["return_date"] = returnee.return_date.isoformat()
    values["skills"] = "\n".join(returnee.skill_texts)
    for name in ("languages", "preferred_provinces", "interests"):
        values[name] = getattr(returnee, name)
    for name in ("trafficking_survivor", "willing_to_relocate"):
        values[name] = "yes" if getattr(returnee, name) else ""
    for purpose, given in returnee.consent.items():
        values[f"consent_{purpose}"] = "yes" if given else ""
    return values
