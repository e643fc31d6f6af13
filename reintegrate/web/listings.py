"""Listing pages: browse, post, edit and close; the admin's feed imports and their reports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from jobs_import.records import EMPLOYMENT_TYPES
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.errors import InvalidInput
from reintegrate.schemas.imports import ImportForm
from reintegrate.schemas.listings import (
    ListingCreateSchema,
    ListingListArgs,
    ListingUpdateSchema,
)
from reintegrate.schemas.returnees import ReturneeListRows
from reintegrate.services import imports, listings, returnee_imports, safeguarding, uploads
from reintegrate.services.listings import record_of
from reintegrate.services.policy import authorize, can
from reintegrate.web.forms import (
    flatten_errors,
    form_values,
    listing_payload,
    listing_values,
    query_args,
    submit,
)
from reintegrate.web.import_messages import issue_message, run_message

LISTING_LISTS = ("languages", "provinces")

bp = Blueprint("listings", __name__)
CHOICES = {
    "employment_types": EMPLOYMENT_TYPES,
    "common_languages": ("km", "en", "th", "ko", "ja", "zh", "vi"),
}


def _page(template: str, http_status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **CHOICES, **context), http_status


@bp.get("/listings")
@login_required
def index() -> tuple[str, int]:
    args, errors = query_args(ListingListArgs())
    page = args.pop("page")
    args.pop("page_size")
    status = args.pop("status")
    filters = listings.ListingFilters(status=None if status == "all" else status, **args)
    with db.transaction() as session:
        result = listings.search_listings(session, current_actor(), filters, page=page)
    return _page(
        "listings/list.html",
        422 if errors else 200,
        page=result,
        filters=filters,
        status=status,
        errors=errors,
    )


@bp.route("/listings/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int]:
    actor = current_actor()
    authorize(actor, "listings.post")
    wants_incentive = request.values.get("kind") == "incentive"
    kind = "incentive" if wants_incentive and can(actor, "listings.post_incentive") else "job"
    if request.method == "GET":
        return _page("listings/form.html", kind=kind, values={"kind": kind}, errors={})
    done = submit(
        ListingCreateSchema(),
        listing_payload(request.form, kind),
        lambda session, record: listings.create_listing(session, actor, record),
    )
    if done.errors:
        values = form_values(request.form, LISTING_LISTS)
        return _page("listings/form.html", 422, kind=kind, values=values, errors=done.errors)
    flash(_("Listing published."), "success")
    return redirect(url_for("listings.detail", listing_id=done.result.id))


@bp.get("/listings/<int:listing_id>")
@login_required
def detail(listing_id: int) -> tuple[str, int]:
    return _detail_page(listing_id)


def _detail_page(
    listing_id: int, status_errors: dict[str, list[str]] | None = None
) -> tuple[str, int]:
    """The listing; after a refused close or reopen, 422 with why beside its button."""
    with db.transaction() as session:
        actor = current_actor()
        listing = listings.get_listing(session, actor, listing_id)
        editable = listings.may_edit(session, actor, listing)
        reopenable = listings.may_reopen(session, actor, listing)
    return _page(
        "listings/detail.html",
        422 if status_errors else 200,
        listing=listing,
        editable=editable,
        reopenable=reopenable,
        errors=status_errors or {},
    )


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int) -> Response | tuple[str, int]:
    actor = current_actor()
    with db.transaction() as session:
        listing = listings.get_listing_to_edit(session, actor, listing_id)
        kind = listing.kind
        values = listing_values(record_of(listing))
        if (listing.hazardous_reason or "").startswith(safeguarding.SET_BY):
            values["hazardous"] = "yes" if listing.hazardous else "no"
    if request.method == "GET":
        return _page("listings/form.html", kind=kind, listing=listing, values=values, errors={})
    done = submit(
        ListingUpdateSchema(),
        listing_payload(request.form, kind),
        lambda session, changes: listings.update_listing(
            session, actor, listing_id, _edited(changes)
        ),
    )
    if done.errors:
        values = form_values(request.form, LISTING_LISTS)
        return _page(
            "listings/form.html", 422, kind=kind, listing=listing, values=values, errors=done.errors
        )
    flash(_("Saved."), "success")
    return redirect(url_for("listings.detail", listing_id=listing_id))


def _edited(changes: dict[str, Any]) -> dict[str, Any]:
    """The kind never changes; the employer only where the form has the field (staff's)."""
    changes.pop("kind", None)
    if "employer" not in request.form:
        changes.pop("employer", None)
    return changes


@bp.post("/listings/<int:listing_id>/status")
@login_required
def set_status(listing_id: int) -> Response | tuple[str, int]:
    status = "open" if request.form.get("status") == "open" else "closed"
    try:
        with db.transaction() as session:
            listings.update_listing(session, current_actor(), listing_id, {"status": status})
    except InvalidInput as exc:
        return _detail_page(listing_id, exc.errors)
    flash(_("Listing closed.") if status == "closed" else _("Listing reopened."), "success")
    return redirect(url_for("listings.detail", listing_id=listing_id))


@bp.route("/imports", methods=["GET", "POST"])
@login_required
def imports_page() -> Response | tuple[str, int]:
    """Admins import feeds and returnee lists; officers import returnee lists as themselves."""
    actor = current_actor()
    authorize(actor, "imports.read")
    officer = can(actor, "imports.returnee_lists")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        upload = request.files.get("file")
        form, errors = _import_form(officer)
        if upload is None or not upload.filename:
            errors["file"] = [_("Choose a file to import.")]
        if not errors and upload is not None and form is not None:
            if imports.upload_too_large(upload.stream, current_app.config["IMPORT_MAX_BYTES"]):
                abort(413)
            try:
                run = uploads.import_upload(
                    db.sessions(),
                    actor,
                    upload.stream,
                    upload.filename or "upload",
                    form,
                    rules=ReturneeListRows(),
                )
            except InvalidInput as exc:
                errors = exc.errors
            else:
                return redirect(url_for("listings.import_report", run_id=run.id))
    with db.transaction() as session:
        runs = (
            returnee_imports.officer_runs(session, actor)
            if officer
            else imports.recent_runs(session, actor)
        )
    limit_mb = current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024)
    return _page(
        "imports/index.html",
        422 if errors else 200,
        runs=runs,
        errors=errors,
        values=request.form,
        limit_mb=limit_mb,
        officer_view=officer,
        returnee_columns=RETURNEE_COLUMNS,
    )


RETURNEE_COLUMNS = (
    "external_id, given_name, family_name, name_km, sex, date_of_birth, phone, home_province, "
    "district, return_date, destination_country, sector_abroad, skills, languages, "
    "trafficking_survivor, willing_to_relocate, preferred_provinces, interests, notes, "
    "consent_referral, consent_share_with_employers, consent_research"
)


def _import_form(officer: bool) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The posted import options and every error in them: the schema's (types, lengths) and,
    for a feed, the import service's (what a feed name may be), so all are named together.
    An officer's upload is always a returnee list."""
    posted = {k: v for k, v in request.form.items() if k != "csrf_token" and v}
    if officer:
        posted["kind"] = returnee_imports.KIND
    errors: dict[str, list[str]] = {}
    form: dict[str, Any] | None = None
    try:
        form = ImportForm().load(posted)
    except ValidationError as exc:
        errors = flatten_errors(exc.messages_dict)
    if posted.get("kind", "job") != returnee_imports.KIND:
        as_typed = imports.ImportOptions(
            source=posted.get("source", ""), kind=posted.get("kind", "job"), filename="upload"
        )
        try:
            imports.validate_options(as_typed)
        except InvalidInput as exc:
            errors = {**exc.errors, **errors}
    return (None if errors else form), errors


@bp.get("/imports/<int:run_id>")
@login_required
def import_report(run_id: int) -> tuple[str, int]:
    with db.transaction() as session:
        run = imports.get_run(session, current_actor(), run_id)
    return _page(
        "imports/report.html", run=run, issue_message=issue_message, run_message=run_message
    )
