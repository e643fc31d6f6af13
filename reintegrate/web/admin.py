"""Administrators' pages: the audit trail."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from marshmallow import Schema, ValidationError, fields, validate

from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.services import audit
from reintegrate.web.forms import flatten_errors
from reintegrate.web.labels import AUDIT_ACTION, AUDIT_RECORD

bp = Blueprint("admin", __name__, url_prefix="/admin")
ACTIONS = tuple(AUDIT_ACTION)


class AuditArgs(Schema):
    actor = fields.String(validate=validate.Length(max=254))
    action = fields.String(validate=validate.OneOf(ACTIONS))
    entity_type = fields.String(validate=validate.OneOf(tuple(AUDIT_RECORD)))
    entity_id = fields.Integer(validate=validate.Range(min=1))
    since = fields.Date()
    until = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


@bp.get("/audit")
@login_required
def audit_log() -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    raw = {k: v for k, v in request.args.items() if v and k in AuditArgs().fields}
    try:
        args = AuditArgs().load(raw)
    except ValidationError as exc:
        errors, args = flatten_errors(exc.messages_dict), {"page": 1}
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
