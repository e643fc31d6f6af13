"""Log in and log out."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from reintegrate.auth import client_ip, log_in, log_out
from reintegrate.db import db
from reintegrate.errors import TooManyAttempts
from reintegrate.services import users

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths, so a crafted link cannot bounce users elsewhere.

    Control characters (a CR/LF would split the Location header) and backslashes (browsers
    read "/\\evil.example" as "//evil.example") send the user to the default instead.
    """
    if not target or any(ord(c) < 32 or c in "\x7f\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    if request.method == "GET":
        return render_template("auth/login.html", email="")
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[:1024]
    try:
        with db.transaction() as session:  # committed before the password check: see the claim
            claim = users.claim_login_try(
                session,
                email,
                client_ip(),
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                window=timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"]),
            )
        with db.transaction() as session:
            user = users.authenticate(session, claim, password)
            if user is not None:
                log_in(user)
    except TooManyAttempts as exc:
        minutes = max(1, exc.retry_after_seconds // 60)
        message = _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes)
        return render_template("auth/login.html", email=email, error=message), 429
    if user is None:
        message = _("Wrong email or password.")
        return render_template("auth/login.html", email=email, error=message), 401
    return redirect(safe_next(request.args.get("next"), url_for("main.home")))


@bp.post("/logout")
def logout() -> Response:
    with db.transaction():
        log_out()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
