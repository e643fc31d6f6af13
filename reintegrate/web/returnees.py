"""Officer pages: the returnee list with search, registration with duplicate check, edit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.errors import InvalidInput, RuleBroken
from reintegrate.models.returnee import ReturneeStatus
from reintegrate.reference import abroad_country_codes
from reintegrate.schemas.fields import form_id
from reintegrate.schemas.returnees import (
    ReturneeCreateSchema,
    ReturneeListArgs,
    ReturneeUpdateSchema,
)
from reintegrate.schemas.safe_migration import BriefingSchema
from reintegrate.services import (
    merges,
    notes,
    privacy,
    referrals,
    registry,
    safe_migration,
    timeline,
)
from reintegrate.services import reviews as review_service
from reintegrate.services.policy import authorize, can
from reintegrate.web.forms import (
    form_values,
    query_args,
    returnee_payload,
    submit,
)

bp = Blueprint("returnees", __name__, url_prefix="/returnees")

FORM_CHOICES = {
    "statuses": [s.value for s in ReturneeStatus],
    "common_languages": ("km", "en", "th", "ko", "ja", "ms", "zh", "vi", "ar"),
    "countries": abroad_country_codes(),
}


def _form(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **FORM_CHOICES, **context), status


def _filters() -> tuple[registry.ReturneeFilters, int, dict[str, list[str]]]:
    """The list's filters and page from the query string; bad ones are named, not guessed."""
    loaded, errors = query_args(ReturneeListArgs())
    page_number = loaded.pop("page", 1)
    loaded.pop("page_size", None)
    return registry.ReturneeFilters(**loaded), page_number, errors


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    filters, page_number, errors = _filters()
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
    authorize(actor, "returnees.register")
    scope = sorted(actor.provinces)
    if request.method == "GET":
        return _form("returnees/form.html", values={}, errors={}, scope=scope)
    payload = returnee_payload(request.form, with_status=False)
    done = submit(ReturneeCreateSchema(), payload, _register)
    registration = done.result
    if done.errors or isinstance(registration, list):
        return _form(
            "returnees/form.html",
            422 if done.errors else 200,
            values=form_values(request.form),
            errors=done.errors,
            duplicates=registration,
            scope=scope,
        )
    flash(_("Registered %(case)s.", case=registration.returnee.case_number), "success")
    return redirect(url_for("returnees.detail", returnee_id=registration.returnee.id))


def _register(
    session: Session, loaded: dict[str, Any]
) -> registry.Registration | list[registry.PossibleDuplicate]:
    """Register, or first give back the possible duplicates; once the officer has decided
    on them (`decision`), register, remembering the ones ticked as different people."""
    form, limit = request.form, current_app.config["DUPLICATE_CHECKS_PER_HOUR"]
    data = registry.ReturneeInput.of(loaded)
    if not form.get("decision", ""):
        return registry.check_then_register(session, current_actor(), data, check_limit=limit)
    different = [number for value in form.getlist("different") if (number := form_id(value))]
    return registry.register(
        session, current_actor(), data, different_from=different, check_limit=limit
    )


@bp.get("/notes")
@login_required
def search_notes() -> tuple[str, int]:
    """Case notes in the officer's provinces that contain the words typed."""
    actor = current_actor()
    authorize(actor, "notes.search")
    q = request.args.get("q", "").strip()
    errors: dict[str, list[str]] = {}
    found = notes.NoteSearch([], {})
    if q:
        try:
            with db.transaction() as session:
                found = notes.search_notes(session, actor, q)
        except InvalidInput as exc:
            errors = exc.errors
    return render_template(
        "returnees/notes.html", q=q, found=found.notes, people=found.people, errors=errors
    ), (422 if errors else 200)


@bp.post("/<int:returnee_id>/notes")
@login_required
def add_note(returnee_id: int) -> Response | tuple[str, int]:
    actor = current_actor()
    text = request.form.get("body", "")
    try:
        with db.transaction() as session:
            notes.add_note(session, actor, returnee_id, text)
    except InvalidInput as exc:
        return case_page(returnee_id, Refused("note", exc.errors, {"body": text}))
    flash(_("Note saved."), "success")
    return redirect(url_for("returnees.detail", returnee_id=returnee_id))


@dataclass(frozen=True)
class Refused:
    """A refused form of the case page: which one (`note`, `briefing`, `erasure` or
    `referral-<id>`), its errors by field and what was typed, so the page shows them in place."""

    form: str
    errors: Mapping[str, list[str]]
    values: Mapping[str, str] = field(default_factory=dict)


@bp.get("/<int:returnee_id>")
@login_required
def detail(returnee_id: int) -> tuple[str, int]:
    return case_page(returnee_id)


def case_page(returnee_id: int, refused: Refused | None = None) -> tuple[str, int]:
    """The case page; after a refused form, 422 with that form's errors beside its fields."""
    actor = current_actor()
    with db.transaction() as session:
        returnee = registry.get(session, actor, returnee_id)
        story = timeline.timeline(session, actor, returnee_id)
        referral_page = referrals.list_referrals(
            session, actor, referrals.ReferralFilters(returnee_id=returnee_id), page_size=100
        )
        safer_leaving = safe_migration.needs_safer_leaving(session, returnee_id)
        case_merges = merges.active_involving(session, actor, returnee_id)
        options = safe_migration.list_options(session, actor) if safer_leaving else []
    forms = {refused.form: (refused.errors, refused.values)} if refused else {}
    return _form(
        "returnees/detail.html",
        returnee=returnee,
        story=story,
        referrals=referral_page.items,
        safer_leaving=safer_leaving,
        safe_migration_options=options,
        erasure_choices=[(code, _(text)) for code, text in privacy.ERASURE_REASONS.items()],
        merges=case_merges,
        refused=lambda form: forms.get(form, ({}, {})),
        status=422 if refused else 200,
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
    done = submit(
        ReturneeUpdateSchema(),
        returnee_payload(request.form, with_status=True),
        lambda session, changes: registry.update_returnee(session, actor, returnee_id, changes),
    )
    if not done.errors:
        flash(_("Saved."), "success")
        return redirect(url_for("returnees.detail", returnee_id=returnee_id))
    with db.transaction() as session:
        returnee = registry.get(session, actor, returnee_id, audited=False)
    return _form(
        "returnees/form.html",
        422,
        returnee=returnee,
        values=form_values(request.form),
        errors=done.errors,
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
    if returnee.date_of_birth_approximate:
        values["date_of_birth"], values["date_of_birth_year"] = "", str(returnee.date_of_birth.year)
    else:
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


@bp.post("/<int:returnee_id>/safe-migration-briefings")
@login_required
def safe_migration_briefing(returnee_id: int) -> Response | tuple[str, int]:
    """Record that the officer told the person about safer ways to migrate."""
    typed = {"informed_on": request.form.get("informed_on", "")}
    done = submit(
        BriefingSchema(),
        {k: v for k, v in typed.items() if v.strip()},
        lambda session, data: safe_migration.record_informed(
            session, current_actor(), returnee_id, data["informed_on"]
        ),
    )
    if done.errors:
        return case_page(returnee_id, Refused("briefing", done.errors, typed))
    flash(_("Recorded that the person was informed."), "success")
    return redirect(url_for("returnees.detail", returnee_id=returnee_id) + "#safer-leaving")


@bp.get("/reviews")
@login_required
def reviews() -> tuple[str, int]:
    """The duplicate queue, strongest first, and the recent merges that can be undone."""
    actor = current_actor()
    status = request.args.get("status", "open")
    if status not in review_service.STATUSES:
        status = "open"
    page_number = form_id(request.args.get("page")) or 1
    with db.transaction() as session:
        result = review_service.page(session, actor, status, page=page_number)
        history = merges.history(session, actor) if can(actor, "returnees.read") else []
    return _form(
        "returnees/reviews.html",
        page=result,
        review_status=status,
        history=history,
        show_names=can(actor, "returnees.read"),
    )


@bp.get("/reviews/<int:review_id>/merge")
@login_required
def confirm_merge(review_id: int) -> tuple[str, int]:
    """Both cases side by side: the officer chooses which one survives, then confirms."""
    actor = current_actor()
    authorize(actor, "duplicates.merge")
    with db.transaction() as session:
        review = review_service.get(session, actor, review_id)
        review_service.audit_shown(session, actor, [review])
    return _form("returnees/merge.html", review=review)


@bp.post("/reviews/<int:review_id>/merge")
@login_required
def merge(review_id: int) -> Response | tuple[str, int]:
    actor = current_actor()
    keep = form_id(request.form.get("keep"))
    try:
        with db.transaction() as session:
            record = merges.merge(session, actor, review_id, keep or 0)
            case_number = record.merged.case_number
            kept_id = record.kept_id
    except (InvalidInput, RuleBroken) as exc:
        message = _(exc.message) if isinstance(exc, RuleBroken) else _("Choose which case to keep.")
        flash(message, "error")
        return redirect(url_for("returnees.confirm_merge", review_id=review_id))
    flash(_("Merged %(case)s into this case.", case=case_number), "success")
    return redirect(url_for("returnees.detail", returnee_id=kept_id))


@bp.post("/reviews/<int:review_id>/dismiss")
@login_required
def dismiss_review(review_id: int) -> Response:
    try:
        with db.transaction() as session:
            review_service.dismiss(session, current_actor(), review_id)
    except RuleBroken as exc:
        flash(_(exc.message), "error")
    else:
        flash(_("Marked as different people. This pair will not be proposed again."), "success")
    return redirect(url_for("returnees.reviews"))


@bp.post("/merges/<int:merge_id>/undo")
@login_required
def undo_merge(merge_id: int) -> Response:
    try:
        with db.transaction() as session:
            record = merges.undo(session, current_actor(), merge_id)
            merged_id = record.merged_id
    except RuleBroken as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("returnees.reviews", status="merged"))
    flash(_("The merge was undone; both cases are as they were."), "success")
    return redirect(url_for("returnees.detail", returnee_id=merged_id))
