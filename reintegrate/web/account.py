"""The signed-in user's own account: language and password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from reintegrate.auth import client_ip
from reintegrate.db import db
from reintegrate.errors import Forbidden, InvalidInput
from reintegrate.services import users

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Response | tuple[str, int]:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            with db.transaction() as session:
                users.change_password(
                    session,
                    current_user.user,
                    current_user.token,
                    request.form.get("current_password", "")[:1024],
                    request.form.get("new_password", "")[:1024],
                    client_ip(),
                )
        except Forbidden:
            flash(_("For your safety, log in again before changing your password."), "info")
            return redirect(url_for("auth.login", next=url_for("account.password")))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Your password has been changed. Other sessions were logged out."), "success")
            return redirect(url_for("main.home"))
    return render_template("account/password.html", errors=errors), (422 if errors else 200)
