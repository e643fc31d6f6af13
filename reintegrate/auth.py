"""Who is asking: browser sessions through Flask-Login, API clients through bearer tokens."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, request, session
from flask_login import current_user, login_user, logout_user

from reintegrate.db import db
from reintegrate.extensions import login_manager
from reintegrate.models import User
from reintegrate.services import users
from reintegrate.services.access import Actor

API_PREFIX = "/api/"


class SessionUser:
    """What Flask-Login holds: the account plus the server-side session token it logged in with."""

    def __init__(self, user: User, token: str | None) -> None:
        self.user = user
        self.token = token

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.token

    def __getattr__(self, name: str) -> object:
        return getattr(self.user, name)


def client_ip() -> str:
    return request.remote_addr or "unknown"


def current_actor() -> Actor:
    return Actor.of(current_user.user, client_ip())


def _load_from_session(token: str) -> SessionUser | None:
    user = users.resume_login_session(
        db.session,
        token,
        idle=timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
    )
    db.session.commit()
    return SessionUser(user, token) if user else None


def _load_from_bearer(req: object) -> SessionUser | None:
    header = request.headers.get("Authorization", "")
    if not request.path.startswith(API_PREFIX) or not header.lower().startswith("bearer "):
        return None
    user = users.user_for_token(db.session, header[7:].strip())
    db.session.commit()
    if user is None:
        return None
    g.authenticated_by_token = True
    return SessionUser(user, None)


def log_in(user: User) -> None:
    """Start a fresh server-side session and a fresh cookie (no session fixation).

    A session this browser already had ends: a copy of the old cookie opens nothing.
    """
    if current_user.is_authenticated and current_user.token:
        users.end_login_session(db.session, current_user.token)
    token = users.start_login_session(db.session, user, client_ip())
    session.clear()
    login_user(SessionUser(user, token))
    session.permanent = False


def log_out() -> None:
    if current_user.is_authenticated and current_user.token:
        users.end_login_session(db.session, current_user.token)
    logout_user()
    session.clear()


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_bearer)
