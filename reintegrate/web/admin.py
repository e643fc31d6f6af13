"""Administrators' pages: the audit trail and employers' verification."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.models.safe_migration import OPTION_KINDS
from reintegrate.presenters.labels import AUDIT_ACTION, AUDIT_RECORD
from reintegrate.schemas.employers import EmployerUpdateSchema
from reintegrate.schemas.fields import page_field, query_id
from reintegrate.schemas.safe_migration import SafeMigrationOptionSchema
from reintegrate.services import audit, employers, safe_migration
from reintegrate.services.access import Actor
from reintegrate.web.forms import query_args, submit

bp = Blueprint("admin", __name__, url_prefix="/admin")
ACTIONS = tuple(AUDIT_ACTION)


class AuditArgs(Schema):
    actor = fields.String(validate=validate.Length(max=254))
    action = fields.String(validate=validate.OneOf(ACTIONS))
    entity_type = fields.String(validate=validate.OneOf(tuple(AUDIT_RECORD)))
    entity_id = query_id()
    since = fields.Date()
    until = fields.Date()
    page = page_field()


@bp.get("/audit")
@login_required
def audit_log() -> tuple[str, int]:
    raw = {k: v for k, v in request.args.items() if v and k in AuditArgs().fields}
    args, errors = query_args(AuditArgs())
    page = args.pop("page")
    with db.transaction() as session:
        rows, total = audit.search(session, current_actor(), audit.AuditFilters(**args), page=page)
    pages = max(1, -(-total // 50))
    return render_template(
        "admin/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        args=raw,
        errors=errors,
        actions=ACTIONS,
    ), (422 if errors else 200)


@bp.get("/employers")
@login_required
def employer_list() -> str:
    return _employers_page()[0]


def _employers_page(
    errors: dict[str, list[str]] | None = None, editing: int | None = None
) -> tuple[str, int]:
    """The employers page; after a refused save, that row shows what was typed and each error
    beside its field."""
    with db.transaction() as session:
        rows = employers.list_employers(session, current_actor())
        page = render_template(
            "admin/employers.html",
            employers=rows,
            errors=errors or {},
            editing=editing,
            values=request.form,
        )
    return page, (422 if errors else 200)


@bp.post("/employers/<int:employer_id>")
@login_required
def verify_employer(employer_id: int) -> Response | tuple[str, int]:
    """One employer's row: tick "verified", its registration number and a note."""
    form = request.form
    payload = {
        "verified": form.get("verified") == "yes",
        "registration_number": form.get("registration_number", ""),
        "note": form.get("note", ""),
        "contact": form.get("contact", ""),
    }
    done = submit(
        EmployerUpdateSchema(),
        payload,
        lambda session, changes: employers.update_employer(
            session, current_actor(), employer_id, changes
        ),
    )
    if done.errors:
        return _employers_page(done.errors, employer_id)
    flash(_("Employer saved."), "success")
    return redirect(url_for("admin.employer_list"))


def _option_payload() -> dict[str, object]:
    """The option form as the schema reads it: blank optional text left out, ticks typed."""
    form = request.form
    data: dict[str, object] = {
        name: form.get(name, "") for name in ("kind", "name", "province", "contact", "details")
    }
    if not data["province"]:
        data["province"] = None
    data["example"] = form.get("example") == "yes"
    data["active"] = form.get("active") == "yes"
    return data


def _options_page(
    errors: dict[str, list[str]] | None = None, editing: int | str | None = None
) -> tuple[str, int]:
    """The options page; after a refused save, that form shows what was typed, each error by
    its field (`editing` is the option's id, or "new" for the add form)."""
    values = None
    if errors:
        values = {**_option_payload(), "province": request.form.get("province", "")}
    with db.transaction() as session:
        options = safe_migration.manage_options(session, current_actor())
        page = render_template(
            "admin/safe_migration_options.html",
            options=options,
            kinds=OPTION_KINDS,
            errors=errors or {},
            editing=editing,
            values=values,
        )
    return page, (422 if errors else 200)


@bp.route("/safe-migration-options", methods=["GET", "POST"])
@login_required
def safe_migration_options() -> Response | tuple[str, int]:
    """Safer ways to migrate that officers show people who may leave again."""
    if request.method == "POST":
        return _save_option(safe_migration.create_option, "new")
    return _options_page()


@bp.post("/safe-migration-options/<int:option_id>")
@login_required
def update_safe_migration_option(option_id: int) -> Response | tuple[str, int]:
    return _save_option(
        lambda session, actor, data: safe_migration.update_option(session, actor, option_id, data),
        option_id,
    )


def _save_option(
    save: Callable[[Session, Actor, dict[str, Any]], object], editing: int | str
) -> Response | tuple[str, int]:
    """Add or change an option; a refused one comes back in its own form (`editing`)."""
    done = submit(
        SafeMigrationOptionSchema(),
        _option_payload(),
        lambda session, data: save(session, current_actor(), data),
    )
    if done.errors:
        return _options_page(done.errors, editing)
    flash(_("Option saved."), "success")
    return redirect(url_for("admin.safe_migration_options"))


@bp.post("/safe-migration-options/<int:option_id>/delete")
@login_required
def delete_safe_migration_option(option_id: int) -> Response:
    with db.transaction() as session:
        safe_migration.delete_option(session, current_actor(), option_id)
    flash(_("Option removed."), "success")
    return redirect(url_for("admin.safe_migration_options"))
