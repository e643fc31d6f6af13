"""The home page and the language switch."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.i18n import LANGUAGES
from reintegrate.presenters import navigation
from reintegrate.services import users
from reintegrate.web.auth import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home() -> Response | str:
    """A user's home is the first page of their menu."""
    entries = navigation.menu_for(current_actor())
    if entries:
        return redirect(url_for(entries[0].endpoint))
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
