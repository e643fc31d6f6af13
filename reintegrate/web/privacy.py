"""Pages for a person's data rights: download a copy, request erasure, managers decide."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.errors import Conflict, InvalidInput
from reintegrate.schemas.fields import form_id
from reintegrate.services import privacy

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
def request_erasure(returnee_id: int) -> Response:
    try:
        with db.transaction() as session:
            privacy.request_erasure(
                session, current_actor(), returnee_id, request.form.get("reason", "")
            )
    except InvalidInput:
        flash(_("Choose why the data should be erased."), "error")
    except Conflict as exc:
        flash(_(exc.message), "error")
    else:
        flash(_("Erasure requested. A programme manager must approve it."), "success")
    return redirect(url_for("returnees.detail", returnee_id=returnee_id))


@bp.route("/erasures", methods=["GET", "POST"])
@login_required
def erasures() -> Response | str:
    actor = current_actor()
    if request.method == "POST":
        request_id = request.form.get("request_id", "")
        try:
            with db.transaction() as session:
                privacy.decide_erasure(
                    session,
                    actor,
                    form_id(request_id) or 0,
                    request.form.get("decision") == "approve",
                )
        except Conflict as exc:
            flash(_(exc.message), "error")
        else:
            flash(_("Decision recorded."), "success")
        return redirect(url_for("privacy.erasures"))
    with db.transaction() as session:
        pending = privacy.pending_erasures(session, actor)
    return render_template(
        "privacy/erasures.html", pending=pending, erasure_reasons=privacy.ERASURE_REASONS
    )
