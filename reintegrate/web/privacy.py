"""Pages for a person's data rights: download a copy, request erasure, managers decide."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.errors import Conflict, InvalidInput
from reintegrate.schemas.privacy import ErasureDecisionSchema
from reintegrate.services import privacy
from reintegrate.web.forms import submit, whole_or_text
from reintegrate.web.returnees import Refused, case_page

bp = Blueprint("privacy", __name__)


@bp.get("/returnees/<int:returnee_id>/export.json")
@login_required
def export(returnee_id: int) -> Response:
    with db.transaction() as session:
        data = privacy.export_returnee(session, current_actor(), returnee_id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{data["case_number"]}.json"'},
    )


@bp.post("/returnees/<int:returnee_id>/erasure")
@login_required
def request_erasure(returnee_id: int) -> Response | tuple[str, int]:
    """An officer asks for an erasure; a refused reason comes back beside the reason list."""
    reason = request.form.get("reason", "")
    try:
        with db.transaction() as session:
            privacy.request_erasure(session, current_actor(), returnee_id, reason)
    except InvalidInput as exc:
        return case_page(returnee_id, Refused("erasure", exc.errors, {"reason": reason}))
    except Conflict as exc:
        flash(_(exc.message), "error")
    else:
        flash(_("Erasure requested. A programme manager must approve it."), "success")
    return redirect(url_for("returnees.detail", returnee_id=returnee_id))


@bp.route("/erasures", methods=["GET", "POST"])
@login_required
def erasures() -> Response | tuple[str, int]:
    """Managers decide requests; a refused decision is shown on its row (or above the list
    when it names no waiting request)."""
    actor = current_actor()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            errors = submit(
                ErasureDecisionSchema(),
                _decision_payload(),
                lambda session, data: privacy.decide_erasure(
                    session, actor, data["request_id"], data["decision"] == "approve"
                ),
            ).errors
        except Conflict as exc:
            flash(_(exc.message), "error")
            return redirect(url_for("privacy.erasures"))
        if not errors:
            flash(_("Decision recorded."), "success")
            return redirect(url_for("privacy.erasures"))
    with db.transaction() as session:
        pending = privacy.pending_erasures(session, actor)
    failed = request.form.get("request_id", "").strip() if errors else None
    return render_template(
        "privacy/erasures.html",
        pending=pending,
        erasure_reasons=privacy.ERASURE_REASONS,
        errors=errors,
        failed=failed,
        on_a_row=any(str(r.id) == failed for r in pending),
    ), (422 if errors else 200)


def _decision_payload() -> dict[str, object]:
    """The decision form as the schema reads it: blanks left out, the id typed as a number."""
    payload: dict[str, object] = {}
    for name in ("request_id", "decision"):
        value = request.form.get(name, "")
        if value.strip():
            payload[name] = whole_or_text(value) if name == "request_id" else value
    return payload
