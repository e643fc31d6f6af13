"""The home page and the language switch."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from reintegrate.db import db
from reintegrate.i18n import LANGUAGES
from reintegrate.models.user import Role
from reintegrate.services import users
from reintegrate.web.auth import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home() -> Response | str:
    if current_user.role == Role.OFFICER:
        return redirect(url_for("placements.work"))
    if current_user.role == Role.MANAGER:
        return redirect(url_for("dashboard.index"))
    if current_user.role in (Role.EMPLOYER, Role.ADMIN):
        return redirect(url_for("listings.index"))
    return render_template("main/home.html")


@bp.post("/language")
def language() -> Response:
    """Switch language; it is kept in the session and, once logged in, on the account."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            with db.transaction() as db_session:
                users.set_locale(db_session, current_user.id, lang)
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))
